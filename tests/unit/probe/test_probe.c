/*
 * Unit tests for the verdict rules (judge.h) and the sans-I/O probe engine
 * (probe.h).  The engine is driven through its API by a small scripted
 * server in this file: it writes the server's first flight, and answers the
 * heartbeat flight the way OpenSSL 1.0.1f (an over-read from a reused read
 * buffer), 1.0.1g, GnuTLS and OpenSSL 3 were observed to (docs/probe.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../hc_skip.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/judge.h"
#include "probe/probe.h"
#include "tls/heartbeat.h"
#include "tls/tls.h"

#include "../tls/tls_build.h"

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ------------------------------------------------------------------ */
/* The scripted server                                                  */

enum srv_mode {
	SRV_VULN,      /* 1.0.1f: reads each record into one buffer, no check */
	SRV_READAHEAD, /* over-reads, but past the record lies other memory */
	SRV_PATCHED,   /* 1.0.1g: drops the over-length request silently */
	SRV_LAX,       /* checks payload_length <= record - 3 only */
	SRV_TRUNCATE,  /* echoes no more than the record holds: the probe
	                * comes back without its over-read */
	SRV_GNUTLS,    /* alert 10 to any heartbeat before the handshake */
	SRV_NOHB,      /* OpenSSL 3: no heartbeat code, alert 10 */
	SRV_SILENT,    /* never answers the flight */
};

#define RBUF_LEN (70 * 1024)

/* The server's first flight: ServerHello, Certificate, ServerHelloDone,
 * either one record per message or all of them in one record. */
static void srv_hello_flight(struct bb *out, uint16_t ver, int ext15,
    size_t cert_len, int one_record)
{
	struct bb msgs = { 0 }, sh = { 0 };

	if (one_record) {
		bb_server_flight_msgs(&msgs, ver, ext15, cert_len);
		bb_frame(out, 22, ver, msgs.p, msgs.n, 16384);
	} else {
		struct bb cert = { 0 };
		size_t i;

		bb_server_hello(&sh, ver, ext15);
		bb_hs(&msgs, 2, sh.p, sh.n);
		bb_record(out, 22, ver, msgs.p, msgs.n);
		if (cert_len >= 6) {
			msgs.n = 0;
			bb_u24(&cert, cert_len - 3);
			bb_u24(&cert, cert_len - 6);
			for (i = 6; i < cert_len; i++)
				bb_u8(&cert, (unsigned)i);
			bb_hs(&msgs, 11, cert.p, cert.n);
			bb_frame(out, 22, ver, msgs.p, msgs.n, 16384);
			bb_free(&cert);
		}
		msgs.n = 0;
		bb_hs(&msgs, 14, NULL, 0);
		bb_record(out, 22, ver, msgs.p, msgs.n);
	}
	bb_free(&msgs);
	bb_free(&sh);
}

static void srv_alert(struct bb *out, uint16_t ver, uint8_t level,
    uint8_t desc)
{
	uint8_t a[2] = { level, desc };

	bb_record(out, 21, ver, a, 2);
}

/* A heartbeat response framed into records of at most 16384 bytes. */
static void srv_hb_response(struct bb *out, uint16_t ver, const uint8_t *pl,
    size_t plen)
{
	struct bb m = { 0 };

	bb_hb_msg(&m, 2, (uint16_t)plen, pl, plen, 16);
	bb_frame(out, 24, ver, m.p, m.n, 16384);
	bb_free(&m);
}

/* Answers the client's heartbeat flight.  Every record must carry the
 * version the ServerHello chose (docs/probe.md §2); the count of records
 * with another version is returned. */
static int srv_answer(enum srv_mode mode, uint16_t ver, const uint8_t *in,
    size_t n, struct bb *out)
{
	static uint8_t rbuf[RBUF_LEN];
	int wrong = 0, stopped = 0;
	size_t off = 0;

	/* Whatever the buffer held before: not bytes of the client's. */
	memset(rbuf, 0xee, sizeof(rbuf));
	while (off + 5 <= n) {
		uint8_t type = in[off];
		size_t len = be16(in + off + 3);
		const uint8_t *body = in + off + 5;

		assert_true(off + 5 + len <= n);
		if (be16(in + off + 1) != ver)
			wrong++;
		off += 5 + len;
		/* After a fatal alert the server reads no further. */
		if (mode == SRV_SILENT || stopped)
			continue;
		if (type == TLS_CT_APPDATA) {
			/* The fence: fatal unexpected_message. */
			srv_alert(out, ver, 2, 10);
			stopped = 1;
			continue;
		}
		if (type != TLS_CT_HEARTBEAT || len < 3 || body[0] != 1)
			continue;
		if (mode == SRV_GNUTLS || mode == SRV_NOHB) {
			srv_alert(out, ver, 2, 10);
			stopped = 1;
			continue;
		}
		{
			size_t pl = be16(body + 1);

			if (mode == SRV_PATCHED && 3 + pl + 16 > len)
				continue;
			if (mode == SRV_LAX && 3 + pl > len)
				continue;
			if (mode == SRV_TRUNCATE && 3 + pl > len)
				pl = len - 3;
			/* One read buffer, reused from offset 0. */
			memcpy(rbuf, body, len);
			if (mode == SRV_READAHEAD)
				memset(rbuf + len, 0xd7, 64);
			srv_hb_response(out, ver, rbuf + 3, pl);
		}
	}
	assert_int_equal(off, n);
	return wrong;
}

/* ------------------------------------------------------------------ */
/* The engine driver                                                    */

#define MAX_CONN 8

struct drv {
	struct probe p;
	struct probe_cfg cfg;
	uint8_t obuf[PROBE_OUT_MIN];
	struct probe_out o;
	struct bb sent;          /* engine output since the last connect */
	size_t hello_len;        /* the ClientHello part of sent */
	int done, reconnect;
	int nconn;
	uint16_t offered[MAX_CONN];
	int sni[MAX_CONN];
	char sni_name[64];
};

static void d_reset_out(struct drv *d)
{
	d->o.buf = d->obuf;
	d->o.cap = sizeof(d->obuf);
	d->o.len = 0;
	d->o.act = PA_CONTINUE;
	d->o.wake_ms = 0;
}

static void d_collect(struct drv *d)
{
	assert_true(d->o.len <= d->o.cap);
	bb_put(&d->sent, d->o.buf, d->o.len);
	if (d->o.act == PA_DONE)
		d->done = 1;
	if (d->o.act == PA_RECONNECT)
		d->reconnect = 1;
	/* The two answers exclude each other. */
	assert_false(d->done && d->reconnect);
}

static void d_init(struct drv *d, const char *sni, uint16_t maxv,
    uint16_t leak)
{
	memset(d, 0, sizeof(*d));
	d->cfg.sni = sni;
	d->cfg.max_version = maxv;
	d->cfg.leak = leak;
	probe_init(&d->p, &d->cfg, 0x0123456789abcdefULL);
}

/* Does this ClientHello carry a server_name extension? */
static int hello_has_sni(const uint8_t *b, size_t n, char *name, size_t cap)
{
	size_t off = 43, end;

	if (n < off + 1)
		return -1;
	off += 1 + b[off];
	off += 2 + be16(b + off);
	off += 1 + b[off];
	end = off + 2 + be16(b + off);
	off += 2;
	assert_int_equal(end, n);
	while (off + 4 <= end) {
		uint16_t t = be16(b + off), l = be16(b + off + 2);

		if (t == 0) {
			size_t nl = be16(b + off + 7);

			if (nl >= cap)
				nl = cap - 1;
			memcpy(name, b + off + 9, nl);
			name[nl] = '\0';
			return 1;
		}
		off += 4 + l;
	}
	return 0;
}

