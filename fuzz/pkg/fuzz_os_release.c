/* Fuzzes os-release and redhat-release parsing, then judges a package on
 * whatever release came out. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "local/pkgdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct os_release os;
	struct pkg_finding f;

	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	if (os_release_parse(buf, size, &os) != 0)
		abort();
	if (!memchr(os.id, '\0', sizeof(os.id)) || !memchr(os.version_id, '\0', sizeof(os.version_id)) ||
	    !memchr(os.id_like, '\0', sizeof(os.id_like)) || !memchr(os.pretty, '\0', sizeof(os.pretty)))
		abort();
	if (advisory_judge(&os, "libssl1.0.0", "1.0.1e-2+deb7u4", PKG_SCHEME_DEB, &f) != 0)
		abort();
	/* A wheezy build before the fix: vulnerable where a row speaks for
	 * the release, unknown where none does -- never fixed. */
	if (f.verdict != PKG_VULNERABLE && f.verdict != PKG_UNKNOWN)
		abort();
	redhat_release_parse(buf, size, &os);
	free(buf);
	return 0;
}
