/*
 * Package version comparison for dpkg, rpm and apk.  See pkgver.h for the
 * rules; the algorithms are written from deb-version(7), rpm's documented
 * rpmvercmp semantics and the Alpine/Gentoo version specification.
 */
#include "local/pkgver.h"
#include "util/ascii.h"

#include <string.h>

/* ASCII classes only: version strings are not locale text, and the
 * package managers themselves classify bytes this way. */

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* Compares two runs of digits as numbers of any length. */
static int cmp_digits(const char *a, size_t alen, const char *b, size_t blen)
{
	while (alen > 0 && *a == '0') {
		a++;
		alen--;
	}
	while (blen > 0 && *b == '0') {
		b++;
		blen--;
	}
	if (alen != blen)
		return alen < blen ? -1 : 1;
	if (alen == 0)
		return 0;
	return sign(memcmp(a, b, alen));
}

/* Compares bytes, the shorter prefix first, as strcmp would. */
static int cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int r = n ? memcmp(a, b, n) : 0;

	if (r != 0)
		return sign(r);
	if (alen == blen)
		return 0;
	return alen < blen ? -1 : 1;
}

/* --- dpkg --------------------------------------------------------------- */

/* The weight of one position in a non-digit run; the end of the string
 * and a digit both weigh 0, which is what lets "~" sort before the end. */
static int deb_order(const char *s, size_t len, size_t i)
{
	int c;

	if (i >= len)
		return 0;
	c = (unsigned char)s[i];
	if (is_digit(c))
		return 0;
	if (is_alpha(c))
		return c;
	if (c == '~')
		return -1;
	return c + 256;
}

int pkgver_verrevcmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;

	while (i < alen || j < blen) {
		int first_diff = 0;

		/* Inside this loop equal weights imply two real non-digits,
		 * so both indices may advance. */
		while ((i < alen && !is_digit((unsigned char)a[i])) ||
		    (j < blen && !is_digit((unsigned char)b[j]))) {
			int ac = deb_order(a, alen, i);
			int bc = deb_order(b, blen, j);

			if (ac != bc)
				return sign(ac - bc);
			i++;
			j++;
		}
		while (i < alen && a[i] == '0')
			i++;
		while (j < blen && b[j] == '0')
			j++;
		while (i < alen && j < blen && is_digit((unsigned char)a[i]) &&
		    is_digit((unsigned char)b[j])) {
			if (!first_diff)
				first_diff = a[i] - b[j];
			i++;
			j++;
		}
		if (i < alen && is_digit((unsigned char)a[i]))
			return 1;
		if (j < blen && is_digit((unsigned char)b[j]))
			return -1;
		if (first_diff)
			return sign(first_diff);
	}
	return 0;
}

struct evr {
	const char *e, *v, *r;
	size_t elen, vlen, rlen;
};

/* Both schemes end in [-release]: the release follows the last '-'. */
static void split_release(const char *s, size_t len, struct evr *out)
{
	size_t k;

	out->v = s;
	out->vlen = len;
	for (k = len; k > 0; k--) {
		if (s[k - 1] == '-') {
			out->vlen = k - 1;
			out->r = s + k;
			out->rlen = len - k;
			return;
		}
	}
}

/* dpkg: the epoch ends at the first colon, the revision starts after the
 * last hyphen. */
static void deb_split(const char *s, size_t len, struct evr *out)
{
	const char *colon = len ? memchr(s, ':', len) : NULL;

	memset(out, 0, sizeof(*out));
	if (colon) {
		out->e = s;
		out->elen = (size_t)(colon - s);
		len -= out->elen + 1;
		s = colon + 1;
	}
	split_release(s, len, out);
}

