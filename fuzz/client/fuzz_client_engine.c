/*
 * The reverse probe engine against an arbitrary client.  Input:
 *   byte 0: configuration (first strategy, can_retry, close errno);
 *   byte 1: seeds the chunk sizes the client's bytes arrive in;
 *   the rest: what the client sends on each connection, connections
 *   separated by the bytes ff fe fd fc.
 * Reconnect requests are followed; a wake-up may fire between chunks; when
 * a connection's bytes run out the client closes, the deadline passes or a
 * wake-up fires.
 *
 * Oracles: a verdict with a reason always comes; every output fits the
 * buffer; our flight goes out once per connection and starts with a
 * ServerHello record whose version is the one every later record of ours
 * carries; nudges are 1-byte application_data records, 12 at most, on the
 * flight strategy only; PA_RECONNECT only when retries are allowed; and
 * "vulnerable" is only ever said when the probe's own payload bytes came
 * back in the client's bytes.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/client.h"
#include "tls/tls.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define SEP "\xff\xfe\xfd\xfc"
#define SEP_LEN 4
#define MAX_CONNECTS 8

struct run {
	struct client_probe e;
	struct client_cfg cfg;
	uint8_t obuf[CLIENT_OUT_MIN];
	struct probe_out o;
	int flight_sent, nudges, rest;
	uint16_t ver;
	unsigned wake;
	uint8_t probe_head[8];   /* first probe payload bytes we sent */
	int have_probe;
};

static void reset(struct run *r)
{
	r->o.buf = r->obuf;
	r->o.cap = sizeof(r->obuf);
	r->o.len = 0;
	r->o.act = PA_CONTINUE;
	r->o.wake_ms = 0;
}

static void check_out(struct run *r)
{
	const uint8_t *b = r->o.buf;
	size_t off = 0;

	CHECK(r->o.len <= r->o.cap);
	CHECK(r->o.act != PA_RECONNECT || r->cfg.can_retry);
	CHECK(r->o.act != PA_RECONNECT || r->o.len == 0);
	if (r->o.wake_ms)
		r->wake = r->o.wake_ms;
	if (r->o.act != PA_CONTINUE)
		r->wake = 0;
	if (r->o.len == 0)
		return;
	if (!r->flight_sent) {
		CHECK(r->o.len > 9 && b[0] == TLS_CT_HANDSHAKE &&
		    b[5] == TLS_HS_SERVER_HELLO);
		r->ver = (uint16_t)(b[1] << 8 | b[2]);
		CHECK(r->ver >= TLS_V_SSL3 && r->ver <= TLS_V_TLS12);
		r->flight_sent = 1;
	} else if (r->o.len == 6 && b[0] == TLS_CT_APPDATA) {
		CHECK(r->e.strategy == CST_FLIGHT);
		CHECK(++r->nudges <= 12);
	} else {
		/* The delayed Certificate and ServerHelloDone. */
		CHECK(r->e.strategy != CST_FLIGHT && !r->rest);
		r->rest = 1;
	}
	while (off + 5 <= r->o.len) {
		size_t len = (size_t)(b[off + 3] << 8 | b[off + 4]);

		CHECK((uint16_t)(b[off + 1] << 8 | b[off + 2]) == r->ver);
		if (b[off] == TLS_CT_HEARTBEAT && off + 13 <= r->o.len &&
		    (size_t)(b[off + 6] << 8 | b[off + 7]) > len - 3) {
			memcpy(r->probe_head, b + off + 8, 8);
			r->have_probe = 1;
		}
		off += 5 + len;
	}
	CHECK(off == r->o.len);
}

static int contains(const uint8_t *h, size_t n, const uint8_t *needle,
    size_t k)
{
	size_t i;

	for (i = 0; i + k <= n; i++)
		if (!memcmp(h + i, needle, k))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run r;
	const uint8_t *all, *seg;
	size_t all_len, pos = 0, seg_len;
	struct client_result res;
	uint32_t seed;
	int conns = 0, err;

	if (size < 2)
		return 0;
	memset(&r, 0, sizeof(r));
	r.cfg.first_strategy = data[0] % 3;
	r.cfg.can_retry = (data[0] >> 2) & 1;
	err = (data[0] >> 3) & 1 ? -ECONNRESET : 0;
	seed = data[1] * 2654435761u + 1;
	all = data + 2;
	all_len = size - 2;
	client_init(&r.e, &r.cfg, 0x0123456789abcdefULL);
	while (!client_is_done(&r.e) && conns < MAX_CONNECTS) {
		const uint8_t *end = memmem(all + pos, all_len - pos, SEP,
		    SEP_LEN);
		size_t off = 0;

		conns++;
		seg = all + pos;
		seg_len = end ? (size_t)(end - seg) : all_len - pos;
		pos += seg_len + (end ? SEP_LEN : 0);
		r.flight_sent = r.nudges = r.rest = 0;
		r.wake = 0;
		reset(&r);
		client_on_connected(&r.e, &r.o);
		CHECK(r.o.len == 0);
		while (!client_is_done(&r.e)) {
			size_t k;

			reset(&r);
			seed = seed * 1103515245u + 12345u;
			if (r.wake && (seed >> 28) == 0) {
				r.wake = 0;
				client_on_wake(&r.e, &r.o);
			} else if (off < seg_len) {
				k = 1 + (seed >> 16) % 300;
				if (k > seg_len - off)
					k = seg_len - off;
				client_on_data(&r.e, seg + off, k, &r.o);
				off += k;
			} else if (r.wake && (seed >> 27) & 1) {
				r.wake = 0;
				client_on_wake(&r.e, &r.o);
			} else if ((seed >> 26) & 1) {
				client_on_timeout(&r.e, &r.o);
				if (!client_is_done(&r.e))
					client_finish(&r.e, PV_TIMEOUT, "x");
			} else {
				client_on_closed(&r.e, err, &r.o);
				check_out(&r);
				if (r.o.act == PA_RECONNECT)
					break;
				CHECK(client_is_done(&r.e));
				break;
			}
			check_out(&r);
			if (r.o.act == PA_RECONNECT)
				break;
		}
		if (client_is_done(&r.e))
			break;
		CHECK(client_is_idle(&r.e));
	}
	if (!client_is_done(&r.e))
		client_finish(&r.e, PV_INCONCLUSIVE, "fuzz: out of input");
	client_get_result(&r.e, &res);
	CHECK(res.reason && res.reason[0]);
	CHECK(res.verdict < PV_COUNT);
	if (res.verdict == PV_VULNERABLE)
		CHECK(r.have_probe && contains(data, size, r.probe_head, 8));
	client_free(&r.e);
	return 0;
}
