/*
 * Unit tests for the reverse probe: the ClientHello parser and the
 * ServerHello builder (tls/srvhello.h), and the client engine
 * (probe/client.h) driven against the OpenSSL 1.0.1f/1.0.1g client
 * stand-in of the fixture (every library and program mode, in memory) and
 * against scripted clients (GnuTLS, OpenSSL 3, garbage, silence).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakeclient_core.h"
#include "probe/client.h"
#include "tls/hello.h"
#include "tls/srvhello.h"
#include "tls/tls.h"

/* ------------------------------------------------------------------ */
/* ClientHello parser, choices, ServerHello builder                     */

static size_t build_ch(uint8_t *out, size_t cap, const char *sni, int hb)
{
	struct client_hello_opts o;
	ssize_t n;

	memset(&o, 0, sizeof(o));
	o.version = TLS_V_TLS12;
	o.sni = sni;
	o.heartbeat = hb;
	n = client_hello_build(&o, out, cap);
	assert_true(n > 9);
	return (size_t)n;
}

static void test_ch_parse(void **state)
{
	uint8_t rec[1024];
	struct client_hello_info ch;
	size_t n = build_ch(rec, sizeof(rec), "example.com", 1);

	(void)state;
	/* Record header 5, handshake header 4. */
	assert_int_equal(client_hello_parse(rec + 9, n - 9, &ch), 0);
	assert_int_equal(ch.version, TLS_V_TLS12);
	assert_true(ch.heartbeat_ext);
	assert_int_equal(ch.heartbeat_mode, 1);
	assert_string_equal(ch.sni, "example.com");
	assert_true(ch.n_suites > 10);
	assert_true(ch.reneg);          /* the SCSV */
	assert_true(ch.null_comp);
	assert_true(ch.has_exts);
	assert_true(ch.ec_point_formats);
	n = build_ch(rec, sizeof(rec), NULL, 0);
	assert_int_equal(client_hello_parse(rec + 9, n - 9, &ch), 0);
	assert_false(ch.heartbeat_ext);
	assert_string_equal(ch.sni, "");
}

static void test_ch_malformed(void **state)
{
	uint8_t rec[1024];
	struct client_hello_info ch;
	size_t n = build_ch(rec, sizeof(rec), "a.example", 1), i;

	(void)state;
	/* Every truncation is refused but the one that drops the whole
	 * extensions block (an SSLv3-style hello), and none reads past the
	 * end. */
	{
		unsigned ok = 0;

		for (i = 0; i < n - 9; i++)
			if (client_hello_parse(rec + 9, i, &ch) == 0) {
				ok++;
				assert_false(ch.has_exts);
			}
		assert_int_equal(ok, 1);
	}
	/* A trailing byte after the extensions. */
	rec[n] = 0;
	assert_int_equal(client_hello_parse(rec + 9, n - 9 + 1, &ch), -1);
	{
		/* An odd suite list, and no compression methods. */
		uint8_t b[64] = { 3, 3 };
		size_t k = 2 + 32;

		b[k++] = 0;
		b[k++] = 0;
		b[k++] = 3;
		b[k++] = 0;
		b[k++] = 0x2f;
		b[k++] = 0;
		b[k++] = 1;
		b[k++] = 0;
		assert_int_equal(client_hello_parse(b, k, &ch), -1);
		b[2 + 32 + 2] = 2;   /* suites length 2: 00 2f */
		b[2 + 32 + 5] = 0;   /* compression length 0 */
		assert_int_equal(client_hello_parse(b, 2 + 32 + 6, &ch), -1);
		b[2 + 32 + 5] = 1;   /* one method: null; no extensions */
		assert_int_equal(client_hello_parse(b, 2 + 32 + 7, &ch), 0);
		assert_false(ch.has_exts);
		assert_int_equal(ch.n_suites, 1);
	}
}

