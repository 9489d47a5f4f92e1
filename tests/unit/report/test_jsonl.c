/*
 * The JSON Lines reader: results read back into the model, a line that is
 * not JSON and a truncated last line named FILE:LINE, the rest still read;
 * and what the JSON sink writes reads back the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/err.h"
#include "report/jsonl_read.h"
#include "report/sink.h"

struct seen {
	int n;
	enum res_kind kinds[16];
	unsigned long lines[16];
	char first[16][128];    /* a key string of each result */
	long num[16];
	int nerr;
	int codes[8];
	char errs[8][256];
};

static void on_result(void *ctx, const struct jsonl_item *it)
{
	struct seen *s = ctx;
	const char *k = "";

	if (s->n >= 16)
		return;
	s->kinds[s->n] = it->kind;
	s->lines[s->n] = it->line;
	switch (it->kind) {
	case RES_K_SCAN:
		k = it->u.scan.target;
		s->num[s->n] = it->u.scan.port;
		break;
	case RES_K_LIBRARY:
		k = it->u.library.verdict;
		s->num[s->n] = it->u.library.sources;
		break;
	case RES_K_PROCESS:
		k = it->u.process.nlibs ? it->u.process.libs[0].why : "";
		s->num[s->n] = it->u.process.restart;
		break;
	case RES_K_ERROR:
		k = it->u.error.error;
		break;
	case RES_K_SUMMARY:
		k = it->u.summary.nverdicts ? it->u.summary.verdict_names[0] :
		    "";
		s->num[s->n] = (long)it->u.summary.vulnerable;
		break;
	case RES_K_LOCAL_SUMMARY:
		s->num[s->n] = it->u.local_summary.errors;
		break;
	default:
		k = it->type;
		break;
	}
	snprintf(s->first[s->n], sizeof(s->first[0]), "%s", k ? k : "(null)");
	s->n++;
}

static void on_error(void *ctx, int code, const char *msg)
{
	struct seen *s = ctx;

	if (s->nerr >= 8)
		return;
	s->codes[s->nerr] = code;
	snprintf(s->errs[s->nerr], sizeof(s->errs[0]), "%s", msg);
	s->nerr++;
}

static int read_text(const char *text, struct seen *s, struct jsonl_stats *st)
{
	struct jsonl_cb cb = { on_result, on_error, s };
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	assert_non_null(f);
	memset(s, 0, sizeof(*s));
	r = jsonl_read(f, "run.jsonl", &cb, st);
	fclose(f);
	return r;
}

static void test_bad_and_truncated_lines(void **state)
{
	struct seen s;
	struct jsonl_stats st;
	const char *text =
	    "{\"type\":\"scan\",\"target\":\"a:443\",\"port\":443,\"verdict\":\"patched\"}\n"
	    "this is not JSON\n"
	    "\n"
	    "[1,2]\n"
	    "{\"type\":\"new-kind\",\"x\":1}\n"
	    "{\"type\":\"summary\",\"endpoints\":1,\"verdicts\":{\"vulnerable\":0,\"patched\":1}}\n"
	    "{\"type\":\"scan\",\"target\":\"b:44";

	(void)state;
	assert_int_equal(read_text(text, &s, &st), HC_ERR_PARSE);
	assert_int_equal(st.lines, 7);
	assert_int_equal(st.results, 3);
	assert_int_equal(st.errors, 3);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.kinds[0], RES_K_SCAN);
	assert_string_equal(s.first[0], "a:443");
	assert_int_equal(s.num[0], 443);
	assert_int_equal(s.kinds[1], RES_K_UNKNOWN);
	assert_string_equal(s.first[1], "new-kind");
	assert_int_equal(s.lines[1], 5);
	assert_int_equal(s.kinds[2], RES_K_SUMMARY);
	assert_string_equal(s.first[2], "vulnerable");
	assert_int_equal(s.nerr, 3);
	assert_int_equal(s.codes[0], HC_ERR_PARSE);
	assert_true(!strncmp(s.errs[0], "run.jsonl:2: not JSON", 21));
	assert_int_equal(s.codes[1], HC_ERR_PARSE);
	assert_true(!strncmp(s.errs[1], "run.jsonl:4: not a result", 25));
	assert_int_equal(s.codes[2], HC_ERR_TRUNCATED);
	assert_true(!strncmp(s.errs[2], "run.jsonl:7: truncated line", 27));
}

static void test_last_line_without_newline(void **state)
{
	struct seen s;

	(void)state;
	/* Complete, only its newline is missing: read. */
	assert_int_equal(read_text("{\"type\":\"error\",\"error\":\"x\"}", &s,
	    NULL), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.kinds[0], RES_K_ERROR);
	assert_string_equal(s.first[0], "x");
}

/* What the JSON sink writes, the reader reads back. */
static void test_round_trip(void **state)
{
	struct out o;
	struct sink sk;
	char *buf = NULL;
	size_t len = 0;
	struct seen s;
	struct res_library lib = { .path = "/l", .soname = "libssl.so.1.0.0",
		.version = "", .verdict = "possibly-vulnerable",
		.grade = RES_BAD, .reason = "r", .sources = RES_SRC_DIR };
	struct res_proc_lib pl[] = { { "/l", "deleted,vulnerable" } };
	struct res_process p = { .pid = 7, .comm = "c", .cmdline = "c",
		.restart = -1, .dropped = 1, .error = "not examined",
		.nlibs = 1, .libs = pl };
	struct res_local_summary ls;

	(void)state;
	memset(&ls, 0, sizeof(ls));
	ls.errors = 2;
	memset(&o, 0, sizeof(o));
	o.f = o.raw = open_memstream(&buf, &len);
	o.json = 1;
	assert_int_equal(sink_open(&sk, &sink_json_ops, &o, 0), 0);
	sink_library(&sk, &lib);
	sink_process(&sk, &p);
	sink_local_summary(&sk, &ls);
	sink_close(&sk);
	fclose(o.f);
	assert_int_equal(read_text(buf, &s, NULL), 0);
	free(buf);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.kinds[0], RES_K_LIBRARY);
	assert_string_equal(s.first[0], "possibly-vulnerable");
	assert_int_equal(s.num[0], RES_SRC_DIR);
	assert_int_equal(s.kinds[1], RES_K_PROCESS);
	assert_string_equal(s.first[1], "deleted,vulnerable");
	assert_int_equal(s.num[1], -1);
	assert_int_equal(s.kinds[2], RES_K_LOCAL_SUMMARY);
	assert_int_equal(s.num[2], 2);
}

static void test_missing_file(void **state)
{
	struct jsonl_cb cb = { NULL, NULL, NULL };

	(void)state;
	assert_int_equal(jsonl_read_file("/nonexistent/x.jsonl", &cb, NULL),
	    HC_ERR_NOT_FOUND);
	assert_string_equal(hc_strerror(HC_ERR_NOT_FOUND), "not found");
	assert_string_equal(hc_strerror(12345), "unknown error code");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_and_truncated_lines),
		cmocka_unit_test(test_last_line_without_newline),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