static void d_connect(struct drv *d)
{
	d_reset_out(d);
	d->sent.n = 0;
	d->reconnect = 0;
	probe_on_connected(&d->p, &d->o);
	d_collect(d);
	assert_false(d->done);
	assert_int_equal(d->p.state, PS_HELLO);
	assert_true(d->sent.n > 9);
	assert_int_equal(d->sent.p[0], 22);
	assert_int_equal(d->sent.p[5], 1);
	assert_true(d->nconn < MAX_CONN);
	d->offered[d->nconn] = be16(d->sent.p + 9);
	d->sni[d->nconn] = hello_has_sni(d->sent.p, d->sent.n, d->sni_name,
	    sizeof(d->sni_name));
	d->nconn++;
	d->hello_len = d->sent.n;
}

/* Feeds server bytes in chunks of `chunk`, stopping at a verdict or a
 * reconnect request. */
static void d_feed(struct drv *d, const uint8_t *b, size_t n, size_t chunk)
{
	size_t off = 0;

	while (off < n && !d->done && !d->reconnect) {
		size_t take = n - off < chunk ? n - off : chunk;

		d_reset_out(d);
		probe_on_data(&d->p, b + off, take, &d->o);
		d_collect(d);
		off += take;
	}
}

static void d_close(struct drv *d, int err)
{
	d_reset_out(d);
	probe_on_closed(&d->p, err, &d->o);
	d_collect(d);
}

static void d_timeout(struct drv *d)
{
	d_reset_out(d);
	probe_on_timeout(&d->p, &d->o);
	d_collect(d);
}

static void d_free(struct drv *d)
{
	probe_free(&d->p);
	bb_free(&d->sent);
}

/* The bytes the engine asked to send after the ClientHello. */
static const uint8_t *d_flight(const struct drv *d, size_t *n)
{
	*n = d->sent.n - d->hello_len;
	return d->sent.p + d->hello_len;
}

struct srv {
	enum srv_mode mode;
	uint16_t ver;       /* the highest version the server speaks */
	int ext15;          /* as bb_server_hello */
	size_t cert_len;
	int one_record;
	size_t chunk;       /* server bytes per probe_on_data call */
	int close_after;    /* close after answering the flight */
};

/* One connection against a scripted server; returns the version it
 * chose. */
static uint16_t d_serve(struct drv *d, const struct srv *s)
{
	struct bb out = { 0 };
	const uint8_t *fl;
	size_t fn;
	uint16_t ver;

	d_connect(d);
	ver = d->offered[d->nconn - 1] < s->ver ? d->offered[d->nconn - 1] :
	    s->ver;
	srv_hello_flight(&out, ver, s->ext15, s->cert_len, s->one_record);
	d_feed(d, out.p, out.n, s->chunk);
	bb_free(&out);
	if (d->done || d->reconnect)
		return ver;
	assert_int_equal(d->p.state, PS_FLIGHT);
	fl = d_flight(d, &fn);
	assert_int_equal(srv_answer(s->mode, ver, fl, fn, &out), 0);
	d_feed(d, out.p, out.n, s->chunk);
	bb_free(&out);
	if (!d->done && s->close_after)
		d_close(d, 0);
	return ver;
}

static const struct srv srv_default = {
	.mode = SRV_VULN, .ver = 0x0303, .ext15 = 1, .cert_len = 900,
	.one_record = 0, .chunk = 100000, .close_after = 1,
};

/* ------------------------------------------------------------------ */
/* judge.h                                                              */

static void build_reply(enum srv_mode mode, const struct hb_plan *p,
    uint16_t ver, struct bb *out)
{
	uint8_t fl[512];
	ssize_t n = hb_flight_tls(p, ver, 1, fl, sizeof(fl));

	assert_true(n > 0);
	assert_int_equal(srv_answer(mode, ver, fl, (size_t)n, out), 0);
}

static void test_judge_streams(void **state)
{
	struct hb_plan p;
	struct reply_summary s;
	struct bb b = { 0 };
	char why[256];

	(void)state;
	hb_plan_init(&p, 0x5eed, 64, 32, 16);

	build_reply(SRV_VULN, &p, 0x0302, &b);
	assert_int_equal(reply_scan(&p, b.p, b.n, &s), 0);
	assert_true(s.sentinel_echoed);
	assert_true(s.probe_echoed);
	assert_int_equal(s.disclosed, 0);
	assert_int_equal(s.alert_desc, 10);
	assert_int_equal(reply_judge(&s, 1), HBV_VULNERABLE);
	assert_int_equal(reply_judge(&s, 0), HBV_VULNERABLE);
	reply_reason(&s, 1, why, sizeof(why));
	assert_non_null(strstr(why, "0 bytes"));
	b.n = 0;

	build_reply(SRV_READAHEAD, &p, 0x0303, &b);
	assert_int_equal(reply_scan(&p, b.p, b.n, &s), 0);
	assert_true(s.probe_echoed);
	assert_int_equal(s.disclosed, 16);
	assert_int_equal(reply_judge(&s, 1), HBV_VULNERABLE);
	reply_reason(&s, 1, why, sizeof(why));
	assert_non_null(strstr(why, "16 bytes"));
	assert_null(strstr(why, "0 bytes"));
	b.n = 0;

	build_reply(SRV_PATCHED, &p, 0x0303, &b);
	assert_int_equal(reply_scan(&p, b.p, b.n, &s), 0);
	assert_true(s.sentinel_echoed);
	assert_false(s.probe_echoed);
	assert_int_equal(s.alert_desc, 10);
	assert_int_equal(reply_judge(&s, 1), HBV_PATCHED);
	reply_reason(&s, 1, why, sizeof(why));
	assert_non_null(strstr(why, "unexpected_message"));
	b.n = 0;

	build_reply(SRV_LAX, &p, 0x0303, &b);
	assert_int_equal(reply_scan(&p, b.p, b.n, &s), 0);
	assert_int_equal(reply_judge(&s, 1), HBV_PATCHED);
	b.n = 0;

	/* GnuTLS: extension echoed, alert only. */
	build_reply(SRV_GNUTLS, &p, 0x0303, &b);
	assert_int_equal(b.n, 7);
	assert_int_equal(reply_scan(&p, b.p, b.n, &s), 0);
	assert_false(s.sentinel_echoed);
	assert_int_equal(s.alert_desc, 10);
	assert_int_equal(reply_judge(&s, 1), HBV_PATCHED);
	/* The same bytes without the extension: no heartbeat. */
	assert_int_equal(reply_judge(&s, 0), HBV_NO_HEARTBEAT);
	reply_reason(&s, 0, why, sizeof(why));
	assert_non_null(strstr(why, "alert 10"));
	b.n = 0;

	/* Garbage. */
	{
		static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";

		assert_int_equal(reply_scan(&p, (const uint8_t *)http,
		    sizeof(http) - 1, &s), -1);
		assert_true(s.not_tls);
		assert_false(s.probe_echoed);
		assert_int_equal(s.alert_desc, -1);
	}
	/* Records after which garbage follows keep what was seen. */
	build_reply(SRV_VULN, &p, 0x0303, &b);
	bb_put(&b, "junk", 4);
	assert_int_equal(reply_scan(&p, b.p, b.n, &s), -1);
	assert_true(s.not_tls);
	assert_true(s.probe_echoed);
	b.n = 0;
	/* Nothing at all. */
	assert_int_equal(reply_scan(&p, NULL, 0, &s), 0);
	assert_int_equal(reply_judge(&s, 0), HBV_NO_HEARTBEAT);
	reply_reason(&s, 0, why, sizeof(why));
	assert_non_null(strstr(why, "no alert"));
	/* A heartbeat response that matches nothing. */
	{
		uint8_t junk[40];

		memset(junk, 0x33, sizeof(junk));
		srv_hb_response(&b, 0x0303, junk, sizeof(junk));
		assert_int_equal(reply_scan(&p, b.p, b.n, &s), 0);
		assert_true(s.foreign);
		assert_int_equal(reply_judge(&s, 1), HBV_INCONCLUSIVE);
		b.n = 0;
	}
	bb_free(&b);
}

