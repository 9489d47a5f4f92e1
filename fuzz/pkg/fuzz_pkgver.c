/*
 * Fuzzes the version comparators: the input splits at its first 0xff byte
 * into a and b, and each scheme must give cmp(a,a) == 0 and
 * cmp(a,b) == -cmp(b,a), with results in {-1, 0, 1}.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "local/pkgver.h"

typedef int (*cmp_fn)(const char *, size_t, const char *, size_t);

static void check(cmp_fn cmp, const char *a, size_t alen, const char *b, size_t blen)
{
	int ab = cmp(a, alen, b, blen);
	int ba = cmp(b, blen, a, alen);

	if (ab < -1 || ab > 1 || ab != -ba)
		abort();
	if (cmp(a, alen, a, alen) != 0 || cmp(b, blen, b, blen) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const cmp_fn fns[] = {
		pkgver_cmp_deb_n, pkgver_cmp_rpm_n, pkgver_cmp_apk_n,
		pkgver_verrevcmp, pkgver_rpmvercmp,
	};
	const uint8_t *sep = memchr(data, 0xff, size);
	size_t alen = sep ? (size_t)(sep - data) : size / 2;
	size_t blen = size - alen - (sep ? 1 : 0);
	/* Separate exact-size copies let ASan see any read past either. */
	char *a = malloc(alen ? alen : 1), *b = malloc(blen ? blen : 1);
	size_t k;

	if (!a || !b)
		goto out;
	if (alen)
		memcpy(a, data, alen);
	if (blen)
		memcpy(b, data + size - blen, blen);
	for (k = 0; k < sizeof(fns) / sizeof(fns[0]); k++)
		check(fns[k], a, alen, b, blen);
out:
	free(a);
	free(b);
	return 0;
}
