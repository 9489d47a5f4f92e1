/*
 * The probe engine: one state machine per endpoint, sans I/O.
 *
 * The caller owns the connection and the clock.  It tells the engine that
 * a connection is up, that bytes arrived, that the peer closed, that a
 * wake-up it asked for is due, or that the deadline passed; the engine
 * answers through struct probe_out with bytes to send, a wake-up to arm, a
 * request to reconnect, or a verdict.  The same engine therefore runs over
 * libuv TCP, a socketpair or a test's buffers.
 *
 * The server program around the TLS library decides what comes back
 * (docs/probe.md), so the engine climbs a ladder of strategies:
 *   flight: sentinel, probe and fence in one write, answered at once by
 *           programs that process every record (and by Apache httpd,
 *           which takes three);
 *   nudge:  the same connection, with a 1-byte application_data record
 *           every few tens of ms for event-driven programs with read-ahead
 *           (nginx), which process one buffered record per arrival;
 *   large:  for programs that close on the first heartbeat: a fresh
 *           connection with a ClientHello padded with our bytes and one
 *           over-length heartbeat whose reply overflows the 4 KiB write
 *           buffer, then, if that goes unanswered, one more with a valid
 *           heartbeat of the same size, to tell "patched" from "silent".
 *
 * The contract with the driver, the shared fields and every state change
 * (one setter, so a stuck probe can be traced: probe_cfg.trace, heartcheck
 * scan --trace) come from the engine skeleton, probe/engine.h.  Drivers
 * read the outcome through probe_get_result(), never the fields below.
 */
#ifndef HEARTCHECK_PROBE_PROBE_H
#define HEARTCHECK_PROBE_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "probe/engine.h"
#include "probe/judge.h"
#include "probe/reader.h"
#include "tls/handshake.h"
#include "tls/heartbeat.h"
#include "tls/record.h"

enum probe_strategy {
	PST_FLIGHT = ER_FLIGHT, /* sentinel, probe, fence (and nudges) */
	PST_LARGE = ER_LARGE, /* padded hello, one over-length heartbeat */
	PST_VALID = ER_VALID, /* one valid heartbeat of the large size */
};

enum probe_state {
	PS_IDLE = ES_IDLE, /* waiting for a connection */
	PS_PREAMBLE = ES_PREAMBLE, /* the STARTTLS dialogue (cfg->preamble) */
	PS_HELLO = ES_HELLO, /* ClientHello sent, walking to ServerHelloDone */
	PS_FLIGHT = ES_FLIGHT, /* sentinel, probe and fence sent, reading */
	PS_DONE = ES_DONE,
};

struct ovpn_auth;

struct probe_cfg {
	const char *sni; /* host name for SNI, or NULL */
	uint16_t max_version; /* first version offered (default TLS 1.2) */
	uint16_t leak; /* --leak: bytes claimed past the payload */
	/* --leak only: receives the over-read tail of the probe echo. */
	void (*on_disclosed)(void *ctx, size_t off, const uint8_t *b, size_t n);
	void *ctx;
	/* Optional: one line per state change, nudge and strategy. */
	void (*trace)(void *ctx, const char *line);
	void *trace_ctx;
	/* STARTTLS (probe/preamble.h): run on every connection before the
	 * ClientHello, or NULL for TLS at once. */
	const struct preamble *preamble;
	const char *host; /* the service's name for the preamble (XMPP) */
	/* OpenVPN's tls-auth key (probe/ovpn_auth.h), or NULL; only the
	 * OpenVPN engine uses it. */
	const struct ovpn_auth *ovpn_auth;
};

struct probe {
	ENGINE_CORE; /* state, attempts, nudges, rtt_ms, the result... */
	const struct probe_cfg *cfg;
	uint8_t sni_on; /* SNI still offered */
	uint8_t ext_echoed;
	uint8_t got_bytes; /* this connection received anything */
	uint8_t sh_seen;
	uint16_t version_try; /* version offered on this connection */
	uint16_t version; /* version the server chose */
	uint16_t sh_len, sh_have;
	uint8_t *sh_buf; /* ServerHello body, only while it arrives */
	uint8_t strategy; /* enum probe_strategy of this connection */
	uint8_t nudged; /* the deciding answer came after a nudge */
	uint8_t patient; /* the flight again, never nudged (docs/probe.md §5) */
	uint64_t hello_ms; /* when the ClientHello went out */
	uint64_t flight_ms; /* when the heartbeat flight went out */
	void *pre_ctx; /* the preamble's state, STARTTLS only */
	uint8_t pre_rx; /* the preamble got bytes on this connection */
	struct reply_reader rr; /* records, alerts, heartbeat replies */
	struct hs_walker hw;
	struct hb_plan plan;
};

/* Prepares a probe; nonce makes its payload bytes unique. */
void probe_init(struct probe *p, const struct probe_cfg *cfg, uint64_t nonce);
void probe_free(struct probe *p);

void probe_on_connected(struct probe *p, struct probe_out *o);
void probe_on_data(struct probe *p, const uint8_t *b, size_t n,
    struct probe_out *o);
/* The peer closed (err 0) or the connection failed with -errno. */
void probe_on_closed(struct probe *p, int err, struct probe_out *o);
void probe_on_timeout(struct probe *p, struct probe_out *o);
/* A wake-up asked for with wake_ms is due (stale ones are ignored). */
void probe_on_wake(struct probe *p, struct probe_out *o);
/* Tells the engine the time, in ms on any monotonic clock; call it before
 * each event.  Without it, nudges use their default spacing. */
void probe_clock(struct probe *p, uint64_t now_ms);
/* "flight", "nudge" or "large-record": what gave the verdict. */
const char *probe_strategy_name(const struct probe *p);

void probe_get_result(const struct probe *p, struct probe_result *r);
/* 1 once the verdict is final. */
int probe_is_done(const struct probe *p);
/* 1 between a reconnect request and probe_on_connected. */
int probe_is_idle(const struct probe *p);
/* Ends a probe that never reached the engine's states (refused, DNS...). */
void probe_finish(struct probe *p, enum probe_verdict v, const char *why);

#endif
