/*
 * The DTLS probe engine.  See dtls.h for the contract and docs/probe.md §6
 * for the server behaviour it relies on.
 */
#include "probe/dtls.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tls/hello.h"
#include "tls/tls.h"

/* The flight of docs/probe.md §3, without the fence DTLS has no use for:
 * k = 16 over-read bytes are the sentinel record's 13-byte header and the
 * first 3 bytes of its body. */
#define SENTINEL_LEN 64
#define PROBE_LEN 32
#define PROBE_K 16
/* Retransmission (RFC 6347 §4.2.4 starts at 1 s and doubles). */
#define RETX_MS 1000u
#define HELLO_SENDS_MAX 4 /* 1 s, 2 s, 4 s */
#define FLIGHT_SENDS_MAX 3 /* 1 s, 2 s, then 2 s more */
#define HVR_MAX 4
/* Extension 15 not echoed: a heartbeat answer is unlikely; wait a few
 * round trips, not seconds. */
#define NOHB_MIN_MS 250
/* Sentinel echoed alone: one more flight, in case only the probe's echo
 * was lost, answered within a few round trips. */
#define CONFIRM_MIN_MS 100

void dtls_probe_clock(struct dtls_probe *p, uint64_t now_ms)
{
	p->now_ms = now_ms;
}

void dtls_probe_get_result(const struct dtls_probe *p, struct probe_result *r)
{
	engine_result(&p->e, r);
	r->version = p->version;
	r->heartbeat_ext = p->ext_echoed;
	r->strategy = "dtls";
	r->starttls = NULL;
}

int dtls_probe_is_done(const struct dtls_probe *p)
{
	return engine_is_done(&p->e);
}

int dtls_probe_is_idle(const struct dtls_probe *p)
{
	return engine_is_idle(&p->e);
}

void dtls_probe_finish(struct dtls_probe *p, enum probe_verdict v,
    const char *why)
{
	engine_finish(&p->e, v, why);
}

void dtls_probe_init(struct dtls_probe *p, const struct probe_cfg *cfg,
    uint64_t nonce)
{
	memset(p, 0, sizeof(*p));
	engine_init(&p->e, nonce, 160, cfg->trace, cfg->trace_ctx);
	/* Each event answers with whole datagrams: a verdict or a new
	 * socket drops what the event had begun. */
	p->quiet_end = 1;
	p->cfg = cfg;
	/* --max-version names TLS versions: DTLS 1.2 is TLS 1.2, DTLS 1.0 is
	 * TLS 1.1. */
	p->version_try = !cfg->max_version || cfg->max_version >= TLS_V_TLS12 ?
	    DTLS_V_12 :
	    DTLS_V_10;
	p->sni_on = cfg->sni != NULL && cfg->sni[0] != '\0';
	if ((uint32_t)PROBE_LEN + (cfg->leak ? cfg->leak : PROBE_K) > 0xffff)
		dtls_probe_finish(p, PV_INCONCLUSIVE,
		    "internal: --leak too "
		    "large for one heartbeat");
}

void dtls_probe_free(struct dtls_probe *p)
{
	(void)p;
}

/* Asks for a wake-up in ms, and remembers when it is due. */
static void wake_in(struct dtls_probe *p, struct probe_out *o, unsigned ms)
{
	p->due_ms = p->now_ms + ms;
	o->wake_ms = ms;
}

static unsigned rtt_wait(const struct dtls_probe *p, unsigned mult,
    unsigned min)
{
	unsigned w = (unsigned)p->rtt_ms * mult + 50;

	if (w < min)
		w = min;
	return w > RETX_MS ? RETX_MS : w;
}

/* Writes the current ClientHello with a fresh record sequence number: a
 * copy with an old one would be dropped by the server's replay check. */
static int put_hello(struct dtls_probe *p, struct probe_out *o)
{
	struct client_hello_opts ch;
	ssize_t n;

	memset(&ch, 0, sizeof(ch));
	ch.version = p->version_try;
	ch.sni = p->sni_on ? p->cfg->sni : NULL;
	ch.heartbeat = 1;
	memcpy(ch.random, p->random, sizeof(ch.random));
	ch.dtls = 1;
	ch.message_seq = p->msg_seq;
	ch.record_seq = p->rec_seq;
	ch.cookie = p->cookie;
	ch.cookie_len = p->cookie_len;
	n = client_hello_build(&ch, out_tail(o), out_room(o));
	if (n < 0 && ch.sni) {
		p->sni_on = 0;
		ch.sni = NULL;
		n = client_hello_build(&ch, out_tail(o), out_room(o));
	}
	if (n < 0) {
		engine_finishf(&p->e, o, PV_INCONCLUSIVE,
		    "internal: ClientHello does "
		    "not fit");
		return -1;
	}
	p->rec_seq++;
	o->len += (size_t)n;
	p->hello_sends++;
	p->sent_ms = p->now_ms;
	/* 1 s, then doubled for each copy. */
	wake_in(p, o, RETX_MS << (p->hello_sends - 1));
	return 0;
}

