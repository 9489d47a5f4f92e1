/*
 * The reverse probe: heartcheck as a malicious-but-safe TLS server that
 * tests the client connecting to it.  Sans I/O, like probe.h: the driver
 * owns the connection and the clock, tells the engine what happened and
 * acts on struct probe_out (bytes to send, a wake-up, PA_RECONNECT meaning
 * "the next connection of this client, or of a new run of it", PA_DONE).
 *
 * docs/probe.md §7: OpenSSL 1.0.1 clients have the server's bug.  The
 * engine reads the ClientHello, answers with a ServerHello (the client's
 * version, an offered suite, RSA key exchange preferred, extension 15
 * echoed when offered), and right behind it, before the Certificate and
 * ServerHelloDone, the sentinel and the probe heartbeats with the
 * negotiated record version (docs/probe.md §3).  A 1.0.1 client buffers its
 * heartbeat replies and sends them in plaintext ahead of its next flight
 * (ClientKeyExchange), or ahead of a fatal alert: both flush.
 *
 * Client programs differ in their I/O loops as server programs do, so the
 * engine climbs a ladder:
 *   flight: ServerHello, sentinel, probe, Certificate, ServerHelloDone in
 *           one write, then 1-byte application_data nudges every 20 ms for
 *           an event-driven client with read-ahead that processes one
 *           record per arrival of bytes;
 *   large:  for a client that gives up on the first heartbeat (its
 *           buffered replies die with it): a ServerHello padded with our
 *           bytes to a 4,501-byte record and one over-length heartbeat of
 *           4,100 bytes whose reply overflows the 4 KiB write buffer and
 *           leaves before the client closes; the over-read finds the stale
 *           padded ServerHello;
 *   valid:  one valid heartbeat of the same size, to tell "patched" from
 *           "silent".
 * The later strategies need a new connection: the driver can ask for one
 * only when it runs the client itself (heartcheck clients -- COMMAND), so
 * the listener sets can_retry = 0 and the engine then says what happened
 * and how to go further.
 *
 * A plaintext preamble (the server side of STARTTLS: a greeting, the reply
 * to STARTTLS) plugs in through struct client_preamble; the TLS part starts
 * when the module says so.  probe/srvpreamble.h has SMTP, IMAP, POP3 and
 * FTP.
 */
#ifndef HEARTCHECK_PROBE_CLIENT_H
#define HEARTCHECK_PROBE_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "probe/probe.h"
#include "tls/handshake.h"
#include "tls/heartbeat.h"
#include "tls/record.h"
#include "tls/srvhello.h"

enum client_strategy {
	CST_FLIGHT = ER_FLIGHT, /* sentinel and probe behind the ServerHello */
	CST_LARGE = ER_LARGE, /* padded ServerHello, one 4,100-byte probe */
	CST_VALID = ER_VALID, /* one valid 4,100-byte heartbeat */
};

enum client_state {
	CS_IDLE = ES_IDLE, /* waiting for the (next) connection */
	CS_PREAMBLE = ES_PREAMBLE, /* a plaintext preamble module has it */
	CS_HELLO = ES_HELLO, /* reading the ClientHello */
	CS_FLIGHT = ES_FLIGHT, /* our flight is out, reading the answers */
	CS_DONE = ES_DONE,
};

/* What a preamble module says after the client's bytes. */
enum client_pre {
	CPRE_MORE, /* keep feeding plaintext */
	CPRE_TLS, /* TLS starts after *used bytes of this chunk */
	CPRE_FAIL, /* the client does not speak the protocol */
	CPRE_REFUSED, /* it speaks it, but will not start TLS */
};

