/*
 * The advisory table, the upstream version rule and os-release parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../hc_skip.h"

#include "local/advisory.h"

static struct os_release mkos(const char *id, const char *vid)
{
	struct os_release os;

	memset(&os, 0, sizeof(os));
	snprintf(os.id, sizeof(os.id), "%s", id);
	snprintf(os.version_id, sizeof(os.version_id), "%s", vid);
	return os;
}

static enum pkg_verdict judge(const char *id, const char *vid, const char *pkg,
	const char *ver, int scheme, struct pkg_finding *f)
{
	struct os_release os = mkos(id, vid);

	assert_int_equal(advisory_judge(&os, pkg, ver, scheme, f), 0);
	assert_string_equal(f->name, pkg);
	assert_string_equal(f->version, ver);
	assert_true(f->reason[0] != '\0');
	return f->verdict;
}

/* One case per FACTS row: the first fixed version is fixed, a version one
 * step lower is vulnerable. */
struct row_case {
	const char *id, *vid, *pkg, *fixed, *lower, *advisory;
	int scheme, confirmed;
};

static const struct row_case row_cases[] = {
	{ "debian", "7", "libssl1.0.0", "1.0.1e-2+deb7u5", "1.0.1e-2+deb7u4", "DSA-2896-1", PKG_SCHEME_DEB, 1 },
	{ "debian", "7", "openssl", "1.0.1e-2+deb7u5", "1.0.1e-2+deb7u4", "DSA-2896-1", PKG_SCHEME_DEB, 1 },
	{ "ubuntu", "12.04", "libssl1.0.0", "1.0.1-4ubuntu5.12", "1.0.1-4ubuntu5.11", "USN-2165-1", PKG_SCHEME_DEB, 1 },
	{ "ubuntu", "12.10", "libssl1.0.0", "1.0.1c-3ubuntu2.7", "1.0.1c-3ubuntu2.6", "USN-2165-1", PKG_SCHEME_DEB, 1 },
	{ "ubuntu", "13.10", "libssl1.0.0", "1.0.1e-3ubuntu1.2", "1.0.1e-3ubuntu1.1", "USN-2165-1", PKG_SCHEME_DEB, 1 },
	{ "rhel", "6.5", "openssl", "1.0.1e-16.el6_5.7", "1.0.1e-16.el6_5.4", "RHSA-2014:0376", PKG_SCHEME_RPM, 1 },
	{ "centos", "6.5", "openssl", "1.0.1e-16.el6_5.7", "1.0.1e-16.el6_5.4", "CESA-2014:0376", PKG_SCHEME_RPM, 1 },
	{ "centos", "6.4", "openssl", "1.0.1e-16.el6_5.7", "1.0.1e-15.el6", "CESA-2014:0376", PKG_SCHEME_RPM, 1 },
	{ "fedora", "19", "openssl", "1.0.1e-37.fc19.1", "1.0.1e-37.fc19", "", PKG_SCHEME_RPM, 0 },
	{ "fedora", "20", "openssl-libs", "1.0.1e-37.fc20.1", "1.0.1e-36.fc20", "", PKG_SCHEME_RPM, 0 },
	{ "amzn", "2014.03", "openssl", "1.0.1e-37.66.amzn1", "1.0.1e-37.65.amzn1", "ALAS-2014-320", PKG_SCHEME_RPM, 1 },
	{ "opensuse", "12.3", "openssl", "1.0.1e-1.44.1", "1.0.1e-1.43.1", "openSUSE-SU-2014:0492-1", PKG_SCHEME_RPM, 1 },
	{ "opensuse", "13.1", "libopenssl1_0_0", "1.0.1e-11.32.1", "1.0.1e-11.31.1", "openSUSE-SU-2014:0492-1", PKG_SCHEME_RPM, 1 },
	{ "gentoo", "2.2", "dev-libs/openssl", "1.0.1g", "1.0.1f-r1", "GLSA 201404-07", PKG_SCHEME_APK, 1 },
	{ "alpine", "2.7.6", "openssl", "1.0.1g-r0", "1.0.1f-r0", "", PKG_SCHEME_APK, 0 },
	{ "arch", "", "openssl", "1.0.1.g-1", "1.0.1.f-2", "", PKG_SCHEME_RPM, 0 },
	{ "debian", "8", "libssl1.0.0", "1.0.1g-1", "1.0.1f-1", "", PKG_SCHEME_DEB, 0 },
};

