/*
 * The local audit's one policy (state and exit code) and the one
 * vulnerable-version rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "local/advisory.h"
#include "local/audit.h"
#include "local/libtest.h"
#include "report/err.h"

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

/* A sink that keeps the error results and the summary. */
struct kept {
	int errors, summaries, sections_failed;
	char stages[4][16];
	struct res_local_summary sum;
};

static struct kept kept;

static void k_error(struct sink *s, const struct res_error *e)
{
	if (kept.errors < 4)
		snprintf(kept.stages[kept.errors], sizeof(kept.stages[0]), "%s",
		    e->stage ? e->stage : "");
	kept.errors++;
}

static void k_section_end(struct sink *s, enum res_section sec,
    const struct res_local_summary *sofar, const char *failure)
{
	if (failure)
		kept.sections_failed++;
}

static void k_summary(struct sink *s, const struct res_local_summary *c)
{
	kept.summaries++;
	kept.sum = *c;
}

static const struct sink_ops keep_ops = {
	.name = "keep",
	.section_end = k_section_end,
	.error = k_error,
	.local_summary = k_summary,
};

/* A process scan and a listener scan that cannot read their /proc are
 * results and count, never only a line on stderr. */
static void test_unreadable_proc_is_an_error(void **state)
{
	char root[] = "/tmp/hc-audit-XXXXXX";
	struct audit_opts o;
	struct res_local_summary sum;
	struct out out;
	struct sink s;
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	assert_non_null(mkdtemp(root));
	memset(&o, 0, sizeof(o));
	o.no_libtest = 1;
	o.no_packages = 1;
	o.timeout_ms = 1000;
	o.deadline_s = 60;
	o.root = root;
	o.procroot = "/nonexistent-proc";
	memset(&out, 0, sizeof(out));
	out.f = out.raw = open_memstream(&buf, &len);
	memset(&kept, 0, sizeof(kept));
	assert_int_equal(sink_open(&s, &keep_ops, &out, 0), 0);
	assert_int_equal(audit_run(&o, &s, &sum), HC_ERR_SUCCESS);
	sink_close(&s);
	fclose(out.f);
	free(buf);
	rmdir(root);
	assert_int_equal(kept.errors, 2);
	assert_string_equal(kept.stages[0], "processes");
	assert_string_equal(kept.stages[1], "listeners");
	assert_int_equal(kept.sections_failed, 1);
	assert_int_equal(kept.summaries, 1);
	assert_int_equal(kept.sum.errors, 2);
	assert_int_equal(sum.errors, 2);
	assert_int_equal(sum.libraries, 0);
	assert_int_equal(sum.state, RES_UNKNOWN);
	assert_int_equal(audit_exit_code(&sum, 0), 3);
	assert_int_equal(audit_exit_code(&sum, 1), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_and_exit),
		cmocka_unit_test(test_version_rule),
		cmocka_unit_test(test_unreadable_proc_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
