/*
 * The DTLS probe engine against an arbitrary server.  Input:
 *   byte 0: configuration (SNI, highest version, --leak, which error ends
 *           the socket);
 *   byte 1: seeds the clock steps between datagrams;
 *   the rest: the server's datagrams, separated by ff fe fd fc; a
 *           separator doubled means "the socket is replaced" when the
 *           engine asked to reconnect.
 * Wake-ups the engine asked for fire between datagrams; when the input
 * runs out, the socket fails or the deadline passes.
 *
 * Oracles: the probe always reaches a verdict with a reason; each datagram
 * it sends is a DTLS record set of its own (record headers chain to the
 * end); nothing is sent with a reconnect or a verdict; and "vulnerable"
 * is only said when the reader saw the probe's echo.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/dtls.h"
#include "tls/tls.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define SEP "\xff\xfe\xfd\xfc"
#define SEP_LEN 4
#define MAX_EVENTS 400

static void check_datagram(const struct probe_out *o)
{
	struct rec_hdr h;
	const uint8_t *body;
	size_t off = 0;
	int r;

	CHECK(o->len <= o->cap);
	if (o->len == 0)
		return;
	CHECK(o->act == PA_CONTINUE);
	while ((r = dtls_rec_next(o->buf, o->len, &off, &h, &body)) == 1)
		CHECK(h.epoch == 0);
	CHECK(r == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t obuf[PROBE_OUT_MIN];
	struct dtls_probe p;
	struct probe_cfg cfg;
	struct probe_out o;
	struct probe_result res;
	uint64_t now = 0;
	uint32_t x;
	size_t off = 2;
	unsigned wake = 0;
	int events = 0;
	const int errs[] = { -ECONNREFUSED, -EHOSTUNREACH, -EIO, 0 };

	if (size < 2)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.sni = data[0] & 1 ? "example.com" : NULL;
	cfg.max_version = data[0] & 2 ? TLS_V_TLS11 : TLS_V_TLS12;
	cfg.leak = data[0] & 4 ? (uint16_t)(data[0] * 61) : 0;
	x = data[1] | 0x100;
	dtls_probe_init(&p, &cfg, 0x0123456789abcdefULL);
#define OUT() (o = (struct probe_out){ .buf = obuf, .cap = sizeof(obuf) })
	OUT();
	dtls_probe_clock(&p, now);
	dtls_probe_on_connected(&p, &o);
	check_datagram(&o);
	wake = o.wake_ms;
	while (!dtls_probe_is_done(&p) && events++ < MAX_EVENTS) {
		const uint8_t *sep;
		size_t n;

		if (dtls_probe_is_idle(&p)) {
			OUT();
			dtls_probe_on_connected(&p, &o);
			check_datagram(&o);
			wake = o.wake_ms ? o.wake_ms : wake;
			continue;
		}
		x = x * 1103515245u + 12345u;
		if (wake && (x >> 16) % 3 == 0) {
			now += wake;
			wake = 0;
			OUT();
			dtls_probe_clock(&p, now);
			dtls_probe_on_wake(&p, &o);
			check_datagram(&o);
			wake = o.wake_ms;
			continue;
		}
		if (off >= size)
			break;
		sep = memmem(data + off, size - off, SEP, SEP_LEN);
		n = sep ? (size_t)(sep - (data + off)) : size - off;
		now += (x >> 20) % 50;
		OUT();
		dtls_probe_clock(&p, now);
		dtls_probe_on_data(&p, data + off, n, &o);
		check_datagram(&o);
		if (o.wake_ms)
			wake = o.wake_ms;
		off += n + (sep ? SEP_LEN : 0);
	}
	if (!dtls_probe_is_done(&p)) {
		OUT();
		if (data[0] & 8)
			dtls_probe_on_closed(&p, errs[(data[0] >> 4) & 3], &o);
		else
			dtls_probe_on_timeout(&p, &o);
		CHECK(o.len == 0 || o.act == PA_CONTINUE);
		if (!dtls_probe_is_done(&p))
			dtls_probe_finish(&p, PV_TIMEOUT, "deadline passed");
	}
	dtls_probe_get_result(&p, &res);
	CHECK(res.reason && res.reason[0]);
	CHECK(res.verdict < PV_COUNT);
	if (res.verdict == PV_VULNERABLE)
		CHECK(p.hb.probe_echoed);
	dtls_probe_free(&p);
	return 0;
}