int pkgver_cmp_deb_n(const char *a, size_t alen, const char *b, size_t blen)
{
	struct evr x, y;
	int r;

	deb_split(a, alen, &x);
	deb_split(b, blen, &y);
	/* A missing epoch is 0 and verrevcmp("", "0") is 0, so the epochs
	 * compare numerically without a special case or an overflow. */
	if ((r = pkgver_verrevcmp(x.e, x.elen, y.e, y.elen)) != 0)
		return r;
	if ((r = pkgver_verrevcmp(x.v, x.vlen, y.v, y.vlen)) != 0)
		return r;
	return pkgver_verrevcmp(x.r, x.rlen, y.r, y.rlen);
}

/* --- rpm ---------------------------------------------------------------- */

int pkgver_rpmvercmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;

	if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
		return 0;
	while (i < alen || j < blen) {
		size_t si, sj;
		int ca, cb, isnum, r;

		/* Everything that is not alphanumeric, '~' or '^' only
		 * separates segments. */
		while (i < alen && !is_alnum((unsigned char)a[i]) &&
		    a[i] != '~' && a[i] != '^')
			i++;
		while (j < blen && !is_alnum((unsigned char)b[j]) &&
		    b[j] != '~' && b[j] != '^')
			j++;
		ca = i < alen ? (unsigned char)a[i] : -1;
		cb = j < blen ? (unsigned char)b[j] : -1;

		if (ca == '~' || cb == '~') {
			if (ca != '~')
				return 1;
			if (cb != '~')
				return -1;
			i++;
			j++;
			continue;
		}
		/* A caret extends the base version: it beats the end of the
		 * other string but loses to any further segment. */
		if (ca == '^' || cb == '^') {
			if (ca == -1)
				return -1;
			if (cb == -1)
				return 1;
			if (ca != '^')
				return 1;
			if (cb != '^')
				return -1;
			i++;
			j++;
			continue;
		}
		if (ca == -1 || cb == -1)
			break;

		si = i;
		sj = j;
		isnum = is_digit(ca);
		if (isnum) {
			while (i < alen && is_digit((unsigned char)a[i]))
				i++;
			while (j < blen && is_digit((unsigned char)b[j]))
				j++;
		} else {
			while (i < alen && is_alpha((unsigned char)a[i]))
				i++;
			while (j < blen && is_alpha((unsigned char)b[j]))
				j++;
		}
		/* The segments are of different kinds: numbers win. */
		if (j == sj)
			return isnum ? 1 : -1;
		if (isnum)
			r = cmp_digits(a + si, i - si, b + sj, j - sj);
		else
			r = cmp_bytes(a + si, i - si, b + sj, j - sj);
		if (r != 0)
			return r;
	}
	if (i >= alen && j >= blen)
		return 0;
	/* Whichever string still has segments left is newer. */
	return i >= alen ? -1 : 1;
}

/* rpm: an epoch is a run of digits followed by a colon; the release starts
 * after the last hyphen. */
static void rpm_split(const char *s, size_t len, struct evr *out)
{
	size_t k = 0;

	memset(out, 0, sizeof(*out));
	while (k < len && is_digit((unsigned char)s[k]))
		k++;
	if (k < len && s[k] == ':') {
		out->e = s;
		out->elen = k;
		s += k + 1;
		len -= k + 1;
	}
	split_release(s, len, out);
}

int pkgver_cmp_rpm_n(const char *a, size_t alen, const char *b, size_t blen)
{
	struct evr x, y;
	int r;

	rpm_split(a, alen, &x);
	rpm_split(b, blen, &y);
	/* A missing or empty epoch is 0. */
	if (x.elen == 0) {
		x.e = "0";
		x.elen = 1;
	}
	if (y.elen == 0) {
		y.e = "0";
		y.elen = 1;
	}
	if ((r = pkgver_rpmvercmp(x.e, x.elen, y.e, y.elen)) != 0)
		return r;
	if ((r = pkgver_rpmvercmp(x.v, x.vlen, y.v, y.vlen)) != 0)
		return r;
	/* A missing release is an empty one, as rpm's own EVR comparison
	 * (rpm.vercmp) treats it; only dependency matching lets it match
	 * any release, and installed packages always carry one. */
	return pkgver_rpmvercmp(x.r, x.rlen, y.r, y.rlen);
}

