/*
 * Unit tests: DTLS record and handshake-fragment codecs, the DTLS
 * ClientHello, the HB_TAIL_NEXT_DTLS tail model, and the DTLS probe engine
 * driven through a scripted server.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "probe/dtls.h"
#include "tls/dtls.h"
#include "tls/hello.h"
#include "tls/tls.h"

/* ---- codecs ---- */

static size_t mkrec(uint8_t *o, uint8_t type, uint16_t ver, uint64_t seq,
    const uint8_t *b, size_t n)
{
	dtls_rec_hdr_write(o, type, ver, 0, seq, (uint16_t)n);
	memcpy(o + DTLS_HDR_LEN, b, n);
	return DTLS_HDR_LEN + n;
}

/* A handshake fragment: header and frag bytes of a message of len. */
static size_t mkfrag(uint8_t *o, uint8_t type, uint32_t len, uint16_t ms,
    uint32_t off, const uint8_t *b, uint32_t n)
{
	o[0] = type;
	o[1] = (uint8_t)(len >> 16); o[2] = (uint8_t)(len >> 8);
	o[3] = (uint8_t)len;
	o[4] = (uint8_t)(ms >> 8); o[5] = (uint8_t)ms;
	o[6] = (uint8_t)(off >> 16); o[7] = (uint8_t)(off >> 8);
	o[8] = (uint8_t)off;
	o[9] = (uint8_t)(n >> 16); o[10] = (uint8_t)(n >> 8);
	o[11] = (uint8_t)n;
	if (n)
		memcpy(o + 12, b, n);
	return 12 + n;
}

static void test_records_of_a_datagram(void **st)
{
	uint8_t dg[256], a[2] = { 2, 40 }, hb[5] = { 1, 0, 0, 9, 9 };
	struct rec_hdr h;
	const uint8_t *body;
	size_t n = 0, off = 0;

	(void)st;
	n += mkrec(dg + n, TLS_CT_ALERT, DTLS_V_10, 7, a, 2);
	n += mkrec(dg + n, TLS_CT_HEARTBEAT, DTLS_V_12, 0x010203040506ULL, hb,
	    5);
	assert_int_equal(dtls_rec_next(dg, n, &off, &h, &body), 1);
	assert_int_equal(h.type, TLS_CT_ALERT);
	assert_int_equal(h.seq, 7);
	assert_memory_equal(body, a, 2);
	assert_int_equal(dtls_rec_next(dg, n, &off, &h, &body), 1);
	assert_int_equal(h.version, DTLS_V_12);
	assert_int_equal(h.seq, 0x010203040506ULL);
	assert_int_equal(h.len, 5);
	assert_int_equal(dtls_rec_next(dg, n, &off, &h, &body), 0);
	/* A record running past the datagram is bad, and so is TLS. */
	off = 0;
	assert_int_equal(dtls_rec_next(dg, n - 1, &off, &h, &body), 1);
	assert_int_equal(dtls_rec_next(dg, n - 1, &off, &h, &body), -1);
	dg[1] = 0x03;
	off = 0;
	assert_int_equal(dtls_rec_next(dg, n, &off, &h, &body), -1);
}

static void test_fragments_and_hvr(void **st)
{
	uint8_t b[128], hvr[23] = { 0xfe, 0xff, 20 };
	struct dtls_hs_hdr h;
	const uint8_t *frag, *cookie;
	size_t n = 0, off = 0;
	uint16_t v;
	uint8_t cl;

	(void)st;
	memset(hvr + 3, 0x5c, 20);
	n += mkfrag(b, TLS_HS_HELLO_VERIFY_REQUEST, 23, 0, 0, hvr, 23);
	n += mkfrag(b + n, TLS_HS_SERVER_HELLO_DONE, 0, 3, 0, NULL, 0);
	assert_int_equal(dtls_hs_next(b, n, &off, &h, &frag), 1);
	assert_int_equal(h.type, TLS_HS_HELLO_VERIFY_REQUEST);
	assert_int_equal(dtls_hvr_parse(frag, h.frag_len, &v, &cookie, &cl),
	    0);
	assert_int_equal(v, DTLS_V_10);
	assert_int_equal(cl, 20);
	assert_int_equal(cookie[0], 0x5c);
	assert_int_equal(dtls_hs_next(b, n, &off, &h, &frag), 1);
	assert_int_equal(h.type, TLS_HS_SERVER_HELLO_DONE);
	assert_int_equal(h.msg_seq, 3);
	assert_int_equal(dtls_hs_next(b, n, &off, &h, &frag), 0);
	/* fragment_offset + fragment_length past the message length */
	n = mkfrag(b, 11, 10, 2, 8, hvr, 5);
	off = 0;
	assert_int_equal(dtls_hs_next(b, n, &off, &h, &frag), -1);
	/* A cookie longer than the message. */
	hvr[2] = 30;
	assert_int_equal(dtls_hvr_parse(hvr, 23, &v, &cookie, &cl), -1);
}

