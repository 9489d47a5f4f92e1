/*
 * Sinks: the JSON sink writes the schema's lines into a memory stream; a
 * sink made in the test (one struct of callbacks) receives every result
 * kind through the same dispatch the producers use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "report/err.h"
#include "report/sink.h"


/* An out writing straight into a memory stream, without the writer
 * thread. */
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

static void test_json_library_and_process(void **state)
{
	struct mem m;
	struct sink s;
	struct res_library lib = {
		.path = "/usr/lib/caf\xe9/libssl.so.1.0.0",
		.soname = "libssl.so.1.0.0",
		.version = "OpenSSL 1.0.1f 6 Jan 2014",
		.verdict = "vulnerable",
		.grade = RES_BAD,
		.reason = "proven",
		.libcrypto = NULL,
		.sources = RES_SRC_LDCACHE | RES_SRC_PROCESS,
	};
	struct res_proc_lib libs[] = { { "/usr/lib/libssl.so.3", "deleted" } };
	struct res_process p = {
		.pid = 42, .uid = 0, .comm = "nginx", .cmdline = "nginx -g",
		.unit = "nginx.service", .restart = 1, .nlibs = 1, .libs = libs,
	};
	char *text;

	(void)state;
	mem_open(&m, 1);
	assert_int_equal(sink_open(&s, sink_find("json"), &m.out, 0), 0);
	sink_library(&s, &lib);
	sink_process(&s, &p);
	/* No section headings in JSON. */
	sink_section_begin(&s, RES_SEC_LIBRARIES);
	sink_close(&s);
	text = mem_close(&m);
	assert_string_equal(text,
	    "{\"type\":\"library\",\"path\":\"/usr/lib/caf\\\\xe9/libssl.so.1.0.0\","
	    "\"path_b64\":\"L3Vzci9saWIvY2Fm6S9saWJzc2wuc28uMS4wLjA=\","
	    "\"soname\":\"libssl.so.1.0.0\",\"version\":\"OpenSSL 1.0.1f 6 Jan 2014\","
	    "\"verdict\":\"vulnerable\",\"reason\":\"proven\",\"disclosed\":0,"
	    "\"sources\":[\"ld.so.cache\",\"process\"]}\n"
	    "{\"type\":\"process\",\"pid\":42,\"uid\":0,\"comm\":\"nginx\","
	    "\"cmdline\":\"nginx -g\",\"unit\":\"nginx.service\",\"restart\":true,"
	    "\"libraries\":[{\"path\":\"/usr/lib/libssl.so.3\",\"why\":\"deleted\"}]}\n");
	free(text);
}

static void test_json_error_and_summaries(void **state)
{
	static const char *const names[] = { "vulnerable", "patched" };
	static const uint64_t counts[] = { 1, 2 };
	struct mem m;
	struct sink s;
	struct res_error e = { "listeners", HC_ERR_SYSTEM,
		"cannot read /proc/net/tcp" };
	struct res_error bad = { NULL, HC_ERR_INVALID, "bad target" };
	struct res_scan_summary ss = { 3, 2, names, counts, 1, 0.5, 2 };
	struct res_local_summary ls;
	char *text;

	(void)state;
	memset(&ls, 0, sizeof(ls));
	ls.libraries = 2;
	ls.errors = 1;
	mem_open(&m, 1);
	assert_int_equal(sink_open(&s, &sink_json_ops, &m.out, 0), 0);
	sink_error(&s, &e);
	sink_error(&s, &bad);
	sink_scan_summary(&s, &ss);
	sink_local_summary(&s, &ls);
	sink_close(&s);
	text = mem_close(&m);
	assert_non_null(strstr(text,
	    "{\"type\":\"error\",\"error\":\"cannot read /proc/net/tcp\","
	    "\"stage\":\"listeners\"}\n"
	    "{\"type\":\"error\",\"error\":\"bad target\"}\n"
	    "{\"type\":\"summary\",\"endpoints\":3,\"verdicts\":{\"vulnerable\":1,"
	    "\"patched\":2},\"seconds\":0.5,\"peak_in_flight\":2}\n"
	    "{\"type\":\"local-summary\",\"libraries\":2,"));
	assert_non_null(strstr(text, "\"errors\":1,"));
	free(text);
}