/* A hand-made hello: version, suites, and supported_versions. */
static size_t raw_ch(uint8_t *b, uint16_t ver, const uint16_t *s, size_t ns,
    int tls13)
{
	size_t k = 0, i;

	b[k++] = (uint8_t)(ver >> 8);
	b[k++] = (uint8_t)ver;
	memset(b + k, 0x11, 32);
	k += 32;
	b[k++] = 0;
	b[k++] = 0;
	b[k++] = (uint8_t)(2 * ns);
	for (i = 0; i < ns; i++) {
		b[k++] = (uint8_t)(s[i] >> 8);
		b[k++] = (uint8_t)s[i];
	}
	b[k++] = 1;
	b[k++] = 0;
	if (tls13) {
		static const uint8_t ext[] = { 0x00, 0x0b, 0x00, 0x2b, 0x00,
			0x07, 0x06, 0x7a, 0x7a, 0x03, 0x04, 0x03, 0x03 };

		memcpy(b + k, ext, sizeof(ext));
		k += sizeof(ext);
	}
	return k;
}

static void test_pick(void **state)
{
	uint8_t b[256];
	struct client_hello_info ch;
	static const uint16_t mixed[] = { 0x1301, 0xc02f, 0x009c, 0x002f };
	static const uint16_t ecdhe[] = { 0x0a0a, 0x1302, 0xc02f, 0xc013 };
	static const uint16_t only13[] = { 0x1301, 0x1302, 0x00ff };
	static const uint16_t gcm[] = { 0x009c, 0x0035 };

	(void)state;
	assert_int_equal(client_hello_parse(b, raw_ch(b, TLS_V_TLS12, mixed,
	    4, 1), &ch), 0);
	assert_int_equal(ch.n_versions, 2);   /* GREASE dropped */
	assert_int_equal(ch.versions[0], 0x0304);
	assert_int_equal(server_pick_version(&ch), TLS_V_TLS12);
	assert_int_equal(server_pick_suite(&ch, TLS_V_TLS12), 0x009c);
	assert_int_equal(client_hello_parse(b, raw_ch(b, TLS_V_TLS12, ecdhe,
	    4, 0), &ch), 0);
	assert_int_equal(server_pick_suite(&ch, TLS_V_TLS12), 0xc02f);
	assert_int_equal(server_pick_suite(&ch, TLS_V_TLS10), 0xc013);
	assert_int_equal(client_hello_parse(b, raw_ch(b, TLS_V_TLS12, only13,
	    3, 1), &ch), 0);
	assert_int_equal(server_pick_suite(&ch, TLS_V_TLS12), 0);
	/* AES-GCM needs TLS 1.2. */
	assert_int_equal(client_hello_parse(b, raw_ch(b, TLS_V_TLS10, gcm, 2,
	    0), &ch), 0);
	assert_int_equal(server_pick_version(&ch), TLS_V_TLS10);
	assert_int_equal(server_pick_suite(&ch, TLS_V_TLS10), 0x0035);
	ch.version = 0x0200;
	assert_int_equal(server_pick_version(&ch), 0);
	ch.version = 0x0304;
	assert_int_equal(server_pick_version(&ch), TLS_V_TLS12);
}

static uint8_t pad_b(const void *ctx, size_t i)
{
	(void)ctx;
	return (uint8_t)(i * 7 + 3);
}

