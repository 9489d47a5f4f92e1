/*
 * The probe engine.  See probe.h for the contract and docs/probe.md for
 * the server behaviour each strategy answers.
 */
#include "probe/probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/preamble.h"
#include "tls/hello.h"
#include "tls/tls.h"

/* The large strategy (engine.h): a reply of 3 + 4100 + k + 16 bytes
 * overflows the 4 KiB handshake write buffer, so it leaves before the
 * program closes; the padded hello lies stale under the probe. */
/* Nudges: one record per arrival is all an event-driven program with
 * read-ahead processes, and the flight is three records. */
#define NUDGE_MS 20
#define NUDGE_MAX_MS 500
#define NUDGE_MAX 12
/* A program that gives up closes within about 80 ms of the flight; a close
 * with nothing later than this, after nudges, is read as a late answer lost
 * to the reset our unread nudges caused, and the flight is sent again. */
#define LATE_CLOSE_MS 200
/* No real ServerHello comes near this; a larger one is hostile. */
#define SH_MAX 4096

static const char *const strategy_names[] = { "flight", "large-record",
	"large-record" };

const char *probe_strategy_name(const struct probe *p)
{
	if (p->strategy == PST_FLIGHT && p->nudged)
		return "nudge";
	return p->strategy < sizeof(strategy_names) / sizeof(*strategy_names) ?
	    strategy_names[p->strategy] :
	    "unknown";
}

void probe_get_result(const struct probe *p, struct probe_result *r)
{
	engine_result(&p->e, r);
	r->version = p->version;
	r->heartbeat_ext = p->ext_echoed;
	r->strategy = probe_strategy_name(p);
	r->starttls = p->cfg->preamble ? p->cfg->preamble->name : NULL;
}

int probe_is_done(const struct probe *p)
{
	return engine_is_done(&p->e);
}

int probe_is_idle(const struct probe *p)
{
	return engine_is_idle(&p->e);
}

/* What only a live probe holds: freed at the verdict, or by probe_free. */
static void release(struct engine *e)
{
	struct probe *p = (struct probe *)e; /* the core comes first */

	free(p->sh_buf);
	p->sh_buf = NULL;
	free(p->pre_ctx);
	p->pre_ctx = NULL;
}

void probe_clock(struct probe *p, uint64_t now_ms)
{
	p->now_ms = now_ms;
}

void probe_init(struct probe *p, const struct probe_cfg *cfg, uint64_t nonce)
{
	memset(p, 0, sizeof(*p));
	engine_init(&p->e, nonce, 160, cfg->trace, cfg->trace_ctx);
	p->release = release;
	p->cfg = cfg;
	p->version_try = cfg->max_version ? cfg->max_version : TLS_V_TLS12;
	p->sni_on = cfg->sni != NULL && cfg->sni[0] != '\0';
	p->strategy = PST_FLIGHT;
	if ((uint32_t)HB_PROBE_LEN + (cfg->leak ? cfg->leak : HB_PROBE_K) >
	    0xffff)
		probe_finish(p, PV_INCONCLUSIVE,
		    "internal: --leak too large "
		    "for one heartbeat");
}

void probe_free(struct probe *p)
{
	release(&p->e);
}

void probe_finish(struct probe *p, enum probe_verdict v, const char *why)
{
	engine_finish(&p->e, v, why);
}

static uint16_t lower_version(uint16_t v)
{
	return v > TLS_V_SSL3 ? (uint16_t)(v - 1) : 0;
}

/* The heartbeat plan of this connection's strategy.  Each connection draws
 * fresh bytes, so a late echo from an earlier one matches nothing. */
static int plan_strategy(struct probe *p)
{
	return engine_rung_plan(&p->e, p->strategy,
	    p->cfg->leak ? p->cfg->leak : HB_PROBE_K, 1, &p->plan);
}

static void start_hello(struct probe *p, struct probe_out *o);
static void run_preamble(struct probe *p, const uint8_t *b, size_t n,
    struct probe_out *o);

