/*
 * OpenVPN's control-channel layer (and the TLS engine inside it) against
 * an arbitrary server.  Input: byte 0 configuration, byte 1 clock seed,
 * then the server's packets separated by ff fe fd fc.  Each packet is also
 * parsed on its own.
 *
 * Oracles: the probe always ends with a verdict and a reason; everything
 * it sends is a chain of framed packets, each a control packet (reset,
 * P_CONTROL_V1 or P_ACK_V1) with our session id and at most OVPN_CHUNK
 * TLS bytes; nothing is sent with a reconnect or a verdict.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/openvpn.h"
#include "probe/ovpn_auth.h"
#include "tls/tls.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define SEP "\xff\xfe\xfd\xfc"
#define SEP_LEN 4
#define MAX_EVENTS 400

static struct ovpn_auth cli, srv;

static void check_out(const struct ovpn_probe *p, const struct probe_out *o)
{
	size_t off = 0;

	CHECK(o->len <= o->cap);
	if (o->len == 0)
		return;
	CHECK(o->act == PA_CONTINUE);
	while (off < o->len) {
		struct ovpn_pkt k;
		size_t n;

		CHECK(off + 2 <= o->len);
		n = (size_t)o->buf[off] << 8 | o->buf[off + 1];
		CHECK(off + 2 + n <= o->len);
		if (p->auth)
			CHECK(ovpn_auth_check(&srv, o->buf + off + 2, n) == 0);
		CHECK(ovpn_pkt_parse_skip(o->buf + off + 2, n,
		    p->auth ? ovpn_auth_overhead(&srv) : 0, &k) == 0);
		CHECK(memcmp(k.sid, p->sid, 8) == 0);
		CHECK(k.payload_len <= OVPN_CHUNK);
		CHECK(k.op != OVPN_P_CONTROL_HARD_RESET_SERVER_V2);
		off += 2 + n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ovpn_probe p;
	static uint8_t obuf[PROBE_OUT_MIN], sbuf[70000];
	struct probe_cfg cfg;
	struct probe_out o;
	struct probe_result res;
	struct ovpn_pkt k;
	uint64_t now = 0;
	uint32_t x;
	size_t off = 2;
	unsigned wake;
	int events = 0;

	if (size < 2)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.sni = data[0] & 1 ? "vpn.example.com" : NULL;
	cfg.max_version = data[0] & 2 ? TLS_V_TLS10 : TLS_V_TLS12;
	x = data[1] | 0x100;
	ovpn_probe_init(&p, &cfg, 0x0123456789abcdefULL);
	if (data[0] & 32) {
		uint8_t key[OVPN_KEY_LEN];
		size_t i;

		for (i = 0; i < sizeof(key); i++)
			key[i] = (uint8_t)(i * 13 + 1);
		ovpn_auth_init(&cli, key, OVPN_DIR_1,
		    (enum ovpn_digest)(data[1] % 3));
		ovpn_auth_init(&srv, key, OVPN_DIR_0,
		    (enum ovpn_digest)(data[1] % 3));
		p.auth = &cli;
	}
#define OUT() (o = (struct probe_out){ .buf = obuf, .cap = sizeof(obuf) })
	OUT();
	ovpn_probe_clock(&p, now);
	ovpn_probe_on_connected(&p, &o);
	check_out(&p, &o);
	wake = o.wake_ms;
	while (!ovpn_probe_is_done(&p) && events++ < MAX_EVENTS) {
		const uint8_t *sep;
		size_t n;

		if (ovpn_probe_is_idle(&p)) {
			OUT();
			ovpn_probe_on_connected(&p, &o);
			check_out(&p, &o);
			wake = o.wake_ms;
			continue;
		}
		x = x * 1103515245u + 12345u;
		if (wake && (x >> 16) % 3 == 0) {
			now += wake;
			OUT();
			ovpn_probe_clock(&p, now);
			ovpn_probe_on_wake(&p, &o);
			check_out(&p, &o);
			wake = o.wake_ms;
			continue;
		}
		if (off >= size)
			break;
		sep = memmem(data + off, size - off, SEP, SEP_LEN);
		n = sep ? (size_t)(sep - (data + off)) : size - off;
		if (ovpn_pkt_parse(data + off, n, &k) == 0)
			CHECK(k.payload + k.payload_len <= data + off + n);
		now += (x >> 20) % 50;
		OUT();
		ovpn_probe_clock(&p, now);
		if (p.auth && !(data[0] & 64) && n >= 9 && n < 65536) {
			ssize_t m;

			memcpy(sbuf, data + off, n);
			m = ovpn_auth_wrap(&srv, sbuf, n, sizeof(sbuf), x, 1);
			CHECK(m > 0);
			ovpn_probe_on_data(&p, sbuf, (size_t)m, &o);
		} else
			ovpn_probe_on_data(&p, data + off, n, &o);
		check_out(&p, &o);
		if (o.wake_ms)
			wake = o.wake_ms;
		off += n + (sep ? SEP_LEN : 0);
	}
	if (!ovpn_probe_is_done(&p)) {
		OUT();
		if (data[0] & 8)
			ovpn_probe_on_closed(&p, data[0] & 16 ? -ECONNREFUSED :
			    -EIO, &o);
		else
			ovpn_probe_on_timeout(&p, &o);
		CHECK(o.len == 0 || o.act == PA_CONTINUE);
		if (!ovpn_probe_is_done(&p))
			ovpn_probe_finish(&p, PV_TIMEOUT, "deadline passed");
	}
	ovpn_probe_get_result(&p, &res);
	CHECK(res.reason && res.reason[0]);
	CHECK(res.verdict < PV_COUNT);
	ovpn_probe_free(&p);
	return 0;
}
