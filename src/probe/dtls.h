/*
 * The DTLS probe engine: one state machine per UDP endpoint, sans I/O,
 * with the TCP engine's contract (probe.h): the caller owns the socket and
 * the clock, feeds events in, and acts on struct probe_out (bytes to send,
 * a wake-up, a reconnect, a verdict).  Each dtls_probe_on_data call is one
 * whole datagram, and each o->len the engine asks to send is one datagram.
 *
 * The exchange (docs/probe.md §6):
 *   ClientHello (message_seq 0) -> HelloVerifyRequest with a cookie;
 *   ClientHello with the cookie (message_seq 1) -> ServerHello (is
 *   extension 15 echoed?), Certificate, ..., ServerHelloDone;
 *   one datagram: the probe first, then the sentinel, epoch 0.
 * The server reads the whole datagram at once, so the probe's over-read is
 * the start of our sentinel record (HB_TAIL_NEXT_DTLS): 0 bytes disclosed.
 * 1.0.1f echoes the probe and the sentinel, 1.0.1g only the sentinel.
 * There is no fence: application data during the handshake is dropped.
 *
 * Silence after the flight, with extension 15 echoed: a fresh ClientHello
 * (no cookie) tells a server that threw the handshake away on the
 * heartbeats (GnuTLS: no alert over UDP) from one whose answers were lost:
 * only the first answers it with a new HelloVerifyRequest.
 *
 * UDP loses datagrams: the engine retransmits its hello (with a fresh
 * record sequence number, or the server's replay check drops it) and its
 * flight on wake-ups, a bounded number of times, and ignores the server's
 * own retransmitted flights.  Version fallback: DTLS 1.2, then 1.0 on a
 * handshake alert (a fresh socket, so the server sees a new client).
 */
#ifndef HEARTCHECK_PROBE_DTLS_H
#define HEARTCHECK_PROBE_DTLS_H

#include <stddef.h>
#include <stdint.h>

#include "probe/probe.h"
#include "tls/dtls.h"

/* No real ServerHello comes near this; a larger one is refused. */
#define DTLS_SH_MAX 2048

struct dtls_probe {
	ENGINE_CORE; /* state (idle, hello, flight), attempts, the result... */
	const struct probe_cfg *cfg;
	uint8_t sni_on;
	uint8_t ext_echoed;
	uint8_t got_bytes; /* this socket received a datagram */
	uint8_t got_dtls; /* ... and one held a DTLS record */
	uint8_t sh_seen;
	uint8_t hvrs; /* HelloVerifyRequests taken */
	uint8_t cookie_len;
	uint8_t cookie[DTLS_COOKIE_MAX];
	uint8_t hello_sends; /* copies of the current hello sent */
	uint8_t flight_sends; /* copies of the flight sent */
	uint8_t confirming; /* sentinel echoed alone: one more flight */
	uint8_t live_due; /* a liveness ClientHello is next */
	uint8_t live_sent; /* ... and went out after the flight */
	uint8_t restarted; /* then a new HelloVerifyRequest came */
	uint8_t random[32];
	uint16_t version_try; /* DTLS_V_12 or DTLS_V_10 */
	uint16_t version; /* what the ServerHello chose */
	uint16_t msg_seq; /* of our current ClientHello */
	uint64_t rec_seq; /* our next record sequence number */
	uint64_t sent_ms, due_ms, flight_ms;
	struct dtls_reasm sh;
	uint8_t sh_buf[DTLS_SH_MAX];
	struct hb_plan plan;
	struct hb_reader hb;
};

void dtls_probe_init(struct dtls_probe *p, const struct probe_cfg *cfg,
    uint64_t nonce);
void dtls_probe_free(struct dtls_probe *p);
/* The socket is ready (connected UDP): the first hello goes out. */
void dtls_probe_on_connected(struct dtls_probe *p, struct probe_out *o);
/* One datagram from the peer. */
void dtls_probe_on_data(struct dtls_probe *p, const uint8_t *dg, size_t n,
    struct probe_out *o);
/* The socket failed with -errno (ICMP port unreachable: -ECONNREFUSED). */
void dtls_probe_on_closed(struct dtls_probe *p, int err, struct probe_out *o);
void dtls_probe_on_timeout(struct dtls_probe *p, struct probe_out *o);
/* A wake-up is due (early or stale ones are answered with a new one). */
void dtls_probe_on_wake(struct dtls_probe *p, struct probe_out *o);
void dtls_probe_clock(struct dtls_probe *p, uint64_t now_ms);
void dtls_probe_get_result(const struct dtls_probe *p, struct probe_result *r);
int dtls_probe_is_done(const struct dtls_probe *p);
int dtls_probe_is_idle(const struct dtls_probe *p);
void dtls_probe_finish(struct dtls_probe *p, enum probe_verdict v,
    const char *why);

#endif
