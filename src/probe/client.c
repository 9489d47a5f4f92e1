/*
 * The reverse probe engine.  See client.h for the contract and
 * docs/probe.md §7 for the client behaviour it answers.
 */
#include "probe/client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls/tls.h"

/* The flight of docs/probe.md §3 (without a fence: the Certificate
 * follows), and the large strategy as for servers (docs/probe.md §4.2): a
 * reply of 3 + 4100 + 16 + 16 bytes overflows the 4 KiB handshake write
 * buffer. */
/* Nudges for clients that process one record per arrival of bytes. */
#define NUDGE_MS 20
#define NUDGE_MAX 12
/* On the large and valid strategies the Certificate and ServerHelloDone
 * wait this long: a client that gives up must have read everything we
 * sent when it closes, or its close becomes a reset that may take our
 * reply with it. */
#define REST_MS 250
/* No real ClientHello comes near this. */
#define CH_MAX 32768

const char *client_strategy_name(const struct client_probe *c)
{
	if (c->strategy == CST_FLIGHT)
		return c->nudged ? "nudge" : "flight";
	return c->strategy == CST_LARGE ? "large-record" : "valid-record";
}

int client_strategy_parse(const char *s, uint8_t *out)
{
	if (!strcmp(s, "flight"))
		*out = CST_FLIGHT;
	else if (!strcmp(s, "large"))
		*out = CST_LARGE;
	else if (!strcmp(s, "valid"))
		*out = CST_VALID;
	else
		return -1;
	return 0;
}

/* What only a live engine holds: freed at the verdict, or by client_free. */
static void release(struct engine *e)
{
	struct client_probe *c = (struct client_probe *)e; /* core first */

	free(c->ch_buf);
	c->ch_buf = NULL;
}

void client_init(struct client_probe *c, const struct client_cfg *cfg,
    uint64_t nonce)
{
	memset(c, 0, sizeof(*c));
	engine_init(&c->e, nonce, sizeof(c->reason), cfg->trace,
	    cfg->trace_ctx);
	c->release = release;
	c->cfg = cfg;
	c->strategy =
	    cfg->first_strategy <= CST_VALID ? cfg->first_strategy : CST_FLIGHT;
}

void client_free(struct client_probe *c)
{
	release(&c->e);
}

void client_clock(struct client_probe *c, uint64_t now_ms)
{
	c->now_ms = now_ms;
}

int client_is_done(const struct client_probe *c)
{
	return engine_is_done(&c->e);
}

int client_is_idle(const struct client_probe *c)
{
	return engine_is_idle(&c->e);
}

void client_finish(struct client_probe *c, enum probe_verdict v,
    const char *why)
{
	engine_finish(&c->e, v, why);
}

void client_get_result(const struct client_probe *c, struct client_result *r)
{
	memset(r, 0, sizeof(*r));
	r->verdict = c->verdict;
	r->reason = c->reason;
	r->hello = c->hello_seen ? &c->ch : NULL;
	r->version = c->version;
	r->suite = c->suite;
	r->heartbeat_ext = c->hello_seen && c->ch.heartbeat_ext;
	r->disclosed = c->disclosed;
	r->alert = c->alert_desc;
	r->connections = c->attempts + 1;
	r->strategy = client_strategy_name(c);
	r->nudges = c->nudges;
}

/* Compares the tail of a probe echo with our records that followed the
 * probe in the same write (a client with read-ahead). */
static void on_tail(void *ctx, size_t off, const uint8_t *b, size_t n)
{
	struct client_probe *c = ctx;
	size_t i;

	for (i = 0; i < n; i++) {
		if (off + i >= c->follow_len) {
			c->follow_mism++;
			continue;
		}
		c->follow_known++;
		if (b[i] != c->follow[off + i])
			c->follow_mism++;
	}
}

static int plan_strategy(struct client_probe *c)
{
	return engine_rung_plan(&c->e, c->strategy, HB_PROBE_K, 0, &c->plan);
}

static void start_tls(struct client_probe *c)
{
	rec_stream_init(&c->rs, 0);
	hs_walker_init(&c->hw);
	engine_set_state(&c->e, CS_HELLO);
}