static void test_table_rows(void **state)
{
	struct pkg_finding f;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(row_cases) / sizeof(row_cases[0]); k++) {
		const struct row_case *c = &row_cases[k];

		if (judge(c->id, c->vid, c->pkg, c->fixed, c->scheme, &f) != PKG_FIXED)
			fail_msg("%s %s %s: %s not fixed: %s", c->id, c->vid, c->pkg, c->fixed, f.reason);
		assert_string_equal(f.advisory, c->advisory);
		if (judge(c->id, c->vid, c->pkg, c->lower, c->scheme, &f) != PKG_VULNERABLE)
			fail_msg("%s %s %s: %s not vulnerable: %s", c->id, c->vid, c->pkg, c->lower, f.reason);
		assert_string_equal(f.advisory, c->advisory);
		assert_int_equal(f.confirmed, c->confirmed);
		assert_true(f.fixed_in[0] != '\0');
		if (!c->confirmed && !strstr(f.reason, "unconfirmed"))
			fail_msg("unconfirmed row not said so: %s", f.reason);
	}
}

static void test_named_cases(void **state)
{
	struct pkg_finding f;

	(void)state;
	/* Wheezy one revision short of DSA-2896-1. */
	assert_int_equal(judge("debian", "7", "libssl1.0.0", "1.0.1e-2+deb7u4", PKG_SCHEME_DEB, &f),
		PKG_VULNERABLE);
	assert_string_equal(f.fixed_in, "1.0.1e-2+deb7u5");
	assert_string_equal(f.advisory, "DSA-2896-1");
	assert_int_equal(f.confirmed, 1);
	/* Later wheezy security updates stay fixed. */
	assert_int_equal(judge("debian", "7", "libssl1.0.0", "1.0.1e-2+deb7u20", PKG_SCHEME_DEB, &f),
		PKG_FIXED);
	/* Squeeze shipped 0.9.8. */
	assert_int_equal(judge("debian", "6", "libssl0.9.8", "0.9.8o-4squeeze14", PKG_SCHEME_DEB, &f),
		PKG_NOT_AFFECTED);
	/* This kind of host: Debian 12 with OpenSSL 3. */
	assert_int_equal(judge("debian", "12", "libssl3", "3.0.11-1~deb12u2", PKG_SCHEME_DEB, &f),
		PKG_NOT_AFFECTED);
	assert_int_equal(judge("debian", "13", "libssl3t64", "3.5.1-1", PKG_SCHEME_DEB, &f),
		PKG_NOT_AFFECTED);
	/* RHEL's epoch 1 must not make an old build look new. */
	assert_int_equal(judge("rhel", "6.5", "openssl", "1:1.0.1e-16.el6_5.4", PKG_SCHEME_RPM, &f),
		PKG_VULNERABLE);
	assert_int_equal(judge("rhel", "6.5", "openssl", "1:1.0.1e-16.el6_5.7", PKG_SCHEME_RPM, &f),
		PKG_FIXED);
	assert_int_equal(judge("centos", "6.6", "openssl", "1:1.0.1e-30.el6", PKG_SCHEME_RPM, &f),
		PKG_FIXED);
	/* RHEL 6 before 6.5 shipped 1.0.0. */
	assert_int_equal(judge("centos", "6.4", "openssl", "1.0.0-27.el6_4.2", PKG_SCHEME_RPM, &f),
		PKG_NOT_AFFECTED);
	/* A binary package of the same source follows the row. */
	assert_int_equal(judge("debian", "7", "libssl-dev", "1.0.1e-2+deb7u4", PKG_SCHEME_DEB, &f),
		PKG_VULNERABLE);
	assert_string_equal(f.advisory, "DSA-2896-1");
	/* A Debian epoch is skipped before the upstream version is read. */
	assert_int_equal(judge("debian", "7", "libssl1.0.0", "1:1.0.1e-2+deb7u4", PKG_SCHEME_DEB, &f),
		PKG_VULNERABLE);
	assert_int_equal(f.confirmed, 1);
	assert_int_equal(judge("debian", "7", "libssl1.0.0", "1:1.0.1e-2+deb7u5", PKG_SCHEME_DEB, &f),
		PKG_FIXED);
	assert_int_equal(judge("debian", "12", "libssl3", "1:3.0.11-1~deb12u2", PKG_SCHEME_DEB, &f),
		PKG_NOT_AFFECTED);
}