/* A format made in a test: one struct of callbacks, nothing else. */
struct tally {
	int begun, ended, endpoints, listeners, libraries, processes;
	int packages, restarts, errors, summaries, sections;
};

static int t_begin(struct sink *s)
{
	s->priv = calloc(1, sizeof(struct tally));
	((struct tally *)s->priv)->begun = 1;
	return s->priv ? 0 : HC_ERR_ALLOC_FAIL;
}

static struct tally last;

static void t_end(struct sink *s)
{
	last = *(struct tally *)s->priv;
	last.ended = 1;
	free(s->priv);
}

#define T(s) ((struct tally *)(s)->priv)
static void t_endpoint(struct sink *s, const struct res_endpoint *r)
{
	T(s)->endpoints++;
}
static void t_listener(struct sink *s, const struct res_listener *r)
{
	T(s)->listeners++;
}
static void t_library(struct sink *s, const struct res_library *r)
{
	T(s)->libraries++;
}
static void t_process(struct sink *s, const struct res_process *r)
{
	T(s)->processes++;
}
static void t_restart(struct sink *s, const struct res_restart *r)
{
	T(s)->restarts++;
}
static void t_error(struct sink *s, const struct res_error *r)
{
	T(s)->errors++;
}
static void t_local_summary(struct sink *s, const struct res_local_summary *r)
{
	T(s)->summaries++;
}
static void t_section(struct sink *s, enum res_section sec)
{
	T(s)->sections++;
}

static const struct sink_ops tally_ops = {
	.name = "tally",
	.begin = t_begin,
	.end = t_end,
	.section_begin = t_section,
	.endpoint = t_endpoint,
	.listener = t_listener,
	.library = t_library,
	.process = t_process,
	/* package and scan_summary left out: ignored */
	.restart = t_restart,
	.error = t_error,
	.local_summary = t_local_summary,
};

static void test_custom_sink(void **state)
{
	struct mem m;
	struct sink s;
	struct res_endpoint ep = { .target = "x:443", .verdict = "patched" };
	struct res_listener l = { .ep = ep };
	struct res_library lib = { .path = "p", .verdict = "patched" };
	struct res_process p = { .pid = 1 };
	struct res_package pkg = { .name = "openssl" };
	struct res_restart r = { .unit = "a.service" };
	struct res_error e = { NULL, HC_ERR_INVALID, "x" };
	struct res_scan_summary ss = { 0 };
	struct res_local_summary ls = { 0 };

	(void)state;
	mem_open(&m, 0);
	assert_int_equal(sink_open(&s, &tally_ops, &m.out, 0), 0);
	sink_section_begin(&s, RES_SEC_LIBRARIES);
	sink_section_end(&s, RES_SEC_LIBRARIES, &ls, NULL);
	sink_endpoint(&s, &ep);
	sink_listener(&s, &l);
	sink_library(&s, &lib);
	sink_library(&s, &lib);
	sink_process(&s, &p);
	sink_package(&s, &pkg);
	sink_restart(&s, &r);
	sink_error(&s, &e);
	sink_scan_summary(&s, &ss);
	sink_local_summary(&s, &ls);
	sink_close(&s);
	free(mem_close(&m));
	assert_true(last.begun && last.ended);
	assert_int_equal(last.sections, 1);
	assert_int_equal(last.endpoints, 1);
	assert_int_equal(last.listeners, 1);
	assert_int_equal(last.libraries, 2);
	assert_int_equal(last.processes, 1);
	assert_int_equal(last.restarts, 1);
	assert_int_equal(last.errors, 1);
	assert_int_equal(last.summaries, 1);
}

