/*
 * OpenVPN's control channel around the TLS engine.  See openvpn.h.
 */
#include "probe/openvpn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tls/rd.h"

int ovpn_pkt_parse(const uint8_t *b, size_t n, struct ovpn_pkt *p)
{
	return ovpn_pkt_parse_skip(b, n, 0, p);
}

int ovpn_pkt_parse_skip(const uint8_t *b, size_t n, size_t skip,
    struct ovpn_pkt *p)
{
	struct rd r;
	const uint8_t *q;
	uint8_t op;
	int i;

	memset(p, 0, sizeof(*p));
	rd_init(&r, b, n);
	if (rd_u8(&r, &op) != 0)
		return -1;
	p->op = op >> 3;
	p->key_id = op & 7;
	if (p->op != OVPN_P_CONTROL_V1 && p->op != OVPN_P_ACK_V1 &&
	    p->op != OVPN_P_CONTROL_HARD_RESET_CLIENT_V2 &&
	    p->op != OVPN_P_CONTROL_HARD_RESET_SERVER_V2)
		return -1;
	if (rd_ptr(&r, 8, &q) != 0)
		return -1;
	memcpy(p->sid, q, 8);
	if (skip > 0 && rd_ptr(&r, skip, &q) != 0)
		return -1;
	if (rd_u8(&r, &p->n_acks) != 0 || p->n_acks > 8)
		return -1;
	for (i = 0; i < p->n_acks; i++) {
		if (rd_ptr(&r, 4, &q) != 0)
			return -1;
		p->acks[i] = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
		    (uint32_t)q[2] << 8 | q[3];
	}
	if (p->n_acks > 0) {
		if (rd_ptr(&r, 8, &q) != 0)
			return -1;
		memcpy(p->rsid, q, 8);
	}
	if (p->op != OVPN_P_ACK_V1) {
		if (rd_ptr(&r, 4, &q) != 0)
			return -1;
		p->packet_id = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
		    (uint32_t)q[2] << 8 | q[3];
	}
	p->payload_len = rd_left(&r);
	rd_ptr(&r, p->payload_len, &p->payload);
	return 0;
}

static uint8_t *put32(uint8_t *w, uint32_t v)
{
	w[0] = (uint8_t)(v >> 24);
	w[1] = (uint8_t)(v >> 16);
	w[2] = (uint8_t)(v >> 8);
	w[3] = (uint8_t)v;
	return w + 4;
}

ssize_t ovpn_pkt_write(uint8_t op, const uint8_t sid[8], const uint32_t *acks,
    uint8_t n_acks, const uint8_t rsid[8], uint32_t packet_id,
    const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
	size_t need = 2 + 1 + 8 + 1 + 4u * n_acks + (n_acks ? 8 : 0) +
	    (op == OVPN_P_ACK_V1 ? 0 : 4) + len;
	uint8_t *w = out + 2;
	int i;

	if (need > cap || need - 2 > 0xffff || n_acks > 8)
		return -1;
	wr_u16(out, (uint16_t)(need - 2));
	*w++ = (uint8_t)(op << 3);
	memcpy(w, sid, 8);
	w += 8;
	*w++ = n_acks;
	for (i = 0; i < n_acks; i++)
		w = put32(w, acks[i]);
	if (n_acks) {
		memcpy(w, rsid, 8);
		w += 8;
	}
	if (op != OVPN_P_ACK_V1)
		w = put32(w, packet_id);
	if (len)
		memcpy(w, payload, len);
	return (ssize_t)need;
}

void ovpn_probe_init(struct ovpn_probe *p, const struct probe_cfg *cfg,
    uint64_t nonce)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->nonce = nonce;
	p->verdict = PV_INCONCLUSIVE;
	/* tls-auth's replay time: OpenVPN sends its wall clock; the server
	 * only needs it not to go back within a session. */
	p->net_time = (uint32_t)time(NULL);
	probe_init(&p->tls, cfg, nonce);
	if (probe_is_done(&p->tls))
		p->state = PS_DONE;
}

void ovpn_probe_free(struct ovpn_probe *p)
{
	probe_free(&p->tls);
}

static void own_finish(struct ovpn_probe *p, struct probe_out *o,
    enum probe_verdict v, const char *why)
{
	p->own_verdict = 1;
	p->verdict = v;
	snprintf(p->reason, sizeof(p->reason), "%s", why);
	p->state = PS_DONE;
	probe_finish(&p->tls, v, why);
	o->len = 0;
	o->act = PA_DONE;
	o->wake_ms = 0;
}

