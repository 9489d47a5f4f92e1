/*
 * The HTML report: escaping of hostile strings (markup, quotes, control
 * bytes, bytes that are not UTF-8, a cut never inside a reference), and a
 * whole page from hostile results: no markup but our own, no fetch, the
 * vulnerable things first, the restart commands, the before/after table.
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
#include "report/html.h"
#include "report/jsonl_read.h"

static void test_escape_markup(void **state)
{
	char buf[256];
	const char *s = "<script>alert(\"x\")</script>&'";
	size_t n;

	(void)state;
	n = html_escape(buf, sizeof(buf), s, strlen(s));
	assert_string_equal(buf, "&lt;script&gt;alert(&quot;x&quot;)&lt;"
	    "/script&gt;&amp;&#39;");
	assert_int_equal(n, strlen(buf));
	/* UTF-8 text is kept. */
	html_escape(buf, sizeof(buf), "caf\xc3\xa9 \xe2\x9c\x93", 9);
	assert_string_equal(buf, "caf\xc3\xa9 \xe2\x9c\x93");
}

static void test_escape_bytes(void **state)
{
	char buf[256];
	const char s[] = "a\x1b[31m\x7f\xc2\x85\xff\xc0<\\\x01";

	(void)state;
	html_escape(buf, sizeof(buf), s, sizeof(s) - 1);
	assert_string_equal(buf, "a\\x1b[31m\\x7f\\xc2\\x85\\xff\\xc0&lt;"
	    "\\\\\\x01");
	/* An embedded NUL is a byte like another. */
	html_escape(buf, sizeof(buf), "a\0<", 3);
	assert_string_equal(buf, "a\\x00&lt;");
}

static void test_escape_cut(void **state)
{
	char buf[8];
	size_t n, cap;

	(void)state;
	/* "ab&lt;cd": cut anywhere, never "&l" or "&lt" at the end. */
	for (cap = 1; cap <= 8; cap++) {
		n = html_escape(buf, cap, "ab<cd", 5);
		assert_int_equal(n, 8);
		assert_true(strlen(buf) < cap);
		if (strchr(buf, '&'))
			assert_non_null(strstr(buf, "&lt;"));
	}
	n = html_escape(NULL, 0, "<<", 2);
	assert_int_equal(n, 8);
}

static void test_puts(void **state)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	char big[2000];

	(void)state;
	memset(big, '<', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	html_puts(f, "<b>");
	html_puts(f, NULL);
	html_puts(f, big);      /* longer than the stack buffer */
	fclose(f);
	assert_int_equal(len, 3 + 6 + 4 * (sizeof(big) - 1));
	assert_memory_equal(mem, "&lt;b&gt;&lt;&lt;", 17);
	assert_null(strchr(mem, '<'));
	free(mem);
}