void client_on_connected(struct client_probe *c, struct probe_out *o)
{
	if (c->state == CS_DONE)
		return;
	if (plan_strategy(c) != 0) {
		engine_finishf(&c->e, o, PV_INCONCLUSIVE,
		    "internal: heartbeat plan "
		    "does not fit");
		return;
	}
	hb_reader_init(&c->hb, &c->plan);
	c->hb.on_disclosed = on_tail;
	c->hb.ctx = c;
	c->hello_seen = 0;
	c->got_bytes = 0;
	c->went_on = 0;
	c->rest_sent = 0;
	c->alert_have = 0;
	c->alert_desc = -1;
	c->sample_have = 0;
	c->nudged = 0;
	c->version = 0;
	c->suite = 0;
	c->follow_len = 0;
	c->follow_known = c->follow_mism = 0;
	free(c->ch_buf);
	c->ch_buf = NULL;
	if (c->cfg->preamble) {
		engine_set_state(&c->e, CS_PREAMBLE);
		if (c->cfg->preamble->on_connected)
			c->cfg->preamble->on_connected(c->cfg->preamble->st, o);
		return;
	}
	start_tls(c);
}

static int suite_ecdhe(uint16_t s)
{
	return (s >> 8) == 0xc0 || (s >> 8) == 0xcc;
}

/* Writes our flight for this connection's strategy into o. */
static void send_flight(struct client_probe *c, struct probe_out *o)
{
	struct server_hello_opts sh;
	uint8_t *w = out_tail(o);
	size_t cap = out_room(o), n = 0, probe_end = 0;
	ssize_t r;

	memset(&sh, 0, sizeof(sh));
	sh.version = c->version;
	sh.cipher = c->suite;
	engine_fill_random(&c->e, 1, sh.random, sizeof(sh.random));
	sh.sid_len = 32;
	engine_fill_random(&c->e, 2, sh.sid, sizeof(sh.sid));
	sh.heartbeat = c->ch.heartbeat_ext;
	sh.reneg = c->ch.reneg;
	sh.ec_point_formats = c->ch.ec_point_formats && suite_ecdhe(c->suite);
	r = server_hello_build(&sh, w, cap);
	if (r >= 0 && c->strategy == CST_LARGE) {
		/* Pad the ServerHello to a fixed record length with our
		 * bytes: the probe is read over it, so its over-read finds
		 * them (1.0.1 ignores an unknown ServerHello extension). */
		sh.pad_len = engine_large_pad((size_t)r);
		sh.pad_byte = engine_pad_byte;
		sh.pad_ctx = &c->plan;
		r = sh.pad_len ? server_hello_build(&sh, w, cap) : -1;
		if (r >= 0)
			engine_large_padded(&c->plan, (size_t)r, sh.pad_len);
	}
	if (r < 0)
		goto nofit;
	n = (size_t)r;
	c->plan.rec_ver = c->version;
	r = engine_rung_records(&c->plan, c->strategy, 0, w + n, cap - n);
	if (r < 0)
		goto nofit;
	n += (size_t)r;
	probe_end = n;
	if (c->strategy == CST_FLIGHT) {
		r = server_cert_done_build(c->version, w + n, cap - n);
		if (r < 0)
			goto nofit;
		n += (size_t)r;
		c->rest_sent = 1;
		c->follow_len =
		    (uint8_t)(n - probe_end < CLIENT_FOLLOW ? n - probe_end :
							      CLIENT_FOLLOW);
		memcpy(c->follow, w + probe_end, c->follow_len);
		o->wake_ms = NUDGE_MS;
	} else {
		o->wake_ms = REST_MS;
	}
	o->len += n;
	engine_set_state(&c->e, CS_FLIGHT);
	return;
nofit:
	engine_finishf(&c->e, o, PV_INCONCLUSIVE,
	    "internal: our flight does not "
	    "fit");
}

void client_on_wake(struct client_probe *c, struct probe_out *o)
{
	ssize_t n;

	if (c->state != CS_FLIGHT)
		return;
	if (c->strategy != CST_FLIGHT) {
		/* Still connected: the client did not give up on the
		 * heartbeat, so let its handshake go on to its next flight. */
		if (c->rest_sent)
			return;
		n = server_cert_done_build(c->version, out_tail(o),
		    out_room(o));
		if (n < 0)
			return;
		o->len += (size_t)n;
		c->rest_sent = 1;
		engine_trace(&c->e,
		    "no close after the heartbeat: Certificate and "
		    "ServerHelloDone sent");
		return;
	}
	engine_nudge(&c->e, &c->plan, c->version, NUDGE_MAX, NUDGE_MS, o);
}