void ovpn_probe_finish(struct ovpn_probe *p, enum probe_verdict v,
    const char *why)
{
	struct probe_out o;

	memset(&o, 0, sizeof(o));
	own_finish(p, &o, v, why);
}

void ovpn_probe_clock(struct ovpn_probe *p, uint64_t now_ms)
{
	p->now_ms = now_ms;
	probe_clock(&p->tls, now_ms);
}

int ovpn_probe_is_done(const struct ovpn_probe *p)
{
	return p->state == PS_DONE;
}

int ovpn_probe_is_idle(const struct ovpn_probe *p)
{
	return p->state == PS_IDLE;
}

void ovpn_probe_get_result(const struct ovpn_probe *p, struct probe_result *r)
{
	probe_get_result(&p->tls, r);
	r->connections = p->attempts + 1;
	if (p->own_verdict) {
		r->verdict = p->verdict;
		r->reason = p->reason;
	}
}

/* The wake-up to ask for: the earliest copy due, or the TLS engine's. */
static void arm(struct ovpn_probe *p, struct probe_out *o)
{
	uint64_t at = p->tls_due;
	int i;

	for (i = 0; i < OVPN_TX_SLOTS; i++)
		if (p->tx[i].used && p->tx[i].due && (!at || p->tx[i].due < at))
			at = p->tx[i].due;
	o->wake_ms = at ? (at > p->now_ms ? (unsigned)(at - p->now_ms) : 1) : 0;
}

/* Appends one framed packet to o, carrying the pending acks when acks is
 * set, and signs it when tls-auth is on.  Returns 0, or -1 if it does not
 * fit. */
static int emit(struct ovpn_probe *p, struct probe_out *o, uint8_t op,
    uint32_t id, const uint8_t *pl, size_t len, int acks)
{
	uint8_t *w = o->buf + o->len;
	size_t cap = o->cap - o->len;
	uint8_t na = acks ? p->n_pend : 0;
	ssize_t n, m;

	n = ovpn_pkt_write(op, p->sid, p->pend, na, p->rsid, id, pl, len, w,
	    cap);
	if (n < 0)
		return -1;
	if (p->auth) {
		m = ovpn_auth_wrap(p->auth, w + 2, (size_t)n - 2, cap - 2,
		    ++p->auth_pid, p->net_time);
		if (m < 0 || m > 0xffff)
			return -1;
		wr_u16(w, (uint16_t)m);
		n = m + 2;
	}
	o->len += (size_t)n;
	if (na)
		p->n_pend = 0;
	return 0;
}

/* Sends a packet that must be acknowledged, and keeps it for copies. */
static int send_reliable(struct ovpn_probe *p, struct probe_out *o, uint8_t op,
    const uint8_t *pl, size_t len)
{
	struct ovpn_tx *t = NULL;
	uint32_t id = p->tx_id++;
	int i;

	if (emit(p, o, op, id, pl, len,
		op != OVPN_P_CONTROL_HARD_RESET_CLIENT_V2))
		return -1;
	for (i = 0; i < OVPN_TX_SLOTS && !t; i++)
		if (!p->tx[i].used)
			t = &p->tx[i];
	if (!t || len > sizeof(t->data))
		return 0; /* sent once, never again: the deadline ends it */
	t->used = 1;
	t->op = op;
	t->sends = 1;
	t->id = id;
	t->len = (uint16_t)len;
	if (len)
		memcpy(t->data, pl, len);
	t->due = p->now_ms + OVPN_RTX_MS;
	return 0;
}

/* Sends the copies that are due. */
static int send_copies(struct ovpn_probe *p, struct probe_out *o)
{
	struct ovpn_tx *t;
	int i;

	for (i = 0; i < OVPN_TX_SLOTS; i++) {
		t = &p->tx[i];
		if (!t->used || !t->due || t->due > p->now_ms)
			continue;
		if (emit(p, o, t->op, t->id, t->data, t->len,
			t->op != OVPN_P_CONTROL_HARD_RESET_CLIENT_V2))
			return -1;
		t->sends++;
		if (t->op == OVPN_P_CONTROL_HARD_RESET_CLIENT_V2)
			p->resets++;
		else
			p->copies++;
		t->due = t->sends < OVPN_SENDS ?
		    p->now_ms + (OVPN_RTX_MS << (t->sends - 1)) :
		    0;
	}
	return 0;
}