void probe_on_connected(struct probe *p, struct probe_out *o)
{
	const struct preamble *pre = p->cfg->preamble;

	if (!pre) {
		start_hello(p, o);
		return;
	}
	/* STARTTLS: the dialogue again on every connection of the ladder.
	 * The context lives as long as the probe, allocated once. */
	if (!p->pre_ctx &&
	    !(p->pre_ctx = malloc(pre->ctx_size ? pre->ctx_size : 1))) {
		engine_finishf(&p->e, o, PV_INCONCLUSIVE, "out of memory");
		return;
	}
	pre->init(p->pre_ctx, p->cfg->host);
	p->pre_rx = 0;
	engine_set_state(&p->e, PS_PREAMBLE);
	run_preamble(p, NULL, 0, o);
}

static void start_hello(struct probe *p, struct probe_out *o)
{
	struct client_hello_opts ch;
	ssize_t n;

	hs_walker_init(&p->hw);
	if (plan_strategy(p) != 0) {
		engine_finishf(&p->e, o, PV_INCONCLUSIVE,
		    "internal: heartbeat plan "
		    "does not fit");
		return;
	}
	rr_init(&p->rr, &p->plan);
	p->rr.hb.on_disclosed = p->cfg->on_disclosed;
	p->rr.hb.ctx = p->cfg->ctx;
	p->got_bytes = 0;
	p->sh_seen = 0;
	p->ext_echoed = 0;
	p->nudged = 0;
	/* Report only what this connection negotiated. */
	p->version = 0;
	p->sample_have = 0;
	free(p->sh_buf);
	p->sh_buf = NULL;

	memset(&ch, 0, sizeof(ch));
	ch.version = p->version_try;
	ch.sni = p->sni_on ? p->cfg->sni : NULL;
	ch.heartbeat = 1;
	engine_fill_random(&p->e, 0, ch.random, sizeof(ch.random));
	n = client_hello_build(&ch, out_tail(o), out_room(o));
	if (n < 0 && ch.sni) {
		/* A name that cannot go into SNI is still probed without. */
		p->sni_on = 0;
		ch.sni = NULL;
		n = client_hello_build(&ch, out_tail(o), out_room(o));
	}
	if (n >= 0 && p->strategy == PST_LARGE) {
		/* Pad the hello to a fixed record length with our bytes: the
		 * probe is read over it, so its over-read finds them. */
		ch.pad_len = engine_large_pad((size_t)n);
		ch.pad_byte = engine_pad_byte;
		ch.pad_ctx = &p->plan;
		n = ch.pad_len ?
		    client_hello_build(&ch, out_tail(o), out_room(o)) :
		    -1;
		if (n >= 0)
			engine_large_padded(&p->plan, (size_t)n, ch.pad_len);
	}
	if (n < 0) {
		engine_finishf(&p->e, o, PV_INCONCLUSIVE,
		    "internal: ClientHello "
		    "does not fit");
		return;
	}
	o->len += (size_t)n;
	p->hello_ms = p->now_ms;
	engine_set_state(&p->e, PS_HELLO);
}

static const char *const proof_words[HB_TAIL_MODELS] = {
	[HB_TAIL_STALE] = "our own stale sentinel bytes",
	[HB_TAIL_FOLLOW] = "our own fence record, read ahead behind it",
	[HB_TAIL_HELLO] = "our own stale ClientHello bytes",
};

static void finish_flight(struct probe *p, struct probe_out *o,
    const char *extra)
{
	struct engine_judgement j;

	engine_judge(&p->e, &p->rr.hb, p->ext_echoed, &j);
	p->nudged = p->strategy == PST_FLIGHT && !p->patient && p->nudges > 0;
	if (j.v == HBV_PATCHED && p->strategy == PST_VALID &&
	    j.s.sentinel_echoed) {
		engine_finishf(&p->e, o, PV_PATCHED,
		    "the server program closes on the "
		    "first heartbeat: an over-length one went unanswered, a "
		    "valid one of the same size was echoed");
		return;
	}
	engine_finish_flight(&p->e, o, &j,
	    proof_words[p->rr.hb.proof_model % HB_TAIL_MODELS],
	    extra[0] ? extra : " (the connection closed)", extra);
}

