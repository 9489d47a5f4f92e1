/*
 * Package version comparison, following each package manager's own rules.
 *
 * Contract: every comparator is pure, reads exactly the bytes it is given
 * (no NUL terminator needed) and returns -1, 0 or 1.  The orders are
 * antisymmetric for any input, including empty and malformed strings, so a
 * hostile version string can never make a < b and b < a at once.
 *
 * - deb (deb-version(7)): [epoch:]upstream[-revision].  The epoch compares
 *   numerically, then upstream and revision with dpkg's verrevcmp: runs of
 *   non-digits compare character by character with letters before other
 *   characters and '~' before everything (even the end), runs of digits
 *   compare numerically.  A missing revision equals "0".
 * - rpm (rpmvercmp, rpm >= 4.15): [epoch:]version[-release].  Alphanumeric
 *   segments split by anything else; a numeric segment beats an alphabetic
 *   one; leading zeros are ignored; '~' sorts before everything and '^'
 *   after the base version but before any further segment.  A missing
 *   release is empty, as in rpm's own EVR comparison, so "1.0" < "1.0-1".
 * - apk (Alpine, also Gentoo's scheme): digits{.digits}[letter]{_suffix[N]}
 *   [~hash][-rN].  Pre-release suffixes (_alpha, _beta, _pre, _rc) sort
 *   before the bare version, post-release ones (_cvs, _svn, _git, _hg, _p)
 *   after it.  Malformed tails fall back to a plain byte comparison so the
 *   order stays total.
 *
 * Digit runs of any length are compared without converting to integers, so
 * very long numbers cannot overflow.
 */
#ifndef HEARTCHECK_LOCAL_PKGVER_H
#define HEARTCHECK_LOCAL_PKGVER_H

#include <stddef.h>

enum pkg_scheme {
	PKG_SCHEME_DEB = 1,
	PKG_SCHEME_RPM = 2,
	PKG_SCHEME_APK = 3,
};

int pkgver_cmp_deb_n(const char *a, size_t alen, const char *b, size_t blen);
int pkgver_cmp_rpm_n(const char *a, size_t alen, const char *b, size_t blen);
int pkgver_cmp_apk_n(const char *a, size_t alen, const char *b, size_t blen);

/* NUL-terminated conveniences for the functions above. */
int pkgver_cmp_deb(const char *a, const char *b);
int pkgver_cmp_rpm(const char *a, const char *b);
int pkgver_cmp_apk(const char *a, const char *b);

/* Dispatches on an enum pkg_scheme; an unknown scheme compares bytes. */
int pkgver_cmp(int scheme, const char *a, const char *b);

/* Segment comparison without the epoch and release split (rpmvercmp and
 * verrevcmp proper), exposed for tests and fuzzing. */
int pkgver_rpmvercmp(const char *a, size_t alen, const char *b, size_t blen);
int pkgver_verrevcmp(const char *a, size_t alen, const char *b, size_t blen);

/* "deb", "rpm", "apk" or "unknown". */
const char *pkg_scheme_name(int scheme);

#endif
