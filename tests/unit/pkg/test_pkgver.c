/*
 * Version comparison: the published edge cases of dpkg, rpm and apk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../hc_skip.h"

#include "local/pkgver.h"

/* Checks cmp(a, b) == want and the mirrored call, so every case also
 * tests antisymmetry. */
#define DEB(a, want, b) check(PKG_SCHEME_DEB, a, b, want, __LINE__)
#define RPM(a, want, b) check(PKG_SCHEME_RPM, a, b, want, __LINE__)
#define APK(a, want, b) check(PKG_SCHEME_APK, a, b, want, __LINE__)

static void check(int scheme, const char *a, const char *b, int want, int line)
{
	int got = pkgver_cmp(scheme, a, b);
	int back = pkgver_cmp(scheme, b, a);

	if (got != want || back != -want)
		fail_msg("line %d: %s cmp(\"%s\", \"%s\") = %d (reverse %d), want %d", line,
			pkg_scheme_name(scheme), a, b, got, back, want);
}

static void test_deb_published(void **state)
{
	(void)state;
	DEB("1.0~rc1", -1, "1.0");
	DEB("1.0", -1, "1.0+b1");
	DEB("1:0.9", 1, "2.0");
	DEB("1.0-1", -1, "1.0-1.1");
	DEB("1.0a", -1, "1.0b");
	DEB("1.0.1e-2+deb7u4", -1, "1.0.1e-2+deb7u5");
	DEB("1.0.1-4ubuntu5.11", -1, "1.0.1-4ubuntu5.12");
	DEB("1.0.1-4ubuntu5.9", -1, "1.0.1-4ubuntu5.10");
	DEB("001", 0, "1");
	DEB("1.0", 0, "1.0");
	DEB("0:1.0", 0, "1.0");
	DEB("1.0", 0, "1.0-0");
	DEB("1.0~~", -1, "1.0~");
	DEB("1.0~", -1, "1.0");
	DEB("1.0~~a", -1, "1.0~");
	DEB("1.0", -1, "1.0a");
	/* Letters sort before other characters. */
	DEB("1.0a", -1, "1.0+");
	DEB("1.0+", -1, "1.0.");
	DEB("1.0.", -1, "1.0.0a");
	DEB("3.0.11-1~deb12u2", -1, "3.0.11-1");
	DEB("3.0.11-1~deb12u2", 1, "3.0.11-1~deb12u1");
	DEB("2:1.0", 1, "1:9.9");
	DEB("10:1.0", 1, "9:1.0");
	DEB("1.0.1e-2+deb7u5", 1, "1.0.1e-2+deb7u4");
	DEB("1.0.1e-2+deb7u5", -1, "1.0.1e-2+deb7u15");
	DEB("1.0-a-b", -1, "1.0-a-c");
}

static void test_deb_edges(void **state)
{
	char big1[400], big2[400];

	(void)state;
	DEB("", 0, "");
	DEB("", -1, "0.1");
	DEB("", 0, "0");
	DEB("~", -1, "");
	DEB(":", 0, "");
	DEB("-", 0, "");
	/* Digit runs far beyond 64 bits compare by length, then digits. */
	memset(big1, '9', 300);
	big1[300] = '\0';
	memset(big2, '9', 301);
	big2[301] = '\0';
	DEB(big1, -1, big2);
	big2[300] = '\0';
	big2[299] = '8';
	DEB(big1, 1, big2);
	DEB("18446744073709551616", 1, "18446744073709551615");
	DEB("000000000000000000000000000001", 0, "1");
	DEB("99999999999999999999999:1", 1, "1:2");
	/* Embedded NULs in the length-based API neither stop nor hang it. */
	assert_int_equal(pkgver_cmp_deb_n("1\0" "2", 3, "1\0" "3", 3), -1);
	assert_int_equal(pkgver_cmp_deb_n("1\0", 2, "1", 1), 1);
}