/* Nothing at all came back to this connection's heartbeats. */
static int flight_unanswered(const struct probe *p)
{
	return p->rr.hb.messages == 0 && p->rr.hb.hdr_have == 0 &&
	    !p->rr.hb.foreign && p->alert_desc < 0;
}

/* Spacing of nudges: about one round trip, so each arrives on its own. */
static unsigned nudge_gap(const struct probe *p)
{
	unsigned g = p->rtt_ms;

	if (g < NUDGE_MS)
		g = NUDGE_MS;
	if (g > NUDGE_MAX_MS)
		g = NUDGE_MAX_MS;
	return g;
}

/*
 * The nudged flight closed with nothing, late: a slow program answers
 * after its sleeps and then closes with our nudges unread, so its close is
 * a reset, and a relay that stops at its first failed write towards it
 * loses the answer.  A program that gives up closes well before this.
 */
static int lost_to_reset(const struct probe *p)
{
	uint64_t late = LATE_CLOSE_MS + 2 * (uint64_t)p->rtt_ms;

	return p->strategy == PST_FLIGHT && !p->patient && p->nudges > 0 &&
	    p->now_ms >= p->flight_ms + late;
}

/*
 * The connection closed with nothing sent back, as a program that gives up
 * on the first "want read" does: its buffered replies die with it.  Climb
 * to the next strategy, or say what was tried.
 */
static void next_strategy(struct probe *p, struct probe_out *o)
{
	if (lost_to_reset(p)) {
		/* The same flight on a new connection, and patience. */
		p->patient = 1;
		engine_trace(&p->e,
		    "closed with nothing after %u nudges, %llu ms after "
		    "the flight: the flight again, not nudged",
		    p->nudges, (unsigned long long)(p->now_ms - p->flight_ms));
		engine_reconnect(&p->e, o);
		return;
	}
	switch (p->strategy) {
	case PST_FLIGHT:
		p->strategy = PST_LARGE;
		break;
	case PST_LARGE:
		p->strategy = PST_VALID;
		break;
	default:
		engine_finishf(&p->e, o, PV_INCONCLUSIVE,
		    "no heartbeat was answered "
		    "in any strategy: the flight (%u nudges), a large first "
		    "record and a valid large heartbeat each got a close and "
		    "nothing else",
		    p->nudges);
		return;
	}
	engine_trace(&p->e, "nothing came back: next, %s",
	    p->strategy == PST_LARGE ?
		"a padded hello and one over-length large heartbeat" :
		"one valid large heartbeat");
	engine_reconnect(&p->e, o);
}

static void send_flight(struct probe *p, struct probe_out *o)
{
	uint8_t *w = out_tail(o);
	size_t cap = out_room(o);
	ssize_t n;

	p->plan.rec_ver = p->version;
	n = engine_rung_records(&p->plan, p->strategy, 1, w, cap);
	if (n < 0) {
		engine_finishf(&p->e, o, PV_INCONCLUSIVE,
		    "internal: heartbeat flight "
		    "does not fit");
		return;
	}
	o->len += (size_t)n;
	engine_note_rtt(&p->e, p->hello_ms);
	p->flight_ms = p->now_ms;
	engine_set_state(&p->e, PS_FLIGHT);
	/* Only the flight is nudged: a nudge that lands unread at a program
	 * about to close turns its close into a reset, which may cost the
	 * large reply that is the whole point of the large strategy. */
	if (p->strategy == PST_FLIGHT && !p->patient)
		o->wake_ms = nudge_gap(p);
}

void probe_on_wake(struct probe *p, struct probe_out *o)
{
	if (p->state != PS_FLIGHT || p->strategy != PST_FLIGHT)
		return;
	engine_nudge(&p->e, &p->plan, p->version, NUDGE_MAX, nudge_gap(p), o);
}

