/*
 * The skeleton every sans-I/O engine of heartcheck is built on (the TLS
 * server probe, probe.h; the DTLS probe, dtls.h; the client test,
 * client.h): the contract with the driver, and the part of an engine's
 * state and bookkeeping that does not depend on the protocol.
 *
 * The driver owns the connection and the clock.  It tells the engine that
 * a connection is up, that bytes arrived, that the peer closed, that a
 * wake-up it asked for is due, or that the deadline passed; the engine
 * answers through struct probe_out with bytes to send, a wake-up to arm, a
 * request to reconnect, or a verdict.
 *
 * An engine's struct starts with ENGINE_CORE: a union of struct engine
 * and the same fields unnamed.  The shared code sees those fields as
 * struct engine (p->e); the engine and its callers keep reading them by
 * their own names (p->state, p->verdict, p->reason, p->attempts), which
 * the drivers in net/ and the tests do.  docs/probe.md §11 walks through
 * writing a new engine on this skeleton.
 */
#ifndef HEARTCHECK_PROBE_ENGINE_H
#define HEARTCHECK_PROBE_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "probe/judge.h"
#include "tls/heartbeat.h"

enum probe_verdict {
	PV_VULNERABLE,
	PV_PATCHED,
	PV_NO_HEARTBEAT,
	PV_HANDSHAKE_FAILED,
	PV_NOT_TLS,
	PV_REFUSED,
	PV_TIMEOUT,
	PV_UNREACHABLE,
	PV_DNS_ERROR,
	PV_INCONCLUSIVE,
	PV_STARTTLS_REFUSED, /* the service would not start TLS */
	PV_COUNT
};

/* "vulnerable", "patched", "no-heartbeat", ... as in the JSON schema. */
const char *probe_verdict_name(enum probe_verdict v);
/* 1 when the verdict means the endpoint could not be tested. */
int probe_verdict_untested(enum probe_verdict v);

/* What the driver does after an event, besides sending len bytes. */
enum probe_act {
	PA_CONTINUE, /* keep the connection */
	PA_RECONNECT, /* close it, open a new one, call the on_connected */
	PA_DONE, /* the verdict is final: read the engine's result */
};

struct probe_out {
	uint8_t *buf; /* scratch from the caller, PROBE_OUT_MIN bytes */
	size_t cap;
	size_t len; /* bytes to send now (never with PA_RECONNECT) */
	enum probe_act act;
	unsigned wake_ms; /* > 0: call the on_wake after this many ms */
};
/* Room for the padded ClientHello of the large strategy. */
#define PROBE_OUT_MIN 8192

/* Where the next bytes to send go, and how much room is left there. */
static inline uint8_t *out_tail(const struct probe_out *o)
{
	return o->buf + o->len;
}

static inline size_t out_room(const struct probe_out *o)
{
	return o->cap - o->len;
}

/* The outcome of a server probe (TCP, DTLS, OpenVPN), as a driver
 * reports it. */
struct probe_result {
	enum probe_verdict verdict;
	const char *reason; /* valid while the probe lives */
	uint16_t version; /* negotiated on the last connection, or 0 */
	int heartbeat_ext;
	unsigned disclosed;
	int alert; /* deciding alert, or -1 */
	unsigned connections;
	const char *strategy;
	unsigned nudges;
	const char *starttls; /* the preamble's name, or NULL */
};

/* The states every engine walks through; each names them its own way
 * (PS_*, CS_*) with these values. */
enum engine_state {
	ES_IDLE, /* waiting for a connection */
	ES_PREAMBLE, /* a plaintext dialogue before TLS */
	ES_HELLO, /* the handshake, up to our heartbeat flight */
	ES_FLIGHT, /* our heartbeats are out, reading the answers */
	ES_DONE,
};

/* Longest reason an engine keeps; each sets its own (reason_cap). */
#define ENGINE_REASON_MAX 256

struct engine;

#define ENGINE_FIELDS \
	uint8_t state; /* enum engine_state, changed by engine_set_state */ \
	uint8_t quiet_end; /* a verdict or reconnect drops what o holds */ \
	uint8_t nudges; /* nudges sent on this connection */ \
	uint16_t rtt_ms; /* hello to the peer's answer (engine_note_rtt) */ \
	uint16_t reason_cap; /* bytes of reason in use, NUL included */ \
	uint8_t sample_have; \
	uint8_t sample[8]; /* first bytes in, to name a non-TLS peer */ \
	uint32_t attempts; /* connections before this one */ \
	uint64_t nonce; /* makes every payload byte ours alone */ \
	uint64_t now_ms; /* the driver's clock */ \
	void (*trace_line)(void *ctx, const char *line); \
	void *trace_ctx; \
	/* Frees what only a live engine needs, at its verdict. */ \
	void (*release)(struct engine *); \
	/* The result. */ \
	enum probe_verdict verdict; \
	int alert_desc; /* alert that decided, or -1 */ \
	unsigned disclosed; \
	char reason[ENGINE_REASON_MAX];

struct engine {
	ENGINE_FIELDS
};

/* First in every engine's struct: the shared fields, by name and as e. */
#define ENGINE_CORE \
	union { \
		struct engine e; \
		struct { \
			ENGINE_FIELDS \
		}; \
	}

/* Clears the engine (the caller has zeroed its struct): no verdict yet
 * (inconclusive), no alert; reasons keep to reason_cap bytes.  trace, if
 * set, gets one line per state change and per step worth tracing. */
void engine_init(struct engine *e, uint64_t nonce, size_t reason_cap,
    void (*trace)(void *ctx, const char *line), void *trace_ctx);