void dtls_probe_on_connected(struct dtls_probe *p, struct probe_out *o)
{
	uint64_t nonce = engine_conn_nonce(&p->e);

	if (p->state == PS_DONE)
		return;
	if (hb_plan_init(&p->plan, nonce, SENTINEL_LEN, PROBE_LEN,
		p->cfg->leak ? p->cfg->leak : PROBE_K) != 0) {
		engine_finishf(&p->e, o, PV_INCONCLUSIVE,
		    "internal: heartbeat plan "
		    "does not fit");
		return;
	}
	p->plan.dtls = 1;
	hb_reader_init(&p->hb, &p->plan);
	p->hb.on_disclosed = p->cfg->on_disclosed;
	p->hb.ctx = p->cfg->ctx;
	dtls_reasm_init(&p->sh, p->sh_buf, sizeof(p->sh_buf));
	engine_fill_random(&p->e, 0, p->random, sizeof(p->random));
	p->got_bytes = p->got_dtls = 0;
	p->sh_seen = p->ext_echoed = 0;
	p->hvrs = p->cookie_len = 0;
	p->hello_sends = p->flight_sends = p->confirming = 0;
	p->live_due = p->live_sent = p->restarted = 0;
	p->msg_seq = 0;
	p->rec_seq = 0;
	p->version = 0;
	if (put_hello(p, o) == 0)
		engine_set_state(&p->e, PS_HELLO);
}

static void send_flight(struct dtls_probe *p, struct probe_out *o)
{
	ssize_t n;

	if (p->flight_sends == 0) {
		p->plan.rec_ver = p->version;
		/* The sentinel keeps its sequence number in every copy, so
		 * the bytes past the probe stay the same; the server's
		 * replay check drops a sentinel it has already answered. */
		p->plan.dtls_seq = p->rec_seq + 1;
	}
	n = dtls_hb_flight(&p->plan, p->rec_seq, out_tail(o), out_room(o));
	if (n < 0) {
		engine_finishf(&p->e, o, PV_INCONCLUSIVE,
		    "internal: heartbeat flight "
		    "does not fit");
		return;
	}
	p->rec_seq += p->flight_sends == 0 ? 2 : 1;
	if (p->rec_seq == p->plan.dtls_seq)
		p->rec_seq++;
	o->len += (size_t)n;
	p->flight_sends++;
	engine_trace(&p->e, "flight %u: probe then sentinel in one datagram",
	    p->flight_sends);
}

/* A fresh ClientHello (message_seq 0, no cookie) after a silent flight. */
static void send_liveness(struct dtls_probe *p, struct probe_out *o)
{
	uint16_t ms = p->msg_seq;
	uint8_t cl = p->cookie_len, hs = p->hello_sends;
	uint64_t due = p->due_ms;

	p->msg_seq = 0;
	p->cookie_len = 0;
	put_hello(p, o);
	p->msg_seq = ms;
	p->cookie_len = cl;
	p->hello_sends = hs;
	p->due_ms = due;
	p->live_due = 0;
	p->live_sent = 1;
	engine_trace(&p->e,
	    "flight unanswered: a fresh ClientHello, to see whether the "
	    "handshake is still there");
}

static void finish_flight(struct dtls_probe *p, struct probe_out *o,
    const char *extra);

/* After a copy of the flight: with extension 15 echoed, a liveness hello
 * a few round trips later, then the next copy 1 s, 2 s after the last;
 * without it, a few round trips for each copy. */
static void flight_wait(struct dtls_probe *p, struct probe_out *o)
{
	p->flight_ms = p->now_ms;
	if (!p->ext_echoed) {
		wake_in(p, o, rtt_wait(p, 4, NOHB_MIN_MS));
		return;
	}
	p->live_due = !p->live_sent;
	wake_in(p, o,
	    p->live_due ? rtt_wait(p, 4, NOHB_MIN_MS) :
			  RETX_MS << (p->flight_sends - 1));
}