struct client_preamble {
	const char *name; /* "smtp", "imap", ... */
	/* The client connected: write the greeting into o (o->len). */
	void (*on_connected)(void *st, struct probe_out *o);
	/* Plaintext from the client.  Writes any reply into o and sets *used
	 * to the bytes it consumed; with CPRE_FAIL, why says what was seen. */
	enum client_pre (*on_data)(void *st, const uint8_t *b, size_t n,
	    size_t *used, struct probe_out *o, char *why, size_t cap);
	void *st;
	/* Optional: what the module waits for now, for a timeout or a close
	 * ("STARTTLS (the client's last command: EHLO)"). */
	const char *(*waiting)(const void *st);
};

struct client_cfg {
	uint8_t first_strategy; /* enum client_strategy, normally flight */
	uint8_t can_retry; /* 1: ask for another connection */
	const struct client_preamble *preamble; /* NULL: TLS at once */
	/* Optional: one line per state change, nudge and strategy. */
	void (*trace)(void *ctx, const char *line);
	void *trace_ctx;
};

/* Room for the largest flight (padded ServerHello and a 4 KiB heartbeat,
 * or the flight with the certificate). */
#define CLIENT_OUT_MIN 16384
/* Bytes of our own flight behind the probe record that the engine keeps to
 * check a read-ahead over-read against. */
#define CLIENT_FOLLOW 32

struct client_probe {
	ENGINE_CORE; /* state, attempts, nudges, the result... */
	const struct client_cfg *cfg;
	uint8_t strategy;
	uint8_t hello_seen; /* a ClientHello was parsed (ch is valid) */
	uint8_t got_bytes;
	uint8_t went_on; /* the client's next flight began */
	uint8_t rest_sent; /* Certificate and ServerHelloDone are out */
	uint8_t alert_have;
	uint8_t alert[2];
	uint8_t nudged;
	uint16_t version, suite;
	uint32_t ch_len, ch_have;
	uint8_t *ch_buf; /* the ClientHello body, while it arrives */
	struct client_hello_info ch;
	/* A read-ahead client over-reads into the records that followed the
	 * probe in the same write: their first bytes, and how the tail of a
	 * probe echo compared with them. */
	uint8_t follow[CLIENT_FOLLOW];
	uint8_t follow_len;
	uint32_t follow_known, follow_mism;
	struct rec_stream rs;
	struct hs_walker hw;
	struct hb_plan plan;
	struct hb_reader hb;
};

void client_init(struct client_probe *c, const struct client_cfg *cfg,
    uint64_t nonce);
void client_free(struct client_probe *c);

/* o->cap must be at least CLIENT_OUT_MIN. */
void client_on_connected(struct client_probe *c, struct probe_out *o);
void client_on_data(struct client_probe *c, const uint8_t *b, size_t n,
    struct probe_out *o);
/* The client closed (err 0) or the connection failed with -errno. */
void client_on_closed(struct client_probe *c, int err, struct probe_out *o);
void client_on_timeout(struct client_probe *c, struct probe_out *o);
void client_on_wake(struct client_probe *c, struct probe_out *o);
void client_clock(struct client_probe *c, uint64_t now_ms);
/* Ends the test from outside (the command never connected, ...). */
void client_finish(struct client_probe *c, enum probe_verdict v,
    const char *why);
int client_is_done(const struct client_probe *c);
int client_is_idle(const struct client_probe *c);
/* "flight", "nudge", "large-record". */
const char *client_strategy_name(const struct client_probe *c);
/* Parses "flight", "large" or "valid"; returns 0 or -1. */
int client_strategy_parse(const char *s, uint8_t *out);

struct client_result {
	enum probe_verdict verdict;
	const char *reason; /* valid while the engine lives */
	const struct client_hello_info *hello; /* NULL when none was read */
	uint16_t version; /* the version we answered with, or 0 */
	uint16_t suite; /* the suite we chose, or 0 */
	int heartbeat_ext; /* the client offered extension 15 */
	unsigned disclosed;
	int alert; /* deciding alert, or -1 */
	unsigned connections;
	const char *strategy;
	unsigned nudges;
};
void client_get_result(const struct client_probe *c, struct client_result *r);

#endif