static void test_rpm_published(void **state)
{
	(void)state;
	RPM("1.0.1e-16.el6_5.4", -1, "1.0.1e-16.el6_5.7");
	RPM("1.0.1e-16.el6_5.7", 0, "1.0.1e-16.el6_5.7");
	RPM("1.0.1e-15.el6", -1, "1.0.1e-16.el6_5.7");
	RPM("1.0.1e-30.el6", 1, "1.0.1e-16.el6_5.7");
	RPM("1.0^git1", 1, "1.0");
	RPM("1.0^git1", -1, "1.0.1");
	RPM("1.0^20160101", -1, "1.0^20160102");
	RPM("1.0~rc1", -1, "1.0");
	RPM("1.0~rc1", -1, "1.0~rc2");
	RPM("1.0~rc1^git1", -1, "1.0");
	RPM("1.0~rc1^git1", 1, "1.0~rc1");
	RPM("001", 0, "1");
	/* Leftover segments win, whatever their kind. */
	RPM("1.0", -1, "1.0.a");
	RPM("1.0", -1, "1.0.1");
	/* A numeric segment beats an alphabetic one. */
	RPM("1.0a", -1, "1.0.1");
	RPM("1.a", -1, "1.1");
	RPM("a", -1, "1");
	RPM("1.0a", -1, "1.0b");
	RPM("1.0a", 1, "1.0");
	/* Separators only separate. */
	RPM("1.0", 0, "1..0");
	RPM("1.0", 0, "1_0");
	RPM("1.0.1.g", 0, "1.0.1g");
	RPM("2.0", -1, "10.0");
	RPM("1:1.0-1", 1, "2.0-1");
	RPM("1:1.0.1e-15.el6", 1, "1.0.1e-16.el6_5.7");
	RPM("0:1.0-1", 0, "1.0-1");
	/* A missing release is an empty one. */
	RPM("1.0", -1, "1.0-5");
	RPM("3", -1, "3+-2_98");
	RPM("1.0-5", -1, "1.0-6");
	RPM("1.0.1e-37.66.amzn1", 1, "1.0.1e-37.65.amzn1");
	RPM("1.0.1e-37.fc20.1", 1, "1.0.1e-37.fc20");
}

static void test_rpm_edges(void **state)
{
	char big1[400], big2[400];

	(void)state;
	RPM("", 0, "");
	RPM("", -1, "1");
	RPM("", -1, "a");
	RPM("~", -1, "");
	RPM("^", 1, "");
	RPM("...", 0, "");
	memset(big1, '7', 350);
	big1[350] = '\0';
	memcpy(big2, big1, 351);
	big2[349] = '8';
	RPM(big1, -1, big2);
	RPM("0000000000000000000000000000000000000000001", 0, "1");
	assert_int_equal(pkgver_rpmvercmp("1\0" "2", 3, "1.2", 3), 0);
}

static void test_apk(void **state)
{
	(void)state;
	APK("1.0.1f-r0", -1, "1.0.1g-r0");
	APK("1.0.1g-r0", 0, "1.0.1g-r0");
	APK("1.0.1g", -1, "1.0.1g-r1");
	APK("1.0.1g-r2", -1, "1.0.1g-r10");
	APK("1.0.1f-r1", -1, "1.0.1g");
	APK("1.0_rc1", -1, "1.0");
	APK("1.0_alpha", -1, "1.0_beta");
	APK("1.0_beta2", -1, "1.0_pre1");
	APK("1.0_pre1", -1, "1.0_rc1");
	APK("1.0", -1, "1.0_p1");
	APK("1.0_p1", -1, "1.0_p2");
	APK("1.0_git20140101", -1, "1.0_p1");
	APK("1.0", -1, "1.0.1");
	APK("1.0", -1, "1.0a");
	APK("1.01", -1, "1.1");
	APK("1.010", 0, "1.01");
	APK("001", 0, "1");
	APK("2", -1, "10");
	APK("1.0~abc", 1, "1.0");
	/* A malformed version sorts first, and two compare as bytes. */
	APK("x", -1, "0");
	APK("x", -1, "y");
	APK("", -1, "0");
	APK("", 0, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deb_published),
		cmocka_unit_test(test_deb_edges),
		cmocka_unit_test(test_rpm_published),
		cmocka_unit_test(test_rpm_edges),
		cmocka_unit_test(test_apk),
	};

	return hc_run_group_tests(tests, NULL, NULL);
}