/* The verdict rules in order: the probe's echo with its over-read is proof
 * whatever else came back; then foreign bytes or a lax echo prove nothing;
 * then the sentinel's echo or the extension say patched. */
static void test_judge_rules(void **state)
{
	static const struct {
		int sentinel, probe, lax, foreign, ext;
		enum hb_verdict v;
		const char *why;
	} c[] = {
		{ 0, 0, 0, 0, 0, HBV_NO_HEARTBEAT, "no heartbeat extension" },
		{ 0, 0, 0, 0, 1, HBV_PATCHED, "refused before the handshake" },
		{ 1, 0, 0, 0, 0, HBV_PATCHED, "valid heartbeat echoed" },
		{ 1, 0, 0, 0, 1, HBV_PATCHED, "valid heartbeat echoed" },
		{ 0, 1, 0, 0, 0, HBV_VULNERABLE, "over-read proven" },
		{ 1, 1, 0, 0, 1, HBV_VULNERABLE, "over-read proven" },
		{ 1, 1, 0, 1, 1, HBV_VULNERABLE, "over-read proven" },
		{ 0, 1, 0, 1, 0, HBV_VULNERABLE, "over-read proven" },
		{ 0, 1, 1, 0, 0, HBV_VULNERABLE, "over-read proven" },
		{ 1, 1, 1, 1, 1, HBV_VULNERABLE, "over-read proven" },
		{ 0, 0, 1, 0, 0, HBV_INCONCLUSIVE, "without its over-read" },
		{ 1, 0, 1, 0, 0, HBV_INCONCLUSIVE, "without its over-read" },
		{ 1, 0, 1, 0, 1, HBV_INCONCLUSIVE, "without its over-read" },
		{ 0, 0, 0, 1, 0, HBV_INCONCLUSIVE, "matches no request" },
		{ 1, 0, 0, 1, 1, HBV_INCONCLUSIVE, "matches no request" },
		{ 1, 0, 1, 1, 1, HBV_INCONCLUSIVE, "matches no request" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct reply_summary s;
		char why[256];
		enum hb_verdict v;

		memset(&s, 0, sizeof(s));
		s.alert_desc = -1;
		s.sentinel_echoed = c[i].sentinel;
		s.probe_echoed = c[i].probe;
		s.lax_echoed = c[i].lax;
		s.foreign = c[i].foreign;
		v = reply_judge(&s, c[i].ext);
		reply_reason(&s, c[i].ext, why, sizeof(why));
		if (v != c[i].v || strstr(why, c[i].why) == NULL)
			fail_msg("case %zu: verdict %d (want %d), reason \"%s\" "
			    "(want \"%s\")", i, v, c[i].v, why, c[i].why);
	}
}

/* Whole replies through reply_scan: a lax echo and a malformed heartbeat
 * message each make an otherwise patched reply inconclusive. */
static void test_judge_scan_inconclusive(void **state)
{
	struct hb_plan p;
	struct reply_summary s;
	struct bb b = { 0 };
	uint8_t pl[64];
	char why[256];
	size_t i;

	(void)state;
	hb_plan_init(&p, 0x5eed, 64, 32, 16);
	for (i = 0; i < 64; i++)
		pl[i] = hb_payload_byte(&p, 0, i);
	srv_hb_response(&b, 0x0303, pl, 64);
	for (i = 0; i < 32; i++)
		pl[i] = hb_payload_byte(&p, 1, i);
	srv_hb_response(&b, 0x0303, pl, 32);
	srv_alert(&b, 0x0303, 2, 10);
	assert_int_equal(reply_scan(&p, b.p, b.n, &s), 0);
	assert_true(s.sentinel_echoed);
	assert_true(s.lax_echoed);
	assert_false(s.probe_echoed);
	assert_false(s.foreign);
	assert_int_equal(reply_judge(&s, 1), HBV_INCONCLUSIVE);
	reply_reason(&s, 1, why, sizeof(why));
	assert_non_null(strstr(why, "without its over-read"));
	b.n = 0;

	/* The sentinel's echo, then a heartbeat message of unknown type. */
	for (i = 0; i < 64; i++)
		pl[i] = hb_payload_byte(&p, 0, i);
	srv_hb_response(&b, 0x0303, pl, 64);
	{
		static const uint8_t bad[] = { 7, 0, 1, 0, 0x50, 0x50, 0x50,
			0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50,
			0x50, 0x50, 0x50 };

		bb_frame(&b, 24, 0x0303, bad, sizeof(bad), 16384);
	}
	assert_int_equal(reply_scan(&p, b.p, b.n, &s), 0);
	assert_true(s.sentinel_echoed);
	assert_true(s.foreign);
	assert_int_equal(reply_judge(&s, 1), HBV_INCONCLUSIVE);
	bb_free(&b);
}

/* A heartbeat message of an unknown type makes the rest of the reply's
 * heartbeat framing a guess: reading stops there, and the reply proves
 * nothing, even when the bytes that follow would pass for the sentinel's
 * echo. */
static void test_judge_malformed_stops(void **state)
{
	struct hb_plan p;
	struct reply_summary s;
	struct bb m = { 0 }, b = { 0 };
	uint8_t pl[64];
	size_t i;

	(void)state;
	hb_plan_init(&p, 0x5eed, 64, 32, 16);
	for (i = 0; i < sizeof(pl); i++)
		pl[i] = hb_payload_byte(&p, 0, i);
	/* A record holding only a header of type 7 that claims the
	 * sentinel's length, then a record with the sentinel's echo. */
	bb_record(&b, 24, 0x0303, (const uint8_t *)"\x07\x00\x40", 3);
	bb_hb_msg(&m, 2, 64, pl, sizeof(pl), 16);
	bb_record(&b, 24, 0x0303, m.p, m.n);
	assert_int_equal(reply_scan(&p, b.p, b.n, &s), 0);
	assert_false(s.sentinel_echoed);
	assert_true(s.foreign);
	assert_int_equal(reply_judge(&s, 1), HBV_INCONCLUSIVE);
	bb_free(&m);
	bb_free(&b);
}

static void test_judge_split_stream(void **state)
{
	struct hb_plan p;
	struct reply_summary s;
	struct bb b = { 0 }, r = { 0 };
	size_t i;

	(void)state;
	/* The vulnerable reply re-framed one byte per heartbeat record. */
	hb_plan_init(&p, 0x5eed, 64, 32, 16);
	build_reply(SRV_VULN, &p, 0x0301, &b);
	i = 0;
	while (i + 5 <= b.n) {
		size_t len = be16(b.p + i + 3);

		if (b.p[i] == 24)
			bb_frame(&r, 24, 0x0301, b.p + i + 5, len, 1);
		else
			bb_put(&r, b.p + i, 5 + len);
		i += 5 + len;
	}
	assert_int_equal(reply_scan(&p, r.p, r.n, &s), 0);
	assert_true(s.sentinel_echoed);
	assert_true(s.probe_echoed);
	assert_int_equal(s.alert_desc, 10);
	bb_free(&b);
	bb_free(&r);
}

static void test_verdict_names(void **state)
{
	(void)state;
	assert_string_equal(probe_verdict_name(PV_VULNERABLE), "vulnerable");
	assert_string_equal(probe_verdict_name(PV_NO_HEARTBEAT),
	    "no-heartbeat");
	assert_string_equal(probe_verdict_name(PV_HANDSHAKE_FAILED),
	    "handshake-failed");
	assert_string_equal(probe_verdict_name(PV_COUNT), "unknown");
	assert_false(probe_verdict_untested(PV_PATCHED));
	assert_true(probe_verdict_untested(PV_TIMEOUT));
}

/* ------------------------------------------------------------------ */
/* probe.h: verdicts                                                    */

static void expect_verdict(enum srv_mode mode, uint16_t ver, int ext15,
    enum probe_verdict want)
{
	struct drv d;
	struct srv s = srv_default;

	s.mode = mode;
	s.ver = ver;
	s.ext15 = ext15;
	d_init(&d, "server.example", 0, 0);
	d_serve(&d, &s);
	if (!d.done || d.p.verdict != want)
		fail_msg("mode %d ver %04x ext %d: done %d verdict %s (%s)",
		    mode, ver, ext15, d.done,
		    probe_verdict_name(d.p.verdict), d.p.reason);
	assert_int_equal(d.nconn, 1);
	assert_int_equal(d.p.state, PS_DONE);
	d_free(&d);
}

static void test_probe_verdicts(void **state)
{
	uint16_t v;

	(void)state;
	for (v = 0x0300; v <= 0x0303; v++) {
		expect_verdict(SRV_VULN, v, 1, PV_VULNERABLE);
		/* 1.0.1f answers even without the extension echoed. */
		expect_verdict(SRV_VULN, v, -1, PV_VULNERABLE);
		expect_verdict(SRV_READAHEAD, v, 1, PV_VULNERABLE);
		expect_verdict(SRV_PATCHED, v, 1, PV_PATCHED);
		expect_verdict(SRV_LAX, v, 1, PV_PATCHED);
		expect_verdict(SRV_GNUTLS, v, 1, PV_PATCHED);
		expect_verdict(SRV_NOHB, v, 0, PV_NO_HEARTBEAT);
		expect_verdict(SRV_NOHB, v, -1, PV_NO_HEARTBEAT);
		expect_verdict(SRV_TRUNCATE, v, 1, PV_INCONCLUSIVE);
	}
	/* The lax echo's reason says what came back. */
	{
		struct drv d;
		struct srv s = srv_default;

		s.mode = SRV_TRUNCATE;
		d_init(&d, "server.example", 0, 0);
		d_serve(&d, &s);
		assert_true(d.done);
		assert_int_equal(d.p.verdict, PV_INCONCLUSIVE);
		if (strstr(d.p.reason, "without its over-read") == NULL)
			fail_msg("lax echo reason: %s", d.p.reason);
		d_free(&d);
	}
}

static void test_probe_vulnerable_details(void **state)
{
	struct drv d;
	struct srv s = srv_default;

	(void)state;
	d_init(&d, NULL, 0, 0);
	d_serve(&d, &s);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_VULNERABLE);
	assert_int_equal(d.p.disclosed, 0);
	assert_non_null(strstr(d.p.reason, "0 bytes"));
	assert_int_equal(d.sni[0], 0);
	d_free(&d);

	s.mode = SRV_READAHEAD;
	d_init(&d, NULL, 0, 0);
	d_serve(&d, &s);
	assert_int_equal(d.p.verdict, PV_VULNERABLE);
	assert_int_equal(d.p.disclosed, 16);
	assert_non_null(strstr(d.p.reason, "16 bytes"));
	d_free(&d);

	/* The alert is what decides a patched server, with no timeout. */
	s.mode = SRV_PATCHED;
	s.close_after = 0;
	d_init(&d, NULL, 0, 0);
	d_serve(&d, &s);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_PATCHED);
	assert_int_equal(d.p.alert_desc, 10);
	d_free(&d);
}