static const char *alert_text(int desc, char *buf, size_t cap)
{
	const char *name;

	if (desc < 0) {
		snprintf(buf, cap, "no alert");
		return buf;
	}
	name = tls_alert_name((unsigned)desc);
	snprintf(buf, cap, "alert %d (%s)", desc, name ? name : "unknown");
	return buf;
}

/* How the client's answer ended, for reasons. */
static const char *ending(const struct client_probe *c, char *buf, size_t cap)
{
	char a[64];

	if (c->alert_desc >= 0)
		snprintf(buf, cap, "then %s",
		    alert_text(c->alert_desc, a, sizeof(a)));
	else if (c->went_on)
		snprintf(buf, cap, "then its next handshake flight");
	else
		snprintf(buf, cap, "then a close");
	return buf;
}

/* Judges what this connection's answers show. */
static void finish_flight(struct client_probe *c, struct probe_out *o,
    const char *extra)
{
	const struct hb_reader *h = &c->hb;
	int offered = c->ch.heartbeat_ext;
	char e[96], a[64];

	c->nudged = c->strategy == CST_FLIGHT && c->nudges > 0;
	ending(c, e, sizeof(e));
	if (h->probe_echoed) {
		const char *proof = NULL;

		c->disclosed = h->disclosed;
		if (h->disclosed == 0)
			proof = h->proof_model == HB_TAIL_HELLO ?
			    "our own stale ServerHello bytes" :
			    "our own stale sentinel bytes";
		else if (c->follow_known == c->plan.k && c->follow_mism == 0) {
			/* Read ahead: the tail is our own Certificate record
			 * that came in the same read. */
			c->disclosed = 0;
			proof = "our own Certificate record, read ahead "
				"behind it";
		}
		if (proof)
			engine_proven(&c->e, o, "client", proof);
		else
			engine_finishf(&c->e, o, PV_VULNERABLE,
			    "heartbeat over-read "
			    "proven: the probe came back with %u bytes of "
			    "client memory",
			    c->disclosed);
		return;
	}
	if (h->foreign || (h->hdr_have > 0 && !h->in_padding)) {
		engine_finishf(&c->e, o, PV_INCONCLUSIVE,
		    "a heartbeat response "
		    "matches no request we sent; nothing proven%s",
		    extra);
		return;
	}
	if (h->lax_echoed) {
		engine_finishf(&c->e, o, PV_INCONCLUSIVE,
		    "the probe came back without "
		    "its over-read: the padding check is missing, but no "
		    "over-read is proven%s",
		    extra);
		return;
	}
	if (h->sentinel_echoed) {
		if (c->strategy == CST_VALID)
			engine_finishf(&c->e, o, PV_PATCHED,
			    "the client program gives "
			    "up on the first heartbeat: an over-length one "
			    "went unanswered, a valid one of the same size was "
			    "echoed");
		else
			engine_finishf(&c->e, o, PV_PATCHED,
			    "valid heartbeat echoed, "
			    "over-length request dropped (%s)",
			    e);
		return;
	}
	if (offered && c->alert_desc >= 0) {
		engine_finishf(&c->e, o, PV_PATCHED,
		    "heartbeat extension offered, "
		    "heartbeats refused during the handshake (%s)",
		    alert_text(c->alert_desc, a, sizeof(a)));
		return;
	}
	if (offered) {
		engine_finishf(&c->e, o, PV_INCONCLUSIVE,
		    "heartbeat extension offered, "
		    "but the %s went unanswered (%s); nothing proven%s",
		    c->strategy == CST_LARGE ? "over-length heartbeat" :
					       "valid heartbeat",
		    e, extra);
		return;
	}
	engine_finishf(&c->e, o, PV_NO_HEARTBEAT,
	    "no heartbeat extension offered and "
	    "no heartbeat echo (%s)",
	    e);
}

/* Nothing at all came back to this connection's heartbeats. */
static int unanswered(const struct client_probe *c)
{
	return c->hb.messages == 0 && c->hb.hdr_have == 0 && !c->hb.foreign &&
	    c->alert_desc < 0 && !c->went_on;
}

/* The client closed with nothing sent back, as a program that gives up on
 * the first heartbeat does. */