static void test_sh_build(void **state)
{
	struct server_hello_opts o;
	struct server_hello sh;
	uint8_t b[8192];
	ssize_t n;
	size_t dl, i;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.version = TLS_V_TLS11;
	o.cipher = 0x002f;
	o.sid_len = 32;
	o.heartbeat = 1;
	o.reneg = 1;
	n = server_hello_build(&o, b, sizeof(b));
	assert_true(n > 0);
	assert_int_equal(b[0], TLS_CT_HANDSHAKE);
	assert_int_equal(b[1] << 8 | b[2], TLS_V_TLS11);
	assert_int_equal((b[3] << 8 | b[4]) + 5, n);
	assert_int_equal(b[5], TLS_HS_SERVER_HELLO);
	assert_int_equal(server_hello_parse(b + 9, (size_t)n - 9, &sh), 0);
	assert_int_equal(sh.version, TLS_V_TLS11);
	assert_int_equal(sh.cipher, 0x002f);
	assert_true(sh.heartbeat_ext);
	assert_int_equal(sh.heartbeat_mode, 1);
	/* Too small a buffer fails at every size. */
	for (i = 0; i < (size_t)n; i++)
		assert_int_equal(server_hello_build(&o, b, i), -1);
	/* Padded: the pad ends the record, in our bytes. */
	o.heartbeat = 0;
	o.pad_len = 4000;
	o.pad_byte = pad_b;
	n = server_hello_build(&o, b, sizeof(b));
	assert_true(n > 4000);
	for (i = 0; i < 4000; i++)
		assert_int_equal(b[(size_t)n - 4000 + i], pad_b(NULL, i));
	assert_int_equal(server_hello_parse(b + 9, (size_t)n - 9, &sh), 0);
	assert_false(sh.heartbeat_ext);
	/* Certificate and ServerHelloDone. */
	n = server_cert_done_build(TLS_V_TLS12, b, sizeof(b));
	assert_true(n > 0);
	dl = (size_t)(b[3] << 8 | b[4]);
	assert_int_equal(b[5], TLS_HS_CERTIFICATE);
	assert_int_equal(b[5 + 10], 0x30);
	assert_int_equal((size_t)n, 5 + dl + 9);
	assert_memory_equal(b + 5 + dl, "\x16\x03\x03\x00\x04\x0e\x00\x00\x00",
	    9);
	assert_int_equal(server_cert_done_build(TLS_V_TLS12, b, 100), -1);
}

/* ------------------------------------------------------------------ */
/* The engine against the 1.0.1 client stand-in                         */

struct run {
	enum probe_verdict v;
	char reason[256];
	unsigned conns, nudges, disclosed;
	char strategy[16];
	int hb_ext;
};

static void run_fixture(const struct fc_opts *base, enum fc_program prog,
    int can_retry, struct run *out)
{
	static uint8_t obuf[CLIENT_OUT_MIN], b[65536];
	struct client_cfg cfg;
	struct client_probe e;
	struct client_result r;
	uint64_t now = 1000;
	unsigned conn;

	memset(&cfg, 0, sizeof(cfg));
	cfg.can_retry = (uint8_t)can_retry;
	client_init(&e, &cfg, 0x1234);
	for (conn = 0; conn < 4 && !client_is_done(&e); conn++) {
		struct fc_opts fo = *base;
		struct fc_prog pr;
		struct fc_conn *fc;
		struct probe_out o = { obuf, sizeof(obuf), 0, PA_CONTINUE, 0 };
		unsigned wake = 0, step;
		int closed = 0, again = 0;

		fc_prog_lib_opts(prog, &fo);
		fc_prog_init(&pr, prog);
		fc = fc_new(&fo);
		assert_non_null(fc);
		assert_int_equal(fc_start(fc), 0);
		client_clock(&e, now);
		client_on_connected(&e, &o);
		assert_int_equal(o.len, 0);
		for (step = 0; step < 400 && !client_is_done(&e) && !again;
		    step++) {
			size_t n = fc_take(fc, b, sizeof(b));

			o.len = 0;
			o.act = PA_CONTINUE;
			o.wake_ms = 0;
			client_clock(&e, now);
			if (n > 0) {
				client_on_data(&e, b, n, &o);
			} else if (closed) {
				client_on_closed(&e, 0, &o);
				if (!client_is_done(&e) && o.act != PA_RECONNECT)
					fail_msg("no verdict after a close");
				again = 1;
			} else if (wake) {
				now += wake;
				wake = 0;
				client_clock(&e, now);
				client_on_wake(&e, &o);
			} else {
				client_on_timeout(&e, &o);
				break;
			}
			if (o.act == PA_RECONNECT) {
				again = 1;
				break;
			}
			if (o.wake_ms)
				wake = o.wake_ms;
			if (o.len > 0 && !closed) {
				fc_queue(fc, o.buf, o.len);
				if (fc_prog_on_arrival(&pr, fc) == FC_ACT_CLOSE)
					closed = 1;
			}
		}
		fc_free(fc);
	}
	assert_true(client_is_done(&e));
	client_get_result(&e, &r);
	out->v = r.verdict;
	snprintf(out->reason, sizeof(out->reason), "%s", r.reason);
	out->conns = r.connections;
	out->nudges = r.nudges;
	out->disclosed = r.disclosed;
	out->hb_ext = r.heartbeat_ext;
	snprintf(out->strategy, sizeof(out->strategy), "%s", r.strategy);
	client_free(&e);
}

