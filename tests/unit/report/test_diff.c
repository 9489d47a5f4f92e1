/*
 * The diff engine: every transition between two runs, processes matched by
 * unit across a restart (new pids) and by pid and comm (or start time)
 * otherwise, libraries and packages, the exit code, the summary line, and
 * bad or truncated lines named FILE:LINE with the rest still compared.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/diff.h"
#include "report/err.h"
#include "report/jsonl_read.h"

struct load_ctx {
	struct diff *d;
	int side;
	int nerr;
	char errs[4][256];
};

static void on_result(void *ctx, const struct jsonl_item *it)
{
	struct load_ctx *c = ctx;

	assert_int_equal(diff_add(c->d, c->side, it), 0);
}

static void on_error(void *ctx, int code, const char *msg)
{
	struct load_ctx *c = ctx;

	diff_bad_line(c->d, c->side);
	if (c->nerr < 4)
		snprintf(c->errs[c->nerr], sizeof(c->errs[0]), "%s", msg);
	c->nerr++;
}

/* Reads text as the JSON Lines file name into side; returns bad lines. */
static int load(struct diff *d, int side, const char *name, const char *text,
    struct load_ctx *c)
{
	struct jsonl_cb cb = { on_result, on_error, c };
	FILE *f;

	memset(c, 0, sizeof(*c));
	c->d = d;
	c->side = side;
	if (!*text)
		return 0;
	f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	(void)jsonl_read(f, name, &cb, NULL);
	fclose(f);
	return c->nerr;
}

static void load2(struct diff *d, const char *old, const char *new)
{
	struct load_ctx c;

	diff_init(d);
	assert_int_equal(load(d, 0, "old.jsonl", old, &c), 0);
	assert_int_equal(load(d, 1, "new.jsonl", new, &c), 0);
	assert_int_equal(diff_finish(d), 0);
}

/* The entry labelled label, or fail. */
static const struct diff_entry *find(const struct diff *d, const char *label)
{
	char buf[512];
	size_t i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(diff_label(&d->e[i], buf, sizeof(buf)), label))
			return &d->e[i];
	fail_msg("no entry %s", label);
	return NULL;
}

static void expect(const struct diff *d, const char *label,
    enum diff_class c)
{
	const struct diff_entry *e = find(d, label);

	if (e->cls != c)
		fail_msg("%s: %s, expected %s", label, diff_class_name(e->cls),
		    diff_class_name(c));
}

#define SCAN(port, verdict) \
	"{\"type\":\"scan\",\"target\":\"10.0.0.1:" #port "\",\"ip\":" \
	"\"10.0.0.1\",\"port\":" #port ",\"verdict\":\"" verdict "\"," \
	"\"reason\":\"r " verdict "\"}\n"