static void next_strategy(struct client_probe *c, struct probe_out *o)
{
	if (c->strategy >= CST_VALID) {
		engine_finishf(&c->e, o, PV_INCONCLUSIVE,
		    "no heartbeat was answered "
		    "in any strategy: the flight (%u nudges), a large "
		    "over-length heartbeat and a valid large heartbeat each "
		    "got a close and nothing else",
		    c->nudges);
		return;
	}
	if (!c->cfg->can_retry) {
		engine_finishf(&c->e, o, PV_INCONCLUSIVE,
		    "the client closed without "
		    "answering the %s: a program that gives up on the first "
		    "heartbeat drops its replies with the connection; test it "
		    "with `heartcheck clients -- COMMAND`, which runs it again "
		    "with a large heartbeat",
		    c->strategy == CST_FLIGHT ?
			"heartbeats behind our ServerHello" :
			"large heartbeat");
		return;
	}
	c->strategy++;
	engine_trace(&c->e, "nothing came back: next, %s",
	    c->strategy == CST_LARGE ?
		"a padded ServerHello and one over-length large heartbeat" :
		"one valid large heartbeat");
	engine_reconnect(&c->e, o);
}

static void on_client_hello(struct client_probe *c, struct probe_out *o)
{
	char vb[16];
	int bad = client_hello_parse(c->ch_buf, c->ch_have, &c->ch) != 0;

	free(c->ch_buf);
	c->ch_buf = NULL;
	if (bad) {
		engine_finishf(&c->e, o, PV_HANDSHAKE_FAILED,
		    "malformed ClientHello "
		    "(%u bytes)",
		    (unsigned)c->ch_len);
		return;
	}
	c->hello_seen = 1;
	c->version = server_pick_version(&c->ch);
	if (!c->version || c->version < TLS_V_SSL3) {
		engine_finishf(&c->e, o, PV_HANDSHAKE_FAILED,
		    "the client offered "
		    "version %s; heartbeats need SSLv3 to TLS 1.2",
		    tls_version_name(c->ch.version, vb, sizeof(vb)));
		c->version = 0;
		return;
	}
	c->suite = server_pick_suite(&c->ch, c->version);
	if (!c->suite) {
		size_t i;
		int tls13 = 0;

		for (i = 0; i < c->ch.n_suites && i < CH_SUITES_MAX; i++)
			if ((c->ch.suites[i] >> 8) == 0x13)
				tls13 = 1;
		c->version = 0;
		if (tls13) {
			engine_finishf(&c->e, o, PV_NO_HEARTBEAT,
			    "the client offered "
			    "only TLS 1.3 suites, and TLS 1.3 has no "
			    "heartbeat");
			return;
		}
		engine_finishf(&c->e, o, PV_HANDSHAKE_FAILED,
		    "the client offered no "
		    "cipher suite we can answer with");
		return;
	}
	engine_trace(&c->e,
	    "ClientHello %s, %u suites, extension 15 %s; answering "
	    "%s with suite 0x%04x",
	    tls_version_name(c->ch.version, vb, sizeof(vb)), c->ch.n_suites,
	    c->ch.heartbeat_ext ? "offered" : "not offered",
	    client_strategy_name(c), c->suite);
	send_flight(c, o);
}

static void on_hello_bytes(struct client_probe *c, const uint8_t *b, size_t n,
    struct probe_out *o)
{
	const uint8_t *data;
	size_t used, dlen;
	enum hw_ev ev;

	while (c->state == CS_HELLO) {
		ev = hs_walker_step(&c->hw, b, n, &used, &data, &dlen);
		b += used;
		n -= used;
		if (ev == HW_MORE)
			return;
		if (ev == HW_START) {
			if (c->hw.type != TLS_HS_CLIENT_HELLO) {
				engine_finishf(&c->e, o, PV_HANDSHAKE_FAILED,
				    "the "
				    "client's first handshake message is type "
				    "%u, not a ClientHello",
				    c->hw.type);
				return;
			}
			if (c->hw.len > CH_MAX || c->hw.len < 38) {
				engine_finishf(&c->e, o, PV_HANDSHAKE_FAILED,
				    "malformed ClientHello (%u bytes)",
				    (unsigned)c->hw.len);
				return;
			}
			c->ch_buf = malloc(c->hw.len);
			if (!c->ch_buf) {
				engine_finishf(&c->e, o, PV_INCONCLUSIVE,
				    "out of memory");
				return;
			}
			c->ch_len = c->hw.len;
			c->ch_have = 0;
		} else if (ev == HW_BODY && c->ch_buf) {
			memcpy(c->ch_buf + c->ch_have, data, dlen);
			c->ch_have += (uint32_t)dlen;
		} else if (ev == HW_END && c->ch_buf) {
			on_client_hello(c, o);
			/* Bytes after the ClientHello in the same record are
			 * a client that does not wait for us: ignored. */
			return;
		}
	}
}

