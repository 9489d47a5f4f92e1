/*
 * Unit tests: OpenVPN static key files, tls-auth signing and checking, and
 * the control channel's send and receive windows (copies of lost packets,
 * packets ahead of a gap, duplicates).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "probe/openvpn.h"
#include "probe/ovpn_auth.h"
#include "tls/tls.h"

/* A key file's text for key bytes i * 7 + 3 (mod 256), 16 per line. */
static size_t key_text(char *out, size_t cap, size_t nbytes, const char *eol)
{
	size_t i, n = 0;

	n += (size_t)snprintf(out + n, cap - n,
	    "#%s# 2048 bit OpenVPN static key%s#%s"
	    "-----BEGIN OpenVPN Static key V1-----%s",
	    eol, eol, eol, eol);
	for (i = 0; i < nbytes; i++)
		n += (size_t)snprintf(out + n, cap - n, "%02x%s",
		    (unsigned)((i * 7 + 3) & 0xff), i % 16 == 15 ? eol : "");
	n += (size_t)snprintf(out + n, cap - n, "%s%s", nbytes % 16 ? eol : "",
	    "-----END OpenVPN Static key V1-----");
	n += (size_t)snprintf(out + n, cap - n, "%s", eol);
	return n;
}

static int all_zero(const uint8_t *b, size_t n)
{
	while (n--)
		if (*b++)
			return 0;
	return 1;
}

static void test_key_parse(void **st)
{
	static char t[20000];
	uint8_t key[OVPN_KEY_LEN];
	char why[160];
	size_t n, i;

	(void)st;
	n = key_text(t, sizeof(t), 256, "\n");
	assert_int_equal(ovpn_key_parse((uint8_t *)t, n, key, why, sizeof(why)),
	    0);
	for (i = 0; i < OVPN_KEY_LEN; i++)
		assert_int_equal(key[i], (i * 7 + 3) & 0xff);
	/* CRLF line ends, trailing blanks and blank lines are fine. */
	n = key_text(t, sizeof(t), 256, " \r\n");
	assert_int_equal(ovpn_key_parse((uint8_t *)t, n, key, why, sizeof(why)),
	    0);
	assert_int_equal(key[255], (255 * 7 + 3) & 0xff);
}

/* Each corrupt file fails, says why without key bytes, leaves key 0. */
static void bad(const char *t, size_t n, const char *want)
{
	uint8_t key[OVPN_KEY_LEN];
	char why[160] = "";

	memset(key, 0xaa, sizeof(key));
	assert_int_equal(ovpn_key_parse((const uint8_t *)t, n, key, why,
			     sizeof(why)),
	    -1);
	assert_true(all_zero(key, sizeof(key)));
	if (!strstr(why, want))
		print_error("why: %s (want %s)\n", why, want);
	assert_non_null(strstr(why, want));
	assert_null(strstr(why, "0310")); /* no key hex quoted */
}

static void test_key_parse_corrupt(void **st)
{
	static char t[20000], u[20100];
	size_t n;
	char *p;

	(void)st;
	n = key_text(t, sizeof(t), 255, "\n");
	bad(t, n, "255 key bytes");
	n = key_text(t, sizeof(t), 257, "\n");
	bad(t, n, "more than 256");
	n = key_text(t, sizeof(t), 128, "\n");
	bad(t, n, "128 key bytes");
	/* Half a byte short. */
	n = key_text(t, sizeof(t), 255, "\n");
	p = strstr(t, "-----END");
	memmove(p + 2, p, strlen(p) + 1);
	memcpy(p, "a\n", 2);
	bad(t, n + 2, "255 key bytes and a half");
	/* A character that is not hex, in line 6. */
	n = key_text(t, sizeof(t), 256, "\n");
	p = strstr(t, "V1-----\n") + 8 + 16;
	*p = 'g';
	bad(t, n, "line 5: a character that is not a hex digit");
	/* No footer, no header, text around them. */
	n = key_text(t, sizeof(t), 256, "\n");
	bad(t, (size_t)(strstr(t, "-----END") - t), "no \"-----END");
	bad("# nothing\n", 10, "no \"-----BEGIN");
	snprintf(u, sizeof(u), "junk\n%s", t);
	bad(u, strlen(u), "line 1: text before");
	snprintf(u, sizeof(u), "%sjunk\n", t);
	bad(u, strlen(u), "text after");
	/* A NUL, and a file far larger than a key. */
	memcpy(u, t, n);
	u[40] = '\0';
	bad(u, n, "NUL");
	memset(u, '#', sizeof(u));
	bad(u, sizeof(u), "larger than");
	/* The tls-crypt-v2 and PEM-looking headers are not static keys. */
	bad("-----BEGIN OpenVPN tls-crypt-v2 client key-----\n", 48,
	    "line 1: text before");
}