static void test_reassembly(void **st)
{
	uint8_t buf[16], msg[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct dtls_reasm r;
	struct dtls_hs_hdr h = { 2, 10, 1, 0, 4 };

	(void)st;
	dtls_reasm_init(&r, buf, sizeof(buf));
	assert_int_equal(dtls_reasm_add(&r, &h, msg), 0);
	h.frag_off = 6;          /* a gap: dropped */
	h.frag_len = 4;
	assert_int_equal(dtls_reasm_add(&r, &h, msg + 6), 0);
	assert_int_equal(r.have, 4);
	h.frag_off = 2;          /* overlapping, in order */
	h.frag_len = 6;
	assert_int_equal(dtls_reasm_add(&r, &h, msg + 2), 0);
	h.frag_off = 6;
	h.frag_len = 4;
	assert_int_equal(dtls_reasm_add(&r, &h, msg + 6), 1);
	assert_memory_equal(buf, msg, 10);
	/* Another type for the same message_seq, and a message too big. */
	h.type = 11;
	assert_int_equal(dtls_reasm_add(&r, &h, msg), -1);
	dtls_reasm_init(&r, buf, sizeof(buf));
	h.len = 17;
	assert_int_equal(dtls_reasm_add(&r, &h, msg), -1);
}

static void test_dtls_client_hello(void **st)
{
	struct client_hello_opts o;
	uint8_t out[1024], cookie[20];
	ssize_t n;
	size_t i, body = DTLS_HDR_LEN + 12, off;

	(void)st;
	memset(&o, 0, sizeof(o));
	memset(cookie, 0xc0, sizeof(cookie));
	o.version = DTLS_V_12;
	o.heartbeat = 1;
	o.dtls = 1;
	o.message_seq = 1;
	o.record_seq = 5;
	o.cookie = cookie;
	o.cookie_len = 20;
	n = client_hello_build(&o, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(out[0], TLS_CT_HANDSHAKE);
	assert_int_equal(out[1] << 8 | out[2], DTLS_V_10);
	assert_int_equal(out[10], 5);
	assert_int_equal(out[11] << 8 | out[12], n - DTLS_HDR_LEN);
	assert_int_equal(out[13], TLS_HS_CLIENT_HELLO);
	/* length == fragment_length, offset 0, message_seq 1 */
	assert_memory_equal(out + 14, out + 22, 3);
	assert_int_equal(out[17] << 8 | out[18], 1);
	assert_int_equal(out[19] | out[20] | out[21], 0);
	assert_int_equal((size_t)(out[14] << 16 | out[15] << 8 | out[16]),
	    (size_t)n - body);
	assert_int_equal(out[body] << 8 | out[body + 1], DTLS_V_12);
	off = body + 2 + 32;
	assert_int_equal(out[off], 0);         /* session id */
	assert_int_equal(out[off + 1], 20);    /* cookie */
	assert_memory_equal(out + off + 2, cookie, 20);
	off += 2 + 20;
	for (i = 0; i < (size_t)(out[off] << 8 | out[off + 1]); i += 2) {
		uint16_t s = (uint16_t)(out[off + 2 + i] << 8 |
		    out[off + 3 + i]);

		assert_true(s != 0x0004 && s != 0x0005);  /* no RC4 */
	}
	/* Extension 15, mode 1, is in there. */
	for (i = off; i + 5 <= (size_t)n; i++)
		if (out[i] == 0 && out[i + 1] == 15 && out[i + 2] == 0 &&
		    out[i + 3] == 1 && out[i + 4] == 1)
			break;
	assert_true(i + 5 <= (size_t)n);
	/* Too small a buffer fails cleanly. */
	assert_int_equal(client_hello_build(&o, out, 100), -1);
}

static void test_flight_and_tail_model(void **st)
{
	struct hb_plan p;
	uint8_t out[512];
	ssize_t n;
	size_t i, probe_rec = DTLS_HDR_LEN + 3 + 32;

	(void)st;
	assert_int_equal(hb_plan_init(&p, 42, 64, 32, 16), 0);
	p.dtls = 1;
	p.rec_ver = DTLS_V_10;
	p.dtls_seq = 0x0102;
	n = dtls_hb_flight(&p, 0x0101, out, sizeof(out));
	assert_int_equal(n, probe_rec + DTLS_HDR_LEN + 3 + 64 + 16);
	assert_int_equal(out[0], TLS_CT_HEARTBEAT);
	assert_int_equal(out[10], 0x01);
	assert_int_equal(out[DTLS_HDR_LEN + 2], 48);   /* claims 48 */
	/* Every byte the probe over-reads is the next record's, and the
	 * model knows each of them. */
	for (i = 0; i < 16 + 64 + 16; i++)
		assert_int_equal(hb_expected_tail(&p, HB_TAIL_NEXT_DTLS, i),
		    out[probe_rec + i]);
	assert_int_equal(hb_expected_tail(&p, HB_TAIL_NEXT_DTLS, 96), -1);
	p.dtls = 0;
	assert_int_equal(hb_expected_tail(&p, HB_TAIL_NEXT_DTLS, 0), -1);
	assert_int_equal(dtls_hb_flight(&p, 1, out, 100), -1);
}

/* ---- engine, against a scripted server ---- */

struct srv {
	uint64_t seq;
	uint8_t last[2048];       /* the client's last datagram */
	size_t last_len;
};

static struct probe_cfg cfg0;
static uint8_t obuf[PROBE_OUT_MIN];

static struct probe_out out_new(void)
{
	struct probe_out o = { .buf = obuf, .cap = sizeof(obuf) };

	return o;
}

static void keep(struct srv *s, const struct probe_out *o)
{
	memcpy(s->last, o->buf, o->len);
	s->last_len = o->len;
}

static void feed_hvr(struct dtls_probe *p, struct srv *s, struct probe_out *o)
{
	uint8_t hvr[23] = { 0xfe, 0xff, 20 }, f[64], dg[128];
	size_t n;

	memset(hvr + 3, 0x77, 20);
	n = mkfrag(f, TLS_HS_HELLO_VERIFY_REQUEST, 23, 0, 0, hvr, 23);
	n = mkrec(dg, TLS_CT_HANDSHAKE, DTLS_V_10, s->seq++, f, n);
	*o = out_new();
	dtls_probe_on_data(p, dg, n, o);
}

static void feed_flight(struct dtls_probe *p, struct srv *s, uint16_t ver,
    int ext, struct probe_out *o)
{
	uint8_t sh[64], f[128], dg[512], cert[300];
	size_t n = 0, m, d = 0;

	sh[n++] = (uint8_t)(ver >> 8);
	sh[n++] = (uint8_t)ver;
	memset(sh + n, 0x11, 32);
	n += 32;
	sh[n++] = 0;
	sh[n++] = 0x00;
	sh[n++] = 0x2f;
	sh[n++] = 0;
	sh[n++] = 0;
	sh[n++] = ext ? 5 : 0;
	if (ext) {
		sh[n++] = 0; sh[n++] = 15; sh[n++] = 0; sh[n++] = 1;
		sh[n++] = 1;
	}
	/* The ServerHello in two fragments, the Certificate in one of two
	 * (walked past, never complete), then ServerHelloDone. */
	m = mkfrag(f, TLS_HS_SERVER_HELLO, (uint32_t)n, 1, 0, sh, 10);
	d += mkrec(dg + d, TLS_CT_HANDSHAKE, ver, s->seq++, f, m);
	m = mkfrag(f, TLS_HS_SERVER_HELLO, (uint32_t)n, 1, 10, sh + 10,
	    (uint32_t)n - 10);
	d += mkrec(dg + d, TLS_CT_HANDSHAKE, ver, s->seq++, f, m);
	memset(cert, 0x43, sizeof(cert));
	m = mkfrag(dg + d + DTLS_HDR_LEN, TLS_HS_CERTIFICATE, 600, 2, 0, cert,
	    300);
	dtls_rec_hdr_write(dg + d, TLS_CT_HANDSHAKE, ver, 0, s->seq++,
	    (uint16_t)m);
	d += DTLS_HDR_LEN + m;
	m = mkfrag(f, TLS_HS_SERVER_HELLO_DONE, 0, 3, 0, NULL, 0);
	d += mkrec(dg + d, TLS_CT_HANDSHAKE, ver, s->seq++, f, m);
	*o = out_new();
	dtls_probe_on_data(p, dg, d, o);
}

/* The echo of request record at datagram offset at, as 1.0.1f builds it:
 * payload_length bytes from the payload on, within the datagram. */
static void feed_echo(struct dtls_probe *p, struct srv *s, size_t at,
    struct probe_out *o)
{
	const uint8_t *r = s->last + at;
	uint16_t plen = (uint16_t)(r[DTLS_HDR_LEN + 1] << 8 |
	    r[DTLS_HDR_LEN + 2]);
	uint16_t ver = (uint16_t)(r[1] << 8 | r[2]);
	uint8_t body[512], dg[600];
	size_t n;

	body[0] = HB_RESPONSE;
	body[1] = (uint8_t)(plen >> 8);
	body[2] = (uint8_t)plen;
	assert_true(at + DTLS_HDR_LEN + 3 + plen <= s->last_len);
	memcpy(body + 3, r + DTLS_HDR_LEN + 3, plen);
	memset(body + 3 + plen, 0x99, 16);
	n = mkrec(dg, TLS_CT_HEARTBEAT, ver, s->seq++, body, 3 + plen + 16u);
	*o = out_new();
	dtls_probe_on_data(p, dg, n, o);
}

static void start(struct dtls_probe *p, struct srv *s, struct probe_out *o)
{
	memset(s, 0, sizeof(*s));
	memset(&cfg0, 0, sizeof(cfg0));
	dtls_probe_init(p, &cfg0, 1234);
	dtls_probe_clock(p, 1000);
	*o = out_new();
	dtls_probe_on_connected(p, o);
	assert_true(o->len > 0);
	assert_int_equal(o->wake_ms, 1000);
	feed_hvr(p, s, o);
	assert_true(o->len > 0);
	/* The hello again, with the cookie, message_seq 1. */
	assert_int_equal(o->buf[DTLS_HDR_LEN + 5], 1);
}

static void test_engine_vulnerable(void **st)
{
	struct dtls_probe p;
	struct srv s;
	struct probe_out o;
	struct probe_result r;

	(void)st;
	start(&p, &s, &o);
	feed_flight(&p, &s, DTLS_V_10, 1, &o);
	assert_int_equal(o.act, PA_CONTINUE);
	assert_int_equal(o.len, DTLS_HDR_LEN + 35 + DTLS_HDR_LEN + 83);
	keep(&s, &o);
	/* The probe's echo reads into the sentinel record behind it. */
	feed_echo(&p, &s, 0, &o);
	assert_int_equal(o.act, PA_DONE);
	dtls_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_VULNERABLE);
	assert_int_equal(r.disclosed, 0);
	assert_int_equal(r.version, DTLS_V_10);
	assert_string_equal(r.strategy, "dtls");
}

static void test_engine_patched_after_confirmation(void **st)
{
	struct dtls_probe p;
	struct srv s;
	struct probe_out o;
	struct probe_result r;

	(void)st;
	start(&p, &s, &o);
	feed_flight(&p, &s, DTLS_V_12, 1, &o);
	keep(&s, &o);
	feed_echo(&p, &s, DTLS_HDR_LEN + 35, &o);  /* sentinel only */
	assert_int_equal(o.act, PA_CONTINUE);
	assert_true(o.len > 0);                    /* one more flight */
	assert_true(o.wake_ms >= 100);
	dtls_probe_clock(&p, 1000 + o.wake_ms);
	o = out_new();
	dtls_probe_on_wake(&p, &o);
	assert_int_equal(o.act, PA_DONE);
	dtls_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_PATCHED);
	assert_int_equal(r.version, DTLS_V_12);
}