static void expect(const struct run *r, enum probe_verdict v,
    const char *in_reason)
{
	if (r->v != v || (in_reason && !strstr(r->reason, in_reason)))
		fail_msg("verdict %s (%s), wanted %s with \"%s\"",
		    probe_verdict_name(r->v), r->reason, probe_verdict_name(v),
		    in_reason ? in_reason : "");
}

static void test_fixture_every(void **state)
{
	struct fc_opts o = { .mode = FC_VULN };
	struct run r;

	(void)state;
	run_fixture(&o, FC_PROG_EVERY, 1, &r);
	expect(&r, PV_VULNERABLE, "stale sentinel");
	assert_int_equal(r.disclosed, 0);
	assert_int_equal(r.conns, 1);
	assert_true(r.hb_ext);
	o.mode = FC_FIXED;
	run_fixture(&o, FC_PROG_EVERY, 1, &r);
	expect(&r, PV_PATCHED, "valid heartbeat echoed");
	assert_int_equal(r.conns, 1);
	o.mode = FC_NOHB;
	run_fixture(&o, FC_PROG_EVERY, 1, &r);
	expect(&r, PV_NO_HEARTBEAT, "alert 10");
	assert_false(r.hb_ext);
}

static void test_fixture_versions(void **state)
{
	static const uint16_t vs[] = { TLS_V_TLS11, TLS_V_TLS10, TLS_V_SSL3 };
	struct fc_opts o = { .mode = FC_VULN };
	struct run r;
	size_t i;

	(void)state;
	/* The heartbeats carry the negotiated record version, or 1.0.1
	 * answers alert 70. */
	for (i = 0; i < 3; i++) {
		o.version = vs[i];
		o.mode = FC_VULN;
		run_fixture(&o, FC_PROG_EVERY, 1, &r);
		expect(&r, PV_VULNERABLE, "0 bytes");
		o.mode = FC_FIXED;
		run_fixture(&o, FC_PROG_EVERY, 1, &r);
		expect(&r, PV_PATCHED, NULL);
	}
	/* An SSLv3 hello without extensions: no extension 15 offered, and
	 * the library still answers heartbeats. */
	o.version = TLS_V_SSL3;
	o.no_ext = 1;
	o.mode = FC_VULN;
	run_fixture(&o, FC_PROG_EVERY, 1, &r);
	expect(&r, PV_VULNERABLE, NULL);
	assert_false(r.hb_ext);
}

static void test_fixture_edge(void **state)
{
	struct fc_opts o = { .mode = FC_VULN };
	struct run r;

	(void)state;
	/* Read-ahead: the over-read is our Certificate record, and the
	 * replies come only after nudges. */
	run_fixture(&o, FC_PROG_EDGE, 1, &r);
	expect(&r, PV_VULNERABLE, "Certificate record");
	assert_int_equal(r.disclosed, 0);
	assert_true(r.nudges >= 1);
	assert_string_equal(r.strategy, "nudge");
	o.mode = FC_FIXED;
	run_fixture(&o, FC_PROG_EDGE, 1, &r);
	expect(&r, PV_PATCHED, NULL);
	assert_true(r.nudges >= 1);
}