static void test_digest_and_direction(void **st)
{
	uint8_t key[OVPN_KEY_LEN];
	struct ovpn_auth a;
	enum ovpn_digest md;
	int i;

	(void)st;
	assert_int_equal(ovpn_digest_parse("sha256", &md), 0);
	assert_int_equal(md, OVPN_MD_SHA256);
	assert_int_equal(ovpn_digest_parse("SHA512", &md), 0);
	assert_int_equal(md, OVPN_MD_SHA512);
	assert_int_equal(ovpn_digest_parse("MD5", &md), -1);
	assert_string_equal(ovpn_digest_name(OVPN_MD_SHA1), "SHA1");
	for (i = 0; i < OVPN_KEY_LEN; i++)
		key[i] = (uint8_t)i;
	/* Key 0's HMAC half starts at byte 64, key 1's at 192. */
	ovpn_auth_init(&a, key, OVPN_DIR_1, OVPN_MD_SHA1);
	assert_int_equal(a.mac_len, 20);
	assert_int_equal(a.out_key[0], 192);
	assert_int_equal(a.in_key[0], 64);
	assert_int_equal(ovpn_auth_overhead(&a), 28);
	ovpn_auth_init(&a, key, OVPN_DIR_0, OVPN_MD_SHA512);
	assert_int_equal(a.mac_len, 64);
	assert_int_equal(a.out_key[0], 64);
	assert_int_equal(a.out_key[63], 127);
	assert_int_equal(a.in_key[0], 192);
	ovpn_auth_init(&a, key, OVPN_DIR_NONE, OVPN_MD_SHA256);
	assert_int_equal(a.out_key[0], 64);
	assert_int_equal(a.in_key[0], 64);
	assert_int_equal(a.in_key[31], 95);
	assert_int_equal(a.in_key[32], 0); /* only the digest's size */
	ovpn_auth_wipe(&a);
	assert_true(all_zero((uint8_t *)&a, sizeof(a)));
}

/*
 * Known answers: HMAC zero-pads a short key, so key 1's HMAC half "Jefe"
 * and zeros is RFC 2202/4231's key "Jefe", and a packet laid out as
 * replay fields "what do ", header "ya want f", rest "or nothing?" is
 * their message.
 */
static void test_mac_known_answers(void **st)
{
	static const struct {
		enum ovpn_digest md;
		const char *hex;
	} kat[] = {
		{ OVPN_MD_SHA1, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
		{ OVPN_MD_SHA256,
		    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b9"
		    "64ec3843" },
		{ OVPN_MD_SHA512,
		    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7"
		    "ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b"
		    "636e070a38bce737" },
	};
	uint8_t key[OVPN_KEY_LEN], pkt[200];
	char hex[130];
	struct ovpn_auth cli, srv;
	size_t i, j;
	ssize_t n;

	(void)st;
	memset(key, 0, sizeof(key));
	memcpy(key + 192, "Jefe", 4);
	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		ovpn_auth_init(&cli, key, OVPN_DIR_1, kat[i].md);
		ovpn_auth_init(&srv, key, OVPN_DIR_0, kat[i].md);
		memcpy(pkt, "ya want for nothing?", 20);
		n = ovpn_auth_wrap(&cli, pkt, 20, sizeof(pkt), 0x77686174,
		    0x20646f20);
		assert_int_equal(n, 20 + cli.mac_len + 8);
		for (j = 0; j < cli.mac_len; j++)
			snprintf(hex + 2 * j, 3, "%02x", pkt[9 + j]);
		assert_string_equal(hex, kat[i].hex);
		assert_memory_equal(pkt, "ya want f", 9);
		assert_memory_equal(pkt + 9 + cli.mac_len, "what do ", 8);
		assert_memory_equal(pkt + 9 + cli.mac_len + 8, "or nothing?",
		    11);
		/* The server (direction 0) checks it with the same half. */
		assert_int_equal(ovpn_auth_check(&srv, pkt, (size_t)n), 0);
		/* But not the client itself: its incoming half is key 0. */
		assert_int_equal(ovpn_auth_check(&cli, pkt, (size_t)n), -2);
		pkt[n - 1] ^= 1;
		assert_int_equal(ovpn_auth_check(&srv, pkt, (size_t)n), -2);
		assert_int_equal(ovpn_auth_check(&srv, pkt, 9 + cli.mac_len),
		    -1);
		assert_int_equal(ovpn_auth_wrap(&cli, pkt, 20, 20 + 8, 1, 1),
		    -1);
	}
}