static void test_engine_no_heartbeat_silence(void **st)
{
	struct dtls_probe p;
	struct srv s;
	struct probe_out o;
	struct probe_result r;
	uint64_t t = 1000;
	int i;

	(void)st;
	start(&p, &s, &o);
	feed_flight(&p, &s, DTLS_V_10, 0, &o);
	for (i = 0; i < 4 && o.act == PA_CONTINUE; i++) {
		assert_true(o.wake_ms > 0 && o.wake_ms <= 1000);
		t += o.wake_ms;
		dtls_probe_clock(&p, t);
		o = out_new();
		dtls_probe_on_wake(&p, &o);
	}
	assert_int_equal(o.act, PA_DONE);
	dtls_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_NO_HEARTBEAT);
}

static void test_engine_restarted_handshake_is_patched(void **st)
{
	struct dtls_probe p;
	struct srv s;
	struct probe_out o;
	struct probe_result r;

	(void)st;
	start(&p, &s, &o);
	feed_flight(&p, &s, DTLS_V_12, 1, &o);
	dtls_probe_clock(&p, 1000 + o.wake_ms);
	o = out_new();
	dtls_probe_on_wake(&p, &o);
	/* A fresh hello: message_seq 0, no cookie. */
	assert_true(o.len > 0);
	assert_int_equal(o.buf[DTLS_HDR_LEN + 5], 0);
	feed_hvr(&p, &s, &o);
	assert_int_equal(o.act, PA_DONE);
	dtls_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_PATCHED);
}