static void test_fixture_giveup(void **state)
{
	struct fc_opts o = { .mode = FC_VULN };
	struct run r;

	(void)state;
	run_fixture(&o, FC_PROG_GIVEUP, 1, &r);
	expect(&r, PV_VULNERABLE, "stale ServerHello");
	assert_int_equal(r.disclosed, 0);
	assert_int_equal(r.conns, 2);
	assert_string_equal(r.strategy, "large-record");
	o.mode = FC_FIXED;
	run_fixture(&o, FC_PROG_GIVEUP, 1, &r);
	expect(&r, PV_PATCHED, "gives up on the first heartbeat");
	assert_int_equal(r.conns, 3);
	/* A listener cannot ask for another connection: it says so. */
	o.mode = FC_VULN;
	run_fixture(&o, FC_PROG_GIVEUP, 0, &r);
	expect(&r, PV_INCONCLUSIVE, "-- COMMAND");
	assert_int_equal(r.conns, 1);
	o.mode = FC_NOHB;
	run_fixture(&o, FC_PROG_GIVEUP, 1, &r);
	expect(&r, PV_NO_HEARTBEAT, NULL);
}

/* ------------------------------------------------------------------ */
/* Scripted clients                                                     */

struct eng {
	struct client_cfg cfg;
	struct client_probe e;
	uint8_t buf[CLIENT_OUT_MIN];
	struct probe_out o;
	uint8_t sent[CLIENT_OUT_MIN];
	size_t sent_len;
};

static void eng_start(struct eng *x, int retry)
{
	memset(&x->cfg, 0, sizeof(x->cfg));
	x->cfg.can_retry = (uint8_t)retry;
	client_init(&x->e, &x->cfg, 77);
	x->o = (struct probe_out){ x->buf, sizeof(x->buf), 0, PA_CONTINUE, 0 };
	client_on_connected(&x->e, &x->o);
}

static void eng_feed(struct eng *x, const void *b, size_t n)
{
	x->o.len = 0;
	x->o.act = PA_CONTINUE;
	client_on_data(&x->e, b, n, &x->o);
	if (x->o.len) {
		memcpy(x->sent, x->o.buf, x->o.len);
		x->sent_len = x->o.len;
	}
}

static void feed_hello(struct eng *x, int hb)
{
	uint8_t rec[1024];
	size_t n = build_ch(rec, sizeof(rec), NULL, hb);

	eng_feed(x, rec, n);
	assert_int_equal(x->e.state, CS_FLIGHT);
	assert_true(x->sent_len > 100);
}

static void expect_eng(struct eng *x, enum probe_verdict v, const char *in)
{
	struct client_result r;

	assert_true(client_is_done(&x->e));
	client_get_result(&x->e, &r);
	if (r.verdict != v || (in && !strstr(r.reason, in)))
		fail_msg("verdict %s (%s), wanted %s with \"%s\"",
		    probe_verdict_name(r.verdict), r.reason,
		    probe_verdict_name(v), in ? in : "");
	client_free(&x->e);
}

static const uint8_t alert10[] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a };

static void test_script_flight_bytes(void **state)
{
	struct eng x;
	struct server_hello sh;
	size_t shl;

	(void)state;
	eng_start(&x, 1);
	feed_hello(&x, 1);
	/* ServerHello with extension 15, then the sentinel record right
	 * behind it, in the negotiated version, then the probe. */
	shl = 5 + (size_t)(x.sent[3] << 8 | x.sent[4]);
	assert_int_equal(server_hello_parse(x.sent + 9, shl - 9, &sh), 0);
	assert_true(sh.heartbeat_ext);
	assert_memory_equal(x.sent + shl, "\x18\x03\x03\x00\x53\x01\x00\x40",
	    8);
	assert_memory_equal(x.sent + shl + 88, "\x18\x03\x03\x00\x23\x01\x00"
	    "\x30", 8);
	assert_int_equal(x.sent[shl + 128], TLS_CT_HANDSHAKE);
	assert_int_equal(x.sent[shl + 128 + 5], TLS_HS_CERTIFICATE);
	client_free(&x.e);
}

