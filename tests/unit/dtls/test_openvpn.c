/*
 * Unit tests: OpenVPN control packets and the control-channel layer
 * around the TLS engine.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "probe/openvpn.h"
#include "tls/tls.h"

static const uint8_t sid_a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t sid_b[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };

static void test_packet_roundtrip(void **st)
{
	uint8_t out[64], pl[3] = { 0x16, 0x03, 0x01 };
	uint32_t acks[2] = { 0, 7 };
	struct ovpn_pkt k;
	ssize_t n;

	(void)st;
	n = ovpn_pkt_write(OVPN_P_CONTROL_V1, sid_a, acks, 2, sid_b, 5, pl, 3,
	    out, sizeof(out));
	assert_int_equal(n, 2 + 1 + 8 + 1 + 8 + 8 + 4 + 3);
	assert_int_equal(out[0] << 8 | out[1], n - 2);
	assert_int_equal(out[2], OVPN_P_CONTROL_V1 << 3);
	assert_int_equal(ovpn_pkt_parse(out + 2, (size_t)n - 2, &k), 0);
	assert_int_equal(k.op, OVPN_P_CONTROL_V1);
	assert_memory_equal(k.sid, sid_a, 8);
	assert_int_equal(k.n_acks, 2);
	assert_int_equal(k.acks[1], 7);
	assert_memory_equal(k.rsid, sid_b, 8);
	assert_int_equal(k.packet_id, 5);
	assert_int_equal(k.payload_len, 3);
	assert_memory_equal(k.payload, pl, 3);
	/* An ack carries no packet id; truncations and data packets fail. */
	n = ovpn_pkt_write(OVPN_P_ACK_V1, sid_a, acks, 1, sid_b, 0, NULL, 0,
	    out, sizeof(out));
	assert_int_equal(n, 2 + 1 + 8 + 1 + 4 + 8);
	assert_int_equal(ovpn_pkt_parse(out + 2, (size_t)n - 2, &k), 0);
	assert_int_equal(ovpn_pkt_parse(out + 2, (size_t)n - 3, &k), -1);
	out[2] = 6 << 3;   /* P_DATA_V1 */
	assert_int_equal(ovpn_pkt_parse(out + 2, (size_t)n - 2, &k), -1);
	assert_int_equal(ovpn_pkt_write(OVPN_P_CONTROL_V1, sid_a, NULL, 0,
	    NULL, 1, pl, 3, out, 10), -1);
}

static struct probe_cfg cfg;
static uint8_t obuf[PROBE_OUT_MIN];

static struct probe_out out_new(void)
{
	struct probe_out o = { .buf = obuf, .cap = sizeof(obuf) };

	return o;
}

static void test_session_and_hello(void **st)
{
	struct ovpn_probe p;
	struct probe_out o;
	struct ovpn_pkt k;
	uint8_t srv[64];
	ssize_t n;
	uint32_t ack0 = 0;
	size_t off, frames = 0, tls = 0;

	(void)st;
	memset(&cfg, 0, sizeof(cfg));
	ovpn_probe_init(&p, &cfg, 77);
	ovpn_probe_clock(&p, 0);
	o = out_new();
	ovpn_probe_on_connected(&p, &o);
	assert_int_equal(ovpn_pkt_parse(o.buf + 2, o.len - 2, &k), 0);
	assert_int_equal(k.op, OVPN_P_CONTROL_HARD_RESET_CLIENT_V2);
	assert_int_equal(k.packet_id, 0);
	assert_int_equal(o.wake_ms, 1000);
	/* The reset again after 1 s. */
	ovpn_probe_clock(&p, 1000);
	o = out_new();
	ovpn_probe_on_wake(&p, &o);
	assert_int_equal(ovpn_pkt_parse(o.buf + 2, o.len - 2, &k), 0);
	assert_int_equal(k.op, OVPN_P_CONTROL_HARD_RESET_CLIENT_V2);
	/* The server's reset: the ClientHello follows, acking packet 0. */
	n = ovpn_pkt_write(OVPN_P_CONTROL_HARD_RESET_SERVER_V2, sid_b, &ack0,
	    1, k.sid, 0, NULL, 0, srv, sizeof(srv));
	o = out_new();
	ovpn_probe_on_data(&p, srv + 2, (size_t)n - 2, &o);
	assert_int_equal(o.act, PA_CONTINUE);
	for (off = 0; off + 2 <= o.len; frames++) {
		size_t len = (size_t)o.buf[off] << 8 | o.buf[off + 1];

		assert_int_equal(ovpn_pkt_parse(o.buf + off + 2, len, &k), 0);
		assert_int_equal(k.op, OVPN_P_CONTROL_V1);
		assert_memory_equal(k.rsid, sid_b, 8);
		assert_int_equal(k.packet_id, 1 + frames);
		assert_true(k.payload_len <= OVPN_CHUNK);
		if (frames == 0)
			assert_int_equal(k.payload[0], TLS_CT_HANDSHAKE);
		tls += k.payload_len;
		off += 2 + len;
	}
	assert_int_equal(off, o.len);
	assert_true(tls > 100);
	ovpn_probe_free(&p);
}

static void test_tls_auth_timeout_and_refused(void **st)
{
	struct ovpn_probe p;
	struct probe_out o;
	struct probe_result r;

	(void)st;
	memset(&cfg, 0, sizeof(cfg));
	ovpn_probe_init(&p, &cfg, 1);
	o = out_new();
	ovpn_probe_on_connected(&p, &o);
	o = out_new();
	ovpn_probe_on_timeout(&p, &o);
	ovpn_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_TIMEOUT);
	assert_non_null(strstr(r.reason, "tls-auth"));
	ovpn_probe_free(&p);

	ovpn_probe_init(&p, &cfg, 2);
	o = out_new();
	ovpn_probe_on_connected(&p, &o);
	o = out_new();
	ovpn_probe_on_closed(&p, -ECONNREFUSED, &o);
	ovpn_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_REFUSED);
	ovpn_probe_free(&p);

	/* OpenVPN over TCP: the connect itself refused. */
	ovpn_probe_init(&p, &cfg, 4);
	o = out_new();
	ovpn_probe_on_closed(&p, -ECONNREFUSED, &o);
	ovpn_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_REFUSED);
	ovpn_probe_free(&p);

	/* A close right after the reset: tls-auth, most likely. */
	ovpn_probe_init(&p, &cfg, 5);
	o = out_new();
	ovpn_probe_on_connected(&p, &o);
	o = out_new();
	ovpn_probe_on_closed(&p, 0, &o);
	ovpn_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_HANDSHAKE_FAILED);
	assert_non_null(strstr(r.reason, "tls-auth"));
	ovpn_probe_free(&p);

	ovpn_probe_init(&p, &cfg, 3);
	o = out_new();
	ovpn_probe_on_connected(&p, &o);
	o = out_new();
	ovpn_probe_on_data(&p, (const uint8_t *)"\x16\xfe\xff", 3, &o);
	ovpn_probe_get_result(&p, &r);
	assert_int_equal(r.verdict, PV_NOT_TLS);
	ovpn_probe_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packet_roundtrip),
		cmocka_unit_test(test_session_and_hello),
		cmocka_unit_test(test_tls_auth_timeout_and_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