/* --- apk ---------------------------------------------------------------- */

#define APK_MAX_NUMS 32
#define APK_MAX_SUFFIXES 16

struct apk_span {
	const char *p;
	size_t n;
};

struct apk_suffix {
	int rank; /* negative: pre-release, positive: post-release */
	struct apk_span num;
};

struct apk_ver {
	struct apk_span nums[APK_MAX_NUMS];
	size_t nnums;
	int letter; /* 0 when absent */
	struct apk_suffix suf[APK_MAX_SUFFIXES];
	size_t nsuf;
	struct apk_span hash;
	struct apk_span rev;
	int has_rev;
};

struct apk_suffix_name {
	const char *name;
	int rank;
};

static const struct apk_suffix_name apk_suffixes[] = {
	{ "alpha", -4 },
	{ "beta", -3 },
	{ "pre", -2 },
	{ "rc", -1 },
	{ "cvs", 1 },
	{ "svn", 2 },
	{ "git", 3 },
	{ "hg", 4 },
	{ "p", 5 },
};

static size_t apk_digits(const char *s, size_t len, size_t i)
{
	while (i < len && is_digit((unsigned char)s[i]))
		i++;
	return i;
}

/* Returns 0 when the whole string follows the grammar, -1 otherwise. */
static int apk_parse(const char *s, size_t len, struct apk_ver *v)
{
	size_t i = 0, e;

	memset(v, 0, sizeof(*v));
	for (;;) {
		e = apk_digits(s, len, i);
		if (e == i || v->nnums == APK_MAX_NUMS)
			return -1;
		v->nums[v->nnums].p = s + i;
		v->nums[v->nnums].n = e - i;
		v->nnums++;
		i = e;
		if (i < len && s[i] == '.')
			i++;
		else
			break;
	}
	if (i < len && is_lower((unsigned char)s[i]))
		v->letter = (unsigned char)s[i++];
	while (i < len && s[i] == '_') {
		size_t k, nl;
		int found = 0;

		if (v->nsuf == APK_MAX_SUFFIXES)
			return -1;
		i++;
		for (k = 0; k < sizeof(apk_suffixes) / sizeof(apk_suffixes[0]);
		     k++) {
			nl = strlen(apk_suffixes[k].name);
			if (len - i >= nl &&
			    memcmp(s + i, apk_suffixes[k].name, nl) == 0) {
				/* "p" must not swallow the start of "pre". */
				if (apk_suffixes[k].rank == 5 && len - i > nl &&
				    is_alpha((unsigned char)s[i + nl]))
					continue;
				v->suf[v->nsuf].rank = apk_suffixes[k].rank;
				i += nl;
				found = 1;
				break;
			}
		}
		if (!found)
			return -1;
		e = apk_digits(s, len, i);
		v->suf[v->nsuf].num.p = s + i;
		v->suf[v->nsuf].num.n = e - i;
		v->nsuf++;
		i = e;
	}
	if (i < len && s[i] == '~') {
		i++;
		e = i;
		while (e < len &&
		    (is_digit((unsigned char)s[e]) ||
			(s[e] >= 'a' && s[e] <= 'f')))
			e++;
		if (e == i)
			return -1;
		v->hash.p = s + i;
		v->hash.n = e - i;
		i = e;
	}
	if (i + 1 < len && s[i] == '-' && s[i + 1] == 'r') {
		i += 2;
		e = apk_digits(s, len, i);
		if (e == i)
			return -1;
		v->rev.p = s + i;
		v->rev.n = e - i;
		v->has_rev = 1;
		i = e;
	}
	return i == len ? 0 : -1;
}

