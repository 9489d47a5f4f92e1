/* Fuzzes the dpkg status parser: no crash, no over-read, sane callbacks. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "local/pkgdb.h"

static void check(void *ctx, const char *name, const char *version, const char *arch,
	const char *status)
{
	(void)ctx;
	if (strlen(name) == 0 || strlen(name) > PKGDB_FIELD_MAX ||
	    strlen(version) > PKGDB_FIELD_MAX || strlen(arch) > PKGDB_FIELD_MAX ||
	    strlen(status) > PKGDB_FIELD_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly `size` bytes lets ASan catch any read past it. */
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	if (dpkg_status_parse(buf, size, check, NULL) < 0)
		abort();
	if (apk_installed_parse(buf, size, check, NULL) < 0)
		abort();
	free(buf);
	return 0;
}