/* The flight leaves in one write, with the ServerHello's version. */
static void test_probe_flight_version(void **state)
{
	uint16_t v;

	(void)state;
	for (v = 0x0300; v <= 0x0303; v++) {
		struct drv d;
		struct bb out = { 0 };
		const uint8_t *fl;
		size_t fn, off = 0, nrec = 0;

		d_init(&d, NULL, 0, 0);
		d_connect(&d);
		srv_hello_flight(&out, v, 1, 900, 0);
		d_feed(&d, out.p, out.n, out.n);
		assert_int_equal(d.p.state, PS_FLIGHT);
		fl = d_flight(&d, &fn);
		assert_int_equal(fn, 88 + 40 + 21);
		while (off + 5 <= fn) {
			assert_int_equal(be16(fl + off + 1), v);
			off += 5 + be16(fl + off + 3);
			nrec++;
		}
		assert_int_equal(off, fn);
		assert_int_equal(nrec, 3);
		assert_int_equal(fl[0], 24);
		assert_int_equal(fl[88], 24);
		assert_int_equal(be16(fl + 88 + 6), 48);
		assert_int_equal(fl[128], 23);
		/* The fence covers the k - 5 bytes a read-ahead server
		 * over-reads past the probe. */
		assert_int_equal(be16(fl + 128 + 3), 16);
		/* The probe's payload bytes are the plan's. */
		assert_int_equal(fl[88 + 8], hb_payload_byte(&d.p.plan, 1, 0));
		bb_free(&out);
		d_free(&d);
	}
}

static void test_probe_split_same_verdict(void **state)
{
	static const enum srv_mode modes[] = { SRV_VULN, SRV_PATCHED,
		SRV_GNUTLS, SRV_NOHB };
	size_t i, chunk;

	(void)state;
	for (i = 0; i < 4; i++) {
		enum probe_verdict first = PV_COUNT;
		int one;

		for (one = 0; one <= 1; one++) {
			for (chunk = 1; chunk <= 4096; chunk *= 4) {
				struct drv d;
				struct srv s = srv_default;

				s.mode = modes[i];
				s.ext15 = modes[i] == SRV_NOHB ? -1 : 1;
				s.one_record = one;
				s.chunk = chunk;
				d_init(&d, NULL, 0, 0);
				d_serve(&d, &s);
				assert_true(d.done);
				if (first == PV_COUNT)
					first = d.p.verdict;
				if (d.p.verdict != first)
					fail_msg("mode %d one %d chunk %zu: %s "
					    "vs %s", modes[i], one, chunk,
					    probe_verdict_name(d.p.verdict),
					    probe_verdict_name(first));
				d_free(&d);
			}
		}
		assert_int_equal(first, modes[i] == SRV_VULN ? PV_VULNERABLE :
		    modes[i] == SRV_NOHB ? PV_NO_HEARTBEAT : PV_PATCHED);
	}
}

/* A 40 KiB certificate chain over several records is walked, not
 * mistaken for the reply. */
static void test_probe_big_certificate(void **state)
{
	struct drv d;
	struct srv s = srv_default;

	(void)state;
	s.cert_len = 40 * 1024;
	d_init(&d, NULL, 0, 0);
	d_serve(&d, &s);
	assert_int_equal(d.p.verdict, PV_VULNERABLE);
	d_free(&d);
	s.one_record = 1;
	s.chunk = 1000;
	s.mode = SRV_PATCHED;
	d_init(&d, NULL, 0, 0);
	d_serve(&d, &s);
	assert_int_equal(d.p.verdict, PV_PATCHED);
	d_free(&d);
}

/* ------------------------------------------------------------------ */
/* probe.h: fallbacks                                                   */

