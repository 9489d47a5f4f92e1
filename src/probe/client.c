/*
 * The reverse probe engine.  See client.h for the contract and
 * docs/probe.md §7 for the client behaviour it answers.
 */
#include "probe/client.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls/tls.h"

/* The flight of docs/probe.md §3. */
#define SENTINEL_LEN 64
#define PROBE_LEN 32
#define PROBE_K 16
/* The large strategy, as for servers (docs/probe.md §4.2): a reply of
 * 3 + 4100 + 16 + 16 bytes overflows the 4 KiB handshake write buffer. */
#define LARGE_LEN 4100
#define LARGE_SH 4501
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

static const char *const state_names[] = { "idle", "preamble", "hello",
	"flight", "done" };

static void trace(const struct client_probe *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void trace(const struct client_probe *c, const char *fmt, ...)
{
	char line[200];
	va_list ap;

	if (!c->cfg->trace)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->cfg->trace(c->cfg->trace_ctx, line);
}

static void set_state(struct client_probe *c, enum client_state s)
{
	trace(c, "%s -> %s", state_names[c->state], state_names[s]);
	c->state = (uint8_t)s;
}

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

void client_init(struct client_probe *c, const struct client_cfg *cfg,
    uint64_t nonce)
{
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->nonce = nonce;
	c->strategy =
	    cfg->first_strategy <= CST_VALID ? cfg->first_strategy : CST_FLIGHT;
	c->alert_desc = -1;
	c->verdict = PV_INCONCLUSIVE;
}

void client_free(struct client_probe *c)
{
	free(c->ch_buf);
	c->ch_buf = NULL;
}

void client_clock(struct client_probe *c, uint64_t now_ms)
{
	c->now_ms = now_ms;
}

int client_is_done(const struct client_probe *c)
{
	return c->state == CS_DONE;
}

int client_is_idle(const struct client_probe *c)
{
	return c->state == CS_IDLE;
}

void client_finish(struct client_probe *c, enum probe_verdict v,
    const char *why)
{
	c->verdict = v;
	snprintf(c->reason, sizeof(c->reason), "%s", why);
	free(c->ch_buf);
	c->ch_buf = NULL;
	set_state(c, CS_DONE);
}

static void finish_fmt(struct client_probe *c, struct probe_out *o,
    enum probe_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void finish_fmt(struct client_probe *c, struct probe_out *o,
    enum probe_verdict v, const char *fmt, ...)
{
	char why[sizeof(c->reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	client_finish(c, v, why);
	o->act = PA_DONE;
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
	uint64_t nonce = c->nonce + 0x9e3779b97f4a7c15ULL * c->attempts;

	switch (c->strategy) {
	case CST_LARGE:
		return hb_plan_init(&c->plan, nonce, 0, LARGE_LEN, PROBE_K);
	case CST_VALID:
		return hb_plan_init(&c->plan, nonce, LARGE_LEN, 0, 0);
	default:
		return hb_plan_init(&c->plan, nonce, SENTINEL_LEN, PROBE_LEN,
		    PROBE_K);
	}
}

static void start_tls(struct client_probe *c)
{
	rec_stream_init(&c->rs, 0);
	hs_walker_init(&c->hw);
	set_state(c, CS_HELLO);
}

void client_on_connected(struct client_probe *c, struct probe_out *o)
{
	if (c->state == CS_DONE)
		return;
	if (plan_strategy(c) != 0) {
		finish_fmt(c, o, PV_INCONCLUSIVE,
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
		set_state(c, CS_PREAMBLE);
		if (c->cfg->preamble->on_connected)
			c->cfg->preamble->on_connected(c->cfg->preamble->st, o);
		return;
	}
	start_tls(c);
}

static uint8_t pad_byte(const void *ctx, size_t i)
{
	return hb_payload_byte(ctx, 2, i);
}

static void fill_random(struct client_probe *c, uint8_t *b, size_t n,
    unsigned salt)
{
	uint64_t x = c->nonce ^ ((uint64_t)c->attempts << 48) ^ salt;
	size_t i;

	for (i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		b[i] = (uint8_t)(x >> 56);
	}
}

static int suite_ecdhe(uint16_t s)
{
	return (s >> 8) == 0xc0 || (s >> 8) == 0xcc;
}

/* Writes our flight for this connection's strategy into o. */
static void send_flight(struct client_probe *c, struct probe_out *o)
{
	struct server_hello_opts sh;
	uint8_t *w = o->buf + o->len;
	size_t cap = o->cap - o->len, n = 0, probe_end = 0;
	ssize_t r;

	memset(&sh, 0, sizeof(sh));
	sh.version = c->version;
	sh.cipher = c->suite;
	fill_random(c, sh.random, sizeof(sh.random), 1);
	sh.sid_len = 32;
	fill_random(c, sh.sid, sizeof(sh.sid), 2);
	sh.heartbeat = c->ch.heartbeat_ext;
	sh.reneg = c->ch.reneg;
	sh.ec_point_formats = c->ch.ec_point_formats && suite_ecdhe(c->suite);
	r = server_hello_build(&sh, w, cap);
	if (r >= 0 && c->strategy == CST_LARGE) {
		/* Pad the ServerHello to a fixed record length with our
		 * bytes: the probe is read over it, so its over-read finds
		 * them (1.0.1 ignores an unknown ServerHello extension). */
		sh.pad_len =
		    (uint16_t)(r + 4 < LARGE_SH ? LARGE_SH - r - 4 : 0);
		sh.pad_byte = pad_byte;
		sh.pad_ctx = &c->plan;
		r = sh.pad_len ? server_hello_build(&sh, w, cap) : -1;
		if (r >= 0) {
			c->plan.pad_len = sh.pad_len;
			c->plan.pad_at = (uint16_t)(r - sh.pad_len);
		}
	}
	if (r < 0)
		goto nofit;
	n = (size_t)r;
	c->plan.rec_ver = c->version;
	switch (c->strategy) {
	case CST_LARGE:
		r = hb_request_record(&c->plan, 1, c->version,
		    (uint16_t)(c->plan.probe_len + c->plan.k), 0, w + n,
		    cap - n);
		break;
	case CST_VALID:
		r = hb_request_record(&c->plan, 0, c->version,
		    c->plan.sentinel_len, HB_MIN_PADDING, w + n, cap - n);
		break;
	default:
		r = hb_flight_tls(&c->plan, c->version, 0, w + n, cap - n);
		break;
	}
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
	set_state(c, CS_FLIGHT);
	return;
nofit:
	finish_fmt(c, o, PV_INCONCLUSIVE,
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
		n = server_cert_done_build(c->version, o->buf + o->len,
		    o->cap - o->len);
		if (n < 0)
			return;
		o->len += (size_t)n;
		c->rest_sent = 1;
		trace(c,
		    "no close after the heartbeat: Certificate and "
		    "ServerHelloDone sent");
		return;
	}
	if (c->nudges >= NUDGE_MAX)
		return;
	n = hb_appdata_record(&c->plan, c->version, 1, o->buf + o->len,
	    o->cap - o->len);
	if (n < 0)
		return;
	o->len += (size_t)n;
	c->nudges++;
	trace(c, "nudge %u", c->nudges);
	if (c->nudges < NUDGE_MAX)
		o->wake_ms = NUDGE_MS;
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
			finish_fmt(c, o, PV_VULNERABLE,
			    "heartbeat over-read "
			    "proven: the probe came back with %s (0 bytes of "
			    "client memory disclosed)",
			    proof);
		else
			finish_fmt(c, o, PV_VULNERABLE,
			    "heartbeat over-read "
			    "proven: the probe came back with %u bytes of "
			    "client memory",
			    c->disclosed);
		return;
	}
	if (h->foreign || (h->hdr_have > 0 && !h->in_padding)) {
		finish_fmt(c, o, PV_INCONCLUSIVE,
		    "a heartbeat response "
		    "matches no request we sent; nothing proven%s",
		    extra);
		return;
	}
	if (h->lax_echoed) {
		finish_fmt(c, o, PV_INCONCLUSIVE,
		    "the probe came back without "
		    "its over-read: the padding check is missing, but no "
		    "over-read is proven%s",
		    extra);
		return;
	}
	if (h->sentinel_echoed) {
		if (c->strategy == CST_VALID)
			finish_fmt(c, o, PV_PATCHED,
			    "the client program gives "
			    "up on the first heartbeat: an over-length one "
			    "went unanswered, a valid one of the same size was "
			    "echoed");
		else
			finish_fmt(c, o, PV_PATCHED,
			    "valid heartbeat echoed, "
			    "over-length request dropped (%s)",
			    e);
		return;
	}
	if (offered && c->alert_desc >= 0) {
		finish_fmt(c, o, PV_PATCHED,
		    "heartbeat extension offered, "
		    "heartbeats refused during the handshake (%s)",
		    alert_text(c->alert_desc, a, sizeof(a)));
		return;
	}
	if (offered) {
		finish_fmt(c, o, PV_INCONCLUSIVE,
		    "heartbeat extension offered, "
		    "but the %s went unanswered (%s); nothing proven%s",
		    c->strategy == CST_LARGE ? "over-length heartbeat" :
					       "valid heartbeat",
		    e, extra);
		return;
	}
	finish_fmt(c, o, PV_NO_HEARTBEAT,
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
		finish_fmt(c, o, PV_INCONCLUSIVE,
		    "no heartbeat was answered "
		    "in any strategy: the flight (%u nudges), a large "
		    "over-length heartbeat and a valid large heartbeat each "
		    "got a close and nothing else",
		    c->nudges);
		return;
	}
	if (!c->cfg->can_retry) {
		finish_fmt(c, o, PV_INCONCLUSIVE,
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
	trace(c, "nothing came back: next, %s",
	    c->strategy == CST_LARGE ?
		"a padded ServerHello and one over-length large heartbeat" :
		"one valid large heartbeat");
	c->attempts++;
	set_state(c, CS_IDLE);
	o->act = PA_RECONNECT;
}

static void on_client_hello(struct client_probe *c, struct probe_out *o)
{
	char vb[16];
	int bad = client_hello_parse(c->ch_buf, c->ch_have, &c->ch) != 0;

	free(c->ch_buf);
	c->ch_buf = NULL;
	if (bad) {
		finish_fmt(c, o, PV_HANDSHAKE_FAILED,
		    "malformed ClientHello "
		    "(%u bytes)",
		    (unsigned)c->ch_len);
		return;
	}
	c->hello_seen = 1;
	c->version = server_pick_version(&c->ch);
	if (!c->version || c->version < TLS_V_SSL3) {
		finish_fmt(c, o, PV_HANDSHAKE_FAILED,
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
			finish_fmt(c, o, PV_NO_HEARTBEAT,
			    "the client offered "
			    "only TLS 1.3 suites, and TLS 1.3 has no "
			    "heartbeat");
			return;
		}
		finish_fmt(c, o, PV_HANDSHAKE_FAILED,
		    "the client offered no "
		    "cipher suite we can answer with");
		return;
	}
	trace(c,
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
				finish_fmt(c, o, PV_HANDSHAKE_FAILED,
				    "the "
				    "client's first handshake message is type "
				    "%u, not a ClientHello",
				    c->hw.type);
				return;
			}
			if (c->hw.len > CH_MAX || c->hw.len < 38) {
				finish_fmt(c, o, PV_HANDSHAKE_FAILED,
				    "malformed ClientHello (%u bytes)",
				    (unsigned)c->hw.len);
				return;
			}
			c->ch_buf = malloc(c->hw.len);
			if (!c->ch_buf) {
				finish_fmt(c, o, PV_INCONCLUSIVE,
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
	size_t i, n = c->sample_have, w;

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
	w = (size_t)snprintf(out, cap, "bytes");
	for (i = 0; i < n && w + 4 < cap; i++)
		w += (size_t)snprintf(out + w, cap - w, " %02x", s[i]);
}

static void on_alert(struct client_probe *c, struct probe_out *o)
{
	unsigned level = c->alert[0], desc = c->alert[1];
	char a[64];

	if (level == TLS_ALERT_WARNING && desc != TLS_AD_CLOSE_NOTIFY)
		return;
	c->alert_desc = (int)desc;
	if (c->state == CS_HELLO) {
		finish_fmt(c, o, PV_HANDSHAKE_FAILED,
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
		finish_fmt(c, o, PV_NOT_TLS, "%s preamble failed: %s",
		    c->cfg->preamble->name, why[0] ? why : "unexpected input");
		return;
	}
	if (r == CPRE_REFUSED) {
		finish_fmt(c, o, PV_STARTTLS_REFUSED,
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
	for (i = 0; i < n && c->sample_have < sizeof(c->sample); i++)
		c->sample[c->sample_have++] = b[i];
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
			finish_fmt(c, o, PV_NOT_TLS,
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
				finish_fmt(c, o, PV_HANDSHAKE_FAILED,
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
	const char *how = err == -ECONNRESET ? "reset the connection" :
	    err				     ? "failed the connection" :
					       "closed the connection";

	switch (c->state) {
	case CS_PREAMBLE:
		finish_fmt(c, o, PV_HANDSHAKE_FAILED,
		    "the client %s during "
		    "the %s preamble%s%s",
		    how, c->cfg->preamble->name,
		    pre_waiting(c) ? ", waiting for " : "",
		    pre_waiting(c) ? pre_waiting(c) : "");
		return;
	case CS_HELLO:
		finish_fmt(c, o, PV_HANDSHAKE_FAILED, "the client %s %s", how,
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
		finish_fmt(c, o, PV_TIMEOUT,
		    "no client connected%s before the "
		    "deadline",
		    c->attempts ? " again" : "");
		return;
	case CS_PREAMBLE:
		finish_fmt(c, o, PV_TIMEOUT,
		    "the %s preamble did not end "
		    "before the deadline%s%s",
		    c->cfg->preamble->name,
		    pre_waiting(c) ? ", waiting for " : "",
		    pre_waiting(c) ? pre_waiting(c) : "");
		return;
	case CS_HELLO:
		finish_fmt(c, o, PV_TIMEOUT,
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
		finish_fmt(c, o, PV_TIMEOUT,
		    "no answer to our heartbeats and "
		    "no next flight before the deadline (%s strategy, %u "
		    "nudges)",
		    client_strategy_name(c), c->nudges);
		return;
	default:
		return;
	}
}
