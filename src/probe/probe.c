/*
 * The probe engine.  See probe.h for the contract and DESIGN.md "The
 * probe" for the algorithm.
 */
#include "probe/probe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls/hello.h"
#include "tls/tls.h"

/* FACTS.md item 5: sizes observed to work on real 1.0.1f and 1.0.1g. */
#define SENTINEL_LEN 64
#define PROBE_LEN 32
#define PROBE_K 16
/* No real ServerHello comes near this; a larger one is hostile. */
#define SH_MAX 4096

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
};

const char *probe_verdict_name(enum probe_verdict v)
{
	return (unsigned)v < PV_COUNT ? verdict_names[v] : "unknown";
}

int probe_verdict_untested(enum probe_verdict v)
{
	return v != PV_VULNERABLE && v != PV_PATCHED && v != PV_NO_HEARTBEAT;
}

static const char *const state_names[] = { "idle", "hello", "flight",
	"done" };

/* Always change state here, so a trace shows every transition. */
static void probe_set_state(struct probe *p, enum probe_state s)
{
	if (p->cfg->trace)
		fprintf(stderr, "probe %p: %s -> %s\n", (void *)p,
		    state_names[p->state], state_names[s]);
	p->state = (uint8_t)s;
}

void probe_init(struct probe *p, const struct probe_cfg *cfg, uint64_t nonce)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->nonce = nonce;
	p->version_try = cfg->max_version ? cfg->max_version : TLS_V_TLS12;
	p->sni_on = cfg->sni != NULL && cfg->sni[0] != '\0';
	p->alert_desc = -1;
	p->verdict = PV_INCONCLUSIVE;
	if (hb_plan_init(&p->plan, nonce, SENTINEL_LEN, PROBE_LEN,
	    cfg->leak ? cfg->leak : PROBE_K) != 0)
		probe_finish(p, PV_INCONCLUSIVE, "internal: --leak too large "
		    "for one heartbeat");
}

void probe_free(struct probe *p)
{
	free(p->sh_buf);
	p->sh_buf = NULL;
}

void probe_finish(struct probe *p, enum probe_verdict v, const char *why)
{
	p->verdict = v;
	snprintf(p->reason, sizeof(p->reason), "%s", why);
	free(p->sh_buf);
	p->sh_buf = NULL;
	probe_set_state(p, PS_DONE);
}