static void finish_flight(struct dtls_probe *p, struct probe_out *o,
    const char *extra)
{
	struct engine_judgement j;
	char silence[64];

	engine_judge(&p->e, &p->hb, p->ext_echoed, &j);
	if (j.v == HBV_PATCHED && !j.s.sentinel_echoed && j.s.alert_desc < 0 &&
	    p->restarted) {
		engine_finishf(&p->e, o, PV_PATCHED,
		    "heartbeat extension on; the "
		    "heartbeats ended the handshake without an answer (a fresh "
		    "ClientHello then got a new HelloVerifyRequest)");
		return;
	}
	snprintf(silence, sizeof(silence), " (%u copies sent)%s",
	    p->flight_sends, extra);
	engine_finish_flight(&p->e, o, &j,
	    p->hb.proof_model == HB_TAIL_NEXT_DTLS ?
		"the start of our own sentinel record from the same datagram" :
		"our own bytes",
	    silence, extra);
}

static void on_alert(struct dtls_probe *p, const uint8_t *b, size_t n,
    struct probe_out *o)
{
	unsigned desc;

	if (n != 2)
		return;
	desc = b[1];
	if (!engine_alert_ends(b[0], desc))
		return;
	if (p->state == PS_FLIGHT) {
		engine_first_alert(&p->e, desc);
		finish_flight(p, o, "");
		return;
	}
	/* The fallback from DTLS 1.2 is DTLS 1.0, on a fresh socket. */
	engine_hello_refused(&p->e, o, desc, &p->sni_on, &p->version_try,
	    p->version_try == DTLS_V_12 ? DTLS_V_10 : 0);
}

/* A version the server may choose: the one offered or an older one
 * (DTLS numbers run backwards). */
static int version_ok(const struct dtls_probe *p, uint16_t v)
{
	return v == DTLS_V_10 ||
	    (v == DTLS_V_12 && p->version_try == DTLS_V_12);
}

static void on_server_hello(struct dtls_probe *p, struct probe_out *o)
{
	struct server_hello sh;
	char vb[16];

	if (server_hello_parse(p->sh.buf, p->sh.len, &sh) != 0) {
		engine_finishf(&p->e, o, PV_HANDSHAKE_FAILED,
		    "malformed ServerHello");
		return;
	}
	if (!version_ok(p, sh.version)) {
		engine_finishf(&p->e, o, PV_HANDSHAKE_FAILED,
		    "server chose version "
		    "%s, which was not offered",
		    tls_version_name(sh.version, vb, sizeof(vb)));
		return;
	}
	p->version = sh.version;
	p->ext_echoed = sh.heartbeat_ext;
	p->sh_seen = 1;
	engine_note_rtt(&p->e, p->sent_ms);
	engine_trace(&p->e, "ServerHello: %s, extension 15 %s",
	    tls_version_name(sh.version, vb, sizeof(vb)),
	    sh.heartbeat_ext ? "echoed" : "not echoed");
}

static void on_hvr(struct dtls_probe *p, const struct dtls_hs_hdr *h,
    const uint8_t *frag, struct probe_out *o)
{
	const uint8_t *cookie;
	uint8_t clen;
	uint16_t v;

	/* Small enough to come whole; a fragment of one is dropped. */
	if (h->frag_off != 0 || h->frag_len != h->len ||
	    dtls_hvr_parse(frag, h->len, &v, &cookie, &clen) != 0)
		return;
	if (p->msg_seq > 0 && clen == p->cookie_len &&
	    memcmp(cookie, p->cookie, clen) == 0)
		return; /* a copy: our cookie'd hello is on its way */
	if (++p->hvrs > HVR_MAX) {
		engine_finishf(&p->e, o, PV_HANDSHAKE_FAILED,
		    "the server sent %u "
		    "HelloVerifyRequests without accepting a cookie",
		    (unsigned)p->hvrs - 1);
		return;
	}
	memcpy(p->cookie, cookie, clen);
	p->cookie_len = clen;
	p->msg_seq = 1;
	p->hello_sends = 0;
	o->len = 0;
	engine_trace(&p->e, "HelloVerifyRequest: cookie of %u bytes",
	    (unsigned)clen);
	put_hello(p, o);
}

static void on_handshake(struct dtls_probe *p, const uint8_t *b, size_t n,
    struct probe_out *o)
{
	struct dtls_hs_hdr h;
	const uint8_t *frag;
	size_t off = 0;
	int r;

