/*
 * The reverse probe over DTLS (probe/dtlsclient.h).
 *
 * The ClientHello is a TLS ClientHello with a cookie after the session id
 * and a DTLS version: the engine parses a TLS-shaped copy (the cookie
 * taken out, DTLS 1.2 read as TLS 1.2 and DTLS 1.0 as TLS 1.1) with the
 * TLS parser, and builds its ServerHello, Certificate and ServerHelloDone
 * with the TLS builders, each message rewrapped in a DTLS record and
 * handshake fragment header.
 */
#include "probe/dtlsclient.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probe/judge.h"
#include "tls/srvhello.h"
#include "tls/tls.h"

#define REC_HDR 13
#define TLS_REC_HDR 5
/* Copies of our flight for a client that sends its hello again. */
#define FLIGHTS_MAX 3

static void trace(const struct dclient *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void trace(const struct dclient *d, const char *fmt, ...)
{
	char line[200];
	va_list ap;

	if (!d->cfg->trace)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	d->cfg->trace(d->cfg->trace_ctx, line);
}

static void finish(struct dclient *d, enum probe_verdict v, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void finish(struct dclient *d, enum probe_verdict v, const char *fmt,
    ...)
{
	va_list ap;

	if (d->state == DCS_DONE)
		return;
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
	d->verdict = v;
	d->state = DCS_DONE;
	trace(d, "done: %s: %s", probe_verdict_name(v), d->reason);
}

void dclient_finish(struct dclient *d, enum probe_verdict v, const char *why)
{
	finish(d, v, "%s", why);
}

void dclient_init(struct dclient *d, const struct dclient_cfg *cfg,
    uint64_t nonce)
{
	uint64_t x = nonce;
	size_t i;

	memset(d, 0, sizeof(*d));
	d->cfg = cfg;
	d->nonce = nonce;
	d->alert_desc = -1;
	d->verdict = PV_INCONCLUSIVE;
	dtls_reasm_init(&d->ra, d->ch_buf, sizeof(d->ch_buf));
	for (i = 0; i < sizeof(d->cookie); i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		d->cookie[i] = (uint8_t)(x >> 56);
	}
}

int dclient_is_done(const struct dclient *d)
{
	return d->state == DCS_DONE;
}

/* One handshake message (type, body) as a DTLS record of its own. */
static int put_msg(struct dclient *d, uint8_t *out, size_t cap, size_t *w,
    uint16_t ver, uint8_t type, uint16_t msg_seq, const uint8_t *body,
    uint32_t len)
{
	uint8_t *p = out + *w;

	if (len > 0xffff - DTLS_HS_HDR_LEN ||
	    cap - *w < REC_HDR + DTLS_HS_HDR_LEN + (size_t)len)
		return -1;
	dtls_rec_hdr_write(p, TLS_CT_HANDSHAKE, ver, 0, d->seq++,
	    (uint16_t)(DTLS_HS_HDR_LEN + len));
	p += REC_HDR;
	p[0] = type;
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[4] = (uint8_t)(msg_seq >> 8);
	p[5] = (uint8_t)msg_seq;
	memset(p + 6, 0, 3); /* fragment_offset */
	memcpy(p + 9, p + 1, 3); /* fragment_length: the whole message */
	memcpy(p + DTLS_HS_HDR_LEN, body, len);
	*w += REC_HDR + DTLS_HS_HDR_LEN + len;
	return 0;
}

/* Every handshake message of TLS records tls[0..n) rewrapped for DTLS;
 * *msg_seq counts on.  The first message's body starts with a version
 * when first_ver is set, which becomes ver. */
static int rewrap(struct dclient *d, uint8_t *tls, size_t n, uint8_t *out,
    size_t cap, size_t *w, uint16_t *msg_seq, int first_ver)
{
	size_t off = 0, roff, rlen;

	while (off + TLS_REC_HDR <= n) {
		rlen = (size_t)tls[off + 3] << 8 | tls[off + 4];
		if (off + TLS_REC_HDR + rlen > n)
			return -1;
		for (roff = 0; roff + 4 <= rlen;) {
			uint8_t *m = tls + off + TLS_REC_HDR + roff;
			uint32_t len =
			    (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];

			if (roff + 4 + len > rlen)
				return -1;
			if (first_ver && len >= 2) {
				m[4] = (uint8_t)(d->version >> 8);
				m[5] = (uint8_t)d->version;
				first_ver = 0;
			}
			if (put_msg(d, out, cap, w, d->version, m[0],
				(*msg_seq)++, m + 4, len) != 0)
				return -1;
			roff += 4 + len;
		}
		off += TLS_REC_HDR + rlen;
	}
	return off == n ? 0 : -1;
}

static uint16_t tls_of(uint16_t dtls_ver)
{
	return dtls_ver == DTLS_V_12 ? TLS_V_TLS12 : TLS_V_TLS11;
}

static int suite_ecdhe(uint16_t s)
{
	return (s >> 8) == 0xc0 || (s >> 8) == 0xcc;
}

/* ServerHello, probe, sentinel, Certificate, ServerHelloDone: one
 * datagram, kept for copies. */
static int build_flight(struct dclient *d)
{
	struct server_hello_opts sh;
	uint8_t tls[2048];
	uint16_t msg_seq = d->hvr_sent ? 1 : 0;
	size_t w = 0, i;
	ssize_t r;
	uint64_t x = d->nonce ^ 0x5bd1e995;

	memset(&sh, 0, sizeof(sh));
	sh.version = tls_of(d->version);
	sh.cipher = d->suite;
	for (i = 0; i < sizeof(sh.random); i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		sh.random[i] = (uint8_t)(x >> 56);
	}
	sh.sid_len = 32;
	memcpy(sh.sid, sh.random, 32);
	sh.sid[0] ^= 0xa5;
	sh.heartbeat = d->ch.heartbeat_ext;
	sh.reneg = d->ch.reneg;
	sh.ec_point_formats = d->ch.ec_point_formats && suite_ecdhe(d->suite);
	r = server_hello_build(&sh, tls, sizeof(tls));
	if (r < 0 ||
	    rewrap(d, tls, (size_t)r, d->flight, sizeof(d->flight), &w,
		&msg_seq, 1) != 0)
		return -1;
	/* The probe, then the sentinel: the over-read past the probe is the
	 * sentinel record's header and first bytes (docs/dtls.md §2). */
	d->plan.rec_ver = d->version;
	d->plan.dtls_seq = d->seq + 1;
	r = dtls_hb_flight(&d->plan, d->seq, d->flight + w,
	    sizeof(d->flight) - w);
	if (r < 0)
		return -1;
	w += (size_t)r;
	d->seq += 2;
	r = server_cert_done_build(tls_of(d->version), tls, sizeof(tls));
	if (r < 0 ||
	    rewrap(d, tls, (size_t)r, d->flight, sizeof(d->flight), &w,
		&msg_seq, 0) != 0)
		return -1;
	d->flight_len = w;
	return 0;
}

static void send_flight(struct dclient *d, struct probe_out *o)
{
	if (o->cap - o->len < d->flight_len)
		return;
	memcpy(o->buf + o->len, d->flight, d->flight_len);
	o->len += d->flight_len;
	d->flights++;
	trace(d,
	    "flight %u: ServerHello, probe, sentinel, Certificate, "
	    "ServerHelloDone in one datagram",
	    d->flights);
}

static void send_hvr(struct dclient *d, struct probe_out *o)
{
	uint8_t body[3 + DCLIENT_COOKIE_LEN];
	size_t w = o->len;

	body[0] = DTLS_V_10 >> 8;
	body[1] = DTLS_V_10 & 0xff;
	body[2] = DCLIENT_COOKIE_LEN;
	memcpy(body + 3, d->cookie, DCLIENT_COOKIE_LEN);
	if (put_msg(d, o->buf, o->cap, &w, DTLS_V_10,
		TLS_HS_HELLO_VERIFY_REQUEST, 0, body, sizeof(body)) != 0)
		return;
	o->len = w;
	d->hvr_sent = 1;
	trace(d, "HelloVerifyRequest with our cookie");
}

/* The DTLS ClientHello body as a TLS one: the cookie taken out, the
 * version read as TLS.  Returns the copy's length, or -1. */
static int tls_shaped(const uint8_t *b, size_t n, uint8_t *out, size_t cap,
    const uint8_t **cookie, uint8_t *cookie_len)
{
	size_t sid_end, ck_end;

	if (n < 35 || cap < n)
		return -1;
	sid_end = 35 + (size_t)b[34];
	if (sid_end + 1 > n)
		return -1;
	ck_end = sid_end + 1 + b[sid_end];
	if (ck_end > n)
		return -1;
	*cookie = b + sid_end + 1;
	*cookie_len = b[sid_end];
	memcpy(out, b, sid_end);
	memcpy(out + sid_end, b + ck_end, n - ck_end);
	out[0] = 3;
	out[1] = (uint8_t)(tls_of((uint16_t)(b[0] << 8 | b[1])) & 0xff);
	return (int)(sid_end + n - ck_end);
}

static void on_hello(struct dclient *d, struct probe_out *o)
{
	uint8_t tls[DCLIENT_CH_MAX];
	const uint8_t *cookie;
	uint8_t cookie_len;
	uint16_t cv;
	int n;

	n = tls_shaped(d->ra.buf, d->ra.len, tls, sizeof(tls), &cookie,
	    &cookie_len);
	if (n < 0 || client_hello_parse(tls, (size_t)n, &d->ch) != 0) {
		finish(d, PV_HANDSHAKE_FAILED,
		    "malformed ClientHello (%u bytes)", (unsigned)d->ra.len);
		return;
	}
	cv = (uint16_t)(d->ra.buf[0] << 8 | d->ra.buf[1]);
	d->ch.version = cv;
	d->hello_seen = 1;
	if ((cv >> 8) != 0xfe || cv > DTLS_V_10) {
		finish(d, PV_HANDSHAKE_FAILED,
		    "the client offered version 0x%04x, not DTLS 1.0 or 1.2",
		    cv);
		return;
	}
	if (d->cfg->cookie &&
	    (cookie_len != DCLIENT_COOKIE_LEN ||
		memcmp(cookie, d->cookie, cookie_len))) {
		if (d->hvr_sent && cookie_len) {
			finish(d, PV_HANDSHAKE_FAILED,
			    "the client answered our HelloVerifyRequest with "
			    "another cookie");
			return;
		}
		send_hvr(d, o);
		dtls_reasm_init(&d->ra, d->ch_buf, sizeof(d->ch_buf));
		return;
	}
	d->version = cv <= DTLS_V_12 ? DTLS_V_12 : DTLS_V_10;
	d->suite = server_pick_suite(&d->ch, tls_of(d->version));
	if (!d->suite) {
		finish(d, PV_HANDSHAKE_FAILED,
		    "the client offered no cipher suite we can answer with");
		return;
	}
	if (hb_plan_init(&d->plan, d->nonce, HB_SENTINEL_LEN, HB_PROBE_LEN,
		HB_PROBE_K) != 0) {
		finish(d, PV_INCONCLUSIVE, "internal: heartbeat plan");
		return;
	}
	d->plan.dtls = 1;
	hb_reader_init(&d->hb, &d->plan);
	if (build_flight(d) != 0) {
		finish(d, PV_INCONCLUSIVE, "internal: our flight does not fit");
		return;
	}
	trace(d, "ClientHello 0x%04x, %u suites, extension 15 %s; suite 0x%04x",
	    cv, d->ch.n_suites, d->ch.heartbeat_ext ? "offered" : "not offered",
	    d->suite);
	d->state = DCS_FLIGHT;
	send_flight(d, o);
}

/* How the client's answer ended, for reasons. */
static const char *ending(const struct dclient *d, char *buf, size_t cap)
{
	const char *an;

	if (d->alert_desc >= 0) {
		an = tls_alert_name((unsigned)d->alert_desc);
		snprintf(buf, cap, "then alert %d (%s)", d->alert_desc,
		    an ? an : "unknown");
	} else if (d->went_on) {
		snprintf(buf, cap, "then its next handshake flight");
	} else {
		snprintf(buf, cap, "no alert");
	}
	return buf;
}

/* Judges the answers to the flight. */
static void judge(struct dclient *d)
{
	struct reply_summary s;
	int offered = d->ch.heartbeat_ext;
	char e[96];

	memset(&s, 0, sizeof(s));
	reply_from_reader(&d->hb, &s);
	s.alert_desc = d->alert_desc;
	ending(d, e, sizeof(e));
	switch (reply_judge(&s, 0)) {
	case HBV_VULNERABLE:
		if (s.disclosed == 0)
			finish(d, PV_VULNERABLE,
			    "heartbeat over-read proven: the probe came back "
			    "with the start of our own sentinel record from "
			    "the same datagram (0 bytes of client memory "
			    "disclosed)");
		else
			finish(d, PV_VULNERABLE,
			    "heartbeat over-read proven: the probe came back "
			    "with %u bytes of client memory",
			    s.disclosed);
		return;
	case HBV_INCONCLUSIVE:
		finish(d, PV_INCONCLUSIVE,
		    "a heartbeat response matches no request we sent, or "
		    "the probe came back without its over-read; nothing "
		    "proven (%s)",
		    e);
		return;
	case HBV_PATCHED:
		finish(d, PV_PATCHED,
		    "valid heartbeat echoed, over-length request dropped (%s)",
		    e);
		return;
	default:
		break;
	}
	if (offered && d->alert_desc >= 0)
		finish(d, PV_PATCHED,
		    "heartbeat extension offered, heartbeats refused during "
		    "the handshake (%s)",
		    e);
	else if (offered && d->went_on)
		finish(d, PV_INCONCLUSIVE,
		    "heartbeat extension offered, but the heartbeats went "
		    "unanswered (%s); nothing proven",
		    e);
	else if (offered)
		finish(d, PV_TIMEOUT,
		    "heartbeat extension offered, and nothing came back to "
		    "our heartbeats before the deadline");
	else
		finish(d, PV_NO_HEARTBEAT,
		    "no heartbeat extension offered and no heartbeat echo (%s)",
		    e);
}

static void on_handshake(struct dclient *d, const struct rec_hdr *h,
    const uint8_t *body, struct probe_out *o)
{
	struct dtls_hs_hdr hs;
	const uint8_t *frag;
	size_t off = 0;
	int r;

	while (d->state != DCS_DONE &&
	    (r = dtls_hs_next(body, h->len, &off, &hs, &frag)) == 1) {
		if (hs.type != TLS_HS_CLIENT_HELLO) {
			if (d->state == DCS_HELLO) {
				finish(d, PV_HANDSHAKE_FAILED,
				    "the client's first handshake message is "
				    "type %u, not a ClientHello",
				    hs.type);
				return;
			}
			/* Its next flight: every heartbeat answer it had
			 * buffered came before it. */
			d->went_on = 1;
			judge(d);
			return;
		}
		if (d->state == DCS_FLIGHT) {
			/* Its hello again: our flight was lost. */
			if (d->flights < FLIGHTS_MAX && !o->len)
				send_flight(d, o);
			continue;
		}
		r = dtls_reasm_add(&d->ra, &hs, frag);
		if (r < 0) {
			finish(d, PV_HANDSHAKE_FAILED,
			    "malformed ClientHello (%u bytes)", hs.len);
			return;
		}
		if (r == 1)
			on_hello(d, o);
	}
}

void dclient_on_datagram(struct dclient *d, const uint8_t *b, size_t n,
    struct probe_out *o)
{
	struct rec_hdr h;
	const uint8_t *body;
	size_t off = 0;
	int r, any = 0;

	while (d->state != DCS_DONE &&
	    (r = dtls_rec_next(b, n, &off, &h, &body)) != 0) {
		if (r < 0) {
			if (!any && !d->hello_seen)
				finish(d, PV_NOT_TLS,
				    "the client does not speak DTLS (%zu "
				    "bytes that are not a DTLS record)",
				    n);
			return;
		}
		any = 1;
		if (h.type == TLS_CT_HANDSHAKE && h.epoch == 0) {
			on_handshake(d, &h, body, o);
		} else if (d->state == DCS_HELLO) {
			if (h.type == TLS_CT_ALERT && h.len >= 2) {
				d->alert_desc = body[1];
				finish(d, PV_HANDSHAKE_FAILED,
				    "the client sent alert %u before its "
				    "ClientHello was complete",
				    body[1]);
			}
		} else if (h.type == TLS_CT_HEARTBEAT) {
			if (hb_reader_feed(&d->hb, body, h.len) != 0)
				d->hb.foreign = 1;
			hb_reader_record_end(&d->hb);
			if (d->hb.probe_echoed || d->hb.sentinel_echoed ||
			    d->hb.foreign)
				judge(d);
		} else if (h.type == TLS_CT_ALERT && h.len >= 2) {
			if (body[0] == TLS_ALERT_WARNING &&
			    body[1] != TLS_AD_CLOSE_NOTIFY)
				continue;
			d->alert_desc = body[1];
			judge(d);
		} else if (h.type == TLS_CT_CCS || h.epoch != 0) {
			d->went_on = 1;
			judge(d);
		}
	}
}

void dclient_on_timeout(struct dclient *d)
{
	if (d->state == DCS_HELLO)
		finish(d, PV_TIMEOUT,
		    "no complete ClientHello before the deadline");
	else
		judge(d);
}

void dclient_get_result(const struct dclient *d, struct client_result *r)
{
	memset(r, 0, sizeof(*r));
	r->verdict = d->verdict;
	r->reason = d->reason;
	r->hello = d->hello_seen ? &d->ch : NULL;
	r->version = d->state != DCS_HELLO ? d->version : 0;
	r->suite = d->suite;
	r->heartbeat_ext = d->hello_seen && d->ch.heartbeat_ext;
	r->disclosed = d->hb.probe_echoed ? d->hb.disclosed : 0;
	r->alert = d->alert_desc;
	r->connections = 1;
	r->strategy = "dtls";
}