/* Each '<' of the page starts one of the tags the writer uses. */
static void assert_only_our_tags(const char *page)
{
	static const char names[] = " !DOCTYPE html head meta title style "
	    "body h1 h2 p div b code svg text rect table thead tbody tr th td "
	    "caption small br pre ul li input label span ";
	const char *p = page;
	char name[16];
	size_t n;

	while ((p = strchr(p, '<')) != NULL) {
		const char *at = p++;

		if (*p == '/')
			p++;
		for (n = 0; n + 3 < sizeof(name) && (p[n] == '!' ||
		    (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' &&
		    p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9')); n++)
			name[n + 1] = p[n];
		name[0] = ' ';
		name[n + 1] = ' ';
		name[n + 2] = '\0';
		if (n == 0 || (p[n] != ' ' && p[n] != '>') ||
		    !strstr(names, name))
			fail_msg("unexpected markup at: %.40s", at);
	}
}

/* No tag of the page fetches anything: no URL, no src= or href=. */
static void assert_no_fetch(const char *page)
{
	const char *p = page, *end;
	char tag[2048];
	size_t n;

	while ((p = strchr(p, '<')) != NULL) {
		end = strchr(p, '>');
		assert_non_null(end);
		n = (size_t)(end - p);
		if (n >= sizeof(tag))
			n = sizeof(tag) - 1;
		memcpy(tag, p, n);
		tag[n] = '\0';
		if (strstr(tag, "://") || strstr(tag, "src=") ||
		    strstr(tag, "href=") || strstr(tag, "url("))
			fail_msg("a fetch in: %s", tag);
		p = end;
	}
	assert_null(strstr(page, "url("));
	assert_null(strstr(page, "@import"));
}

struct both {
	struct html_report *r;
	struct diff *d;
	int side;
};

static void both_result(void *ctx, const struct jsonl_item *it)
{
	struct both *b = ctx;

	if (b->r)
		assert_int_equal(html_report_add(b->r, it), 0);
	if (b->d)
		assert_int_equal(diff_add(b->d, b->side, it), 0);
}

static void read_into(struct html_report *r, struct diff *d, int side,
    const char *name, const char *text)
{
	struct both b = { r, d, side };
	struct jsonl_cb cb = { both_result, NULL, &b };
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	jsonl_read(f, name, &cb, NULL);
	fclose(f);
}

static const char hostile[] =
    "{\"type\":\"scan\",\"target\":\"10.0.0.2:443\",\"ip\":\"10.0.0.2\","
    "\"port\":443,\"verdict\":\"patched\",\"reason\":\"fine\"}\n"
    "{\"type\":\"scan\",\"target\":\"<script>alert(1)</script>:443\","
    "\"ip\":\"10.0.0.1\",\"port\":443,\"verdict\":\"vulnerable\","
    "\"reason\":\"proof \\\"quoted\\\" <img src=x onerror=alert(1)> "
    "\\u001b[2J\\u0007\",\"version\":\"TLSv1.2\",\"strategy\":"
    "\"<b>flight\",\"disclosed\":3,\"attempts\":1}\n"
    "{\"type\":\"scan\",\"target\":\"10.0.0.3:443\",\"ip\":\"10.0.0.3\","
    "\"port\":443,\"verdict\":\"<svg onload=alert(1)>\",\"reason\":"
    "\"<iframe src='https://evil.example/'>\"}\n"
    "{\"type\":\"process\",\"pid\":42,\"comm\":\"</td><script>\","
    "\"cmdline\":\"x <a href=http://evil.example/>\",\"unit\":"
    "\"evil<.service\",\"restart\":true,\"libraries\":[{\"path\":"
    "\"/lib/<libssl>.so\",\"why\":\"deleted\"}]}\n"
    "{\"type\":\"library\",\"path\":\"/caf\\\\xe9<\",\"path_b64\":"
    "\"L2NhZuk8\",\"verdict\":\"patched\"}\n"
    "{\"type\":\"restart\",\"unit\":\"evil<.service\",\"processes\":1,"
    "\"command\":\"systemctl restart 'evil<.service'\"}\n"
    "{\"type\":\"restart\",\"pid\":43,\"comm\":\"<style>\",\"cmdline\":"
    "\"</pre><script>\",\"command\":null}\n"
    "{\"type\":\"error\",\"stage\":\"<x>\",\"error\":\"</ul><script>\"}\n"
    "{\"type\":\"summary\",\"endpoints\":3,\"verdicts\":{\"<v>\":1},"
    "\"seconds\":0.5,\"peak_in_flight\":2}\n";

static char *page_of(struct html_report *r, const char *title,
    const struct diff *d)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);

	assert_non_null(f);
	assert_int_equal(html_report_write(f, r, title, d, 1700000000), 0);
	fclose(f);
	assert_int_equal(strlen(mem), len);
	return mem;
}

static void test_page_hostile(void **state)
{
	struct html_report *r = html_report_new();
	char *page;
	const char *vuln, *all, *patched_row, *vuln_row;

	(void)state;
	assert_non_null(r);
	read_into(r, NULL, 0, "run<1>.jsonl", hostile);
	page = page_of(r, "Q3 <audit> & \"review\"", NULL);
	assert_only_our_tags(page);
	assert_null(strstr(page, "<script"));
	assert_null(strstr(page, "<img"));
	assert_null(strstr(page, "<iframe"));
	assert_no_fetch(page);
	/* Remote URLs in the input are text, escaped. */
	assert_non_null(strstr(page, "&lt;a href=http://evil.example/&gt;"));
	assert_null(strchr(page, '\x1b'));
	assert_null(strchr(page, '\x07'));
	assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"
	    ":443"));
	assert_non_null(strstr(page, "<title>Q3 &lt;audit&gt; &amp; "
	    "&quot;review&quot;</title>"));
	assert_non_null(strstr(page, "\\x1b[2J\\x07"));
	/* Bytes that are not UTF-8, from FIELD_b64, shown as \xNN. */
	assert_non_null(strstr(page, ">/caf\\xe9&lt;<"));
	/* Vulnerable first: its section before the others, its row before
	 * the patched one in the table of every result. */
	vuln = strstr(page, "id=\"vulnerable\"");
	all = strstr(page, "id=\"all\"");
	assert_non_null(vuln);
	assert_non_null(all);
	assert_true(vuln < all);
	vuln_row = strstr(vuln, "&lt;script&gt;alert(1)");
	assert_non_null(vuln_row);
	assert_true(vuln_row < all);
	patched_row = strstr(vuln, "10.0.0.2:443");
	assert_true(patched_row > all);
	/* In the table of every result too, the vulnerable row comes first,
	 * and a filter by verdict needs no script. */
	assert_true(strstr(all, "&lt;script&gt;alert(1)") <
	    strstr(all, "10.0.0.2:443"));
	assert_non_null(strstr(all, "<input type=\"radio\" name=\"f\" "
	    "id=\"f-bad\">"));
	/* The proof: reason, strategy, bytes disclosed. */
	assert_non_null(strstr(vuln_row, "strategy &lt;b&gt;flight, 3 bytes "
	    "disclosed"));
	/* Restart instructions, escaped. */
	assert_non_null(strstr(page, "systemctl restart &#39;evil&lt;.service"
	    "&#39;    # 1 process\n"));
	assert_non_null(strstr(page, "&lt;/pre&gt;&lt;script&gt;"));
	/* The error and the run's parameters. */
	assert_non_null(strstr(page, "&lt;x&gt;: &lt;/ul&gt;&lt;script&gt;"));
	assert_non_null(strstr(page, "scan of 3 endpoints in 0.50 s"));
	assert_non_null(strstr(page, "run&lt;1&gt;.jsonl"));
	assert_non_null(strstr(page, "2023-11-14 22:13:20 UTC"));
	/* The chart. */
	assert_non_null(strstr(page, "<svg "));
	assert_non_null(strstr(page, "endpoint &lt;svg onload=alert(1)&gt;"));
	free(page);
	html_report_free(r);
}