static void test_table(void **state)
{
	static const char *const want[] = { "text", "json", "nagios",
		"openmetrics", "nmap-xml", "csv" };
	char names[200];
	size_t i;

	(void)state;
	for (i = 0; i < 6; i++) {
		assert_non_null(sink_find(want[i]));
		assert_string_equal(sink_find(want[i])->name, want[i]);
		assert_ptr_equal(sink_table[i], sink_find(want[i]));
	}
	assert_null(sink_table[6]);
	assert_null(sink_find("html"));
	/* What each command offers as --format, from the table. */
	sink_names(SINK_SCAN, names, sizeof(names));
	assert_string_equal(names, "text, json, nmap-xml, csv");
	sink_names(SINK_LOCAL, names, sizeof(names));
	assert_string_equal(names,
	    "text, json, nagios, openmetrics, nmap-xml, csv");
	sink_names(SINK_CLIENTS, names, sizeof(names));
	assert_string_equal(names, "text, json, csv");
	/* Only the whole documents refuse a resumed scan's appending. */
	assert_true(sink_find("nmap-xml")->document);
	assert_true(sink_find("csv")->document);
	assert_false(sink_find("json")->document);
	assert_false(sink_find("text")->document);
}

static void test_text_scan_quiet(void **state)
{
	struct mem m;
	struct sink s;
	struct res_endpoint ok = { .target = "a:443", .verdict = "patched",
		.grade = RES_GOOD, .reason = "fine", .ip = "" };
	struct res_endpoint bad = { .target = "b:443",
		.verdict = "vulnerable", .grade = RES_BAD, .vulnerable = 1,
		.reason = "proven", .version = "TLSv1.2", .ip = "" };
	struct res_scan_summary ss = { 0 };
	char *text;

	(void)state;
	mem_open(&m, 0);
	assert_int_equal(sink_open(&s, &sink_text_ops, &m.out, 1), 0);
	sink_endpoint(&s, &ok);
	sink_endpoint(&s, &bad);
	sink_scan_summary(&s, &ss);
	sink_close(&s);
	text = mem_close(&m);
	assert_string_equal(text, "vulnerable       b:443                        "
	    "TLSv1.2  proven\n");
	free(text);
}

/* The client result kind: heartcheck clients' lines and summary. */

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

static void test_text_client(void **state)
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

static void test_json_client(void **state)
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

/* ---- nmap XML and CSV: every kind, with hostile strings ---- */

/* A reason a hostile server shaped: markup, quotes, a line break, a
 * control and a byte that is not UTF-8. */
#define HOSTILE "<b>\"x\" & 'y'</b>\n\001\377"

static const struct res_endpoint ep_vuln = {
	.target = "h.example:443", .name = "h.example", .ip = "192.0.2.1",
	.port = 443, .verdict = "vulnerable", .grade = RES_BAD,
	.vulnerable = 1, .reason = HOSTILE, .version = "TLSv1.2",
	.heartbeat_ext = 1, .alert = -1, .attempts = 1,
	.strategy = "flight", .elapsed_ms = 2000.04,
};
static const struct res_endpoint ep_patched = {
	.target = "[2001:db8::1]:25", .ip = "2001:db8::1", .port = 25,
	.verdict = "patched", .grade = RES_GOOD, .reason = "=cmd|' /C calc'!A0",
	.version = "TLSv1.0", .heartbeat_ext = 1, .alert = 10, .attempts = 1,
	.strategy = "flight", .starttls = "smtp", .elapsed_ms = 3,
};
static const struct res_endpoint ep_refused = {
	.target = "192.0.2.2:443", .ip = "192.0.2.2", .port = 443,
	.verdict = "refused", .grade = RES_UNSURE, .reason = "refused",
	.alert = -1, .attempts = 1, .strategy = "flight",
};
static const struct res_endpoint ep_dtls = {
	.target = "192.0.2.3:4433", .ip = "192.0.2.3", .port = 4433,
	.verdict = "timeout", .grade = RES_UNSURE, .reason = "no answer",
	.alert = -1, .attempts = 1, .strategy = "dtls",
};
static const struct res_endpoint ep_nodns = {
	.target = "nx.invalid:443", .name = "nx.invalid", .ip = "",
	.port = 443, .verdict = "dns-error", .grade = RES_UNSURE,
	.reason = "cannot resolve", .alert = -1,
};

