/*
 * The reverse probe over DTLS (src/probe/dtlsclient.c) against scripted
 * clients: a model of the OpenSSL 1.0.1f/1.0.1g DTLS client's heartbeat
 * code (it reads a whole datagram into one buffer and answers each
 * heartbeat record in place, 1.0.1f copying payload_length bytes whatever
 * the record holds), a client without heartbeats (alert 10), the
 * HelloVerifyRequest exchange, fragments, retransmissions and garbage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "probe/dtlsclient.h"
#include "tls/tls.h"

enum model { M_VULN, M_FIXED, M_NOHB };

static void hdr13(uint8_t *p, uint8_t type, uint16_t ver, uint64_t seq,
    uint16_t len)
{
	p[0] = type;
	p[1] = (uint8_t)(ver >> 8);
	p[2] = (uint8_t)ver;
	p[3] = p[4] = 0;
	p[5] = (uint8_t)(seq >> 40);
	p[6] = (uint8_t)(seq >> 32);
	p[7] = (uint8_t)(seq >> 24);
	p[8] = (uint8_t)(seq >> 16);
	p[9] = (uint8_t)(seq >> 8);
	p[10] = (uint8_t)seq;
	p[11] = (uint8_t)(len >> 8);
	p[12] = (uint8_t)len;
}

/* A DTLS ClientHello datagram, in nfrag fragments (records). */
static size_t client_hello(uint8_t *out, uint16_t ver, const uint8_t *cookie,
    uint8_t cookie_len, int hb_ext, uint16_t msg_seq, unsigned nfrag)
{
	uint8_t body[256];
	size_t n = 0, w = 0, off = 0, i;

	body[n++] = (uint8_t)(ver >> 8);
	body[n++] = (uint8_t)ver;
	for (i = 0; i < 32; i++)
		body[n++] = (uint8_t)(i * 7);
	body[n++] = 0; /* session id */
	body[n++] = cookie_len;
	if (cookie_len)
		memcpy(body + n, cookie, cookie_len);
	n += cookie_len;
	body[n++] = 0;
	body[n++] = 4;
	body[n++] = 0x00;
	body[n++] = 0x2f;
	body[n++] = 0x00;
	body[n++] = 0x9d;
	body[n++] = 1;
	body[n++] = 0;
	if (hb_ext) {
		static const uint8_t ext[] = { 0, 5, 0, 0x0f, 0, 1, 1 };

		memcpy(body + n, ext, sizeof(ext));
		n += sizeof(ext);
	} else {
		static const uint8_t ext[] = { 0, 4, 0xff, 0x01, 0, 0 };

		memcpy(body + n, ext, sizeof(ext));
		n += sizeof(ext);
	}
	for (i = 0; i < nfrag; i++) {
		size_t fl = i + 1 < nfrag ? n / nfrag : n - off;
		uint8_t *p = out + w;

		hdr13(p, TLS_CT_HANDSHAKE, DTLS_V_10, i + msg_seq * 8,
		    (uint16_t)(12 + fl));
		p += 13;
		p[0] = TLS_HS_CLIENT_HELLO;
		p[1] = 0;
		p[2] = (uint8_t)(n >> 8);
		p[3] = (uint8_t)n;
		p[4] = (uint8_t)(msg_seq >> 8);
		p[5] = (uint8_t)msg_seq;
		p[6] = 0;
		p[7] = (uint8_t)(off >> 8);
		p[8] = (uint8_t)off;
		p[9] = 0;
		p[10] = (uint8_t)(fl >> 8);
		p[11] = (uint8_t)fl;
		memcpy(p + 12, body + off, fl);
		off += fl;
		w += 25 + fl;
	}
	return w;
}

/*
 * The client's answer to our flight datagram dg: each heartbeat record is
 * answered from the datagram buffer itself.  1.0.1f copies payload_length
 * bytes from the record's payload on, past its end into the next record;
 * 1.0.1g drops a request whose 1 + 2 + length + 16 exceeds the record.
 * Then its next flight (a ClientKeyExchange record), or alert 10 when it
 * has no heartbeat code.  Returns the answer's length.
 */