static void acked(struct ovpn_probe *p, const struct ovpn_pkt *k)
{
	int i, j;

	for (i = 0; i < k->n_acks; i++)
		for (j = 0; j < OVPN_TX_SLOTS; j++)
			if (p->tx[j].used && p->tx[j].id == k->acks[i])
				p->tx[j].used = 0;
}

static void want_ack(struct ovpn_probe *p, uint32_t id)
{
	int i;

	for (i = 0; i < p->n_pend; i++)
		if (p->pend[i] == id)
			return;
	if (p->n_pend == 8) {
		memmove(p->pend, p->pend + 1, 7 * sizeof(p->pend[0]));
		p->n_pend--;
	}
	p->pend[p->n_pend++] = id;
}

static void new_session(struct ovpn_probe *p)
{
	uint64_t x = p->nonce ^ ((uint64_t)p->attempts << 40) ^ 0x6f76706eULL;
	int i;

	for (i = 0; i < 8; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		p->sid[i] = (uint8_t)(x >> 56);
	}
	memset(p->rsid, 0, sizeof(p->rsid));
	memset(p->tx, 0, sizeof(p->tx));
	memset(p->rx, 0, sizeof(p->rx));
	p->tx_id = 0;
	p->rx_next = 0;
	p->n_pend = 0;
	p->resets = 0;
	p->got_bytes = 0;
	p->tls_due = 0;
}

void ovpn_probe_on_connected(struct ovpn_probe *p, struct probe_out *o)
{
	if (p->state == PS_DONE)
		return;
	new_session(p);
	if (send_reliable(p, o, OVPN_P_CONTROL_HARD_RESET_CLIENT_V2, NULL, 0) !=
	    0) {
		own_finish(p, o, PV_INCONCLUSIVE,
		    "internal: reset does not "
		    "fit");
		return;
	}
	p->resets = 1;
	p->state = PS_HELLO;
	arm(p, o);
}

/* Wraps what the TLS engine asked for into control packets, the first
 * carrying the pending acks, and acts on its request.  Returns 0 while the
 * control channel goes on, -1 when it ended (a verdict or a reconnect). */
static int relay(struct ovpn_probe *p, struct probe_out *io,
    struct probe_out *o)
{
	size_t off = 0;

	while (off < io->len) {
		size_t len =
		    io->len - off > OVPN_CHUNK ? OVPN_CHUNK : io->len - off;

		if (send_reliable(p, o, OVPN_P_CONTROL_V1, io->buf + off,
			len) != 0) {
			own_finish(p, o, PV_INCONCLUSIVE,
			    "internal: control "
			    "packets do not fit");
			return -1;
		}
		off += len;
	}
	if (io->wake_ms)
		p->tls_due = p->now_ms + io->wake_ms;
	switch (io->act) {
	case PA_DONE:
		p->state = PS_DONE;
		o->len = 0;
		o->act = PA_DONE;
		o->wake_ms = 0;
		return -1;
	case PA_RECONNECT:
		p->attempts++;
		p->state = PS_IDLE;
		p->tls_due = 0;
		o->len = 0;
		o->act = PA_RECONNECT;
		o->wake_ms = 0;
		return -1;
	default:
		return 0;
	}
}

static struct probe_out inner_out(struct ovpn_probe *p)
{
	struct probe_out io = { .buf = p->ibuf, .cap = sizeof(p->ibuf) };

	return io;
}

/* Ends a burst of sends: acks nothing else carried go in a P_ACK_V1. */
static void flush(struct ovpn_probe *p, struct probe_out *o)
{
	if (p->state == PS_DONE || p->state == PS_IDLE)
		return;
	if (p->n_pend && emit(p, o, OVPN_P_ACK_V1, 0, NULL, 0, 1) != 0) {
		own_finish(p, o, PV_INCONCLUSIVE,
		    "internal: an ack does not fit");
		return;
	}
	arm(p, o);
}

/* A server control packet in its turn: its TLS bytes to the engine. */
static int deliver(struct ovpn_probe *p, const uint8_t *b, size_t n,
    struct probe_out *o)
{
	struct probe_out io = inner_out(p);

	p->rx_next++;
	if (n)
		probe_on_data(&p->tls, b, n, &io);
	return relay(p, &io, o);
}