static void on_alert(struct probe *p, struct probe_out *o)
{
	unsigned level = p->rr.alert[0], desc = p->rr.alert[1];
	const char *name = tls_alert_name(desc);

	if (!engine_alert_ends(level, desc))
		return;
	if (p->state == PS_FLIGHT && o->len > 0) {
		/* The flight is still unsent in o: this alert came with the
		 * server's own flight and answers nothing of ours. */
		o->len = 0;
		p->alert_desc = (int)desc;
		engine_finishf(&p->e, o, PV_HANDSHAKE_FAILED,
		    "alert %u (%s) right "
		    "after ServerHelloDone, before the heartbeat flight",
		    desc, name ? name : "unknown");
		return;
	}
	if (p->state == PS_FLIGHT) {
		engine_first_alert(&p->e, desc);
		finish_flight(p, o, "");
		return;
	}
	if (p->strategy != PST_FLIGHT) {
		/* The flight's hello was accepted: this one's size is what
		 * the server refuses, and no fallback mends that. */
		p->alert_desc = (int)desc;
		engine_finishf(&p->e, o, PV_INCONCLUSIVE,
		    "the flight got no answer, "
		    "and the %s ClientHello was refused with alert %u (%s)",
		    p->strategy == PST_LARGE ? "padded" : "next", desc,
		    name ? name : "unknown");
		return;
	}
	engine_hello_refused(&p->e, o, desc, &p->sni_on, &p->version_try,
	    lower_version(p->version_try));
}

static void on_handshake_bytes(struct probe *p, const uint8_t *b, size_t n,
    struct probe_out *o)
{
	struct server_hello sh;
	const uint8_t *data;
	size_t used, dlen;
	enum hw_ev ev;
	char vb[16];

	while (p->state == PS_HELLO) {
		ev = hs_walker_step(&p->hw, b, n, &used, &data, &dlen);
		b += used;
		n -= used;
		if (ev == HW_MORE)
			return;
		if (ev == HW_START && p->hw.type == TLS_HS_SERVER_HELLO) {
			if (p->sh_seen || p->hw.len > SH_MAX ||
			    p->hw.len < 38) {
				engine_finishf(&p->e, o, PV_HANDSHAKE_FAILED,
				    "malformed ServerHello (%u bytes)",
				    (unsigned)p->hw.len);
				return;
			}
			p->sh_buf = malloc(p->hw.len);
			if (!p->sh_buf) {
				engine_finishf(&p->e, o, PV_INCONCLUSIVE,
				    "out of memory");
				return;
			}
			p->sh_len = (uint16_t)p->hw.len;
			p->sh_have = 0;
		} else if (ev == HW_BODY && p->sh_buf &&
		    p->hw.type == TLS_HS_SERVER_HELLO) {
			memcpy(p->sh_buf + p->sh_have, data, dlen);
			p->sh_have += (uint16_t)dlen;
		} else if (ev == HW_END && p->hw.type == TLS_HS_SERVER_HELLO) {
			int bad =
			    server_hello_parse(p->sh_buf, p->sh_have, &sh) != 0;

			free(p->sh_buf);
			p->sh_buf = NULL;
			if (bad) {
				engine_finishf(&p->e, o, PV_HANDSHAKE_FAILED,
				    "malformed ServerHello");
				return;
			}
			if (sh.version < TLS_V_SSL3 ||
			    sh.version > p->version_try) {
				engine_finishf(&p->e, o, PV_HANDSHAKE_FAILED,
				    "server chose version %s, which was not "
				    "offered",
				    tls_version_name(sh.version, vb,
					sizeof(vb)));
				return;
			}
			p->version = sh.version;
			p->ext_echoed = sh.heartbeat_ext;
			p->sh_seen = 1;
		} else if (ev == HW_END &&
		    p->hw.type == TLS_HS_SERVER_HELLO_DONE) {
			if (!p->sh_seen) {
				engine_finishf(&p->e, o, PV_HANDSHAKE_FAILED,
				    "ServerHelloDone without ServerHello");
				return;
			}
			send_flight(p, o);
		}
	}
}