static void test_probe_alert40_fallback(void **state)
{
	struct drv d;
	struct bb out = { 0 };
	int i;

	(void)state;
	d_init(&d, "host.example", 0, 0);
	for (i = 0; i < 4; i++) {
		d_connect(&d);
		out.n = 0;
		srv_alert(&out, 0x0301, 2, 40);
		d_feed(&d, out.p, out.n, 3);
		if (i < 3) {
			assert_true(d.reconnect);
			assert_false(d.done);
			assert_int_equal(d.p.state, PS_IDLE);
		}
	}
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_HANDSHAKE_FAILED);
	assert_int_equal(d.p.alert_desc, 40);
	assert_non_null(strstr(d.p.reason, "handshake_failure"));
	assert_non_null(strstr(d.p.reason, "SSLv3"));
	assert_int_equal(d.offered[0], 0x0303);
	assert_int_equal(d.offered[1], 0x0302);
	assert_int_equal(d.offered[2], 0x0301);
	assert_int_equal(d.offered[3], 0x0300);
	for (i = 0; i < 4; i++)
		assert_int_equal(d.sni[i], 1);
	bb_free(&out);
	d_free(&d);
}

static void test_probe_fallback_then_vulnerable(void **state)
{
	struct drv d;
	struct srv s = srv_default;
	struct bb out = { 0 };

	(void)state;
	/* A TLS 1.0-only server that refuses newer hellos with alert 70
	 * gets a TLS 1.0 flight (the masscan false negative). */
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	srv_alert(&out, 0x0301, 2, 70);
	d_feed(&d, out.p, out.n, out.n);
	assert_true(d.reconnect);
	d_connect(&d);
	out.n = 0;
	srv_alert(&out, 0x0301, 2, 70);
	d_feed(&d, out.p, out.n, out.n);
	assert_true(d.reconnect);
	s.ver = 0x0301;
	d_serve(&d, &s);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_VULNERABLE);
	assert_int_equal(d.offered[2], 0x0301);
	assert_int_equal(d.p.version, 0x0301);
	bb_free(&out);
	d_free(&d);
}

static void test_probe_sni_fallback(void **state)
{
	struct drv d;
	struct srv s = srv_default;
	struct bb out = { 0 };

	(void)state;
	d_init(&d, "name.example", 0, 0);
	d_connect(&d);
	assert_int_equal(d.sni[0], 1);
	assert_string_equal(d.sni_name, "name.example");
	srv_alert(&out, 0x0303, 2, 112);
	d_feed(&d, out.p, out.n, 1);
	assert_true(d.reconnect);
	assert_false(d.done);
	s.mode = SRV_PATCHED;
	d_serve(&d, &s);
	assert_int_equal(d.nconn, 2);
	assert_int_equal(d.sni[1], 0);
	/* The version is not lowered for a name problem. */
	assert_int_equal(d.offered[1], 0x0303);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_PATCHED);
	d_free(&d);

	/* Without SNI, alert 112 is a plain failure. */
	d_init(&d, NULL, 0x0300, 0);
	d_connect(&d);
	d_feed(&d, out.p, out.n, out.n);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_HANDSHAKE_FAILED);
	assert_int_equal(d.p.alert_desc, 112);
	d_free(&d);

	/* A warning-level unrecognized_name lets the handshake go on. */
	d_init(&d, "name.example", 0, 0);
	d_connect(&d);
	out.n = 0;
	srv_alert(&out, 0x0303, 1, 112);
	srv_hello_flight(&out, 0x0303, 1, 100, 0);
	d_feed(&d, out.p, out.n, out.n);
	assert_false(d.reconnect);
	assert_int_equal(d.p.state, PS_FLIGHT);
	d_free(&d);
	bb_free(&out);
}

static void test_probe_close_fallback(void **state)
{
	struct drv d;
	struct srv s = srv_default;
	struct bb out = { 0 };
	int i;

	(void)state;
	/* A close with no reply is version intolerance: step down. */
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	d_close(&d, 0);
	assert_true(d.reconnect);
	assert_false(d.done);
	d_connect(&d);
	d_close(&d, -ECONNRESET);
	assert_true(d.reconnect);
	s.ver = 0x0301;
	d_serve(&d, &s);
	assert_int_equal(d.offered[0], 0x0303);
	assert_int_equal(d.offered[1], 0x0302);
	assert_int_equal(d.offered[2], 0x0301);
	assert_int_equal(d.p.verdict, PV_VULNERABLE);
	d_free(&d);

	/* Down to SSLv3, then handshake-failed. */
	d_init(&d, NULL, 0, 0);
	for (i = 0; i < 4; i++) {
		d_connect(&d);
		d_close(&d, 0);
		assert_int_equal(d.reconnect, i < 3);
	}
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_HANDSHAKE_FAILED);
	assert_int_equal(d.offered[3], 0x0300);
	assert_non_null(strstr(d.p.reason, "no reply"));
	d_free(&d);

	/* A close after part of the flight is no intolerance. */
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	srv_hello_flight(&out, 0x0303, 1, 900, 0);
	d_feed(&d, out.p, 20, 20);
	assert_false(d.done);
	d_close(&d, 0);
	assert_false(d.reconnect);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_HANDSHAKE_FAILED);
	assert_int_equal(d.nconn, 1);
	d_free(&d);
	bb_free(&out);
}

/* ------------------------------------------------------------------ */
/* probe.h: failures                                                    */

static void test_probe_not_tls(void **state)
{
	static const char *const replies[] = {
		"HTTP/1.1 400 Bad Request\r\n\r\n", "SSH-2.0-OpenSSH_9.2\r\n",
		"220 smtp.example ESMTP\r\n",
	};
	static const char *const want[] = { "HTTP", "SSH", "STARTTLS" };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct drv d;

		d_init(&d, NULL, 0, 0);
		d_connect(&d);
		d_feed(&d, (const uint8_t *)replies[i], strlen(replies[i]),
		    1000);
		assert_true(d.done);
		assert_false(d.reconnect);
		assert_int_equal(d.p.verdict, PV_NOT_TLS);
		if (strstr(d.p.reason, want[i]) == NULL)
			fail_msg("reason \"%s\" lacks \"%s\"", d.p.reason,
			    want[i]);
		d_free(&d);
	}
}

static void test_probe_timeouts(void **state)
{
	struct drv d;
	struct bb out = { 0 }, ans = { 0 };
	const uint8_t *fl;
	size_t fn;

	(void)state;
	/* Before the connection is up. */
	d_init(&d, NULL, 0, 0);
	d_timeout(&d);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_TIMEOUT);
	d_free(&d);

	/* Hello sent, nothing back. */
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	d_timeout(&d);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_TIMEOUT);
	assert_non_null(strstr(d.p.reason, "sent nothing"));
	d_free(&d);

	/* Part of the flight. */
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	srv_hello_flight(&out, 0x0303, 1, 900, 0);
	d_feed(&d, out.p, out.n - 9, out.n);
	d_timeout(&d);
	assert_int_equal(d.p.verdict, PV_TIMEOUT);
	assert_non_null(strstr(d.p.reason, "part"));
	d_free(&d);

	/* The heartbeat flight sent, no answer. */
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	d_feed(&d, out.p, out.n, out.n);
	assert_int_equal(d.p.state, PS_FLIGHT);
	d_timeout(&d);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_TIMEOUT);
	d_free(&d);

	/* The sentinel came back, then silence: the server answered, so the
	 * probe's echo would have come with it. */
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	d_feed(&d, out.p, out.n, out.n);
	fl = d_flight(&d, &fn);
	srv_answer(SRV_PATCHED, 0x0303, fl, fn, &ans);
	/* Drop the alert: the last 7 bytes. */
	d_feed(&d, ans.p, ans.n - 7, ans.n);
	assert_false(d.done);
	d_timeout(&d);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_PATCHED);
	d_free(&d);

	/* After a verdict a timeout changes nothing. */
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	d_timeout(&d);
	d.done = 0;
	d_timeout(&d);
	assert_false(d.done);
	assert_int_equal(d.p.verdict, PV_TIMEOUT);
	d_free(&d);
	bb_free(&out);
	bb_free(&ans);
}