static void test_endpoint_transitions(void **state)
{
	struct diff d;

	(void)state;
	load2(&d,
	    SCAN(1, "vulnerable") SCAN(2, "vulnerable") SCAN(3, "vulnerable")
	    SCAN(4, "patched") SCAN(6, "timeout") SCAN(7, "timeout")
	    SCAN(8, "patched") SCAN(9, "vulnerable") SCAN(10, "patched")
	    SCAN(11, "vulnerable") SCAN(14, "patched") SCAN(15, "timeout")
	    SCAN(16, "no-heartbeat") SCAN(17, "possibly-vulnerable"),
	    SCAN(1, "patched") SCAN(2, "no-heartbeat") SCAN(3, "vulnerable")
	    SCAN(4, "vulnerable") SCAN(5, "vulnerable") SCAN(6, "vulnerable")
	    SCAN(7, "patched") SCAN(8, "timeout") SCAN(9, "refused")
	    SCAN(12, "patched") SCAN(13, "dns-error") SCAN(14, "no-heartbeat")
	    SCAN(15, "refused") SCAN(16, "no-heartbeat")
	    SCAN(17, "patched"));
	expect(&d, "10.0.0.1:1", DIFF_FIXED);
	expect(&d, "10.0.0.1:2", DIFF_FIXED);
	expect(&d, "10.0.0.1:3", DIFF_STILL_VULNERABLE);
	expect(&d, "10.0.0.1:4", DIFF_NEWLY_VULNERABLE);
	expect(&d, "10.0.0.1:5", DIFF_NEWLY_VULNERABLE);   /* new, bad */
	expect(&d, "10.0.0.1:6", DIFF_NEWLY_VULNERABLE);   /* untested */
	expect(&d, "10.0.0.1:7", DIFF_NOW_TESTED);
	expect(&d, "10.0.0.1:8", DIFF_NEWLY_UNTESTED);
	/* Vulnerable, then not tested: not a fix. */
	expect(&d, "10.0.0.1:9", DIFF_NEWLY_UNTESTED);
	expect(&d, "10.0.0.1:10", DIFF_GONE);
	/* A vulnerable endpoint that is gone may only be down. */
	expect(&d, "10.0.0.1:11", DIFF_GONE);
	expect(&d, "10.0.0.1:12", DIFF_NEW);
	expect(&d, "10.0.0.1:13", DIFF_NEW);
	expect(&d, "10.0.0.1:14", DIFF_UNCHANGED);  /* both tested good */
	expect(&d, "10.0.0.1:15", DIFF_UNCHANGED);  /* both untested */
	expect(&d, "10.0.0.1:16", DIFF_UNCHANGED);
	/* A version string is not proof: possibly-vulnerable is untested. */
	expect(&d, "10.0.0.1:17", DIFF_NOW_TESTED);
	assert_int_equal(d.counts[DIFF_FIXED], 2);
	assert_int_equal(d.counts[DIFF_NEWLY_VULNERABLE], 3);
	assert_int_equal(d.counts[DIFF_UNCHANGED], 3);
	assert_int_equal(diff_exit_code(&d), 1);
	/* Worst first. */
	assert_int_equal(d.e[0].cls, DIFF_NEWLY_VULNERABLE);
	assert_int_equal(d.e[d.n - 1].cls, DIFF_UNCHANGED);
	/* Both sides are kept, with where they were read. */
	{
		const struct diff_entry *e = find(&d, "10.0.0.1:1");

		assert_string_equal(e->old.verdict, "vulnerable");
		assert_string_equal(e->new.verdict, "patched");
		assert_string_equal(e->old.file, "old.jsonl");
		assert_int_equal(e->old.line, 1);
		assert_string_equal(e->new.reason, "r patched");
	}
	diff_free(&d);
}

static void test_endpoint_identity(void **state)
{
	struct diff d;

	(void)state;
	/* The same name on another address is another endpoint; a repeat in
	 * one run (concatenated shards) counts once, in its worst state. */
	load2(&d,
	    "{\"type\":\"scan\",\"target\":\"a.example:443 (192.0.2.1)\","
	    "\"ip\":\"192.0.2.1\",\"port\":443,\"verdict\":\"patched\"}\n"
	    SCAN(1, "patched") SCAN(1, "vulnerable"),
	    "{\"type\":\"scan\",\"target\":\"a.example:443 (192.0.2.2)\","
	    "\"ip\":\"192.0.2.2\",\"port\":443,\"verdict\":\"patched\"}\n"
	    SCAN(1, "vulnerable"));
	expect(&d, "a.example:443 (192.0.2.1)", DIFF_GONE);
	expect(&d, "a.example:443 (192.0.2.2)", DIFF_NEW);
	expect(&d, "10.0.0.1:1", DIFF_STILL_VULNERABLE);
	assert_int_equal(find(&d, "10.0.0.1:1")->old.count, 2);
	assert_int_equal(d.n, 3);
	diff_free(&d);
}

#define PROC(pid, comm, unit, restart) \
	"{\"type\":\"process\",\"pid\":" #pid ",\"uid\":0,\"comm\":\"" comm \
	"\",\"cmdline\":\"" comm "\",\"unit\":" unit ",\"restart\":" restart \
	",\"libraries\":[]}\n"

