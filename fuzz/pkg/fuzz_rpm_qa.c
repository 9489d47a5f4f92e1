/* Fuzzes the parser of rpm -qa output and judges what it yields. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "local/pkgdb.h"

static void judge(void *ctx, const char *name, const char *epoch, const char *version,
	const char *release, const char *arch)
{
	struct pkg_finding f;
	char evr[1024];

	(void)ctx;
	(void)arch;
	if (!name[0] || !version[0])
		abort();
	snprintf(evr, sizeof(evr), "%s:%s-%s", epoch, version, release);
	if (advisory_judge(NULL, name, evr, PKG_SCHEME_RPM, &f) != 0)
		abort();
	if (!f.reason[0])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	if (rpm_qa_parse(buf, size, judge, NULL) < 0)
		abort();
	free(buf);
	return 0;
}