static void test_script_gnutls_openssl3(void **state)
{
	struct eng x;

	(void)state;
	/* GnuTLS: extension 15 offered, heartbeats refused with an alert. */
	eng_start(&x, 1);
	feed_hello(&x, 1);
	eng_feed(&x, alert10, sizeof(alert10));
	expect_eng(&x, PV_PATCHED, "refused");
	/* OpenSSL 3: no extension, alert 10. */
	eng_start(&x, 1);
	feed_hello(&x, 0);
	eng_feed(&x, alert10, sizeof(alert10));
	expect_eng(&x, PV_NO_HEARTBEAT, "alert 10");
	/* A client that ignores the heartbeat and goes on: no extension is
	 * no heartbeat; with the extension, nothing is proven. */
	eng_start(&x, 1);
	feed_hello(&x, 0);
	eng_feed(&x, "\x16\x03\x03\x00\x04\x10\x00\x00\x00", 9);
	expect_eng(&x, PV_NO_HEARTBEAT, "next handshake flight");
	eng_start(&x, 1);
	feed_hello(&x, 1);
	eng_feed(&x, "\x16\x03\x03\x00\x04\x10\x00\x00\x00", 9);
	expect_eng(&x, PV_INCONCLUSIVE, "went unanswered");
}

static void test_script_garbage(void **state)
{
	struct eng x;
	static const uint8_t v2[] = { 0x80, 0x2e, 0x01, 0x03, 0x01, 0x00 };
	static const uint8_t foreign[] = { 0x18, 0x03, 0x03, 0x00, 0x17, 0x02,
		0x00, 0x04, 'a', 'b', 'c', 'd', 0x50, 0x50, 0x50, 0x50, 0x50,
		0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50,
		0x50 };

	(void)state;
	eng_start(&x, 1);
	eng_feed(&x, "GET / HTTP/1.1\r\n", 16);
	expect_eng(&x, PV_NOT_TLS, "HTTP");
	eng_start(&x, 1);
	eng_feed(&x, v2, sizeof(v2));
	expect_eng(&x, PV_NOT_TLS, "SSLv2");
	eng_start(&x, 1);
	eng_feed(&x, "\x17\x03\x03\x00\x01\x00", 6);
	expect_eng(&x, PV_HANDSHAKE_FAILED, "before the ClientHello");
	eng_start(&x, 1);
	eng_feed(&x, "\x16\x03\x01\x00\x04\x02\x00\x00\x00", 9);
	expect_eng(&x, PV_HANDSHAKE_FAILED, "not a ClientHello");
	eng_start(&x, 1);
	feed_hello(&x, 1);
	eng_feed(&x, foreign, sizeof(foreign));
	eng_feed(&x, alert10, sizeof(alert10));
	expect_eng(&x, PV_INCONCLUSIVE, "matches no request");
	eng_start(&x, 1);
	feed_hello(&x, 1);
	eng_feed(&x, "\x00\x01\x02\x03\x04\x05", 6);
	expect_eng(&x, PV_INCONCLUSIVE, "non-TLS");
}