/* What nmap-xml and csv write for the results below, byte for byte. */
#define NMAPXML_WANT \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<!DOCTYPE nmaprun>\n" \
	"<nmaprun scanner=\"heartcheck\" args=\"heartcheck\" start=\"139682" \
	"8800\" startstr=\"Mon Apr  7 00:00:00 2014\" version=\"0.1.0\" xml" \
	"outputversion=\"1.05\">\n" \
	"<scaninfo type=\"connect\" protocol=\"tcp\" numservices=\"0\" serv" \
	"ices=\"\"/>\n" \
	"<verbose level=\"0\"/>\n" \
	"<debugging level=\"0\"/>\n" \
	"<host starttime=\"1396828798\" endtime=\"1396828800\"><status stat" \
	"e=\"up\" reason=\"user-set\" reason_ttl=\"0\"/>\n" \
	"<address addr=\"192.0.2.1\" addrtype=\"ipv4\"/>\n" \
	"<hostnames>\n" \
	"<hostname name=\"h.example\" type=\"user\"/>\n" \
	"</hostnames>\n" \
	"<ports><port protocol=\"tcp\" portid=\"443\"><state state=\"open\"" \
	" reason=\"syn-ack\" reason_ttl=\"0\"/><service name=\"ssl\" method" \
	"=\"probed\" conf=\"10\"/><script id=\"ssl-heartbleed\" output=\"&#" \
	"xa;  VULNERABLE:&#xa;  Heartbleed: the TLS heartbeat of OpenSSL 1." \
	"0.1 to 1.0.1f reads past the request and returns memory of the pro" \
	"cess to the peer&#xa;    State: VULNERABLE&#xa;    IDs:  CVE:CVE-2" \
	"014-0160&#xa;    Risk factor: High&#xa;      A heartbeat request w" \
	"hose length field claims more than its payload makes a vulnerable " \
	"OpenSSL echo up to 64 KiB of its memory: keys, passwords, other us" \
	"ers' traffic.  Fixed in OpenSSL 1.0.1g.&#xa;    Disclosure date: 2" \
	"014-04-07&#xa;    Check results:&#xa;      &lt;b&gt;&quot;x&quot; " \
	"&amp; &#39;y&#39;&lt;/b&gt;\\x0a\\x01\\xff&#xa;    References:&#xa" \
	";      https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2014-016" \
	"0&#xa;      https://www.openssl.org/news/secadv/20140407.txt&#xa;" \
	"\"><table key=\"CVE-2014-0160\">\n" \
	"<elem key=\"title\">Heartbleed: the TLS heartbeat of OpenSSL 1.0.1" \
	" to 1.0.1f reads past the request and returns memory of the proces" \
	"s to the peer</elem>\n" \
	"<elem key=\"state\">VULNERABLE</elem>\n" \
	"<table key=\"ids\">\n" \
	"<elem>CVE:CVE-2014-0160</elem>\n" \
	"</table>\n" \
	"<table key=\"description\">\n" \
	"<elem>A heartbeat request whose length field claims more than its " \
	"payload makes a vulnerable OpenSSL echo up to 64 KiB of its memory" \
	": keys, passwords, other users' traffic.  Fixed in OpenSSL 1.0.1g." \
	"</elem>\n" \
	"</table>\n" \
	"<table key=\"dates\">\n" \
	"<table key=\"disclosure\">\n" \
	"<elem key=\"year\">2014</elem>\n" \
	"<elem key=\"month\">04</elem>\n" \
	"<elem key=\"day\">07</elem>\n" \
	"</table>\n" \
	"</table>\n" \
	"<elem key=\"disclosure\">2014-04-07</elem>\n" \
	"<table key=\"check_results\">\n" \
	"<elem>&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;\\x0a\\x01" \
	"\\xff</elem>\n" \
	"</table>\n" \
	"<table key=\"refs\">\n" \
	"<elem>https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2014-0160" \
	"</elem>\n" \
	"<elem>https://www.openssl.org/news/secadv/20140407.txt</elem>\n" \
	"</table>\n" \
	"</table>\n" \
	"</script></port>\n" \
	"</ports>\n" \
	"</host>\n" \
	"<host starttime=\"1396828800\" endtime=\"1396828800\"><status stat" \
	"e=\"up\" reason=\"user-set\" reason_ttl=\"0\"/>\n" \
	"<address addr=\"2001:db8::1\" addrtype=\"ipv6\"/>\n" \
	"<hostnames>\n" \
	"</hostnames>\n" \
	"<ports><port protocol=\"tcp\" portid=\"25\"><state state=\"open\" " \
	"reason=\"syn-ack\" reason_ttl=\"0\"/><service name=\"smtp\" method" \
	"=\"probed\" conf=\"10\"/></port>\n" \
	"</ports>\n" \
	"</host>\n" \
	"<host starttime=\"1396828800\" endtime=\"1396828800\"><status stat" \
	"e=\"up\" reason=\"user-set\" reason_ttl=\"0\"/>\n" \
	"<address addr=\"192.0.2.3\" addrtype=\"ipv4\"/>\n" \
	"<hostnames>\n" \
	"</hostnames>\n" \
	"<ports><port protocol=\"udp\" portid=\"4433\"><state state=\"open|" \
	"filtered\" reason=\"no-response\" reason_ttl=\"0\"/></port>\n" \
	"</ports>\n" \
	"</host>\n" \
	"<host starttime=\"1396828800\" endtime=\"1396828800\"><status stat" \
	"e=\"up\" reason=\"user-set\" reason_ttl=\"0\"/>\n" \
	"<address addr=\"192.0.2.2\" addrtype=\"ipv4\"/>\n" \
	"<hostnames>\n" \
	"</hostnames>\n" \
	"<ports><port protocol=\"tcp\" portid=\"443\"><state state=\"closed" \
	"\" reason=\"conn-refused\" reason_ttl=\"0\"/></port>\n" \
	"</ports>\n" \
	"</host>\n" \
	"<runstats><finished time=\"1396828800\" timestr=\"Mon Apr  7 00:00" \
	":00 2014\" summary=\"heartcheck done: 5 endpoints in 2.50 seconds;" \
	" 1 vulnerable\" elapsed=\"2.50\" exit=\"success\"/><hosts up=\"4\"" \
	" down=\"0\" total=\"4\"/>\n" \
	"</runstats>\n" \
	"</nmaprun>\n"