static void test_processes(void **state)
{
	struct diff d;

	(void)state;
	load2(&d,
	    /* nginx.service restarted: new pids, matched by unit */
	    PROC(100, "nginx", "\"nginx.service\"", "true")
	    PROC(101, "nginx", "\"nginx.service\"", "true")
	    /* a service that still needs one, with a new pid */
	    PROC(200, "postfix", "\"postfix.service\"", "true")
	    /* a service whose restart is gone altogether */
	    PROC(300, "exim", "\"exim.service\"", "true")
	    /* no unit: pid and comm */
	    PROC(400, "curl", "null", "true")
	    PROC(500, "wget", "null", "true")
	    PROC(600, "vim", "null", "false")
	    PROC(700, "ssh", "null", "null"),
	    PROC(110, "nginx", "\"nginx.service\"", "false")
	    PROC(111, "nginx", "\"nginx.service\"", "false")
	    PROC(210, "postfix", "\"postfix.service\"", "true")
	    PROC(400, "curl", "null", "true")
	    /* pid 500 reused by another program: another process */
	    PROC(500, "bash", "null", "false")
	    PROC(600, "vim", "null", "true")
	    PROC(700, "ssh", "null", "false")
	    PROC(800, "apache2", "\"apache2.service\"", "true"));
	expect(&d, "nginx.service (nginx)", DIFF_FIXED);
	assert_int_equal(find(&d, "nginx.service (nginx)")->new.count, 2);
	expect(&d, "postfix.service (postfix)", DIFF_STILL_VULNERABLE);
	expect(&d, "exim.service (exim)", DIFF_FIXED);     /* gone */
	expect(&d, "pid 400 (curl)", DIFF_STILL_VULNERABLE);
	expect(&d, "pid 500 (wget)", DIFF_FIXED);          /* gone */
	expect(&d, "pid 500 (bash)", DIFF_NEW);
	expect(&d, "pid 600 (vim)", DIFF_NEWLY_VULNERABLE);
	expect(&d, "pid 700 (ssh)", DIFF_NOW_TESTED);      /* was unknown */
	expect(&d, "apache2.service (apache2)", DIFF_NEWLY_VULNERABLE);
	assert_string_equal(find(&d, "nginx.service (nginx)")->old.verdict,
	    "restart");
	assert_string_equal(find(&d, "nginx.service (nginx)")->new.verdict,
	    "no-restart");
	assert_int_equal(diff_exit_code(&d), 1);
	diff_free(&d);
}

static void test_process_worst_of_unit(void **state)
{
	struct diff d;

	(void)state;
	/* One process of the unit still needs the restart: not fixed. */
	load2(&d,
	    PROC(100, "nginx", "\"nginx.service\"", "true"),
	    PROC(110, "nginx", "\"nginx.service\"", "false")
	    PROC(111, "nginx", "\"nginx.service\"", "true")
	    PROC(112, "nginx", "\"nginx.service\"", "false"));
	expect(&d, "nginx.service (nginx)", DIFF_STILL_VULNERABLE);
	diff_free(&d);
}

static void test_process_start_time(void **state)
{
	struct diff d;

	(void)state;
	/* With a start time, a reused pid is told apart even with the same
	 * name. */
	load2(&d,
	    "{\"type\":\"process\",\"pid\":5,\"comm\":\"x\",\"unit\":null,"
	    "\"restart\":true,\"start_time\":1000,\"libraries\":[]}\n",
	    "{\"type\":\"process\",\"pid\":5,\"comm\":\"x\",\"unit\":null,"
	    "\"restart\":true,\"start_time\":2000,\"libraries\":[]}\n");
	assert_int_equal(d.n, 2);
	assert_int_equal(d.counts[DIFF_FIXED], 1);
	assert_int_equal(d.counts[DIFF_NEWLY_VULNERABLE], 1);
	diff_free(&d);
	load2(&d,
	    "{\"type\":\"process\",\"pid\":5,\"comm\":\"x\",\"unit\":null,"
	    "\"restart\":true,\"start_time\":1000,\"libraries\":[]}\n",
	    "{\"type\":\"process\",\"pid\":5,\"comm\":\"y\",\"unit\":null,"
	    "\"restart\":false,\"start_time\":1000,\"libraries\":[]}\n");
	assert_int_equal(d.n, 1);
	assert_int_equal(d.counts[DIFF_FIXED], 1);
	diff_free(&d);
}

static void test_unreadable_process(void **state)
{
	struct diff d;

	(void)state;
	load2(&d,
	    PROC(9, "sshd", "\"ssh.service\"", "false"),
	    "{\"type\":\"process\",\"pid\":19,\"comm\":\"sshd\",\"unit\":"
	    "\"ssh.service\",\"restart\":false,\"error\":\"permission "
	    "denied\",\"libraries\":[]}\n");
	expect(&d, "ssh.service (sshd)", DIFF_NEWLY_UNTESTED);
	assert_string_equal(d.e[0].new.verdict, "unreadable");
	assert_string_equal(d.e[0].new.reason, "permission denied");
	assert_int_equal(diff_exit_code(&d), 3);
	diff_free(&d);
}