static void test_script_silence(void **state)
{
	struct eng x;
	uint8_t rec[1024];
	size_t n = build_ch(rec, sizeof(rec), NULL, 1), i;

	(void)state;
	eng_start(&x, 1);
	x.o.len = 0;
	client_on_closed(&x.e, 0, &x.o);
	expect_eng(&x, PV_HANDSHAKE_FAILED, "without sending anything");
	eng_start(&x, 1);
	client_on_timeout(&x.e, &x.o);
	expect_eng(&x, PV_TIMEOUT, "sent nothing");
	/* The hello one byte at a time, then silence: nudges, then the
	 * deadline. */
	eng_start(&x, 1);
	for (i = 0; i < n; i++)
		eng_feed(&x, rec + i, 1);
	assert_int_equal(x.e.state, CS_FLIGHT);
	for (i = 0; i < 20; i++) {
		x.o.len = 0;
		x.o.wake_ms = 0;
		client_on_wake(&x.e, &x.o);
		if (i < 12)
			assert_int_equal(x.o.len, 6);
		else
			assert_int_equal(x.o.len, 0);
	}
	client_on_timeout(&x.e, &x.o);
	expect_eng(&x, PV_TIMEOUT, "12 nudges");
	/* Only TLS 1.3 suites. */
	{
		static const uint16_t only13[] = { 0x1301, 0x1302 };
		uint8_t b[300];
		size_t k = raw_ch(b + 9, TLS_V_TLS12, only13, 2, 1);

		memcpy(b, "\x16\x03\x01", 3);
		b[3] = (uint8_t)((k + 4) >> 8);
		b[4] = (uint8_t)(k + 4);
		b[5] = 1;
		b[6] = 0;
		b[7] = (uint8_t)(k >> 8);
		b[8] = (uint8_t)k;
		eng_start(&x, 1);
		eng_feed(&x, b, k + 9);
		expect_eng(&x, PV_NO_HEARTBEAT, "TLS 1.3");
	}
}

/* A toy preamble: greets, waits for "GO\r\n", answers, then TLS. */
static void pre_conn(void *st, struct probe_out *o)
{
	(void)st;
	memcpy(o->buf + o->len, "HI\r\n", 4);
	o->len += 4;
}

static enum client_pre pre_data(void *st, const uint8_t *b, size_t n,
    size_t *used, struct probe_out *o, char *why, size_t cap)
{
	(void)st;
	if (n >= 4 && !memcmp(b, "GO\r\n", 4)) {
		*used = 4;
		memcpy(o->buf + o->len, "OK\r\n", 4);
		o->len += 4;
		return CPRE_TLS;
	}
	snprintf(why, cap, "no GO");
	*used = n;
	return CPRE_FAIL;
}

static void test_preamble(void **state)
{
	static const struct client_preamble pre = { "toy", pre_conn, pre_data,
		NULL, NULL };
	struct client_cfg cfg;
	struct client_probe e;
	static uint8_t buf[CLIENT_OUT_MIN];
	uint8_t rec[1024];
	struct probe_out o = { buf, sizeof(buf), 0, PA_CONTINUE, 0 };
	size_t n = build_ch(rec + 4, sizeof(rec) - 4, NULL, 1);

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.preamble = &pre;
	client_init(&e, &cfg, 5);
	client_on_connected(&e, &o);
	assert_int_equal(o.len, 4);
	assert_memory_equal(buf, "HI\r\n", 4);
	/* The switch and the ClientHello in one chunk. */
	memcpy(rec, "GO\r\n", 4);
	o.len = 0;
	client_on_data(&e, rec, n + 4, &o);
	assert_int_equal(e.state, CS_FLIGHT);
	assert_memory_equal(buf, "OK\r\n", 4);
	assert_int_equal(buf[4], TLS_CT_HANDSHAKE);
	client_free(&e);
	client_init(&e, &cfg, 5);
	o.len = 0;
	client_on_connected(&e, &o);
	client_on_data(&e, (const uint8_t *)"NO\r\n", 4, &o);
	assert_true(client_is_done(&e));
	assert_int_equal(e.verdict, PV_NOT_TLS);
	client_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ch_parse),
		cmocka_unit_test(test_ch_malformed),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_sh_build),
		cmocka_unit_test(test_fixture_every),
		cmocka_unit_test(test_fixture_versions),
		cmocka_unit_test(test_fixture_edge),
		cmocka_unit_test(test_fixture_giveup),
		cmocka_unit_test(test_script_flight_bytes),
		cmocka_unit_test(test_script_gnutls_openssl3),
		cmocka_unit_test(test_script_garbage),
		cmocka_unit_test(test_script_silence),
		cmocka_unit_test(test_preamble),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