#define CSV_WANT \
	"type,target,name,ip,port,verdict,vulnerable,version,reason,heartbe" \
	"at_ext,disclosed,strategy,starttls,elapsed_ms,path,pid,comm,unit,c" \
	"ommand\r\n" \
	"\"scan\",\"h.example:443\",\"h.example\",\"192.0.2.1\",443,\"vulne" \
	"rable\",true,\"TLSv1.2\",\"<b>\"\"x\"\" & 'y'</b>\\x0a\\x01\\xff\"" \
	",true,0,\"flight\",,2000.0,,,,,\r\n" \
	"\"scan\",\"[2001:db8::1]:25\",,\"2001:db8::1\",25,\"patched\",fals" \
	"e,\"TLSv1.0\",\"'=cmd|' /C calc'!A0\",true,0,\"flight\",\"smtp\",3" \
	".0,,,,,\r\n" \
	"\"scan\",\"nx.invalid:443\",\"nx.invalid\",,443,\"dns-error\",fals" \
	"e,,\"cannot resolve\",false,0,,,0.0,,,,,\r\n" \
	"\"listener\",\"192.0.2.2:443\",,\"192.0.2.2\",443,\"refused\",fals" \
	"e,,\"refused\",false,0,\"flight\",,0.0,,7,\"'@SUM(A1)\",\"x.servic" \
	"e\",\r\n" \
	"\"library\",,\"s\",,,\"vulnerable\",true,\"OpenSSL 1.0.1f\",\"'+pr" \
	"oven\",,0,,,,\"/l/libssl.so\",,,,\r\n" \
	"\"process\",,,,,\"restart\",true,,,,,,,,\"/l/libssl.so (deleted); " \
	"/l/libcrypto.so\",42,\"ng\"\"x\",,\"'-c\\x09cmd\"\r\n" \
	"\"process\",,,,,\"unreadable\",false,,\"EACCES\",,,,,,,43,\"z\",," \
	"\r\n" \
	"\"package\",,\"libssl1.0.0\",,,\"vulnerable\",true,\"1.0.1f-1\",\"" \
	"older than 1.0.1g\",,,,,,,,,,\r\n" \
	"\"restart\",,,,,,,,,,,,,,,,,\"nginx.service\",\"systemctl restart " \
	"nginx.service\"\r\n" \
	"\"restart\",,,,,,,,\"deleted\",,,,,,,9,\"a\",,\"a -b\"\r\n" \
	"\"error\",\"listeners\",,,,,,,\"cannot, read\",,,,,,,,,,\r\n" \
	"\"client\",\"127.0.0.1:5000\",,\"127.0.0.1\",5000,\"vulnerable\",t" \
	"rue,\"TLSv1.2\",\"echoed\",true,0,\"flight\",,12.4,,,,,\"curl\"\r" \
	"\n" \
	"\"client\",,,,,\"not-tls\",false,,\"no hello\",false,0,\"flight\"," \
	",3.0,,,,,\r\n"