/* A server that echoed extension 15 and then closes, resets or sends
 * garbage instead of answering the flight has refused nothing: only an
 * alert (GnuTLS) or the sentinel's echo (1.0.1g) shows a patched stack.
 * Such an endpoint was not tested, just as when the deadline passes. */
static void test_probe_flight_unanswered(void **state)
{
	static const int errs[] = { 0, -ECONNRESET };
	struct drv d;
	struct bb out = { 0 };
	size_t i;

	(void)state;
	srv_hello_flight(&out, 0x0303, 1, 900, 0);
	/* The deadline: an untested verdict. */
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	d_feed(&d, out.p, out.n, out.n);
	assert_int_equal(d.p.state, PS_FLIGHT);
	d_timeout(&d);
	assert_int_equal(d.p.verdict, PV_TIMEOUT);
	d_free(&d);
	/* A close or a reset must not be better evidence than silence: it
	 * is what a program that gives up on the first heartbeat does, so
	 * the large strategy follows on two more connections, and silence on
	 * all three is still no verdict. */
	for (i = 0; i < 2; i++) {
		int c;

		d_init(&d, NULL, 0, 0);
		for (c = 0; c < 3; c++) {
			d_connect(&d);
			d_feed(&d, out.p, out.n, out.n);
			assert_int_equal(d.p.state, PS_FLIGHT);
			assert_int_equal(d.p.strategy, c == 0 ? PST_FLIGHT :
			    c == 1 ? PST_LARGE : PST_VALID);
			d_close(&d, errs[i]);
			if (c < 2)
				assert_true(d.reconnect);
		}
		assert_true(d.done);
		assert_int_equal(d.p.attempts, 2);
		assert_non_null(strstr(d.p.reason, "any strategy"));
		if (!probe_verdict_untested(d.p.verdict))
			fail_msg("close (%d) with no answer to the flight: %s "
			    "(%s)", errs[i], probe_verdict_name(d.p.verdict),
			    d.p.reason);
		d_free(&d);
	}
	/* Nor are non-TLS bytes. */
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	d_feed(&d, out.p, out.n, out.n);
	d_feed(&d, (const uint8_t *)"HTTP/1.0 400\r\n", 14, 14);
	assert_true(d.done);
	if (!probe_verdict_untested(d.p.verdict))
		fail_msg("garbage in answer to the flight: %s (%s)",
		    probe_verdict_name(d.p.verdict), d.p.reason);
	d_free(&d);
	bb_free(&out);
}

/* A warning alert in the flight ends nothing: the echoes after it still
 * decide.  A fatal alert in the same read as ServerHelloDone answers the
 * server's own flight, not ours, and must not judge the heartbeat. */
static void test_probe_flight_alerts(void **state)
{
	struct drv d;
	struct bb out = { 0 }, ans = { 0 };
	const uint8_t *fl;
	size_t fn;

	(void)state;
	srv_hello_flight(&out, 0x0303, 1, 900, 0);
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	d_feed(&d, out.p, out.n, out.n);
	assert_int_equal(d.p.state, PS_FLIGHT);
	fl = d_flight(&d, &fn);
	srv_alert(&ans, 0x0303, 1, 90);
	assert_int_equal(srv_answer(SRV_VULN, 0x0303, fl, fn, &ans), 0);
	d_feed(&d, ans.p, ans.n, ans.n);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_VULNERABLE);
	d_free(&d);
	bb_free(&ans);

	srv_alert(&out, 0x0303, 2, 10);
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	d_feed(&d, out.p, out.n, out.n);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_HANDSHAKE_FAILED);
	d_flight(&d, &fn);
	assert_int_equal(fn, 0);
	d_free(&d);
	bb_free(&out);
}

static void test_probe_bad_server_hello(void **state)
{
	struct drv d;
	struct bb out = { 0 }, sh = { 0 }, m = { 0 };

	(void)state;
	/* A ServerHello over 4096 bytes. */
	bb_server_hello(&sh, 0x0303, 0);
	bb_fill(&sh, 0, 4097 - sh.n);
	bb_hs(&m, 2, sh.p, sh.n);
	bb_hs(&m, 14, NULL, 0);
	bb_frame(&out, 22, 0x0303, m.p, m.n, 16384);
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	d_feed(&d, out.p, out.n, 512);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_HANDSHAKE_FAILED);
	assert_null(d.p.sh_buf);
	d_free(&d);

	/* ServerHelloDone with no ServerHello. */
	out.n = m.n = 0;
	bb_hs(&m, 11, (const uint8_t *)"\0\0\0", 3);
	bb_hs(&m, 14, NULL, 0);
	bb_record(&out, 22, 0x0303, m.p, m.n);
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	d_feed(&d, out.p, out.n, out.n);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_HANDSHAKE_FAILED);
	assert_non_null(strstr(d.p.reason, "without ServerHello"));
	d_free(&d);

	/* A version that was not offered. */
	out.n = 0;
	srv_hello_flight(&out, 0x0303, 1, 100, 0);
	d_init(&d, NULL, 0x0302, 0);
	d_connect(&d);
	assert_int_equal(d.offered[0], 0x0302);
	d_feed(&d, out.p, out.n, out.n);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_HANDSHAKE_FAILED);
	d_free(&d);

	/* Two ServerHellos. */
	out.n = m.n = sh.n = 0;
	bb_server_hello(&sh, 0x0303, 1);
	bb_hs(&m, 2, sh.p, sh.n);
	bb_hs(&m, 2, sh.p, sh.n);
	bb_hs(&m, 14, NULL, 0);
	bb_record(&out, 22, 0x0303, m.p, m.n);
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	d_feed(&d, out.p, out.n, 7);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_HANDSHAKE_FAILED);
	d_free(&d);

	/* A ServerHello body that does not parse. */
	out.n = m.n = sh.n = 0;
	bb_server_hello(&sh, 0x0303, 1);
	sh.p[sh.n - 11] = 0x40; /* extension block length too big */
	bb_hs(&m, 2, sh.p, sh.n);
	bb_hs(&m, 14, NULL, 0);
	bb_record(&out, 22, 0x0303, m.p, m.n);
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	d_feed(&d, out.p, out.n, out.n);
	assert_true(d.done);
	assert_int_equal(d.p.verdict, PV_HANDSHAKE_FAILED);
	assert_non_null(strstr(d.p.reason, "malformed"));
	d_free(&d);
	bb_free(&out);
	bb_free(&sh);
	bb_free(&m);
}

/* Bytes after a verdict, or before a connection, are ignored. */
static void test_probe_after_done(void **state)
{
	struct drv d;
	struct srv s = srv_default;
	struct bb out = { 0 };

	(void)state;
	d_init(&d, NULL, 0, 0);
	d_serve(&d, &s);
	assert_int_equal(d.p.verdict, PV_VULNERABLE);
	srv_alert(&out, 0x0303, 2, 40);
	d.done = 0;
	d_feed(&d, out.p, out.n, out.n);
	d_close(&d, 0);
	d_timeout(&d);
	assert_false(d.done);
	assert_false(d.reconnect);
	assert_int_equal(d.p.verdict, PV_VULNERABLE);
	d_free(&d);
	bb_free(&out);
}

