/*
 * The engine skeleton.  See engine.h for the contract and docs/probe.md
 * §11 for how an engine is put together on it.
 */
#include "probe/engine.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tls/tls.h"

static const char *const verdict_names[PV_COUNT] = {
	[PV_VULNERABLE] = "vulnerable",
	[PV_PATCHED] = "patched",
	[PV_NO_HEARTBEAT] = "no-heartbeat",
	[PV_HANDSHAKE_FAILED] = "handshake-failed",
	[PV_NOT_TLS] = "not-tls",
	[PV_REFUSED] = "refused",
	[PV_TIMEOUT] = "timeout",
	[PV_UNREACHABLE] = "unreachable",
	[PV_DNS_ERROR] = "dns-error",
	[PV_INCONCLUSIVE] = "inconclusive",
	[PV_STARTTLS_REFUSED] = "starttls-refused",
};

const char *probe_verdict_name(enum probe_verdict v)
{
	return (unsigned)v < PV_COUNT ? verdict_names[v] : "unknown";
}

int probe_verdict_untested(enum probe_verdict v)
{
	return v != PV_VULNERABLE && v != PV_PATCHED && v != PV_NO_HEARTBEAT;
}

/* In the order of enum engine_state. */
static const char *const state_names[] = { "idle", "preamble", "hello",
	"flight", "done" };

void engine_init(struct engine *e, uint64_t nonce, size_t reason_cap,
    void (*trace)(void *ctx, const char *line), void *trace_ctx)
{
	e->state = ES_IDLE;
	e->nonce = nonce;
	e->reason_cap =
	    (uint16_t)(reason_cap < sizeof(e->reason) ? reason_cap :
							sizeof(e->reason));
	e->trace_line = trace;
	e->trace_ctx = trace_ctx;
	e->alert_desc = -1;
	e->verdict = PV_INCONCLUSIVE;
}

void engine_trace(const struct engine *e, const char *fmt, ...)
{
	char line[200];
	va_list ap;

	if (!e->trace_line)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	e->trace_line(e->trace_ctx, line);
}

void engine_set_state(struct engine *e, unsigned s)
{
	engine_trace(e, "%s -> %s", state_names[e->state], state_names[s]);
	e->state = (uint8_t)s;
}

int engine_is_done(const struct engine *e)
{
	return e->state == ES_DONE;
}

int engine_is_idle(const struct engine *e)
{
	return e->state == ES_IDLE;
}

void engine_finish(struct engine *e, enum probe_verdict v, const char *why)
{
	e->verdict = v;
	snprintf(e->reason, e->reason_cap, "%s", why);
	if (e->release)
		e->release(e);
	engine_set_state(e, ES_DONE);
}

