/*
 * The local audit's one policy (state and exit code) and the one
 * vulnerable-version rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "local/advisory.h"
#include "local/audit.h"
#include "local/libtest.h"

static void test_state_and_exit(void **state)
{
	struct res_local_summary c;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(audit_state(&c), RES_OK);
	assert_int_equal(audit_exit_code(&c, 0), 0);
	c.errors = 1;
	assert_int_equal(audit_state(&c), RES_UNKNOWN);
	assert_int_equal(audit_exit_code(&c, 0), 3);
	assert_int_equal(audit_exit_code(&c, 1), 3);
	c.possibly_vulnerable_libraries = 1;
	/* Possibly: a warning for Nagios, untested for the exit code. */
	assert_int_equal(audit_state(&c), RES_WARNING);
	assert_int_equal(audit_exit_code(&c, 0), 3);
	assert_int_equal(audit_exit_code(&c, 1), 1);
	c.processes_need_restart = 1;
	assert_int_equal(audit_exit_code(&c, 0), 1);
	c.vulnerable_listeners = 1;
	assert_int_equal(audit_state(&c), RES_CRITICAL);
	assert_int_equal(audit_exit_code(&c, 1), 2);
	memset(&c, 0, sizeof(c));
	c.unfinished.listeners = 2;
	assert_int_equal(audit_state(&c), RES_UNKNOWN);
}

static void test_version_rule(void **state)
{
	static const struct {
		const char *v;
		int vuln;
	} t[] = {
		{ "OpenSSL 1.0.1f 6 Jan 2014", 1 },
		{ "OpenSSL 1.0.1 14 Mar 2012", 1 },
		{ "OpenSSL 1.0.1a-fips 19 Apr 2012", 1 },
		{ "OpenSSL 1.0.1e-fips 11 Feb 2013", 1 },
		{ "OpenSSL 1.0.2-beta1 24 Feb 2014", 1 },
		{ "OpenSSL 1.0.1g 7 Apr 2014", 0 },
		{ "OpenSSL 1.0.2-beta2 22 Jul 2014", 0 },
		{ "OpenSSL 1.0.0l 6 Jan 2014", 0 },
		{ "OpenSSL 3.0.19 27 Jan 2026", 0 },
		{ "OpenSSL 0.9.8zh 3 Dec 2015", 0 },
		{ "LibreSSL 2.0.0", 0 },
		{ "", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(openssl_version_vulnerable(t[i].v), t[i].vuln);
	assert_int_equal(openssl_version_vulnerable(NULL), 0);
	assert_string_equal(lib_verdict_name(LIB_POSSIBLY_VULNERABLE),
	    "possibly-vulnerable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_and_exit),
		cmocka_unit_test(test_version_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
