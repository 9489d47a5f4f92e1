/*
 * The probe engine against an arbitrary server.  Input:
 *   byte 0: configuration (SNI, highest version, --leak, close errno);
 *   byte 1: seeds the chunk sizes the server's bytes arrive in;
 *   the rest: what the server sends on each connection, the connections
 *   separated by the bytes ff fe fd fc.
 * Reconnect requests are followed, the new connection reading the next
 * segment; a wake-up the engine asked for may fire between chunks; when a
 * connection's segment runs out, the peer closes, the deadline passes or a
 * wake-up fires.
 *
 * Oracles: the probe always reaches a verdict with a reason; the flight
 * (three records, or one large heartbeat on the later strategies) and each
 * nudge (one 1-byte application_data record) carry the version the server
 * chose; nudges only follow the flight of the first strategy, 12 at most;
 * and "vulnerable" is only ever said when the probe's own payload bytes
 * came back from the server.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "tls/tls.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

#define FUZZ_NONCE 0x0123456789abcdefULL
#define MAX_CONNECTS 12
/* Separates what the server sends on successive connections. */
#define SEP "\xff\xfe\xfd\xfc"
#define SEP_LEN 4

struct run {
	struct probe p;
	struct probe_cfg cfg;
	uint8_t obuf[PROBE_OUT_MIN];
	struct probe_out o;
	int connects;
	int flight_sent;        /* on the current connection */
	int nudges;             /* on the current connection */
	unsigned wake_ms;       /* the wake-up the engine asked for, or 0 */
	uint16_t offered;       /* version of the current ClientHello */
	size_t conn_start;      /* input offset where this connection began */
};

static void out_reset(struct run *r)
{
	r->o.buf = r->obuf;
	r->o.cap = sizeof(r->obuf);
	r->o.len = 0;
	r->o.act = PA_CONTINUE;
	r->o.wake_ms = 0;
}

/* Checks what the engine asked to send outside probe_on_connected: the
 * heartbeat flight once, then nudges, with the negotiated version. */
static void check_output(struct run *r)
{
	size_t off = 0, nrec = 0;

	CHECK(r->o.len <= r->o.cap);
	CHECK(r->o.act == PA_CONTINUE || r->o.act == PA_RECONNECT ||
	    r->o.act == PA_DONE);
	CHECK(r->o.act != PA_RECONNECT || r->o.len == 0);
	if (r->o.wake_ms)
		r->wake_ms = r->o.wake_ms;
	if (r->o.act != PA_CONTINUE)
		r->wake_ms = 0;
	if (r->o.len == 0)
		return;
	CHECK(r->p.state == PS_FLIGHT || r->p.state == PS_DONE);
	if (r->flight_sent) {
		/* A nudge: the first strategy only, 12 at most. */
		CHECK(r->p.strategy == PST_FLIGHT);
		CHECK(++r->nudges <= 12);
		CHECK(r->o.len == 6 && r->o.buf[0] == TLS_CT_APPDATA &&
		    r->o.buf[3] == 0 && r->o.buf[4] == 1);
		CHECK((r->o.buf[1] << 8 | r->o.buf[2]) == r->p.version);
		return;
	}
	CHECK(r->p.version >= TLS_V_SSL3 && r->p.version <= r->offered);
	while (off + 5 <= r->o.len) {
		CHECK(r->o.buf[off] == TLS_CT_HEARTBEAT ||
		    r->o.buf[off] == TLS_CT_APPDATA);
		CHECK((r->o.buf[off + 1] << 8 | r->o.buf[off + 2]) ==
		    r->p.version);
		off += 5 + (size_t)(r->o.buf[off + 3] << 8 | r->o.buf[off + 4]);
		nrec++;
	}
	CHECK(off == r->o.len);
	CHECK(nrec == (r->p.strategy == PST_FLIGHT ? 3u : 1u));
	r->flight_sent = 1;
}

static void connect_now(struct run *r, size_t at)
{
	CHECK(r->connects < MAX_CONNECTS);
	r->connects++;
	r->flight_sent = 0;
	r->nudges = 0;
	r->wake_ms = 0;
	r->conn_start = at;
	out_reset(r);
	probe_on_connected(&r->p, &r->o);
	CHECK(r->o.act != PA_RECONNECT);
	if (r->o.act == PA_DONE)
		return;
	CHECK(r->o.len > 11 && r->o.buf[0] == TLS_CT_HANDSHAKE);
	/* The large strategy pads its hello to a fixed record length. */
	CHECK(r->p.strategy != PST_LARGE || r->o.len == 4501);
	r->offered = (uint16_t)(r->o.buf[9] << 8 | r->o.buf[10]);
	CHECK(r->offered >= TLS_V_SSL3 && r->offered <= TLS_V_TLS12);
}

/* Collects the bodies of type-24 records in b, with an independent and
 * deliberately simple framer: it stops at the first implausible header. */