static void describe_sample(const struct probe *p, char *out, size_t cap)
{
	const uint8_t *s = p->sample;
	size_t n = p->sample_have;

	if (n >= 5 && memcmp(s, "HTTP/", 5) == 0) {
		snprintf(out, cap, "an HTTP reply");
		return;
	}
	if (n >= 4 && memcmp(s, "SSH-", 4) == 0) {
		snprintf(out, cap, "an SSH banner");
		return;
	}
	if (n >= 4 && s[0] >= '1' && s[0] <= '5' && s[1] >= '0' &&
	    s[1] <= '9' && s[2] >= '0' && s[2] <= '9' &&
	    (s[3] == ' ' || s[3] == '-')) {
		/* Say so plainly: the port is not one --starttls auto knows. */
		snprintf(out, cap,
		    "a plaintext banner (%c%c%c), maybe "
		    "STARTTLS: see --starttls",
		    s[0], s[1], s[2]);
		return;
	}
	engine_describe_bytes(s, n, out, cap);
}

static void tls_data(struct probe *p, const uint8_t *b, size_t n,
    struct probe_out *o);

void probe_on_data(struct probe *p, const uint8_t *b, size_t n,
    struct probe_out *o)
{
	if (p->state == PS_PREAMBLE) {
		p->pre_rx = 1;
		run_preamble(p, b, n, o);
		return;
	}
	tls_data(p, b, n, o);
}

/* "STARTTLS smtp" or, on a later connection of the ladder, with its
 * number. */
static void pre_prefix(const struct probe *p, char *buf, size_t cap)
{
	if (p->attempts)
		snprintf(buf, cap, "STARTTLS %s (connection %u)",
		    p->cfg->preamble->name, (unsigned)p->attempts + 1);
	else
		snprintf(buf, cap, "STARTTLS %s", p->cfg->preamble->name);
}

/*
 * Feeds the preamble; on "ready" the ClientHello follows at once, after
 * whatever the module queued, and bytes left over are the server's TLS.
 */
static void run_preamble(struct probe *p, const uint8_t *b, size_t n,
    struct probe_out *o)
{
	const struct preamble *pre = p->cfg->preamble;
	struct pre_out po = { out_tail(o), out_room(o), 0 };
	char why[sizeof(p->reason)], pfx[48];
	size_t used = 0;
	enum pre_res r;

	why[0] = '\0';
	r = pre->step(p->pre_ctx, b, n, &used, &po, why, sizeof(why));
	if (used > n)
		used = n;
	switch (r) {
	case PRE_MORE:
		o->len += po.len;
		return;
	case PRE_READY:
		o->len += po.len;
		engine_trace(&p->e, "%s: ready for TLS", pre->name);
		start_hello(p, o);
		if (p->state == PS_HELLO && used < n)
			tls_data(p, b + used, n - used, o);
		return;
	case PRE_REFUSED:
		pre_prefix(p, pfx, sizeof(pfx));
		engine_finishf(&p->e, o, PV_STARTTLS_REFUSED, "%s: %s", pfx,
		    why[0] ? why : "refused");
		return;
	case PRE_NOT_PROTO:
	default:
		pre_prefix(p, pfx, sizeof(pfx));
		engine_finishf(&p->e, o, PV_NOT_TLS,
		    "%s: the service does not speak "
		    "%s: %s",
		    pfx, pre->label,
		    why[0] ? why :
			     "unexpected "
			     "reply");
		return;
	}
}

static void tls_data(struct probe *p, const uint8_t *b, size_t n,
    struct probe_out *o)
{
	const uint8_t *data;
	size_t used, dlen;
	enum rr_ev ev;
	char what[64];

	/* Keep the first bytes, to name a non-TLS service. */
	engine_sample(&p->e, b, n);
	p->got_bytes = 1;
	while (p->state == PS_HELLO || p->state == PS_FLIGHT) {
		ev = rr_step(&p->rr, b, n, &used, &data, &dlen);
		b += used;
		n -= used;
		switch (ev) {
		case RR_MORE:
			return;
		case RR_BAD:
			if (p->state == PS_FLIGHT) {
				finish_flight(p, o, " (then non-TLS bytes)");
				return;
			}
			describe_sample(p, what, sizeof(what));
			engine_finishf(&p->e, o, PV_NOT_TLS,
			    "the reply is not TLS: %s", what);
			return;
		case RR_HANDSHAKE:
			if (p->state == PS_HELLO)
				on_handshake_bytes(p, data, dlen, o);
			break;
		case RR_HEARTBEAT:
			/* The echo is the proof: no need to wait.  A lone
			 * valid heartbeat's echo is the answer. */
			if (p->state == PS_FLIGHT &&
			    (p->rr.hb.probe_echoed ||
				(p->strategy == PST_VALID &&
				    p->rr.hb.sentinel_echoed)))
				finish_flight(p, o, "");
			break;
		case RR_ALERT:
			on_alert(p, o);
			break;
		}
	}
}