static struct probe_cfg cfg;
static uint8_t obuf[PROBE_OUT_MIN];
static uint8_t tkey[OVPN_KEY_LEN];

static struct probe_out out_new(void)
{
	struct probe_out o = { .buf = obuf, .cap = sizeof(obuf) };

	return o;
}

/* The packets of o, parsed (tls-auth checked with srv when not NULL). */
static size_t frames(const struct probe_out *o, const struct ovpn_auth *srv,
    struct ovpn_pkt *k, size_t max)
{
	size_t off = 0, i = 0;

	while (off + 2 <= o->len && i < max) {
		size_t len = (size_t)o->buf[off] << 8 | o->buf[off + 1];

		assert_true(off + 2 + len <= o->len);
		if (srv)
			assert_int_equal(
			    ovpn_auth_check(srv, o->buf + off + 2, len), 0);
		assert_int_equal(ovpn_pkt_parse_skip(o->buf + off + 2, len,
				     srv ? ovpn_auth_overhead(srv) : 0, &k[i]),
		    0);
		i++;
		off += 2 + len;
	}
	assert_int_equal(off, o->len);
	return i;
}

/* A server packet, signed with srv when not NULL. */
static size_t server_pkt(const struct ovpn_auth *srv, uint8_t op,
    const uint8_t rsid[8], uint32_t *acks, uint8_t na, uint32_t id,
    const uint8_t *pl, size_t len, uint8_t *b, size_t cap)
{
	static const uint8_t ssid[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
	ssize_t n = ovpn_pkt_write(op, ssid, acks, na, rsid, id, pl, len, b,
	    cap);

	assert_true(n > 0);
	memmove(b, b + 2, (size_t)n - 2);
	n -= 2;
	if (srv)
		n = ovpn_auth_wrap(srv, b, (size_t)n, cap, 7, 1000);
	assert_true(n > 0);
	return (size_t)n;
}

static void test_engine_tls_auth(void **st)
{
	struct ovpn_auth cli, srv, other;
	struct ovpn_probe p;
	struct probe_out o;
	struct probe_result r;
	struct ovpn_pkt k[8];
	uint8_t b[256], sid[8];
	uint32_t ack0 = 0;
	size_t n, i, nf;

	(void)st;
	for (i = 0; i < OVPN_KEY_LEN; i++)
		tkey[i] = (uint8_t)(i * 31 + 5);
	ovpn_auth_init(&cli, tkey, OVPN_DIR_1, OVPN_MD_SHA256);
	ovpn_auth_init(&srv, tkey, OVPN_DIR_0, OVPN_MD_SHA256);
	ovpn_auth_init(&other, tkey, OVPN_DIR_1, OVPN_MD_SHA256);
	memset(&cfg, 0, sizeof(cfg));
	ovpn_probe_init(&p, &cfg, 11);
	p.auth = &cli;
	ovpn_probe_clock(&p, 0);
	o = out_new();
	ovpn_probe_on_connected(&p, &o);
	assert_int_equal(frames(&o, &srv, k, 8), 1);
	assert_int_equal(k[0].op, OVPN_P_CONTROL_HARD_RESET_CLIENT_V2);
	assert_int_equal(k[0].packet_id, 0);
	memcpy(sid, k[0].sid, 8);
	/* The copy after 1 s has a new replay id, so a server's replay
	 * check takes it. */
	ovpn_probe_clock(&p, 1000);
	o = out_new();
	ovpn_probe_on_wake(&p, &o);
	assert_int_equal(frames(&o, &srv, k, 8), 1);
	assert_int_equal(p.auth_pid, 2);
	/* The signed server reset: ClientHello packets, signed. */
	n = server_pkt(&srv, OVPN_P_CONTROL_HARD_RESET_SERVER_V2, sid, &ack0, 1,
	    0, NULL, 0, b, sizeof(b));
	o = out_new();
	ovpn_probe_on_data(&p, b, n, &o);
	nf = frames(&o, &srv, k, 8);
	assert_true(nf >= 1);
	assert_int_equal(k[0].op, OVPN_P_CONTROL_V1);
	assert_int_equal(k[0].n_acks, 1);
	assert_int_equal(k[0].acks[0], 0);
	assert_int_equal(k[0].payload[0], TLS_CT_HANDSHAKE);
	assert_int_equal(p.state, PS_FLIGHT);
	ovpn_probe_free(&p);

	/* A server reset signed with another key: handshake-failed at once. */
	ovpn_probe_init(&p, &cfg, 12);
	p.auth = &cli;
	o = out_new();
	ovpn_probe_on_connected(&p, &o);
	frames(&o, &srv, k, 8);
	n = server_pkt(&other, OVPN_P_CONTROL_HARD_RESET_SERVER_V2, k[0].sid,
	    &ack0, 1, 0, NULL, 0, b, sizeof(b));
	o = out_new();
	ovpn_probe_on_data(&p, b, n, &o);
	assert_int_equal(o.act, PA_DONE);
	assert_int_equal(o.len, 0);
	ovpn_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_HANDSHAKE_FAILED);
	assert_non_null(strstr(r.reason, "fails the tls-auth HMAC (SHA256)"));
	ovpn_probe_free(&p);

	/* A server without tls-auth answering anyway. */
	ovpn_probe_init(&p, &cfg, 13);
	p.auth = &cli;
	o = out_new();
	ovpn_probe_on_connected(&p, &o);
	frames(&o, &srv, k, 8);
	n = server_pkt(NULL, OVPN_P_CONTROL_HARD_RESET_SERVER_V2, k[0].sid,
	    &ack0, 1, 0, NULL, 0, b, sizeof(b));
	o = out_new();
	ovpn_probe_on_data(&p, b, n, &o);
	ovpn_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_HANDSHAKE_FAILED);
	assert_non_null(strstr(r.reason, "without tls-auth"));
	ovpn_probe_free(&p);

	/* No answer with a key: the reason says the key is not the
	 * server's. */
	ovpn_probe_init(&p, &cfg, 14);
	p.auth = &cli;
	o = out_new();
	ovpn_probe_on_connected(&p, &o);
	o = out_new();
	ovpn_probe_on_timeout(&p, &o);
	ovpn_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_TIMEOUT);
	assert_non_null(strstr(r.reason, "does not hold this tls-auth key"));
	ovpn_probe_free(&p);
}