static void finish_fmt(struct probe *p, struct probe_out *o,
    enum probe_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void finish_fmt(struct probe *p, struct probe_out *o,
    enum probe_verdict v, const char *fmt, ...)
{
	char why[sizeof(p->reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	probe_finish(p, v, why);
	o->done = 1;
}

static uint16_t lower_version(uint16_t v)
{
	return v > TLS_V_SSL3 ? (uint16_t)(v - 1) : 0;
}

static void reconnect(struct probe *p, struct probe_out *o)
{
	p->attempts++;
	probe_set_state(p, PS_IDLE);
	o->reconnect = 1;
}

void probe_on_connected(struct probe *p, struct probe_out *o)
{
	struct client_hello_opts ch;
	ssize_t n;
	size_t i;
	uint64_t x = p->nonce ^ ((uint64_t)p->attempts << 48);

	rec_stream_init(&p->rs, 0);
	hs_walker_init(&p->hw);
	hb_reader_init(&p->hb, &p->plan);
	p->hb.on_disclosed = p->cfg->on_disclosed;
	p->hb.ctx = p->cfg->ctx;
	p->got_bytes = 0;
	p->alert_have = 0;
	p->sh_seen = 0;
	p->ext_echoed = 0;
	/* Report only what this connection negotiated. */
	p->version = 0;
	p->sample_have = 0;
	free(p->sh_buf);
	p->sh_buf = NULL;

	memset(&ch, 0, sizeof(ch));
	ch.version = p->version_try;
	ch.sni = p->sni_on ? p->cfg->sni : NULL;
	ch.heartbeat = 1;
	for (i = 0; i < sizeof(ch.random); i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		ch.random[i] = (uint8_t)(x >> 56);
	}
	n = client_hello_build(&ch, o->buf + o->len, o->cap - o->len);
	if (n < 0 && ch.sni) {
		/* A name that cannot go into SNI is still probed without. */
		p->sni_on = 0;
		ch.sni = NULL;
		n = client_hello_build(&ch, o->buf + o->len, o->cap - o->len);
	}
	if (n < 0) {
		finish_fmt(p, o, PV_INCONCLUSIVE, "internal: ClientHello "
		    "does not fit");
		return;
	}
	o->len += (size_t)n;
	probe_set_state(p, PS_HELLO);
}

static void finish_flight(struct probe *p, struct probe_out *o,
    const char *extra)
{
	struct reply_summary s;
	char why[sizeof(p->reason)];
	enum hb_verdict v;

	memset(&s, 0, sizeof(s));
	reply_from_reader(&p->hb, &s);
	s.alert_desc = p->alert_desc;
	v = reply_judge(&s, p->ext_echoed);
	reply_reason(&s, p->ext_echoed, why, sizeof(why));
	p->disclosed = s.disclosed;
	/* Extension 15 alone proves nothing until the server refuses the
	 * heartbeat with an alert (GnuTLS) or echoes the sentinel (1.0.1g):
	 * a close, a reset or garbage is no answer at all. */
	if (v == HBV_PATCHED && !s.sentinel_echoed && s.alert_desc < 0) {
		finish_fmt(p, o, PV_INCONCLUSIVE, "heartbeat extension on, but "
		    "the flight got no answer%s", extra[0] ? extra :
		    " (the connection closed)");
		return;
	}
	switch (v) {
	case HBV_VULNERABLE:
		finish_fmt(p, o, PV_VULNERABLE, "%s", why);
		break;
	case HBV_PATCHED:
		finish_fmt(p, o, PV_PATCHED, "%s", why);
		break;
	case HBV_NO_HEARTBEAT:
		finish_fmt(p, o, PV_NO_HEARTBEAT, "%s", why);
		break;
	case HBV_INCONCLUSIVE:
		finish_fmt(p, o, PV_INCONCLUSIVE, "%s%s", why, extra);
		break;
	}
}

static void send_flight(struct probe *p, struct probe_out *o)
{
	ssize_t n = hb_flight_tls(&p->plan, p->version, 1, o->buf + o->len,
	    o->cap - o->len);

	if (n < 0) {
		finish_fmt(p, o, PV_INCONCLUSIVE, "internal: heartbeat flight "
		    "does not fit");
		return;
	}
	o->len += (size_t)n;
	probe_set_state(p, PS_FLIGHT);
}

static int fallback_alert(unsigned desc)
{
	return desc == 40 || desc == 70 || desc == 47 || desc == 50 ||
	    desc == 71 || desc == 80 || desc == 86;
}

static void on_alert(struct probe *p, struct probe_out *o)
{
	unsigned level = p->alert[0], desc = p->alert[1];
	const char *name = tls_alert_name(desc);
	char vb[16];

	/* A warning (say unrecognized_name) lets the connection go on, and
	 * in the flight the echoes may still follow it: only a fatal alert
	 * or close_notify ends either phase. */
	if (level == 1 && desc != 0)
		return;
	if (p->state == PS_FLIGHT && o->len > 0) {
		/* The flight is still unsent in o: this alert came with the
		 * server's own flight and answers nothing of ours. */
		o->len = 0;
		p->alert_desc = (int)desc;
		finish_fmt(p, o, PV_HANDSHAKE_FAILED, "alert %u (%s) right "
		    "after ServerHelloDone, before the heartbeat flight", desc,
		    name ? name : "unknown");
		return;
	}
	if (p->state == PS_FLIGHT) {
		if (p->alert_desc < 0)
			p->alert_desc = (int)desc;
		finish_flight(p, o, "");
		return;
	}
	if (desc == 112 && p->sni_on) {
		/* Some servers reject the name they are sent: try without. */
		p->sni_on = 0;
		reconnect(p, o);
		return;
	}
	if (fallback_alert(desc) && lower_version(p->version_try)) {
		p->version_try = lower_version(p->version_try);
		reconnect(p, o);
		return;
	}
	p->alert_desc = (int)desc;
	finish_fmt(p, o, PV_HANDSHAKE_FAILED, "alert %u (%s) in answer to "
	    "the %s ClientHello", desc, name ? name : "unknown",
	    tls_version_name(p->version_try, vb, sizeof(vb)));
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
				finish_fmt(p, o, PV_HANDSHAKE_FAILED,
				    "malformed ServerHello (%u bytes)",
				    (unsigned)p->hw.len);
				return;
			}
			p->sh_buf = malloc(p->hw.len);
			if (!p->sh_buf) {
				finish_fmt(p, o, PV_INCONCLUSIVE,
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
			int bad = server_hello_parse(p->sh_buf, p->sh_have,
			    &sh) != 0;

			free(p->sh_buf);
			p->sh_buf = NULL;
			if (bad) {
				finish_fmt(p, o, PV_HANDSHAKE_FAILED,
				    "malformed ServerHello");
				return;
			}
			if (sh.version < TLS_V_SSL3 ||
			    sh.version > p->version_try) {
				finish_fmt(p, o, PV_HANDSHAKE_FAILED,
				    "server chose version %s, which was not "
				    "offered", tls_version_name(sh.version, vb,
				    sizeof(vb)));
				return;
			}
			p->version = sh.version;
			p->ext_echoed = sh.heartbeat_ext;
			p->sh_seen = 1;
		} else if (ev == HW_END &&
		    p->hw.type == TLS_HS_SERVER_HELLO_DONE) {
			if (!p->sh_seen) {
				finish_fmt(p, o, PV_HANDSHAKE_FAILED,
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
	size_t i, n = p->sample_have;
	size_t w;

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
		/* Say so plainly: scan has no STARTTLS option to try. */
		snprintf(out, cap, "a plaintext banner (%c%c%c); STARTTLS is "
		    "not supported", s[0], s[1], s[2]);
		return;
	}
	w = (size_t)snprintf(out, cap, "bytes");
	for (i = 0; i < n && w + 4 < cap; i++)
		w += (size_t)snprintf(out + w, cap - w, " %02x", s[i]);
}

void probe_on_data(struct probe *p, const uint8_t *b, size_t n,
    struct probe_out *o)
{
	const uint8_t *data;
	size_t used, dlen, i;
	enum rs_ev ev;
	char what[64];

	/* Keep the first bytes, to name a non-TLS service. */
	for (i = 0; i < n && p->sample_have < sizeof(p->sample); i++)
		p->sample[p->sample_have++] = b[i];
	p->got_bytes = 1;
	while (p->state == PS_HELLO || p->state == PS_FLIGHT) {
		ev = rec_stream_step(&p->rs, b, n, &used, &data, &dlen);
		b += used;
		n -= used;
		switch (ev) {
		case RS_MORE:
			return;
		case RS_BAD:
			if (p->state == PS_FLIGHT) {
				finish_flight(p, o, " (then non-TLS bytes)");
				return;
			}
			describe_sample(p, what, sizeof(what));
			finish_fmt(p, o, PV_NOT_TLS, "the reply is not TLS: %s",
			    what);
			return;
		case RS_HEADER:
			if (p->rs.cur.type == TLS_CT_ALERT)
				p->alert_have = 0;
			break;
		case RS_BODY:
			switch (p->rs.cur.type) {
			case TLS_CT_HANDSHAKE:
				if (p->state == PS_HELLO)
					on_handshake_bytes(p, data, dlen, o);
				break;
			case TLS_CT_ALERT:
				for (i = 0; i < dlen && p->alert_have < 2; i++)
					p->alert[p->alert_have++] = data[i];
				break;
			case TLS_CT_HEARTBEAT:
				if (hb_reader_feed(&p->hb, data, dlen) != 0)
					p->hb.foreign = 1;
				/* The echo is the proof: no need to wait. */
				if (p->state == PS_FLIGHT && p->hb.probe_echoed)
					finish_flight(p, o, "");
				break;
			default:
				break;
			}
			break;
		case RS_END:
			if (p->rs.cur.type == TLS_CT_HEARTBEAT)
				hb_reader_record_end(&p->hb);
			else if (p->rs.cur.type == TLS_CT_ALERT &&
			    p->alert_have == 2)
				on_alert(p, o);
			break;
		}
	}
}

void probe_on_closed(struct probe *p, int err, struct probe_out *o)
{
	char vb[16];
	const char *how = err == -ECONNRESET ? "reset the connection" :
	    err ? "failed the connection" : "closed the connection";

	switch (p->state) {
	case PS_HELLO:
		/* Version intolerance shows as a close with no reply. */
		if (!p->got_bytes && lower_version(p->version_try)) {
			p->version_try = lower_version(p->version_try);
			reconnect(p, o);
			return;
		}
		finish_fmt(p, o, PV_HANDSHAKE_FAILED, "the server %s during "
		    "the handshake (%s offered%s)", how,
		    tls_version_name(p->version_try, vb, sizeof(vb)),
		    p->got_bytes ? "" : ", no reply");
		return;
	case PS_FLIGHT:
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
		finish_fmt(p, o, PV_TIMEOUT, "connect timed out");
		return;
	case PS_HELLO:
		finish_fmt(p, o, PV_TIMEOUT, "no ServerHelloDone before the "
		    "deadline (%s)", p->got_bytes ? "the server sent part of "
		    "its flight" : "the server sent nothing");
		return;
	case PS_FLIGHT:
		/* A sentinel echo shows the server answered the flight, and
		 * the probe's echo would have come with it. */
		if (p->hb.sentinel_echoed || p->hb.probe_echoed) {
			finish_flight(p, o, "");
			return;
		}
		finish_fmt(p, o, PV_TIMEOUT, "no answer to the heartbeat "
		    "flight before the deadline");
		return;
	default:
		return;
	}
}