static size_t hb_bodies(const uint8_t *b, size_t n, uint8_t *out)
{
	size_t off = 0, w = 0;

	while (off + 5 <= n) {
		size_t len = (size_t)(b[off + 3] << 8 | b[off + 4]);
		size_t take;

		if (b[off] < 20 || b[off] > 24 || b[off + 1] != 3)
			break;
		take = n - off - 5 < len ? n - off - 5 : len;
		if (b[off] == TLS_CT_HEARTBEAT) {
			memcpy(out + w, b + off + 5, take);
			w += take;
		}
		off += 5 + take;
	}
	return w;
}

/* Were the probe's payload bytes sent back on this connection? */
static int probe_came_back(const struct run *r, const uint8_t *b, size_t n)
{
	uint8_t *want, *bodies;
	size_t i, bn, pl = r->p.plan.probe_len;
	int found;

	CHECK(pl > 0);
	want = malloc(pl);
	CHECK(want != NULL);
	for (i = 0; i < pl; i++)
		want[i] = hb_payload_byte(&r->p.plan, 1, i);
	found = memmem(b, n, want, pl) != NULL;
	if (!found) {
		/* An echo may be split over records: look in their bodies. */
		bodies = malloc(n ? n : 1);
		CHECK(bodies != NULL);
		bn = hb_bodies(b, n, bodies);
		found = memmem(bodies, bn, want, pl) != NULL;
		free(bodies);
	}
	free(want);
	return found;
}

/* Where the current connection's bytes end: at the next separator. */
static size_t segment_end(const uint8_t *data, size_t size, size_t from)
{
	const uint8_t *sep = memmem(data + from, size - from, SEP, SEP_LEN);

	return sep ? (size_t)(sep - data) : size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t versions[4] = { 0, TLS_V_TLS11, TLS_V_TLS10,
		TLS_V_SSL3 };
	static const uint16_t leaks[4] = { 0, 0, 16, 200 };
	struct run r;
	size_t off = 2, end, fed_end = 2;
	uint32_t x;
	uint64_t now = 0;
	int maxbits, events = 0;

	if (size < 2)
		return 0;
	memset(&r, 0, sizeof(r));
	r.cfg.sni = (data[0] & 1) ? "fuzz.example" : NULL;
	r.cfg.max_version = versions[(data[0] >> 1) & 3];
	r.cfg.leak = leaks[(data[0] >> 3) & 3];
	maxbits = data[1] & 15;
	x = data[1] * 2654435761u + 3;
	probe_init(&r.p, &r.cfg, FUZZ_NONCE);
	connect_now(&r, off);
	end = segment_end(data, size, off);

	while (r.p.state != PS_DONE) {
		int reconnect = 0;

		x = x * 1103515245u + 12345u;
		/* Time passes between events, so late closes happen too. */
		now += (x >> 20) & 255;
		probe_clock(&r.p, now);
		if (r.wake_ms && off < end && (x >> 28) == 0) {
			/* The wake-up fires before the next chunk arrives. */
			r.wake_ms = 0;
			out_reset(&r);
			probe_on_wake(&r.p, &r.o);
			check_output(&r);
			continue;
		}
		if (off < end) {
			size_t chunk;


			chunk = maxbits ? 1 + (x >> 8) % (1u << maxbits) :
			    end - off;
			if (chunk > end - off)
				chunk = end - off;
			out_reset(&r);
			probe_on_data(&r.p, data + off, chunk, &r.o);
			check_output(&r);
			off += chunk;
			fed_end = off;
			reconnect = r.o.act == PA_RECONNECT;
		} else {
			/* This connection's bytes are spent: the peer closes
			 * or the deadline passes, in the order byte 0 picks. */
			CHECK(++events <= 20 * MAX_CONNECTS);
			out_reset(&r);
			if (r.wake_ms && (events & 3) != 0) {
				/* Silence: the nudges run out first. */
				r.wake_ms = 0;
				probe_on_wake(&r.p, &r.o);
			} else if (((data[0] >> 6) + events) & 1)
				probe_on_closed(&r.p, (data[0] & 0x20) ?
				    -ECONNRESET : 0, &r.o);
			else
				probe_on_timeout(&r.p, &r.o);
			check_output(&r);
			reconnect = r.o.act == PA_RECONNECT;
		}
		if (reconnect) {
			/* The next connection reads the next segment. */
			off = end < size ? end + SEP_LEN : size;
			end = segment_end(data, size, off);
			fed_end = off;
			connect_now(&r, off);
		}
	}
	CHECK(r.p.state == PS_DONE);
	CHECK((unsigned)r.p.verdict < PV_COUNT);
	CHECK(r.p.reason[0] != '\0');
	CHECK(memchr(r.p.reason, '\0', sizeof(r.p.reason)) != NULL);
	CHECK(r.p.sh_buf == NULL);
	if (r.p.verdict == PV_VULNERABLE) {
		CHECK(r.flight_sent);
		CHECK(probe_came_back(&r, data + r.conn_start,
		    fed_end - r.conn_start));
	} else {
		CHECK(r.p.disclosed == 0 || r.p.verdict == PV_INCONCLUSIVE);
	}
	probe_free(&r.p);
	return 0;
}