static size_t answer(enum model m, const uint8_t *dg, size_t n, uint8_t *out)
{
	size_t off = 0, w = 0, i;
	uint64_t seq = 10;

	while (off + 13 <= n) {
		uint16_t len = (uint16_t)(dg[off + 11] << 8 | dg[off + 12]);
		const uint8_t *b = dg + off + 13;

		if (dg[off] == TLS_CT_HEARTBEAT && m == M_NOHB) {
			hdr13(out + w, TLS_CT_ALERT, DTLS_V_12, seq++, 2);
			out[w + 13] = 2;
			out[w + 14] = 10;
			return w + 15;
		}
		if (dg[off] == TLS_CT_HEARTBEAT && b[0] == 1) {
			uint16_t pl = (uint16_t)(b[1] << 8 | b[2]);

			if (m == M_FIXED && 1 + 2 + (size_t)pl + 16 > len) {
				off += 13 + len;
				continue;
			}
			assert_true(off + 13 + 3 + pl <= n); /* in the buffer */
			hdr13(out + w, TLS_CT_HEARTBEAT, DTLS_V_12, seq++,
			    (uint16_t)(3 + pl + 16));
			out[w + 13] = 2;
			out[w + 14] = (uint8_t)(pl >> 8);
			out[w + 15] = (uint8_t)pl;
			memcpy(out + w + 16, b + 3, pl);
			for (i = 0; i < 16; i++)
				out[w + 16 + pl + i] = (uint8_t)(0xa0 + i);
			w += 13 + 3 + pl + 16;
		}
		off += 13 + len;
	}
	hdr13(out + w, TLS_CT_HANDSHAKE, DTLS_V_12, seq, 12 + 2);
	memset(out + w + 13, 0, 14);
	out[w + 13] = 16; /* ClientKeyExchange */
	out[w + 16] = 2;
	out[w + 24] = 2;
	return w + 13 + 14;
}

struct x {
	struct dclient d;
	struct dclient_cfg cfg;
	uint8_t buf[DCLIENT_OUT_MIN];
	struct probe_out o;
};

static void feed(struct x *x, const uint8_t *b, size_t n)
{
	memset(&x->o, 0, sizeof(x->o));
	x->o.buf = x->buf;
	x->o.cap = sizeof(x->buf);
	dclient_on_datagram(&x->d, b, n, &x->o);
}

/* A whole test: hello (with the HelloVerifyRequest when cookie is set),
 * our flight, the model's answer. */
static void run(enum model m, uint16_t ver, int cookie, unsigned nfrag,
    enum probe_verdict want, const char *why)
{
	static struct x x;
	uint8_t dg[2048], ans[4096];
	size_t n;

	memset(&x, 0, sizeof(x));
	x.cfg.cookie = (uint8_t)cookie;
	dclient_init(&x.d, &x.cfg, 42 + m);
	n = client_hello(dg, ver, NULL, 0, m != M_NOHB, 0, nfrag);
	feed(&x, dg, n);
	if (cookie) {
		const uint8_t *c;

		/* A HelloVerifyRequest: record, fragment, version, cookie. */
		assert_int_equal(x.buf[0], TLS_CT_HANDSHAKE);
		assert_int_equal(x.buf[13], TLS_HS_HELLO_VERIFY_REQUEST);
		assert_int_equal(x.buf[27], DCLIENT_COOKIE_LEN);
		assert_false(dclient_is_done(&x.d));
		c = x.buf + 28;
		n = client_hello(dg, ver, c, DCLIENT_COOKIE_LEN, m != M_NOHB,
		    1, nfrag);
		feed(&x, dg, n);
	}
	/* Our flight: the ServerHello first, with the right message_seq. */
	assert_true(x.o.len > 300);
	assert_int_equal(x.buf[0], TLS_CT_HANDSHAKE);
	assert_int_equal(x.buf[13], TLS_HS_SERVER_HELLO);
	assert_int_equal(x.buf[18], cookie ? 1 : 0);
	assert_int_equal(x.buf[25] << 8 | x.buf[26],
	    ver == DTLS_V_10 ? DTLS_V_10 : DTLS_V_12);
	n = answer(m, x.buf, x.o.len, ans);
	feed(&x, ans, n);
	assert_true(dclient_is_done(&x.d));
	assert_int_equal(x.d.verdict, want);
	assert_non_null(strstr(x.d.reason, why));
}

static void test_models(void **state)
{
	unsigned cookie, frag;

	(void)state;
	for (cookie = 0; cookie < 2; cookie++)
		for (frag = 1; frag <= 3; frag += 2) {
			run(M_VULN, DTLS_V_12, (int)cookie, frag,
			    PV_VULNERABLE, "(0 bytes of client memory");
			run(M_VULN, DTLS_V_10, (int)cookie, frag,
			    PV_VULNERABLE, "our own sentinel record");
			run(M_FIXED, DTLS_V_12, (int)cookie, frag, PV_PATCHED,
			    "valid heartbeat echoed");
			run(M_NOHB, DTLS_V_12, (int)cookie, frag,
			    PV_NO_HEARTBEAT, "alert 10");
		}
}