/* P_CONTROL_V1 from the server, in the control channel. */
static void on_control(struct ovpn_probe *p, const struct ovpn_pkt *k,
    struct probe_out *o)
{
	uint32_t ahead = k->packet_id - p->rx_next;
	struct ovpn_rx *x = NULL;
	int i, more;

	if (ahead > 0x7fffffffu) {
		want_ack(p, k->packet_id); /* a copy: our ack was lost */
		return;
	}
	if (ahead > 0) {
		/* Ahead of a gap: kept and acknowledged when it fits, or it
		 * comes again. */
		if (ahead > OVPN_RX_SLOTS || k->payload_len > OVPN_RX_MAX)
			return;
		for (i = 0; i < OVPN_RX_SLOTS; i++) {
			if (p->rx[i].used && p->rx[i].id == k->packet_id)
				x = &p->rx[i];
			else if (!p->rx[i].used && !x)
				x = &p->rx[i];
		}
		if (!x)
			return;
		x->used = 1;
		x->id = k->packet_id;
		x->len = (uint16_t)k->payload_len;
		if (k->payload_len)
			memcpy(x->data, k->payload, k->payload_len);
		want_ack(p, k->packet_id);
		return;
	}
	want_ack(p, k->packet_id);
	if (deliver(p, k->payload, k->payload_len, o) != 0)
		return;
	do { /* what waited for it */
		more = 0;
		for (i = 0; i < OVPN_RX_SLOTS; i++) {
			x = &p->rx[i];
			if (!x->used || x->id != p->rx_next)
				continue;
			x->used = 0;
			if (deliver(p, x->data, x->len, o) != 0)
				return;
			more = 1;
		}
	} while (more);
}

/* A packet that fails the tls-auth HMAC, before the server's reset: one
 * that is a reset answering ours ends the probe (the server answers, with
 * another key or without tls-auth); anything else is dropped. */
static void on_bad_mac(struct ovpn_probe *p, const uint8_t *b, size_t n,
    struct probe_out *o)
{
	struct ovpn_pkt k;
	char why[160];

	p->bad_mac++;
	if (p->state != PS_HELLO)
		return;
	if (ovpn_pkt_parse_skip(b, n, ovpn_auth_overhead(p->auth), &k) == 0 &&
	    k.op == OVPN_P_CONTROL_HARD_RESET_SERVER_V2 && k.n_acks > 0 &&
	    memcmp(k.rsid, p->sid, 8) == 0) {
		snprintf(why, sizeof(why),
		    "the server's OpenVPN reset fails the tls-auth HMAC "
		    "(%s): the server does not hold this key, or uses the "
		    "other key direction or another digest",
		    ovpn_digest_name((enum ovpn_digest)p->auth->md));
		own_finish(p, o, PV_HANDSHAKE_FAILED, why);
		return;
	}
	if (ovpn_pkt_parse(b, n, &k) == 0 &&
	    k.op == OVPN_P_CONTROL_HARD_RESET_SERVER_V2 && k.n_acks > 0 &&
	    memcmp(k.rsid, p->sid, 8) == 0) {
		own_finish(p, o, PV_HANDSHAKE_FAILED,
		    "the server answered our reset without tls-auth: it does "
		    "not use tls-auth (scan without --tls-auth)");
		return;
	}
	if (!p->got_bytes && ovpn_pkt_parse(b, n, &k) != 0 &&
	    ovpn_pkt_parse_skip(b, n, ovpn_auth_overhead(p->auth), &k) != 0)
		own_finish(p, o, PV_NOT_TLS,
		    "the reply is not an OpenVPN "
		    "control packet");
}

void ovpn_probe_on_data(struct ovpn_probe *p, const uint8_t *b, size_t n,
    struct probe_out *o)
{
	struct ovpn_pkt k;
	struct probe_out io;
	size_t skip = 0;
	int i;