/* Up to the ClientHello, without tls-auth; returns our session id. */
static void hello(struct ovpn_probe *p, uint8_t sid[8], struct ovpn_pkt *k,
    size_t *nf)
{
	struct probe_out o;
	uint8_t b[128];
	uint32_t ack0 = 0;
	size_t n;

	memset(&cfg, 0, sizeof(cfg));
	ovpn_probe_init(p, &cfg, 21);
	ovpn_probe_clock(p, 0);
	o = out_new();
	ovpn_probe_on_connected(p, &o);
	frames(&o, NULL, k, 8);
	memcpy(sid, k[0].sid, 8);
	n = server_pkt(NULL, OVPN_P_CONTROL_HARD_RESET_SERVER_V2, sid, &ack0,
	    1, 0, NULL, 0, b, sizeof(b));
	o = out_new();
	ovpn_probe_on_data(p, b, n, &o);
	*nf = frames(&o, NULL, k, 8);
}

static void test_engine_copies(void **st)
{
	struct ovpn_probe p;
	struct probe_out o;
	struct ovpn_pkt k[8], c[8];
	uint8_t sid[8], b[128];
	uint32_t acks[8];
	size_t nf, i, n;

	(void)st;
	hello(&p, sid, k, &nf);
	assert_int_equal(k[0].packet_id, 1);
	/* Nothing acknowledged: every packet again after 1 s, then 2 s. */
	ovpn_probe_clock(&p, 1000);
	o = out_new();
	ovpn_probe_on_wake(&p, &o);
	assert_int_equal(frames(&o, NULL, c, 8), nf);
	assert_int_equal(c[0].packet_id, 1);
	assert_int_equal(c[0].payload_len, k[0].payload_len);
	assert_int_equal(p.copies, nf);
	ovpn_probe_clock(&p, 2000);
	o = out_new();
	ovpn_probe_on_wake(&p, &o);
	assert_int_equal(o.len, 0); /* the next copy is due at 3 s */
	ovpn_probe_clock(&p, 3000);
	o = out_new();
	ovpn_probe_on_wake(&p, &o);
	assert_int_equal(frames(&o, NULL, c, 8), nf);
	/* The server acknowledges them all: no more copies. */
	for (i = 0; i < nf; i++)
		acks[i] = k[i].packet_id;
	n = server_pkt(NULL, OVPN_P_ACK_V1, sid, acks, (uint8_t)nf, 0, NULL, 0,
	    b, sizeof(b));
	o = out_new();
	ovpn_probe_on_data(&p, b, n, &o);
	for (i = 0; i < OVPN_TX_SLOTS; i++)
		assert_false(p.tx[i].used);
	ovpn_probe_clock(&p, 20000);
	o = out_new();
	ovpn_probe_on_wake(&p, &o);
	assert_int_equal(o.len, 0);
	ovpn_probe_free(&p);

	/* Copies stop after OVPN_SENDS. */
	hello(&p, sid, k, &nf);
	for (i = 1; i <= 20; i++) {
		ovpn_probe_clock(&p, i * 1000);
		o = out_new();
		ovpn_probe_on_wake(&p, &o);
	}
	assert_int_equal(p.copies, nf * (OVPN_SENDS - 1));
	ovpn_probe_free(&p);
}