static void test_page_before_after(void **state)
{
	struct html_report *r = html_report_new();
	struct diff d;
	char *page;

	(void)state;
	diff_init(&d);
	read_into(NULL, &d, 0, "old.jsonl",
	    "{\"type\":\"scan\",\"target\":\"<a>:1\",\"ip\":\"10.0.0.1\","
	    "\"port\":1,\"verdict\":\"vulnerable\"}\n"
	    "{\"type\":\"scan\",\"target\":\"b:2\",\"ip\":\"10.0.0.2\","
	    "\"port\":2,\"verdict\":\"vulnerable\"}\n");
	read_into(r, &d, 1, "new.jsonl",
	    "{\"type\":\"scan\",\"target\":\"<a>:1\",\"ip\":\"10.0.0.1\","
	    "\"port\":1,\"verdict\":\"patched\",\"reason\":\"<ok>\"}\n");
	assert_int_equal(diff_finish(&d), 0);
	page = page_of(r, NULL, &d);
	assert_only_our_tags(page);
	assert_no_fetch(page);
	assert_non_null(strstr(page, "id=\"compare\""));
	assert_non_null(strstr(page, "<title>Heartbleed report</title>"));
	assert_non_null(strstr(page, "&lt;a&gt;:1</td><td class=\"good\">"
	    "fixed</td><td><b>vulnerable</b> &rarr; <b>patched</b><br><small>"
	    "&lt;ok&gt;</small>"));
	assert_non_null(strstr(page, "b:2</td><td class=\"\">gone</td>"));
	free(page);
	diff_free(&d);
	html_report_free(r);
}

static void test_page_restart_from_processes(void **state)
{
	struct html_report *r = html_report_new();
	char *page;

	(void)state;
	/* Without restart results, the services among the processes that
	 * need a restart get one line each; sessions and user services do
	 * not. */
	read_into(r, NULL, 0, "local.jsonl",
	    "{\"type\":\"process\",\"pid\":1,\"comm\":\"nginx\",\"unit\":"
	    "\"nginx.service\",\"restart\":true,\"libraries\":[]}\n"
	    "{\"type\":\"process\",\"pid\":2,\"comm\":\"nginx\",\"unit\":"
	    "\"nginx.service\",\"restart\":true,\"libraries\":[]}\n"
	    "{\"type\":\"process\",\"pid\":3,\"comm\":\"bash\",\"unit\":"
	    "\"session-3.scope\",\"restart\":true,\"libraries\":[]}\n"
	    "{\"type\":\"process\",\"pid\":4,\"comm\":\"app\",\"unit\":"
	    "\"user@1000.service/app.service\",\"restart\":true,"
	    "\"libraries\":[]}\n"
	    "{\"type\":\"process\",\"pid\":5,\"comm\":\"x\",\"unit\":"
	    "\"<x>.service\",\"restart\":true,\"libraries\":[]}\n");
	page = page_of(r, NULL, NULL);
	assert_only_our_tags(page);
	assert_non_null(strstr(page, "<pre>systemctl restart nginx.service"
	    "    # 2 processes\nsystemctl restart &lt;x&gt;.service    # 1 "
	    "process\n</pre>"));
	assert_null(strstr(page, "restart session-3.scope"));
	assert_null(strstr(page, "restart user@1000"));
	free(page);
	html_report_free(r);
}

static void test_page_empty(void **state)
{
	struct html_report *r = html_report_new();
	char *page;

	(void)state;
	page = page_of(r, "", NULL);
	assert_only_our_tags(page);
	assert_non_null(strstr(page, "No results to chart."));
	assert_non_null(strstr(page, "</body></html>\n"));
	free(page);
	html_report_free(r);
	html_report_free(NULL);
}

static void test_page_write_error(void **state)
{
	struct html_report *r = html_report_new();
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f) {
		html_report_free(r);
		skip();
	}
	assert_int_equal(html_report_write(f, r, NULL, NULL, 0) != 0, 1);
	fclose(f);
	html_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_markup),
		cmocka_unit_test(test_escape_bytes),
		cmocka_unit_test(test_escape_cut),
		cmocka_unit_test(test_puts),
		cmocka_unit_test(test_page_hostile),
		cmocka_unit_test(test_page_before_after),
		cmocka_unit_test(test_page_restart_from_processes),
		cmocka_unit_test(test_page_empty),
		cmocka_unit_test(test_page_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