static void describe_sample(const struct client_probe *c, char *out, size_t cap)
{
	const uint8_t *s = c->sample;
	size_t n = c->sample_have;

	if (n >= 3 && (s[0] & 0x80) && s[2] == 1) {
		snprintf(out, cap,
		    "an SSLv2-format ClientHello, which carries "
		    "no extensions; heartbeats need SSLv3 or TLS");
		return;
	}
	if (n >= 4 &&
	    (!memcmp(s, "GET ", 4) || !memcmp(s, "POST", 4) ||
		!memcmp(s, "HEAD", 4) || !memcmp(s, "PUT ", 4))) {
		snprintf(out, cap, "a plaintext HTTP request");
		return;
	}
	if (n >= 4 && (!memcmp(s, "EHLO", 4) || !memcmp(s, "HELO", 4))) {
		snprintf(out, cap,
		    "an SMTP command; test it with "
		    "--starttls smtp");
		return;
	}
	engine_describe_bytes(s, n, out, cap);
}

static void on_alert(struct client_probe *c, struct probe_out *o)
{
	unsigned level = c->alert[0], desc = c->alert[1];
	char a[64];

	if (!engine_alert_ends(level, desc))
		return;
	c->alert_desc = (int)desc;
	if (c->state == CS_HELLO) {
		engine_finishf(&c->e, o, PV_HANDSHAKE_FAILED,
		    "the client sent %s "
		    "before its ClientHello was complete",
		    alert_text((int)desc, a, sizeof(a)));
		return;
	}
	finish_flight(c, o, "");
}

static void preamble_data(struct client_probe *c, const uint8_t **b, size_t *n,
    struct probe_out *o)
{
	char why[128] = "";
	size_t used = 0;
	enum client_pre r;

	r = c->cfg->preamble->on_data(c->cfg->preamble->st, *b, *n, &used, o,
	    why, sizeof(why));
	if (used > *n)
		used = *n;
	*b += used;
	*n -= used;
	if (r == CPRE_FAIL) {
		engine_finishf(&c->e, o, PV_NOT_TLS, "%s preamble failed: %s",
		    c->cfg->preamble->name, why[0] ? why : "unexpected input");
		return;
	}
	if (r == CPRE_REFUSED) {
		engine_finishf(&c->e, o, PV_STARTTLS_REFUSED,
		    "the client would not start TLS: %s",
		    why[0] ? why : "it never asked for it");
		return;
	}
	if (r == CPRE_TLS) {
		c->sample_have = 0;
		start_tls(c);
	}
}

void client_on_data(struct client_probe *c, const uint8_t *b, size_t n,
    struct probe_out *o)
{
	const uint8_t *data;
	size_t used, dlen, i;
	enum rs_ev ev;
	char what[96];