void probe_on_closed(struct probe *p, int err, struct probe_out *o)
{
	char vb[16];
	const char *how = engine_close_how(err);
	char pfx[48];

	switch (p->state) {
	case PS_PREAMBLE:
		pre_prefix(p, pfx, sizeof(pfx));
		if (!p->pre_rx)
			engine_finishf(&p->e, o, PV_NOT_TLS,
			    "%s: the server %s without "
			    "a word (waiting for %s)",
			    pfx, how, p->cfg->preamble->waiting(p->pre_ctx));
		else
			engine_finishf(&p->e, o, PV_STARTTLS_REFUSED,
			    "%s: the server "
			    "%s while we waited for %s",
			    pfx, how, p->cfg->preamble->waiting(p->pre_ctx));
		return;
	case PS_HELLO:
		if (p->strategy != PST_FLIGHT) {
			engine_finishf(&p->e, o, PV_INCONCLUSIVE,
			    "the flight got no "
			    "answer, and the server %s during the %s "
			    "handshake",
			    how, p->strategy == PST_LARGE ? "padded" : "next");
			return;
		}
		/* Version intolerance shows as a close with no reply. */
		if (!p->got_bytes && lower_version(p->version_try)) {
			p->version_try = lower_version(p->version_try);
			engine_reconnect(&p->e, o);
			return;
		}
		engine_finishf(&p->e, o, PV_HANDSHAKE_FAILED,
		    "the server %s during "
		    "the handshake (%s offered%s)",
		    how, tls_version_name(p->version_try, vb, sizeof(vb)),
		    p->got_bytes ? "" : ", no reply");
		return;
	case PS_FLIGHT:
		/* Silence and a close: with extension 15 echoed, the program
		 * may have dropped our replies with the connection. */
		if (flight_unanswered(p) &&
		    (p->ext_echoed || p->strategy != PST_FLIGHT)) {
			next_strategy(p, o);
			return;
		}
		finish_flight(p, o, "");
		return;
	default:
		return;
	}
}

void probe_on_timeout(struct probe *p, struct probe_out *o)
{
	switch (p->state) {
	case PS_IDLE:
		engine_finishf(&p->e, o, PV_TIMEOUT, "connect timed out");
		return;
	case PS_PREAMBLE: {
		char pfx[48];

		pre_prefix(p, pfx, sizeof(pfx));
		engine_finishf(&p->e, o, PV_TIMEOUT,
		    "%s: no answer before the "
		    "deadline while waiting for %s (%s)",
		    pfx, p->cfg->preamble->waiting(p->pre_ctx),
		    p->pre_rx ? "the server had answered before" :
				"the server sent nothing");
		return;
	}
	case PS_HELLO:
		engine_finishf(&p->e, o, PV_TIMEOUT,
		    "no ServerHelloDone before the "
		    "deadline (%s)",
		    p->got_bytes ? "the server sent part of "
				   "its flight" :
				   "the server sent nothing");
		return;
	case PS_FLIGHT:
		/* A sentinel echo shows the server answered the flight, and
		 * the probe's echo would have come with it. */
		if (p->rr.hb.sentinel_echoed || p->rr.hb.probe_echoed) {
			finish_flight(p, o, "");
			return;
		}
		engine_finishf(&p->e, o, PV_TIMEOUT,
		    "no answer to the %s before "
		    "the deadline (%u nudges)",
		    p->strategy == PST_FLIGHT ?
			(p->patient ? "heartbeat flight, sent again without "
				      "nudges" :
				      "heartbeat flight") :
			p->strategy == PST_LARGE ?
			"large over-length heartbeat" :
			"valid large heartbeat",
		    p->nudges);
		return;
	default:
		return;
	}
}