/* --leak: the over-read bytes past our own reach the callback. */
struct leak_seen {
	size_t n;
	size_t first_off;
	uint8_t first;
};

static void on_leak(void *ctx, size_t off, const uint8_t *b, size_t n)
{
	struct leak_seen *l = ctx;

	if (l->n == 0) {
		l->first_off = off;
		l->first = b[0];
	}
	l->n += n;
}

/* ------------------------------------------------------------------ */
/* Server programs (docs/probe.md §4, §5)                               */

static void d_wake(struct drv *d)
{
	d_reset_out(d);
	probe_on_wake(&d->p, &d->o);
	d_collect(d);
}

/*
 * A server with read-ahead (nginx): the whole flight sits in one buffer,
 * so the probe over-reads the records behind it.  Answers are held until
 * the fence is processed, one record per arrival.
 */
static void edge_answer(const uint8_t *fl, size_t n, uint16_t ver, int fixed,
    struct bb *out)
{
	static uint8_t buf[4096];
	size_t off = 0;

	memset(buf, 0xee, sizeof(buf));
	assert_true(n <= sizeof(buf));
	memcpy(buf, fl, n);
	while (off + 5 <= n) {
		size_t len = be16(buf + off + 3);

		if (buf[off] == TLS_CT_APPDATA) {
			srv_alert(out, ver, 2, 10);
			return;
		}
		if (buf[off] == TLS_CT_HEARTBEAT) {
			size_t pl = be16(buf + off + 6);

			if (!(fixed && 3 + pl + 16 > len))
				srv_hb_response(out, ver, buf + off + 8, pl);
		}
		off += 5 + len;
	}
}

/* Nudges: nothing comes back to the flight; a 1-byte record per wake-up,
 * spaced at least 20 ms, at most 12; the answer after them is judged with
 * the fence's bytes as ours. */
static void test_probe_nudges(void **state)
{
	int fixed;

	(void)state;
	for (fixed = 0; fixed < 2; fixed++) {
		struct drv d;
		struct bb out = { 0 };
		const uint8_t *fl;
		size_t fn;
		uint8_t flight[512];
		int i;

		d_init(&d, NULL, 0, 0);
		probe_clock(&d.p, 1000);
		d_connect(&d);
		probe_clock(&d.p, 1003);
		srv_hello_flight(&out, 0x0303, 1, 900, 0);
		d_feed(&d, out.p, out.n, out.n);
		bb_free(&out);
		assert_int_equal(d.p.state, PS_FLIGHT);
		assert_int_equal(d.o.wake_ms, 20);
		fl = d_flight(&d, &fn);
		assert_true(fn <= sizeof(flight));
		memcpy(flight, fl, fn);
		/* A wake-up sends exactly one 1-byte record. */
		for (i = 0; i < 3; i++) {
			size_t before = d.sent.n;

			d_wake(&d);
			assert_int_equal(d.sent.n - before, 6);
			assert_memory_equal(d.sent.p + before,
			    "\x17\x03\x03\x00\x01\x00", 6);
			assert_int_equal(d.o.wake_ms, 20);
		}
		assert_int_equal(d.p.nudges, 3);
		edge_answer(flight, fn, 0x0303, fixed, &out);
		d_feed(&d, out.p, out.n, 7);
		bb_free(&out);
		assert_true(d.done);
		assert_int_equal(d.p.verdict, fixed ? PV_PATCHED :
		    PV_VULNERABLE);
		assert_int_equal(d.p.disclosed, 0);
		assert_string_equal(probe_strategy_name(&d.p), "nudge");
		if (!fixed)
			assert_non_null(strstr(d.p.reason, "fence record"));
		d_free(&d);
	}
	/* At most 12, then silence until the deadline. */
	{
		struct drv d;
		struct bb out = { 0 };
		int i;

		d_init(&d, NULL, 0, 0);
		d_connect(&d);
		srv_hello_flight(&out, 0x0303, 1, 900, 0);
		d_feed(&d, out.p, out.n, out.n);
		bb_free(&out);
		for (i = 0; i < 20; i++)
			d_wake(&d);
		assert_int_equal(d.p.nudges, 12);
		assert_int_equal(d.o.wake_ms, 0);
		d_timeout(&d);
		assert_int_equal(d.p.verdict, PV_TIMEOUT);
		assert_non_null(strstr(d.p.reason, "12 nudges"));
		d_free(&d);
	}
	/* A wake-up before the flight, or after the verdict, does nothing. */
	{
		struct drv d;

		d_init(&d, NULL, 0, 0);
		d_connect(&d);
		d_wake(&d);
		assert_int_equal(d.o.len, 0);
		assert_int_equal(d.p.nudges, 0);
		d_free(&d);
	}
}

/*
 * A program that gives up on the first heartbeat: the flight gets a
 * close, then a padded hello and one large probe, whose over-read is the
 * stale hello; unanswered, a valid heartbeat of the same size.
 */
static void test_probe_large_record(void **state)
{
	int fixed;

	(void)state;
	for (fixed = 0; fixed < 2; fixed++) {
		struct drv d;
		struct bb out = { 0 };
		static uint8_t rbuf[16384];
		uint8_t hello[8192];
		size_t hn, fn, pl;
		const uint8_t *fl;

		d_init(&d, NULL, 0x0301, 0);
		d_connect(&d);
		srv_hello_flight(&out, 0x0301, 1, 900, 0);
		d_feed(&d, out.p, out.n, out.n);
		d_close(&d, -ECONNRESET);
		assert_true(d.reconnect);
		assert_false(d.done);
		/* Connection 2: the padded hello. */
		d.reconnect = 0;
		d_connect(&d);
		assert_int_equal(d.p.strategy, PST_LARGE);
		hn = d.sent.n;
		assert_int_equal(hn, 4501);
		memcpy(hello, d.sent.p, hn);
		/* The pad is the last extension, of a reserved type. */
		assert_int_equal(be16(hello + d.p.plan.pad_at - 4), 0x3a3a);
		assert_int_equal(d.p.plan.pad_at + d.p.plan.pad_len, 4501);
		d_feed(&d, out.p, out.n, out.n);
		assert_int_equal(d.p.state, PS_FLIGHT);
		/* No nudges on this connection. */
		assert_int_equal(d.o.wake_ms, 0);
		fl = d_flight(&d, &fn);
		assert_int_equal(fn, 5 + 3 + 4100);
		assert_int_equal(fl[0], 24);
		assert_int_equal(be16(fl + 1), 0x0301);
		pl = be16(fl + 6);
		assert_int_equal(pl, 4116);
		bb_free(&out);
		if (!fixed) {
			/* One read buffer: the hello, then the probe over it. */
			memset(rbuf, 0xee, sizeof(rbuf));
			memcpy(rbuf, hello, hn);
			memcpy(rbuf, fl, fn);
			srv_hb_response(&out, 0x0301, rbuf + 8, pl);
			d_feed(&d, out.p, out.n, 1000);
			bb_free(&out);
			assert_true(d.done);
			assert_int_equal(d.p.verdict, PV_VULNERABLE);
			assert_int_equal(d.p.disclosed, 0);
			assert_non_null(strstr(d.p.reason, "ClientHello"));
			assert_string_equal(probe_strategy_name(&d.p),
			    "large-record");
			assert_int_equal(d.p.attempts, 1);
			d_free(&d);
			continue;
		}
		d_close(&d, 0);
		assert_true(d.reconnect);
		d.reconnect = 0;
		/* Connection 3: a normal hello, one valid large heartbeat. */
		d_connect(&d);
		assert_int_equal(d.p.strategy, PST_VALID);
		assert_true(d.sent.n < 1024);
		srv_hello_flight(&out, 0x0301, 1, 900, 0);
		d_feed(&d, out.p, out.n, out.n);
		bb_free(&out);
		fl = d_flight(&d, &fn);
		assert_int_equal(fn, 5 + 3 + 4100 + 16);
		assert_int_equal(be16(fl + 6), 4100);
		srv_hb_response(&out, 0x0301, fl + 8, 4100);
		d_feed(&d, out.p, out.n, 999);
		bb_free(&out);
		assert_true(d.done);
		assert_int_equal(d.p.verdict, PV_PATCHED);
		assert_non_null(strstr(d.p.reason, "first heartbeat"));
		assert_int_equal(d.p.attempts, 2);
		d_free(&d);
	}
}