static void test_nmapxml(void **state)
{
	static const char *const vn[] = { "vulnerable" };
	static const uint64_t vc[] = { 1 };
	struct res_scan_summary ss = { 5, 1, vn, vc, 1, 2.5, 5 };
	struct res_listener l = { .ep = ep_refused, .pid = 7, .comm = "x" };
	struct mem m;
	struct sink s;
	char *text;

	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1396828800", 1);
	setenv("TZ", "UTC", 1);
	tzset();
	/* Nothing written until there is something: a refusal after the
	 * sink was opened leaves no half document. */
	mem_open(&m, 1);
	assert_int_equal(sink_open(&s, &sink_nmapxml_ops, &m.out, 0), 0);
	sink_close(&s);
	text = mem_close(&m);
	assert_string_equal(text, "");
	free(text);

	mem_open(&m, 1);
	assert_int_equal(sink_open(&s, sink_find("nmap-xml"), &m.out, 0), 0);
	sink_endpoint(&s, &ep_vuln);
	sink_endpoint(&s, &ep_patched);
	sink_endpoint(&s, &ep_nodns);
	sink_endpoint(&s, &ep_dtls);
	sink_listener(&s, &l);
	sink_scan_summary(&s, &ss);
	sink_close(&s);
	text = mem_close(&m);
	assert_string_equal(text, NMAPXML_WANT);
	free(text);
	unsetenv("SOURCE_DATE_EPOCH");
}

/* The port's protocol follows the result's transport (an OpenVPN
 * endpoint over UDP is decided by the TLS engine, not "dtls"). */