void engine_finishf(struct engine *e, struct probe_out *o, enum probe_verdict v,
    const char *fmt, ...)
{
	char why[sizeof(e->reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, e->reason_cap, fmt, ap);
	va_end(ap);
	engine_finish(e, v, why);
	if (e->quiet_end) {
		/* A verdict sends nothing, whatever this event began to
		 * ask. */
		o->len = 0;
		o->wake_ms = 0;
	}
	o->act = PA_DONE;
}

void engine_reconnect(struct engine *e, struct probe_out *o)
{
	e->attempts++;
	if (e->quiet_end) {
		o->len = 0;
		o->wake_ms = 0;
	}
	engine_set_state(e, ES_IDLE);
	o->act = PA_RECONNECT;
}

void engine_result(const struct engine *e, struct probe_result *r)
{
	r->verdict = e->verdict;
	r->reason = e->reason;
	r->disclosed = e->disclosed;
	r->alert = e->alert_desc;
	r->connections = e->attempts + 1;
	r->nudges = e->nudges;
}

uint64_t engine_conn_nonce(const struct engine *e)
{
	return e->nonce + 0x9e3779b97f4a7c15ULL * e->attempts;
}

void engine_fill_random(const struct engine *e, unsigned salt, uint8_t *b,
    size_t n)
{
	uint64_t x = e->nonce ^ ((uint64_t)e->attempts << 48) ^ salt;
	size_t i;

	for (i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		b[i] = (uint8_t)(x >> 56);
	}
}

uint8_t engine_pad_byte(const void *plan, size_t i)
{
	return hb_payload_byte(plan, 2, i);
}

void engine_note_rtt(struct engine *e, uint64_t since_ms)
{
	if (e->now_ms >= since_ms)
		e->rtt_ms = (uint16_t)(e->now_ms - since_ms > 60000 ?
			60000 :
			e->now_ms - since_ms);
}

int engine_nudge(struct engine *e, const struct hb_plan *plan, uint16_t version,
    unsigned max, unsigned gap_ms, struct probe_out *o)
{
	ssize_t n;

	if (e->nudges >= max)
		return -1;
	n = hb_appdata_record(plan, version, 1, out_tail(o), out_room(o));
	if (n < 0)
		return -1;
	o->len += (size_t)n;
	e->nudges++;
	engine_trace(e, "nudge %u", e->nudges);
	if (e->nudges < max)
		o->wake_ms = gap_ms;
	return 0;
}

static int fallback_alert(unsigned desc)
{
	switch (desc) {
	case TLS_AD_HANDSHAKE_FAILURE:
	case TLS_AD_ILLEGAL_PARAMETER:
	case TLS_AD_DECODE_ERROR:
	case TLS_AD_PROTOCOL_VERSION:
	case TLS_AD_INSUFFICIENT_SECURITY:
	case TLS_AD_INTERNAL_ERROR:
	case TLS_AD_INAPPROPRIATE_FALLBACK:
		return 1;
	default:
		return 0;
	}
}

int engine_rung_plan(const struct engine *e, unsigned rung, uint16_t k,
    int fence, struct hb_plan *plan)
{
	uint64_t nonce = engine_conn_nonce(e);

	switch (rung) {
	case ER_LARGE:
		/* --leak's largest claims shrink here to what one heartbeat
		 * can frame. */
		if ((uint32_t)ENGINE_LARGE_LEN + k > 0xffff)
			k = (uint16_t)(0xffff - ENGINE_LARGE_LEN);
		return hb_plan_init(plan, nonce, 0, ENGINE_LARGE_LEN, k);
	case ER_VALID:
		return hb_plan_init(plan, nonce, ENGINE_LARGE_LEN, 0, 0);
	default:
		if (fence)
			return hb_plan_flight(plan, nonce, k);
		return hb_plan_init(plan, nonce, HB_SENTINEL_LEN, HB_PROBE_LEN,
		    k);
	}
}

ssize_t engine_rung_records(const struct hb_plan *plan, unsigned rung,
    int fence, uint8_t *w, size_t cap)
{
	switch (rung) {
	case ER_LARGE:
		return hb_request_record(plan, 1, plan->rec_ver,
		    (uint16_t)(plan->probe_len + plan->k), 0, w, cap);
	case ER_VALID:
		return hb_request_record(plan, 0, plan->rec_ver,
		    plan->sentinel_len, HB_MIN_PADDING, w, cap);
	default:
		return hb_flight_tls(plan, plan->rec_ver, fence, w, cap);
	}
}

uint16_t engine_large_pad(size_t n)
{
	return (uint16_t)(n + 4 < ENGINE_LARGE_RECORD ?
		ENGINE_LARGE_RECORD - n - 4 :
		0);
}

void engine_large_padded(struct hb_plan *plan, size_t len, uint16_t pad)
{
	plan->pad_len = pad;
	plan->pad_at = (uint16_t)(len - pad);
}

int engine_alert_ends(unsigned level, unsigned desc)
{
	return level != TLS_ALERT_WARNING || desc == TLS_AD_CLOSE_NOTIFY;
}

void engine_first_alert(struct engine *e, unsigned desc)
{
	if (e->alert_desc < 0)
		e->alert_desc = (int)desc;
}

void engine_hello_refused(struct engine *e, struct probe_out *o, unsigned desc,
    uint8_t *sni_on, uint16_t *version_try, uint16_t older)
{
	const char *name = tls_alert_name(desc);
	char vb[16];

	if (desc == TLS_AD_UNRECOGNIZED_NAME && *sni_on) {
		/* Some servers reject the name they are sent: try without. */
		*sni_on = 0;
		engine_reconnect(e, o);
		return;
	}
	if (fallback_alert(desc) && older) {
		*version_try = older;
		engine_reconnect(e, o);
		return;
	}
	e->alert_desc = (int)desc;
	engine_finishf(e, o, PV_HANDSHAKE_FAILED,
	    "alert %u (%s) in answer to "
	    "the %s ClientHello",
	    desc, name ? name : "unknown",
	    tls_version_name(*version_try, vb, sizeof(vb)));
}

const char *engine_close_how(int err)
{
	return err == -ECONNRESET ? "reset the connection" :
	    err			  ? "failed the connection" :
				    "closed the connection";
}

void engine_sample(struct engine *e, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n && e->sample_have < sizeof(e->sample); i++)
		e->sample[e->sample_have++] = b[i];
}