/*
 * A nudged flight that closes with nothing, late, lost a slow program's
 * answer to the reset the unread nudges caused: the flight goes again,
 * not nudged, and is answered.  A close soon after the flight, nudged or
 * not, or a late one without nudges, is a program that gives up: the
 * large strategy follows at once.  The second silent close climbs too.
 */
static void test_probe_late_close(void **state)
{
	static const struct {
		unsigned nudges, close_ms;
		int patient;
	} cases[] = {
		{ 4, 600, 1 }, { 3, 80, 0 }, { 0, 600, 0 }, { 0, 1, 0 },
	};
	struct bb out = { 0 }, ans = { 0 };
	const uint8_t *fl;
	size_t i, fn;
	unsigned k;

	(void)state;
	srv_hello_flight(&out, 0x0303, 1, 900, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct drv d;
		uint64_t t = 1000;

		d_init(&d, NULL, 0, 0);
		probe_clock(&d.p, t);
		d_connect(&d);
		d_feed(&d, out.p, out.n, out.n);
		assert_int_equal(d.p.state, PS_FLIGHT);
		assert_true(d.o.wake_ms >= 20);
		for (k = 0; k < cases[i].nudges; k++) {
			t += 20;
			probe_clock(&d.p, t);
			d_wake(&d);
		}
		probe_clock(&d.p, 1000 + cases[i].close_ms);
		d_close(&d, -ECONNRESET);
		assert_true(d.reconnect);
		assert_int_equal(d.p.nudges, cases[i].nudges);
		if (!cases[i].patient) {
			assert_int_equal(d.p.strategy, PST_LARGE);
			d_free(&d);
			continue;
		}
		/* The flight again: no nudge is armed, and the answer decides. */
		assert_int_equal(d.p.strategy, PST_FLIGHT);
		probe_clock(&d.p, 2000);
		d_connect(&d);
		d_feed(&d, out.p, out.n, out.n);
		assert_int_equal(d.p.state, PS_FLIGHT);
		assert_int_equal(d.o.wake_ms, 0);
		fl = d_flight(&d, &fn);
		ans.n = 0;
		assert_int_equal(srv_answer(SRV_PATCHED, 0x0303, fl, fn, &ans), 0);
		d_feed(&d, ans.p, ans.n, ans.n);
		if (!d.done)
			d_close(&d, 0);
		assert_true(d.done);
		assert_int_equal(d.p.verdict, PV_PATCHED);
		assert_int_equal(d.p.attempts, 1);
		assert_string_equal(probe_strategy_name(&d.p), "flight");
		d_free(&d);
		/* Silence again, however late: the large strategy. */
		d_init(&d, NULL, 0, 0);
		probe_clock(&d.p, 1000);
		d_connect(&d);
		d_feed(&d, out.p, out.n, out.n);
		probe_clock(&d.p, 1020);
		d_wake(&d);
		probe_clock(&d.p, 1600);
		d_close(&d, -ECONNRESET);
		assert_int_equal(d.p.strategy, PST_FLIGHT);
		probe_clock(&d.p, 2000);
		d_connect(&d);
		d_feed(&d, out.p, out.n, out.n);
		probe_clock(&d.p, 5000);
		d_close(&d, -ECONNRESET);
		assert_true(d.reconnect);
		assert_int_equal(d.p.strategy, PST_LARGE);
		d_free(&d);
	}
	bb_free(&ans);
	bb_free(&out);
}

/* A close without extension 15 is no reason for the large strategy. */
static void test_probe_close_no_ext(void **state)
{
	struct drv d;
	struct bb out = { 0 };

	(void)state;
	d_init(&d, NULL, 0, 0);
	d_connect(&d);
	srv_hello_flight(&out, 0x0303, 0, 900, 0);
	d_feed(&d, out.p, out.n, out.n);
	bb_free(&out);
	d_close(&d, 0);
	assert_true(d.done);
	assert_false(d.reconnect);
	assert_int_equal(d.p.verdict, PV_NO_HEARTBEAT);
	d_free(&d);
}

static void test_probe_leak(void **state)
{
	static const uint16_t leaks[] = { 16, 100, 0x4000 - 32, 65535 - 32 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(leaks) / sizeof(leaks[0]); i++) {
		struct drv d;
		struct srv s = srv_default;
		struct leak_seen l;

		memset(&l, 0, sizeof(l));
		s.chunk = 3000;
		d_init(&d, NULL, 0, leaks[i]);
		d.cfg.on_disclosed = on_leak;
		d.cfg.ctx = &l;
		d_serve(&d, &s);
		assert_true(d.done);
		if (d.p.verdict != PV_VULNERABLE)
			fail_msg("leak %u: %s (%s)", leaks[i],
			    probe_verdict_name(d.p.verdict), d.p.reason);
		/* Tail bytes 0..31 are the stale sentinel payload and 32..47
		 * its padding; after them lies the server's memory (0xee in
		 * the scripted server).  The hook sees the whole tail. */
		assert_int_equal(d.p.disclosed, leaks[i] > 48 ? leaks[i] - 48 :
		    0);
		assert_int_equal(l.n, leaks[i]);
		assert_int_equal(l.first_off, 0);
		assert_int_equal(l.first, hb_payload_byte(&d.p.plan, 0, 32));
		d_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge_streams),
		cmocka_unit_test(test_judge_rules),
		cmocka_unit_test(test_judge_scan_inconclusive),
		cmocka_unit_test(test_judge_split_stream),
		cmocka_unit_test(test_judge_malformed_stops),
		cmocka_unit_test(test_verdict_names),
		cmocka_unit_test(test_probe_verdicts),
		cmocka_unit_test(test_probe_vulnerable_details),
		cmocka_unit_test(test_probe_flight_version),
		cmocka_unit_test(test_probe_split_same_verdict),
		cmocka_unit_test(test_probe_big_certificate),
		cmocka_unit_test(test_probe_alert40_fallback),
		cmocka_unit_test(test_probe_fallback_then_vulnerable),
		cmocka_unit_test(test_probe_sni_fallback),
		cmocka_unit_test(test_probe_close_fallback),
		cmocka_unit_test(test_probe_not_tls),
		cmocka_unit_test(test_probe_timeouts),
		cmocka_unit_test(test_probe_flight_unanswered),
		cmocka_unit_test(test_probe_flight_alerts),
		cmocka_unit_test(test_probe_bad_server_hello),
		cmocka_unit_test(test_probe_after_done),
		cmocka_unit_test(test_probe_leak),
		cmocka_unit_test(test_probe_nudges),
		cmocka_unit_test(test_probe_large_record),
		cmocka_unit_test(test_probe_close_no_ext),
		cmocka_unit_test(test_probe_late_close),
	};

	return hc_run_group_tests(tests, NULL, NULL);
}