static void test_local_kinds(void **state)
{
	struct diff d;

	(void)state;
	load2(&d,
	    "{\"type\":\"library\",\"path\":\"/old/libssl.so.1.0.0\","
	    "\"verdict\":\"vulnerable\"}\n"
	    "{\"type\":\"library\",\"path\":\"/usr/lib/libssl.so.3\","
	    "\"verdict\":\"no-heartbeat\"}\n"
	    "{\"type\":\"package\",\"name\":\"libssl1.0.0\",\"version\":"
	    "\"1.0.1e-2\",\"arch\":\"amd64\",\"verdict\":\"vulnerable\"}\n"
	    "{\"type\":\"package\",\"name\":\"libssl1.0.0\",\"version\":"
	    "\"1.0.1e-2\",\"arch\":\"i386\",\"verdict\":\"vulnerable\"}\n"
	    "{\"type\":\"listener\",\"target\":\"127.0.0.1:443\",\"ip\":"
	    "\"127.0.0.1\",\"port\":443,\"verdict\":\"vulnerable\",\"pid\":10,"
	    "\"comm\":\"nginx\",\"unit\":\"nginx.service\"}\n"
	    "{\"type\":\"restart\",\"unit\":\"nginx.service\",\"processes\":1,"
	    "\"command\":\"systemctl restart nginx.service\"}\n"
	    "{\"type\":\"local-summary\",\"libraries\":2}\n",
	    "{\"type\":\"library\",\"path\":\"/usr/lib/libssl.so.3\","
	    "\"verdict\":\"load-failed\"}\n"
	    "{\"type\":\"package\",\"name\":\"libssl1.0.0\",\"version\":"
	    "\"1.0.1e-2+deb7u5\",\"arch\":\"amd64\",\"verdict\":\"fixed\"}\n"
	    "{\"type\":\"listener\",\"target\":\"127.0.0.1:443\",\"ip\":"
	    "\"127.0.0.1\",\"port\":443,\"verdict\":\"patched\",\"pid\":99,"
	    "\"comm\":\"nginx\",\"unit\":\"nginx.service\"}\n"
	    "{\"type\":\"client\",\"verdict\":\"vulnerable\"}\n");
	expect(&d, "/old/libssl.so.1.0.0", DIFF_FIXED);  /* removed */
	expect(&d, "/usr/lib/libssl.so.3", DIFF_NEWLY_UNTESTED);
	expect(&d, "libssl1.0.0:amd64", DIFF_FIXED);     /* upgraded */
	expect(&d, "libssl1.0.0:i386", DIFF_FIXED);      /* removed */
	expect(&d, "127.0.0.1:443 (nginx.service)", DIFF_FIXED);
	/* restart, summaries and unknown types are not compared */
	assert_int_equal(d.ignored[0], 2);
	assert_int_equal(d.ignored[1], 1);
	assert_int_equal(d.n, 5);
	assert_int_equal(diff_exit_code(&d), 3);
	diff_free(&d);
}

static void test_exit_codes_and_summary(void **state)
{
	struct diff d;
	char line[512];

	(void)state;
	load2(&d, SCAN(1, "patched"), SCAN(1, "patched"));
	assert_int_equal(diff_exit_code(&d), 0);
	diff_summary_line(&d, line, sizeof(line));
	assert_string_equal(line, "0 fixed, 0 still vulnerable, 0 newly "
	    "vulnerable, 0 newly untested, 0 gone, 0 now tested, 0 new, "
	    "1 unchanged");
	diff_free(&d);
	load2(&d, "", "");
	assert_int_equal(diff_exit_code(&d), 0);
	assert_int_equal(d.n, 0);
	diff_free(&d);
	load2(&d, SCAN(1, "vulnerable") SCAN(2, "patched") SCAN(3, "patched"),
	    SCAN(1, "patched") SCAN(2, "timeout"));
	assert_int_equal(diff_exit_code(&d), 3);
	diff_summary_line(&d, line, sizeof(line));
	assert_string_equal(line, "1 fixed, 0 still vulnerable, 0 newly "
	    "vulnerable, 1 newly untested, 1 gone, 0 now tested, 0 new, "
	    "0 unchanged");
	diff_free(&d);
	/* Cut short: the summary never overflows. */
	load2(&d, SCAN(1, "patched"), "");
	diff_summary_line(&d, line, 10);
	assert_int_equal(strlen(line), 9);
	diff_free(&d);
}