void engine_describe_bytes(const uint8_t *b, size_t n, char *out, size_t cap)
{
	size_t i, w;

	w = (size_t)snprintf(out, cap, "bytes");
	for (i = 0; i < n && w + 4 < cap; i++)
		w += (size_t)snprintf(out + w, cap - w, " %02x", b[i]);
}

void engine_judge(struct engine *e, const struct hb_reader *r, int ext_echoed,
    struct engine_judgement *j)
{
	memset(&j->s, 0, sizeof(j->s));
	reply_from_reader(r, &j->s);
	j->s.alert_desc = e->alert_desc;
	j->v = reply_judge(&j->s, ext_echoed);
	reply_reason(&j->s, ext_echoed, j->why, sizeof(j->why));
	e->disclosed = j->s.disclosed;
}

void engine_proven(struct engine *e, struct probe_out *o, const char *whose,
    const char *proof)
{
	engine_finishf(e, o, PV_VULNERABLE,
	    "heartbeat over-read proven: "
	    "the probe came back with %s (0 bytes of %s memory disclosed)",
	    proof, whose);
}

void engine_finish_flight(struct engine *e, struct probe_out *o,
    const struct engine_judgement *j, const char *proof, const char *silence,
    const char *extra)
{
	if (j->v == HBV_VULNERABLE && j->s.disclosed == 0) {
		engine_proven(e, o, "server", proof);
		return;
	}
	/* Extension 15 alone proves nothing until the server refuses the
	 * heartbeat with an alert (GnuTLS) or echoes the sentinel (1.0.1g):
	 * a close, a reset or garbage is no answer at all. */
	if (j->v == HBV_PATCHED && !j->s.sentinel_echoed &&
	    j->s.alert_desc < 0) {
		engine_finishf(e, o, PV_INCONCLUSIVE,
		    "heartbeat extension "
		    "on, but the flight got no answer%s",
		    silence);
		return;
	}
	switch (j->v) {
	case HBV_VULNERABLE:
		engine_finishf(e, o, PV_VULNERABLE, "%s", j->why);
		break;
	case HBV_PATCHED:
		engine_finishf(e, o, PV_PATCHED, "%s", j->why);
		break;
	case HBV_NO_HEARTBEAT:
		engine_finishf(e, o, PV_NO_HEARTBEAT, "%s", j->why);
		break;
	case HBV_INCONCLUSIVE:
		engine_finishf(e, o, PV_INCONCLUSIVE, "%s%s", j->why, extra);
		break;
	}
}