static void test_engine_reorder_and_copies_in(void **st)
{
	struct ovpn_probe p;
	struct probe_out o;
	struct ovpn_pkt k[8];
	uint8_t sid[8], b[256], pl[20];
	size_t nf, n;

	(void)st;
	hello(&p, sid, k, &nf);
	assert_int_equal(p.rx_next, 1);
	/* Server packet 2 before 1: kept and acknowledged, not taken. */
	memset(pl, 0, sizeof(pl));
	pl[0] = TLS_CT_HANDSHAKE;
	pl[1] = 3;
	pl[2] = 3;
	pl[4] = 10; /* a 10-byte record, split over the two packets */
	n = server_pkt(NULL, OVPN_P_CONTROL_V1, sid, NULL, 0, 2, pl + 8, 7, b,
	    sizeof(b));
	o = out_new();
	ovpn_probe_on_data(&p, b, n, &o);
	assert_int_equal(frames(&o, NULL, k, 8), 1);
	assert_int_equal(k[0].op, OVPN_P_ACK_V1);
	assert_int_equal(k[0].acks[0], 2);
	assert_int_equal(p.rx_next, 1);
	/* A copy of it: acknowledged again, kept once. */
	o = out_new();
	ovpn_probe_on_data(&p, b, n, &o);
	assert_int_equal(frames(&o, NULL, k, 8), 1);
	assert_int_equal(k[0].acks[0], 2);
	/* Packet 1: both go to the TLS engine. */
	n = server_pkt(NULL, OVPN_P_CONTROL_V1, sid, NULL, 0, 1, pl, 8, b,
	    sizeof(b));
	o = out_new();
	ovpn_probe_on_data(&p, b, n, &o);
	assert_int_equal(p.rx_next, 3);
	assert_int_equal(frames(&o, NULL, k, 8), 1);
	assert_int_equal(k[0].acks[0], 1);
	/* A copy of packet 1 after that: acknowledged, not taken again. */
	o = out_new();
	ovpn_probe_on_data(&p, b, n, &o);
	assert_int_equal(p.rx_next, 3);
	assert_int_equal(frames(&o, NULL, k, 8), 1);
	assert_int_equal(k[0].op, OVPN_P_ACK_V1);
	assert_int_equal(k[0].acks[0], 1);
	/* Far ahead: neither kept nor acknowledged. */
	n = server_pkt(NULL, OVPN_P_CONTROL_V1, sid, NULL, 0,
	    3 + OVPN_RX_SLOTS + 1, pl, 8, b, sizeof(b));
	o = out_new();
	ovpn_probe_on_data(&p, b, n, &o);
	assert_int_equal(o.len, 0);
	ovpn_probe_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_parse),
		cmocka_unit_test(test_key_parse_corrupt),
		cmocka_unit_test(test_digest_and_direction),
		cmocka_unit_test(test_mac_known_answers),
		cmocka_unit_test(test_engine_tls_auth),
		cmocka_unit_test(test_engine_copies),
		cmocka_unit_test(test_engine_reorder_and_copies_in),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