static void test_nmapxml_transport(void **state)
{
	struct res_endpoint ovpn = ep_vuln;
	struct mem m;
	struct sink s;
	char *text;

	(void)state;
	ovpn.transport = "udp";
	mem_open(&m, 1);
	assert_int_equal(sink_open(&s, &sink_nmapxml_ops, &m.out, 0), 0);
	sink_endpoint(&s, &ovpn);
	sink_endpoint(&s, &ep_vuln);
	sink_close(&s);
	text = mem_close(&m);
	assert_non_null(strstr(text, "<port protocol=\"udp\""));
	assert_non_null(strstr(text, "<port protocol=\"tcp\""));
	free(text);
}

static void test_csv(void **state)
{
	struct res_listener l = { .ep = ep_refused, .pid = 7,
		.comm = "@SUM(A1)", .unit = "x.service" };
	struct res_library lib = { .path = "/l/libssl.so", .soname = "s",
		.version = "OpenSSL 1.0.1f", .verdict = "vulnerable",
		.grade = RES_BAD, .reason = "+proven", .sources = 1 };
	struct res_proc_lib libs[] = { { "/l/libssl.so", "deleted" },
		{ "/l/libcrypto.so", "" } };
	struct res_process p = { .pid = 42, .comm = "ng\"x", .cmdline =
		"-c\tcmd", .unit = NULL, .restart = 1, .vulnerable = 1,
		.nlibs = 2, .libs = libs };
	struct res_process unread = { .pid = 43, .comm = "z", .cmdline = "",
		.restart = -1, .unreadable = 1, .error = "EACCES" };
	struct res_package pkg = { .name = "libssl1.0.0", .version = "1.0.1f-1",
		.arch = "amd64", .verdict = "vulnerable", .grade = RES_BAD,
		.reason = "older than 1.0.1g" };
	struct res_restart ru = { .unit = "nginx.service", .processes = 2,
		.command = "systemctl restart nginx.service" };
	struct res_restart rp = { .pid = 9, .comm = "a", .cmdline = "a -b",
		.why = "deleted" };
	struct res_error e = { "listeners", HC_ERR_SYSTEM, "cannot, read" };
	struct res_local_summary ls = { 0 };
	struct res_scan_summary ss = { 0 };
	struct mem m;
	struct sink s;
	char *text;

	(void)state;
	/* A run without results is still a table: its header. */
	mem_open(&m, 1);
	assert_int_equal(sink_open(&s, &sink_csv_ops, &m.out, 0), 0);
	sink_scan_summary(&s, &ss);
	sink_close(&s);
	text = mem_close(&m);
	assert_string_equal(text, "type,target,name,ip,port,verdict,"
	    "vulnerable,version,reason,heartbeat_ext,disclosed,strategy,"
	    "starttls,elapsed_ms,path,pid,comm,unit,command\r\n");
	free(text);

	mem_open(&m, 1);
	assert_int_equal(sink_open(&s, sink_find("csv"), &m.out, 0), 0);
	sink_section_begin(&s, RES_SEC_LIBRARIES);
	sink_endpoint(&s, &ep_vuln);
	sink_endpoint(&s, &ep_patched);
	sink_endpoint(&s, &ep_nodns);
	sink_listener(&s, &l);
	sink_library(&s, &lib);
	sink_process(&s, &p);
	sink_process(&s, &unread);
	sink_package(&s, &pkg);
	sink_restart(&s, &ru);
	sink_restart(&s, &rp);
	sink_error(&s, &e);
	sink_client(&s, &vuln);
	sink_client(&s, &gone);
	sink_local_summary(&s, &ls);
	sink_close(&s);
	text = mem_close(&m);
	assert_string_equal(text, CSV_WANT);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_library_and_process),
		cmocka_unit_test(test_json_error_and_summaries),
		cmocka_unit_test(test_custom_sink),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_text_scan_quiet),
		cmocka_unit_test(test_text_client),
		cmocka_unit_test(test_json_client),
		cmocka_unit_test(test_nmapxml),
		cmocka_unit_test(test_nmapxml_transport),
		cmocka_unit_test(test_csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