	if (p->state != PS_HELLO && p->state != PS_FLIGHT)
		return;
	if (p->auth) {
		if (ovpn_auth_check(p->auth, b, n) != 0) {
			on_bad_mac(p, b, n, o);
			return;
		}
		skip = ovpn_auth_overhead(p->auth);
	}
	if (ovpn_pkt_parse_skip(b, n, skip, &k) != 0) {
		if (!p->got_bytes)
			own_finish(p, o, PV_NOT_TLS,
			    "the reply is not an OpenVPN "
			    "control packet");
		return;
	}
	p->got_bytes = 1;
	if (p->state == PS_HELLO) {
		if (k.op != OVPN_P_CONTROL_HARD_RESET_SERVER_V2 ||
		    k.n_acks == 0 || memcmp(k.rsid, p->sid, 8) != 0)
			return;
		for (i = 0; i < OVPN_TX_SLOTS; i++)
			p->tx[i].used = 0; /* the reset, answered */
		memcpy(p->rsid, k.sid, 8);
		p->rx_next = k.packet_id + 1;
		p->state = PS_FLIGHT;
		want_ack(p, k.packet_id);
		io = inner_out(p);
		probe_on_connected(&p->tls, &io);
		if (relay(p, &io, o) == 0)
			flush(p, o);
		return;
	}
	if (memcmp(k.sid, p->rsid, 8) != 0)
		return; /* another session's */
	if (k.n_acks > 0 && memcmp(k.rsid, p->sid, 8) == 0)
		acked(p, &k);
	if (k.op == OVPN_P_CONTROL_HARD_RESET_SERVER_V2)
		want_ack(p, k.packet_id); /* a copy: our ack was lost */
	else if (k.op == OVPN_P_CONTROL_V1)
		on_control(p, &k, o);
	flush(p, o);
}

void ovpn_probe_on_wake(struct ovpn_probe *p, struct probe_out *o)
{
	struct probe_out io;

	if (p->state != PS_HELLO && p->state != PS_FLIGHT)
		return;
	if (send_copies(p, o) != 0) {
		own_finish(p, o, PV_INCONCLUSIVE,
		    "internal: control "
		    "packets do not fit");
		return;
	}
	if (p->state == PS_FLIGHT && p->tls_due && p->now_ms >= p->tls_due) {
		p->tls_due = 0;
		io = inner_out(p);
		probe_on_wake(&p->tls, &io);
		if (relay(p, &io, o) != 0)
			return;
	}
	flush(p, o);
}

/* Why the server never answered our reset. */
static void no_reset_why(const struct ovpn_probe *p, const char *what,
    char *why, size_t cap)
{
	if (p->auth)
		snprintf(why, cap,
		    "%s: the server does not hold this tls-auth key (or "
		    "wants the other direction, another digest, or "
		    "tls-crypt), or is not OpenVPN",
		    what);
	else
		snprintf(why, cap,
		    "%s: the server needs the tls-auth key (--tls-auth FILE) "
		    "or tls-crypt, or is not OpenVPN",
		    what);
}

void ovpn_probe_on_closed(struct ovpn_probe *p, int err, struct probe_out *o)
{
	struct probe_out io;
	char why[200];

	if (p->state == PS_HELLO || p->state == PS_IDLE) {
		if (err == -ECONNREFUSED && !p->got_bytes && p->attempts == 0)
			own_finish(p, o, PV_REFUSED,
			    p->state == PS_IDLE ?
				"connection refused" :
				"port unreachable (ICMP): "
				"nothing listens on this UDP port");
		else if (p->state == PS_HELLO && !p->got_bytes) {
			no_reset_why(p,
			    "the server closed the connection on our "
			    "OpenVPN reset",
			    why, sizeof(why));
			own_finish(p, o, PV_HANDSHAKE_FAILED, why);
		} else
			own_finish(p, o, PV_HANDSHAKE_FAILED,
			    "the connection "
			    "failed before the OpenVPN reset was answered");
		return;
	}
	if (p->state != PS_FLIGHT)
		return;
	io = inner_out(p);
	probe_on_closed(&p->tls, err, &io);
	relay(p, &io, o);
}

void ovpn_probe_on_timeout(struct ovpn_probe *p, struct probe_out *o)
{
	struct probe_out io;
	char what[48], why[200];

	if (p->state == PS_IDLE || p->state == PS_HELLO) {
		snprintf(what, sizeof(what),
		    "no OpenVPN reset came back (%u sent)",
		    (unsigned)p->resets);
		no_reset_why(p, what, why, sizeof(why));
		own_finish(p, o, PV_TIMEOUT, why);
		return;
	}
	if (p->state != PS_FLIGHT)
		return;
	io = inner_out(p);
	probe_on_timeout(&p->tls, &io);
	relay(p, &io, o);
	if (!probe_is_done(&p->tls))
		own_finish(p, o, PV_TIMEOUT, "deadline passed");
	p->state = PS_DONE;
}