/* Later components with a leading zero compare as decimal fractions, as
 * in Gentoo's rules: "1.01" < "1.1", and trailing zeros do not count. */
static int apk_cmp_component(struct apk_span a, struct apk_span b)
{
	if ((a.n > 0 && a.p[0] == '0') || (b.n > 0 && b.p[0] == '0')) {
		while (a.n > 0 && a.p[a.n - 1] == '0')
			a.n--;
		while (b.n > 0 && b.p[b.n - 1] == '0')
			b.n--;
		return cmp_bytes(a.p, a.n, b.p, b.n);
	}
	return cmp_digits(a.p, a.n, b.p, b.n);
}

int pkgver_cmp_apk_n(const char *a, size_t alen, const char *b, size_t blen)
{
	struct apk_ver x, y;
	int okx, oky, r;
	size_t k;

	okx = apk_parse(a, alen, &x) == 0;
	oky = apk_parse(b, blen, &y) == 0;
	/* A malformed version sorts before any valid one, and two malformed
	 * ones compare as bytes, so the order stays total. */
	if (!okx || !oky) {
		if (okx != oky)
			return okx ? 1 : -1;
		return cmp_bytes(a, alen, b, blen);
	}
	if ((r = cmp_digits(x.nums[0].p, x.nums[0].n, y.nums[0].p,
		 y.nums[0].n)) != 0)
		return r;
	for (k = 1; k < x.nnums && k < y.nnums; k++)
		if ((r = apk_cmp_component(x.nums[k], y.nums[k])) != 0)
			return r;
	if (x.nnums != y.nnums)
		return x.nnums < y.nnums ? -1 : 1;
	if (x.letter != y.letter)
		return x.letter < y.letter ? -1 : 1;
	for (k = 0; k < x.nsuf && k < y.nsuf; k++) {
		if (x.suf[k].rank != y.suf[k].rank)
			return x.suf[k].rank < y.suf[k].rank ? -1 : 1;
		r = cmp_digits(x.suf[k].num.p, x.suf[k].num.n, y.suf[k].num.p,
		    y.suf[k].num.n);
		if (r != 0)
			return r;
	}
	/* An extra pre-release suffix makes a version older, an extra
	 * post-release suffix newer. */
	if (x.nsuf > k)
		return x.suf[k].rank < 0 ? -1 : 1;
	if (y.nsuf > k)
		return y.suf[k].rank < 0 ? 1 : -1;
	if ((r = cmp_bytes(x.hash.p, x.hash.n, y.hash.p, y.hash.n)) != 0)
		return r;
	return cmp_digits(x.rev.p, x.rev.n, y.rev.p, y.rev.n);
}

/* --- conveniences ------------------------------------------------------- */

int pkgver_cmp_deb(const char *a, const char *b)
{
	return pkgver_cmp_deb_n(a, strlen(a), b, strlen(b));
}

int pkgver_cmp_rpm(const char *a, const char *b)
{
	return pkgver_cmp_rpm_n(a, strlen(a), b, strlen(b));
}

int pkgver_cmp_apk(const char *a, const char *b)
{
	return pkgver_cmp_apk_n(a, strlen(a), b, strlen(b));
}

int pkgver_cmp(int scheme, const char *a, const char *b)
{
	switch (scheme) {
	case PKG_SCHEME_DEB:
		return pkgver_cmp_deb(a, b);
	case PKG_SCHEME_RPM:
		return pkgver_cmp_rpm(a, b);
	case PKG_SCHEME_APK:
		return pkgver_cmp_apk(a, b);
	default:
		return cmp_bytes(a, strlen(a), b, strlen(b));
	}
}

const char *pkg_scheme_name(int scheme)
{
	switch (scheme) {
	case PKG_SCHEME_DEB:
		return "deb";
	case PKG_SCHEME_RPM:
		return "rpm";
	case PKG_SCHEME_APK:
		return "apk";
	default:
		return "unknown";
	}
}