	while (p->state == PS_HELLO &&
	    (r = dtls_hs_next(b, n, &off, &h, &frag)) == 1) {
		switch (h.type) {
		case TLS_HS_HELLO_VERIFY_REQUEST:
			if (!p->sh_seen)
				on_hvr(p, &h, frag, o);
			break;
		case TLS_HS_SERVER_HELLO:
			if (p->sh_seen)
				break; /* a retransmitted flight */
			r = dtls_reasm_add(&p->sh, &h, frag);
			if (r < 0) {
				engine_finishf(&p->e, o, PV_HANDSHAKE_FAILED,
				    "malformed ServerHello (%u bytes)",
				    (unsigned)h.len);
				return;
			}
			if (r == 1)
				on_server_hello(p, o);
			break;
		case TLS_HS_SERVER_HELLO_DONE:
			/* Before a ServerHello (lost), wait for the server's
			 * retransmission of its whole flight. */
			if (!p->sh_seen || h.len != 0)
				break;
			o->len = 0;
			send_flight(p, o);
			if (p->state != PS_HELLO)
				return;
			engine_set_state(&p->e, PS_FLIGHT);
			engine_note_rtt(&p->e, p->sent_ms);
			flight_wait(p, o);
			return;
		default:
			break; /* Certificate and the rest: walked past */
		}
	}
}

/* A HelloVerifyRequest among a handshake record's fragments. */
static int body_has_hvr(const uint8_t *b, size_t n)
{
	struct dtls_hs_hdr h;
	const uint8_t *frag;
	size_t off = 0;

	while (dtls_hs_next(b, n, &off, &h, &frag) == 1)
		if (h.type == TLS_HS_HELLO_VERIFY_REQUEST)
			return 1;
	return 0;
}

/* A DTLS heartbeat message ends with its record: one cut short is no
 * echo of ours, and the next record starts a new message whatever the
 * padding of this one was. */
static void hb_next_record(struct hb_reader *r)
{
	struct hb_reader keep = *r;

	if (r->hdr_have == 0)
		return;
	if (!r->in_padding)
		keep.foreign = 1;
	hb_reader_init(r, keep.plan);
	r->on_disclosed = keep.on_disclosed;
	r->ctx = keep.ctx;
	r->sentinel_echoed = keep.sentinel_echoed;
	r->probe_echoed = keep.probe_echoed;
	r->lax_echoed = keep.lax_echoed;
	r->foreign = keep.foreign;
	r->requests_seen = keep.requests_seen;
	r->disclosed = keep.disclosed;
	r->proof_model = keep.proof_model;
	r->messages = keep.messages;
}

void dtls_probe_on_data(struct dtls_probe *p, const uint8_t *dg, size_t n,
    struct probe_out *o)
{
	struct rec_hdr h;
	const uint8_t *body;
	size_t off = 0;
	int r;

	if (p->state != PS_HELLO && p->state != PS_FLIGHT)
		return;
	p->got_bytes = 1;
	while ((p->state == PS_HELLO || p->state == PS_FLIGHT) &&
	    (r = dtls_rec_next(dg, n, &off, &h, &body)) == 1) {
		p->got_dtls = 1;
		if (h.epoch != 0)
			continue; /* encrypted: nothing of ours */
		switch (h.type) {
		case TLS_CT_ALERT:
			on_alert(p, body, h.len, o);
			break;
		case TLS_CT_HANDSHAKE:
			if (p->state == PS_HELLO)
				on_handshake(p, body, h.len, o);
			else if (p->live_sent && !p->restarted &&
			    body_has_hvr(body, h.len))
				p->restarted = 1;
			break;
		case TLS_CT_HEARTBEAT:
			if (p->state != PS_FLIGHT)
				break;
			/* A DTLS heartbeat message never spans records. */
			if (hb_reader_feed(&p->hb, body, h.len) != 0)
				p->hb.foreign = 1;
			hb_reader_record_end(&p->hb);
			hb_next_record(&p->hb);
			break;
		default:
			break;
		}
	}
	if (!p->got_dtls && (p->state == PS_HELLO)) {
		char what[40];

		engine_describe_bytes(dg, n < 8 ? n : 8, what, sizeof(what));
		engine_finishf(&p->e, o, PV_NOT_TLS,
		    "the reply is not DTLS: %s", what);
		return;
	}
	if (p->state != PS_FLIGHT)
		return;
	if (p->hb.probe_echoed || (p->restarted && !p->hb.sentinel_echoed)) {
		finish_flight(p, o, "");
		return;
	}
	if ((p->hb.sentinel_echoed || p->hb.foreign) && !p->confirming) {
		/* Sentinel alone: send the flight once more, in case only the
		 * probe's echo was lost on the way. */
		p->confirming = 1;
		if (p->hb.sentinel_echoed && !p->hb.foreign) {
			send_flight(p, o);
			wake_in(p, o, rtt_wait(p, 2, CONFIRM_MIN_MS));
		} else {
			finish_flight(p, o, "");
		}
	}
}