static void test_engine_fallback_refused_timeout(void **st)
{
	struct dtls_probe p;
	struct srv s;
	struct probe_out o;
	struct probe_result r;
	uint8_t a[2] = { 2, TLS_AD_PROTOCOL_VERSION }, dg[32];
	size_t n;

	(void)st;
	start(&p, &s, &o);
	n = mkrec(dg, TLS_CT_ALERT, DTLS_V_10, 9, a, 2);
	o = out_new();
	dtls_probe_on_data(&p, dg, n, &o);
	assert_int_equal(o.act, PA_RECONNECT);
	o = out_new();
	dtls_probe_on_connected(&p, &o);
	assert_int_equal(o.buf[DTLS_HDR_LEN + 12] << 8 |
	    o.buf[DTLS_HDR_LEN + 13], DTLS_V_10);
	/* 1.0 refused too: handshake-failed. */
	o = out_new();
	dtls_probe_on_data(&p, dg, n, &o);
	assert_int_equal(o.act, PA_DONE);
	dtls_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_HANDSHAKE_FAILED);
	assert_int_equal(r.connections, 2);

	/* ICMP port unreachable before anything came back. */
	dtls_probe_init(&p, &cfg0, 1);
	o = out_new();
	dtls_probe_on_connected(&p, &o);
	o = out_new();
	dtls_probe_on_closed(&p, -ECONNREFUSED, &o);
	dtls_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_REFUSED);

	/* Silence: the hello again at 1 s, 2 s later, then the deadline. */
	dtls_probe_init(&p, &cfg0, 2);
	dtls_probe_clock(&p, 0);
	o = out_new();
	dtls_probe_on_connected(&p, &o);
	dtls_probe_clock(&p, 1000);
	o = out_new();
	dtls_probe_on_wake(&p, &o);
	assert_true(o.len > 0);
	assert_int_equal(o.wake_ms, 2000);
	o = out_new();
	dtls_probe_on_timeout(&p, &o);
	dtls_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_TIMEOUT);

	/* A reply that is not DTLS. */
	dtls_probe_init(&p, &cfg0, 3);
	o = out_new();
	dtls_probe_on_connected(&p, &o);
	o = out_new();
	dtls_probe_on_data(&p, (const uint8_t *)"HTTP/1.1 400", 12, &o);
	dtls_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_NOT_TLS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records_of_a_datagram),
		cmocka_unit_test(test_fragments_and_hvr),
		cmocka_unit_test(test_reassembly),
		cmocka_unit_test(test_dtls_client_hello),
		cmocka_unit_test(test_flight_and_tail_model),
		cmocka_unit_test(test_engine_vulnerable),
		cmocka_unit_test(test_engine_patched_after_confirmation),
		cmocka_unit_test(test_engine_no_heartbeat_silence),
		cmocka_unit_test(test_engine_restarted_handshake_is_patched),
		cmocka_unit_test(test_engine_fallback_refused_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