	c->got_bytes = 1;
	if (c->state == CS_PREAMBLE) {
		preamble_data(c, &b, &n, o);
		if (c->state != CS_HELLO || n == 0)
			return;
	}
	engine_sample(&c->e, b, n);
	while (c->state == CS_HELLO || c->state == CS_FLIGHT) {
		ev = rec_stream_step(&c->rs, b, n, &used, &data, &dlen);
		b += used;
		n -= used;
		switch (ev) {
		case RS_MORE:
			return;
		case RS_BAD:
			if (c->state == CS_FLIGHT) {
				finish_flight(c, o, " (then non-TLS bytes)");
				return;
			}
			describe_sample(c, what, sizeof(what));
			engine_finishf(&c->e, o, PV_NOT_TLS,
			    "the client does not speak "
			    "TLS: %s",
			    what);
			return;
		case RS_HEADER:
			if (c->rs.cur.type == TLS_CT_ALERT)
				c->alert_have = 0;
			if (c->state == CS_FLIGHT &&
			    (c->rs.cur.type == TLS_CT_HANDSHAKE ||
				c->rs.cur.type == TLS_CT_CCS ||
				c->rs.cur.type == TLS_CT_APPDATA)) {
				/* Its next flight: every heartbeat answer the
				 * client had buffered came before it. */
				c->went_on = 1;
				finish_flight(c, o, "");
				return;
			}
			if (c->state == CS_HELLO &&
			    c->rs.cur.type != TLS_CT_HANDSHAKE &&
			    c->rs.cur.type != TLS_CT_ALERT) {
				engine_finishf(&c->e, o, PV_HANDSHAKE_FAILED,
				    "record "
				    "type %u before the ClientHello",
				    c->rs.cur.type);
				return;
			}
			break;
		case RS_BODY:
			switch (c->rs.cur.type) {
			case TLS_CT_HANDSHAKE:
				on_hello_bytes(c, data, dlen, o);
				break;
			case TLS_CT_ALERT:
				for (i = 0; i < dlen && c->alert_have < 2; i++)
					c->alert[c->alert_have++] = data[i];
				break;
			case TLS_CT_HEARTBEAT:
				if (hb_reader_feed(&c->hb, data, dlen) != 0)
					c->hb.foreign = 1;
				if (c->hb.probe_echoed ||
				    (c->strategy == CST_VALID &&
					c->hb.sentinel_echoed))
					finish_flight(c, o, "");
				break;
			default:
				break;
			}
			break;
		case RS_END:
			if (c->rs.cur.type == TLS_CT_HEARTBEAT)
				hb_reader_record_end(&c->hb);
			else if (c->rs.cur.type == TLS_CT_ALERT &&
			    c->alert_have == 2)
				on_alert(c, o);
			break;
		}
	}
}

/* What the preamble module waits for, or NULL. */
static const char *pre_waiting(const struct client_probe *c)
{
	const struct client_preamble *p = c->cfg->preamble;

	return p && p->waiting ? p->waiting(p->st) : NULL;
}

void client_on_closed(struct client_probe *c, int err, struct probe_out *o)
{
	const char *how = engine_close_how(err);

	switch (c->state) {
	case CS_PREAMBLE:
		engine_finishf(&c->e, o, PV_HANDSHAKE_FAILED,
		    "the client %s during "
		    "the %s preamble%s%s",
		    how, c->cfg->preamble->name,
		    pre_waiting(c) ? ", waiting for " : "",
		    pre_waiting(c) ? pre_waiting(c) : "");
		return;
	case CS_HELLO:
		engine_finishf(&c->e, o, PV_HANDSHAKE_FAILED,
		    "the client %s %s", how,
		    c->got_bytes ? "before its ClientHello was complete" :
				   "without sending anything");
		return;
	case CS_FLIGHT:
		/* Silence and a close: a client that gives up on the first
		 * heartbeat drops its buffered replies.  Without extension
		 * 15 and with extensions at all, it has no heartbeat. */
		if (unanswered(c) &&
		    (c->ch.heartbeat_ext || !c->ch.has_exts ||
			c->strategy != CST_FLIGHT)) {
			next_strategy(c, o);
			return;
		}
		finish_flight(c, o, "");
		return;
	default:
		return;
	}
}

void client_on_timeout(struct client_probe *c, struct probe_out *o)
{
	switch (c->state) {
	case CS_IDLE:
		engine_finishf(&c->e, o, PV_TIMEOUT,
		    "no client connected%s before the "
		    "deadline",
		    c->attempts ? " again" : "");
		return;
	case CS_PREAMBLE:
		engine_finishf(&c->e, o, PV_TIMEOUT,
		    "the %s preamble did not end "
		    "before the deadline%s%s",
		    c->cfg->preamble->name,
		    pre_waiting(c) ? ", waiting for " : "",
		    pre_waiting(c) ? pre_waiting(c) : "");
		return;
	case CS_HELLO:
		engine_finishf(&c->e, o, PV_TIMEOUT,
		    "no ClientHello before the "
		    "deadline (%s)",
		    c->got_bytes ? "the client sent part of "
				   "it" :
				   "the client sent nothing; a STARTTLS "
				   "client waits for a greeting: try "
				   "--starttls PROTO");
		return;
	case CS_FLIGHT:
		if (c->hb.sentinel_echoed || c->hb.probe_echoed) {
			finish_flight(c, o, "");
			return;
		}
		engine_finishf(&c->e, o, PV_TIMEOUT,
		    "no answer to our heartbeats and "
		    "no next flight before the deadline (%s strategy, %u "
		    "nudges)",
		    client_strategy_name(c), c->nudges);
		return;
	default:
		return;
	}
}