static void test_result(void **state)
{
	static struct x x;
	struct client_result r;
	uint8_t dg[2048], ans[4096];
	size_t n;

	(void)state;
	memset(&x, 0, sizeof(x));
	dclient_init(&x.d, &x.cfg, 9);
	n = client_hello(dg, DTLS_V_12, NULL, 0, 1, 0, 1);
	feed(&x, dg, n);
	/* The hello again: the same flight again, byte for byte. */
	memcpy(ans, x.buf, x.o.len);
	n = x.o.len;
	feed(&x, dg, client_hello(dg, DTLS_V_12, NULL, 0, 1, 0, 1));
	assert_int_equal(x.o.len, n);
	assert_memory_equal(x.buf, ans, n);
	n = answer(M_VULN, x.buf, x.o.len, ans);
	feed(&x, ans, n);
	dclient_get_result(&x.d, &r);
	assert_int_equal(r.verdict, PV_VULNERABLE);
	assert_int_equal(r.version, DTLS_V_12);
	assert_int_equal(r.disclosed, 0);
	assert_true(r.heartbeat_ext);
	assert_string_equal(r.strategy, "dtls");
	assert_non_null(r.hello);
	assert_int_equal(r.hello->version, DTLS_V_12);
}

static void test_odd_clients(void **state)
{
	static struct x x;
	static const uint8_t garbage[] = "GET / HTTP/1.1\r\n\r\n";
	uint8_t dg[2048];
	size_t n;

	(void)state;
	/* Not DTLS. */
	memset(&x, 0, sizeof(x));
	dclient_init(&x.d, &x.cfg, 1);
	feed(&x, garbage, sizeof(garbage) - 1);
	assert_int_equal(x.d.verdict, PV_NOT_TLS);
	/* A hello that never completes: a timeout. */
	dclient_init(&x.d, &x.cfg, 2);
	n = client_hello(dg, DTLS_V_12, NULL, 0, 1, 0, 3);
	feed(&x, dg, 13 + (size_t)(dg[11] << 8 | dg[12])); /* 1 of 3 */
	assert_false(dclient_is_done(&x.d));
	dclient_on_timeout(&x.d);
	assert_int_equal(x.d.verdict, PV_TIMEOUT);
	/* Extension 15 offered, then silence: a timeout, not a claim. */
	dclient_init(&x.d, &x.cfg, 3);
	feed(&x, dg, n);
	assert_true(x.o.len > 0);
	dclient_on_timeout(&x.d);
	assert_int_equal(x.d.verdict, PV_TIMEOUT);
	/* No extension, then silence: no heartbeat. */
	dclient_init(&x.d, &x.cfg, 4);
	feed(&x, dg, client_hello(dg, DTLS_V_12, NULL, 0, 0, 0, 1));
	dclient_on_timeout(&x.d);
	assert_int_equal(x.d.verdict, PV_NO_HEARTBEAT);
	/* Extension 15 offered, then alert 10 to the heartbeats (GnuTLS):
	 * patched. */
	dclient_init(&x.d, &x.cfg, 7);
	feed(&x, dg, client_hello(dg, DTLS_V_12, NULL, 0, 1, 0, 1));
	hdr13(dg, TLS_CT_ALERT, DTLS_V_12, 3, 2);
	dg[13] = 2;
	dg[14] = 10;
	feed(&x, dg, 15);
	assert_int_equal(x.d.verdict, PV_PATCHED);
	assert_non_null(strstr(x.d.reason, "refused during the handshake"));
	/* A TLS (not DTLS) version in the hello. */
	dclient_init(&x.d, &x.cfg, 5);
	feed(&x, dg, client_hello(dg, 0x0303, NULL, 0, 1, 0, 1));
	assert_int_equal(x.d.verdict, PV_HANDSHAKE_FAILED);
	/* A wrong cookie after our HelloVerifyRequest. */
	x.cfg.cookie = 1;
	dclient_init(&x.d, &x.cfg, 6);
	feed(&x, dg, client_hello(dg, DTLS_V_12, NULL, 0, 1, 0, 1));
	feed(&x, dg,
	    client_hello(dg, DTLS_V_12, (const uint8_t *)"0123456789abcdef",
		16, 1, 1, 1));
	assert_int_equal(x.d.verdict, PV_HANDSHAKE_FAILED);
	assert_non_null(strstr(x.d.reason, "another cookie"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_models),
		cmocka_unit_test(test_result),
		cmocka_unit_test(test_odd_clients),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