void engine_trace(const struct engine *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Always change state here, so a trace shows every transition.  s is an
 * enum engine_state value, under the engine's own name (PS_HELLO, ...). */
void engine_set_state(struct engine *e, unsigned s);

int engine_is_done(const struct engine *e);
int engine_is_idle(const struct engine *e);

/* The verdict: release() runs, then the engine is done.  The f form also
 * tells the driver through o (and with quiet_end, sends nothing). */
void engine_finish(struct engine *e, enum probe_verdict v, const char *why);
void engine_finishf(struct engine *e, struct probe_out *o, enum probe_verdict v,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Asks the driver for the next connection. */
void engine_reconnect(struct engine *e, struct probe_out *o);

/* Fills the fields of a result the skeleton knows; the engine adds the
 * rest. */
void engine_result(const struct engine *e, struct probe_result *r);

/* Per-connection randomness: a different heartbeat plan and different
 * hello random bytes on every connection, so a late echo from an earlier
 * one matches nothing. */
uint64_t engine_conn_nonce(const struct engine *e);
void engine_fill_random(const struct engine *e, unsigned salt, uint8_t *b,
    size_t n);
/* Padding byte for a hello padded with our bytes (ctx: the hb_plan). */
uint8_t engine_pad_byte(const void *plan, size_t i);
/* rtt_ms from since_ms to now, capped at a minute. */
void engine_note_rtt(struct engine *e, uint64_t since_ms);

/* Sends one 1-byte application_data nudge in that version and arms the
 * next gap_ms later, up to max nudges.  Returns 0, or -1 when none went. */
int engine_nudge(struct engine *e, const struct hb_plan *plan, uint16_t version,
    unsigned max, unsigned gap_ms, struct probe_out *o);

/*
 * The ladder of docs/probe.md §5, climbed by the TLS probe (server
 * programs) and the client test (client programs) alike: the flight, then
 * on a fresh connection a hello padded to a 4,501-byte record with our
 * bytes and one over-length heartbeat of 4,100 bytes whose reply overflows
 * the 4 KiB write buffer, then one valid heartbeat of that size.
 */
enum engine_rung { ER_FLIGHT, ER_LARGE, ER_VALID };
#define ENGINE_LARGE_LEN 4100
#define ENGINE_LARGE_RECORD 4501
/* The heartbeat plan of a rung on this connection, claiming k bytes past
 * the probe; the flight gets a fence when fence is set.  Returns 0 or -1
 * as hb_plan_init. */
int engine_rung_plan(const struct engine *e, unsigned rung, uint16_t k,
    int fence, struct hb_plan *plan);
/* The rung's heartbeat records, in the plan's record version (the
 * flight's with its fence when fence is set).  Returns their length, or -1
 * if cap is too small. */
ssize_t engine_rung_records(const struct hb_plan *plan, unsigned rung,
    int fence, uint8_t *w, size_t cap);
/* The padding that brings a hello of n bytes to ENGINE_LARGE_RECORD (0:
 * it does not fit), and where the padding went once built (len bytes). */
uint16_t engine_large_pad(size_t n);
void engine_large_padded(struct hb_plan *plan, size_t len, uint16_t pad);

/* A warning (say unrecognized_name) lets the connection go on, and in the
 * flight the echoes may still follow it: only a fatal alert or
 * close_notify ends the handshake or the flight.  Returns 1 for those. */
int engine_alert_ends(unsigned level, unsigned desc);
/* In the flight the first alert is the one that decides. */
void engine_first_alert(struct engine *e, unsigned desc);
/* A fatal alert desc in answer to our ClientHello: a retry without SNI
 * (*sni_on cleared) when the name was refused, one with the version older
 * (0: none) when the alert is one version intolerance shows as, or the
 * end: handshake-failed. */
void engine_hello_refused(struct engine *e, struct probe_out *o, unsigned desc,
    uint8_t *sni_on, uint16_t *version_try, uint16_t older);
/* "reset the connection", "failed the connection", "closed the
 * connection", for a close with err (0 or -errno). */
const char *engine_close_how(int err);

/* Keeps the first bytes of a connection's input (sample), to name a peer
 * that does not speak TLS: "bytes 16 03 01 ...". */
void engine_sample(struct engine *e, const uint8_t *b, size_t n);
void engine_describe_bytes(const uint8_t *b, size_t n, char *out, size_t cap);

/* A server's answers to a heartbeat flight, judged by the rules of
 * docs/probe.md §5. */
struct engine_judgement {
	enum hb_verdict v;
	struct reply_summary s;
	char why[ENGINE_REASON_MAX]; /* the rule's reason */
};
/* Judges what reader r collected (the alert is e->alert_desc) and sets
 * e->disclosed.  The engine then gives its own verdicts for what it alone
 * knows (a ladder's last step, a restarted handshake), and leaves the rest
 * to engine_finish_flight. */
void engine_judge(struct engine *e, const struct hb_reader *r, int ext_echoed,
    struct engine_judgement *j);
/*
 * The verdict of a judged flight: a zero-disclosure over-read is proven
 * with what came back (proof); extension 15 echoed with no answer at all
 * is inconclusive ("...got no answer" and silence); otherwise the rule's
 * verdict, extra appended to an inconclusive reason.
 */
void engine_finish_flight(struct engine *e, struct probe_out *o,
    const struct engine_judgement *j, const char *proof, const char *silence,
    const char *extra);
/* Ends with a zero-disclosure proof ("whose": "server" or "client"). */
void engine_proven(struct engine *e, struct probe_out *o, const char *whose,
    const char *proof);

#endif