static void test_upstream_rule(void **state)
{
	struct pkg_finding f;

	(void)state;
	/* No table row: the version rule decides, unconfirmed when in the
	 * vulnerable range. */
	assert_int_equal(judge("slackware", "14.1", "openssl", "1.0.1f-1", PKG_SCHEME_RPM, &f),
		PKG_UNKNOWN);
	assert_int_equal(f.confirmed, 0);
	assert_non_null(strstr(f.reason, "backported"));
	assert_int_equal(judge("slackware", "14.1", "openssl", "1.0.1-1", PKG_SCHEME_RPM, &f),
		PKG_UNKNOWN);
	assert_int_equal(judge("slackware", "14.1", "openssl", "1.0.1g-1", PKG_SCHEME_RPM, &f),
		PKG_FIXED);
	assert_int_equal(judge("slackware", "14.1", "openssl", "1.0.1u-1", PKG_SCHEME_RPM, &f),
		PKG_FIXED);
	assert_int_equal(judge("x", "1", "openssl", "0.9.8zh-1", PKG_SCHEME_DEB, &f), PKG_NOT_AFFECTED);
	assert_int_equal(judge("x", "1", "openssl", "1.0.0t-1", PKG_SCHEME_DEB, &f), PKG_NOT_AFFECTED);
	assert_int_equal(judge("x", "1", "openssl", "1.0.2~beta1-1", PKG_SCHEME_DEB, &f), PKG_UNKNOWN);
	assert_int_equal(judge("x", "1", "openssl", "1.0.2-0.1.beta1.fc21", PKG_SCHEME_RPM, &f),
		PKG_UNKNOWN);
	assert_int_equal(judge("x", "1", "openssl", "1.0.2~beta2-1", PKG_SCHEME_DEB, &f), PKG_FIXED);
	assert_int_equal(judge("x", "1", "openssl", "1.0.2u-1", PKG_SCHEME_DEB, &f), PKG_FIXED);
	assert_int_equal(judge("x", "1", "openssl", "1.1.0l-1", PKG_SCHEME_DEB, &f), PKG_FIXED);
	assert_int_equal(judge("x", "1", "openssl", "1.1.1w-0+deb11u1", PKG_SCHEME_DEB, &f),
		PKG_NOT_AFFECTED);
	assert_int_equal(judge("x", "1", "openssl", "3.0.13-1", PKG_SCHEME_DEB, &f), PKG_NOT_AFFECTED);
	assert_int_equal(judge("x", "1", "openssl", "1:3.2.2-6.fc40", PKG_SCHEME_RPM, &f),
		PKG_NOT_AFFECTED);
	assert_int_equal(judge("arch", "", "openssl", "1.0.1.f-1", PKG_SCHEME_RPM, &f), PKG_VULNERABLE);
	assert_int_equal(judge("x", "1", "openssl", "garbage", PKG_SCHEME_DEB, &f), PKG_UNKNOWN);
	assert_int_equal(judge("x", "1", "openssl", "", PKG_SCHEME_DEB, &f), PKG_UNKNOWN);
	/* No release known at all. */
	assert_int_equal(advisory_judge(NULL, "openssl", "1.0.1e-1", PKG_SCHEME_DEB, &f), 0);
	assert_int_equal(f.verdict, PKG_UNKNOWN);
	assert_int_equal(f.confirmed, 0);
	assert_true(advisory_judge(NULL, "openssl", "1.0.1e", 99, &f) < 0);
	assert_true(advisory_judge(NULL, NULL, "1.0.1e", PKG_SCHEME_DEB, &f) < 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(pkg_verdict_name(PKG_FIXED), "fixed");
	assert_string_equal(pkg_verdict_name(PKG_VULNERABLE), "vulnerable");
	assert_string_equal(pkg_verdict_name(PKG_NOT_AFFECTED), "not-affected");
	assert_string_equal(pkg_verdict_name(PKG_UNKNOWN), "unknown");
	assert_true(advisory_pkg_relevant("libssl1.0.0"));
	assert_true(advisory_pkg_relevant("libssl3t64"));
	assert_true(advisory_pkg_relevant("libssl1.1"));
	assert_true(advisory_pkg_relevant("openssl"));
	assert_true(advisory_pkg_relevant("openssl-libs"));
	assert_true(advisory_pkg_relevant("libopenssl1_0_0"));
	assert_true(advisory_pkg_relevant("libcrypto1.0"));
	assert_true(advisory_pkg_relevant("openssl-1.0"));
	assert_true(advisory_pkg_relevant("openssl-1_0_0"));
	assert_false(advisory_pkg_relevant("openssl-pkcs11"));
	assert_false(advisory_pkg_relevant("libssh2-1"));
	assert_false(advisory_pkg_relevant("python3-openssl"));
	assert_false(advisory_pkg_relevant(""));
}

static void test_os_release(void **state)
{
	static const char text[] =
		"# comment line\n"
		"PRETTY_NAME=\"Debian GNU/Linux 7 (wheezy)\"\n"
		"NAME=\"Debian GNU/Linux\"\n"
		"\n"
		"   VERSION_ID=\"7\"\n"
		"ID=debian\n"
		"ID_LIKE='rhel fedora'\n"
		"HOME_URL=\"http://www.debian.org/\"\n";
	static const char escaped[] = "ID=\"a\\\"b\"\r\nVERSION_ID=12.04  \nPRETTY_NAME=\"unterminated";
	struct os_release os;
	char longbuf[600];

	(void)state;
	assert_int_equal(os_release_parse(text, strlen(text), &os), 0);
	assert_string_equal(os.id, "debian");
	assert_string_equal(os.version_id, "7");
	assert_string_equal(os.id_like, "rhel fedora");
	assert_string_equal(os.pretty, "Debian GNU/Linux 7 (wheezy)");

	assert_int_equal(os_release_parse(escaped, strlen(escaped), &os), 0);
	assert_string_equal(os.id, "a\"b");
	assert_string_equal(os.version_id, "12.04");
	assert_string_equal(os.pretty, "unterminated");

	/* Missing ID means "linux"; NULL output is refused. */
	assert_int_equal(os_release_parse("", 0, &os), 0);
	assert_string_equal(os.id, "linux");
	assert_int_equal(os_release_parse(NULL, 0, &os), 0);
	assert_true(os_release_parse("ID=x", 4, NULL) < 0);

	/* Over-long values are truncated, never overflowed. */
	memcpy(longbuf, "ID=", 3);
	memset(longbuf + 3, 'x', sizeof(longbuf) - 3);
	assert_int_equal(os_release_parse(longbuf, sizeof(longbuf), &os), 0);
	assert_int_equal(strlen(os.id), sizeof(os.id) - 1);
}

static void test_release_matching(void **state)
{
	struct os_release os;

	(void)state;
	os = mkos("ubuntu", "12.04");
	assert_non_null(advisory_find(&os, "libssl1.0.0"));
	os = mkos("ubuntu", "12.04.5");
	assert_null(advisory_find(&os, "libssl1.0.0"));
	os = mkos("debian", "");
	assert_non_null(advisory_find(&os, "libssl1.0.0"));
	os = mkos("debian", "6");
	assert_null(advisory_find(&os, "libssl1.0.0"));
	os = mkos("rhel", "6.9");
	assert_non_null(advisory_find(&os, "openssl"));
	os = mkos("rhel", "7.0");
	assert_null(advisory_find(&os, "openssl"));
	os = mkos("fedora", "21");
	assert_null(advisory_find(&os, "openssl"));
	assert_null(advisory_find(NULL, "openssl"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_rows),
		cmocka_unit_test(test_named_cases),
		cmocka_unit_test(test_upstream_rule),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_os_release),
		cmocka_unit_test(test_release_matching),
	};

	return hc_run_group_tests(tests, NULL, NULL);
}