void dtls_probe_on_wake(struct dtls_probe *p, struct probe_out *o)
{
	if (p->state != PS_HELLO && p->state != PS_FLIGHT)
		return;
	if (p->now_ms + 1 < p->due_ms) {
		/* Early, or left over from an earlier wait. */
		o->wake_ms = (unsigned)(p->due_ms - p->now_ms);
		return;
	}
	if (p->state == PS_HELLO) {
		if (p->hello_sends >= HELLO_SENDS_MAX)
			return; /* the deadline decides */
		engine_trace(&p->e, "no answer: ClientHello again (copy %u)",
		    (unsigned)p->hello_sends + 1);
		put_hello(p, o);
		return;
	}
	if (p->confirming) {
		/* The second flight brought no probe echo either. */
		finish_flight(p, o, "");
		return;
	}
	if (!p->ext_echoed && p->flight_sends >= 2) {
		finish_flight(p, o, "");
		return;
	}
	if (p->live_due) {
		unsigned gap = RETX_MS << (p->flight_sends - 1);
		uint64_t next = p->flight_ms + gap;

		send_liveness(p, o);
		wake_in(p, o,
		    next > p->now_ms ? (unsigned)(next - p->now_ms) : 1);
		return;
	}
	if (p->flight_sends >= FLIGHT_SENDS_MAX) {
		finish_flight(p, o, "");
		return;
	}
	send_flight(p, o);
	flight_wait(p, o);
}

void dtls_probe_on_closed(struct dtls_probe *p, int err, struct probe_out *o)
{
	char vb[16];

	if (p->state == PS_DONE)
		return;
	if (p->state == PS_FLIGHT &&
	    (p->hb.sentinel_echoed || p->hb.probe_echoed)) {
		finish_flight(p, o, "");
		return;
	}
	if (err == -ECONNREFUSED) {
		if (p->attempts == 0 && !p->got_bytes) {
			engine_finishf(&p->e, o, PV_REFUSED,
			    "port unreachable (ICMP): "
			    "nothing listens on this UDP port");
			return;
		}
		engine_finishf(&p->e, o, PV_HANDSHAKE_FAILED,
		    "port unreachable (ICMP) "
		    "after %s",
		    p->state == PS_FLIGHT ? "the heartbeat flight" :
					    "the handshake began");
		return;
	}
	if ((err == -EHOSTUNREACH || err == -ENETUNREACH) && !p->got_bytes &&
	    p->attempts == 0) {
		engine_finishf(&p->e, o, PV_UNREACHABLE, "%s", strerror(-err));
		return;
	}
	engine_finishf(&p->e, o, PV_HANDSHAKE_FAILED,
	    "the socket failed (%s) with %s "
	    "offered",
	    err ? strerror(-err) : "closed",
	    tls_version_name(p->version_try, vb, sizeof(vb)));
}

void dtls_probe_on_timeout(struct dtls_probe *p, struct probe_out *o)
{
	switch (p->state) {
	case PS_IDLE:
		engine_finishf(&p->e, o, PV_TIMEOUT,
		    "no socket before the deadline");
		return;
	case PS_HELLO:
		engine_finishf(&p->e, o, PV_TIMEOUT,
		    "no ServerHelloDone before the "
		    "deadline (%s; %u ClientHello copies sent)",
		    p->sh_seen	     ? "the ServerHello came" :
			p->msg_seq   ? "a HelloVerifyRequest came" :
			p->got_bytes ? "the server sent something" :
				       "the server sent nothing",
		    (unsigned)p->hello_sends);
		return;
	case PS_FLIGHT:
		if (p->hb.sentinel_echoed || p->hb.probe_echoed ||
		    p->alert_desc >= 0 || !p->ext_echoed) {
			finish_flight(p, o, "");
			return;
		}
		engine_finishf(&p->e, o, PV_TIMEOUT,
		    "no answer to the heartbeat "
		    "flight before the deadline (%u copies sent)",
		    (unsigned)p->flight_sends);
		return;
	default:
		return;
	}
}