static void test_bad_lines(void **state)
{
	struct diff d;
	struct load_ctx c;
	char line[512];

	(void)state;
	diff_init(&d);
	/* A line that is not JSON in the middle, one without a type, and a
	 * last line cut short: named FILE:LINE, the rest still read. */
	assert_int_equal(load(&d, 0, "old.jsonl",
	    SCAN(1, "vulnerable") "garbage{\n" "{\"no\":\"type\"}\n"
	    SCAN(2, "vulnerable") "{\"type\":\"scan\",\"target\":\"10.0", &c),
	    3);
	assert_non_null(strstr(c.errs[0], "old.jsonl:2: "));
	assert_non_null(strstr(c.errs[1], "old.jsonl:3: "));
	assert_non_null(strstr(c.errs[2], "old.jsonl:5: truncated"));
	assert_int_equal(load(&d, 1, "new.jsonl",
	    SCAN(1, "patched") "[1,2]\n" SCAN(2, "patched"), &c), 1);
	assert_non_null(strstr(c.errs[0], "new.jsonl:2: "));
	assert_int_equal(diff_finish(&d), 0);
	expect(&d, "10.0.0.1:1", DIFF_FIXED);
	expect(&d, "10.0.0.1:2", DIFF_FIXED);
	assert_int_equal(d.bad_lines[0], 3);
	assert_int_equal(d.bad_lines[1], 1);
	/* Nothing vulnerable, but the input was damaged: 3. */
	assert_int_equal(diff_exit_code(&d), 3);
	diff_summary_line(&d, line, sizeof(line));
	assert_non_null(strstr(line, "2 fixed"));
	assert_non_null(strstr(line, "; 4 input lines unreadable"));
	diff_free(&d);
}

static void test_read_file_missing(void **state)
{
	struct diff d;

	(void)state;
	diff_init(&d);
	assert_int_equal(diff_read_file(&d, 0, "/nonexistent/x.jsonl", NULL,
	    NULL), HC_ERR_NOT_FOUND);
	diff_free(&d);
}

static void test_b64_identity(void **state)
{
	struct diff d;
	const struct diff_entry *e;

	(void)state;
	/* A path that was not UTF-8 is matched, and labelled, by its exact
	 * bytes (FIELD_b64), not by its "\\xNN" text form. */
	load2(&d,
	    "{\"type\":\"library\",\"path\":\"/home/u/caf\\\\xe9/libssl.so.3\","
	    "\"path_b64\":\"L2hvbWUvdS9jYWbpL2xpYnNzbC5zby4z\",\"verdict\":"
	    "\"vulnerable\"}\n"
	    /* its text form is another path, literally */
	    "{\"type\":\"library\",\"path\":\"/home/u/caf\\\\xe9/libssl.so.3\","
	    "\"verdict\":\"patched\"}\n"
	    /* bad base64, or a NUL in it: the text form */
	    "{\"type\":\"library\",\"path\":\"/y\\\\xff\",\"path_b64\":"
	    "\"!!!!\",\"verdict\":\"patched\"}\n"
	    "{\"type\":\"library\",\"path\":\"/z\\\\x00\",\"path_b64\":"
	    "\"L3oA\",\"verdict\":\"patched\"}\n",
	    "{\"type\":\"library\",\"path\":\"/home/u/caf\\\\xe9/libssl.so.3\","
	    "\"path_b64\":\"L2hvbWUvdS9jYWbpL2xpYnNzbC5zby4z\",\"verdict\":"
	    "\"no-heartbeat\"}\n");
	e = find(&d, "/home/u/caf\xe9/libssl.so.3");
	assert_int_equal(e->cls, DIFF_FIXED);
	e = find(&d, "/home/u/caf\\xe9/libssl.so.3");
	assert_int_equal(e->cls, DIFF_GONE);
	expect(&d, "/y\\xff", DIFF_GONE);
	expect(&d, "/z\\x00", DIFF_GONE);
	diff_free(&d);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(diff_class_name(DIFF_STILL_VULNERABLE),
	    "still-vulnerable");
	assert_string_equal(diff_class_text(DIFF_NEWLY_UNTESTED),
	    "newly untested");
	assert_string_equal(diff_kind_name(DIFF_K_PACKAGE), "package");
	assert_string_equal(diff_class_name(DIFF_NCLASS), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoint_transitions),
		cmocka_unit_test(test_endpoint_identity),
		cmocka_unit_test(test_processes),
		cmocka_unit_test(test_process_worst_of_unit),
		cmocka_unit_test(test_process_start_time),
		cmocka_unit_test(test_unreadable_process),
		cmocka_unit_test(test_local_kinds),
		cmocka_unit_test(test_exit_codes_and_summary),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_read_file_missing),
		cmocka_unit_test(test_b64_identity),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
