/*
 * The client result kind: heartcheck clients' lines through the text and
 * JSON sinks, and its summary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/sink.h"

struct mem {
	struct out out;
	char *buf;
	size_t len;
};

static void mem_open(struct mem *m, int json)
{
	memset(m, 0, sizeof(*m));
	m->out.f = m->out.raw = open_memstream(&m->buf, &m->len);
	assert_non_null(m->out.f);
	m->out.json = json;
}

static char *mem_close(struct mem *m)
{
	fclose(m->out.f);
	return m->buf;
}

static const char *const versions[] = { "TLSv1.2", "TLSv1.1" };
static const struct res_client_hello hello = {
	.version = "TLSv1.2", .nversions = 2, .versions = versions,
	.suites = 17, .heartbeat = 1, .heartbeat_mode = 1, .sni = "",
};
static const struct res_client vuln = {
	.ip = "127.0.0.1", .port = 5000, .command = "curl", .runs = 2,
	.command_status = -1, .command_signal = 15, .verdict = "vulnerable",
	.grade = RES_BAD, .vulnerable = 1, .reason = "echoed", .hello = &hello,
	.version = "TLSv1.2", .suite = 0xc02f, .heartbeat_ext = 1,
	.alert = -1, .attempts = 2, .strategy = "flight", .elapsed_ms = 12.44,
};
static const struct res_client gone = {
	.ip = "", .command_status = -1, .verdict = "not-tls",
	.grade = RES_UNSURE, .reason = "no hello", .alert = 10,
	.attempts = 1, .strategy = "flight", .elapsed_ms = 3,
};
static const char *const names[] = { "patched", "vulnerable" };
static const uint64_t counts[] = { 0, 1 };

static void test_text(void **state)
{
	struct res_client_summary sum = { 1, 2, names, counts, 1, 1.5 };
	struct res_client ok = gone;
	struct mem m;
	struct sink s;
	char *text;

	(void)state;
	ok.verdict = "patched";
	ok.grade = RES_GOOD;
	mem_open(&m, 0);
	assert_int_equal(sink_open(&s, &sink_text_ops, &m.out, 0), 0);
	sink_client(&s, &vuln);
	sink_client(&s, &gone);
	sink_client_summary(&s, &sum);
	sink_close(&s);
	text = mem_close(&m);
	assert_non_null(strstr(text, "vulnerable       127.0.0.1:5000         "
	    "TLSv1.2  [curl] echoed (extension 15 offered, several "
	    "connections, 12 ms)\n"));
	assert_non_null(strstr(text, "not-tls          -                      "
	    "-        no hello (no ClientHello, 3 ms)\n"));
	assert_non_null(strstr(text, "\n1 client in 1.50 s: vulnerable 1,\n"
	    "Vulnerable clients found."));
	free(text);

	/* --quiet: findings and the untested only, no summary. */
	mem_open(&m, 0);
	assert_int_equal(sink_open(&s, &sink_text_ops, &m.out, 1), 0);
	sink_client(&s, &ok);
	sink_client(&s, &gone);
	sink_client_summary(&s, &sum);
	sink_close(&s);
	text = mem_close(&m);
	assert_string_equal(text, "not-tls          -                      "
	    "-        no hello (no ClientHello, 3 ms)\n");
	free(text);
}

static void test_json(void **state)
{
	static const char *const keys[] = { "type", "peer", "ip", "port",
		"command", "runs", "command_status", "command_signal",
		"verdict", "reason", "client_hello", "version", "suite",
		"heartbeat_ext", "disclosed", "alert", "attempts", "strategy",
		"nudges", "bytes_sent", "bytes_received", "elapsed_ms" };
	struct res_client_summary sum = { 2, 2, names, counts, 1, 1.5 };
	struct mem m;
	struct sink s;
	json_t *j, *h;
	json_error_t je;
	const char *key;
	char *text, *line2, *line3;
	size_t i = 0;

	(void)state;
	mem_open(&m, 1);
	assert_int_equal(sink_open(&s, &sink_json_ops, &m.out, 1), 0);
	sink_client(&s, &vuln);
	sink_client(&s, &gone);
	sink_client_summary(&s, &sum);
	sink_close(&s);
	text = mem_close(&m);
	line2 = strchr(text, '\n');
	assert_non_null(line2);
	*line2++ = '\0';
	line3 = strchr(line2, '\n');
	assert_non_null(line3);
	*line3++ = '\0';

	j = json_loads(text, 0, &je);
	assert_non_null(j);
	json_object_foreach(j, key, h) {
		assert_true(i < sizeof(keys) / sizeof(keys[0]));
		assert_string_equal(key, keys[i++]);
	}
	assert_int_equal(i, sizeof(keys) / sizeof(keys[0]));
	assert_string_equal(json_string_value(json_object_get(j, "peer")),
	    "127.0.0.1:5000");
	assert_true(json_is_null(json_object_get(j, "command_status")));
	assert_int_equal(json_integer_value(json_object_get(j,
	    "command_signal")), 15);
	assert_string_equal(json_string_value(json_object_get(j, "suite")),
	    "0xc02f");
	assert_true(json_is_null(json_object_get(j, "alert")));
	assert_true(json_real_value(json_object_get(j, "elapsed_ms")) == 12.4);
	h = json_object_get(j, "client_hello");
	assert_int_equal(json_array_size(json_object_get(h, "versions")), 2);
	assert_int_equal(json_integer_value(json_object_get(h,
	    "heartbeat_mode")), 1);
	assert_true(json_is_null(json_object_get(h, "sni")));
	json_decref(j);

	/* No peer, no command: null address, no command fields. */
	j = json_loads(line2, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "peer")),
	    "-");
	assert_true(json_is_null(json_object_get(j, "ip")));
	assert_true(json_is_null(json_object_get(j, "port")));
	assert_null(json_object_get(j, "command"));
	assert_true(json_is_null(json_object_get(j, "client_hello")));
	assert_true(json_is_null(json_object_get(j, "version")));
	assert_true(json_is_null(json_object_get(j, "suite")));
	assert_int_equal(json_integer_value(json_object_get(j, "alert")), 10);
	json_decref(j);

	/* The summary is written whatever --quiet says. */
	j = json_loads(line3, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "type")),
	    "summary");
	assert_int_equal(json_integer_value(json_object_get(j, "clients")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j,
	    "verdicts"), "vulnerable")), 1);
	assert_null(json_object_get(j, "peak_in_flight"));
	json_decref(j);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
