/*
 * OpenVPN's control channel around the TLS engine.  See openvpn.h.
 */
#include "probe/openvpn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tls/rd.h"

#define RESET_MS 1000u
#define RESETS_MAX 3

int ovpn_pkt_parse(const uint8_t *b, size_t n, struct ovpn_pkt *p)
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
	if (rd_ptr(&r, 8, &q) != 0 || rd_u8(&r, &p->n_acks) != 0 ||
	    p->n_acks > 8)
		return -1;
	memcpy(p->sid, q, 8);
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

/* The wake-up to ask for: the earlier of ours and the TLS engine's. */
static void arm(struct ovpn_probe *p, struct probe_out *o)
{
	uint64_t at = 0;

	if (p->reset_due)
		at = p->reset_due;
	if (p->tls_due && (!at || p->tls_due < at))
		at = p->tls_due;
	o->wake_ms = at ? (at > p->now_ms ? (unsigned)(at - p->now_ms) : 1) : 0;
}

static int send_reset(struct ovpn_probe *p, struct probe_out *o)
{
	ssize_t n = ovpn_pkt_write(OVPN_P_CONTROL_HARD_RESET_CLIENT_V2, p->sid,
	    NULL, 0, NULL, 0, NULL, 0, o->buf + o->len, o->cap - o->len);

	if (n < 0)
		return -1;
	o->len += (size_t)n;
	p->resets++;
	p->reset_due = p->resets < RESETS_MAX ?
	    p->now_ms + (RESET_MS << (p->resets - 1)) :
	    0;
	return 0;
}

void ovpn_probe_on_connected(struct ovpn_probe *p, struct probe_out *o)
{
	uint64_t x = p->nonce ^ ((uint64_t)p->attempts << 40) ^ 0x6f76706eULL;
	int i;

	if (p->state == PS_DONE)
		return;
	for (i = 0; i < 8; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		p->sid[i] = (uint8_t)(x >> 56);
	}
	p->tx_id = 1; /* the reset is packet 0 */
	p->rx_next = 0;
	p->resets = 0;
	p->got_bytes = 0;
	p->tls_due = 0;
	if (send_reset(p, o) != 0) {
		own_finish(p, o, PV_INCONCLUSIVE,
		    "internal: reset does not "
		    "fit");
		return;
	}
	p->state = PS_HELLO;
	arm(p, o);
}

/* Wraps what the TLS engine asked for into control packets, the first
 * one acknowledging ack (when have_ack), and acts on its request. */
static void relay(struct ovpn_probe *p, struct probe_out *io,
    struct probe_out *o, int have_ack, uint32_t ack)
{
	size_t off = 0;
	ssize_t n;

	do {
		size_t len =
		    io->len - off > OVPN_CHUNK ? OVPN_CHUNK : io->len - off;

		if (len == 0 && !have_ack)
			break;
		if (len == 0)
			n = ovpn_pkt_write(OVPN_P_ACK_V1, p->sid, &ack, 1,
			    p->rsid, 0, NULL, 0, o->buf + o->len,
			    o->cap - o->len);
		else
			n = ovpn_pkt_write(OVPN_P_CONTROL_V1, p->sid, &ack,
			    have_ack ? 1 : 0, p->rsid, p->tx_id++,
			    io->buf + off, len, o->buf + o->len,
			    o->cap - o->len);
		if (n < 0) {
			own_finish(p, o, PV_INCONCLUSIVE,
			    "internal: control "
			    "packets do not fit");
			return;
		}
		o->len += (size_t)n;
		off += len;
		have_ack = 0;
	} while (off < io->len);
	if (io->wake_ms)
		p->tls_due = p->now_ms + io->wake_ms;
	switch (io->act) {
	case PA_DONE:
		p->state = PS_DONE;
		o->len = 0;
		o->act = PA_DONE;
		o->wake_ms = 0;
		return;
	case PA_RECONNECT:
		p->attempts++;
		p->state = PS_IDLE;
		p->reset_due = p->tls_due = 0;
		o->len = 0;
		o->act = PA_RECONNECT;
		o->wake_ms = 0;
		return;
	default:
		break;
	}
	arm(p, o);
}

static struct probe_out inner_out(struct ovpn_probe *p)
{
	struct probe_out io = { .buf = p->ibuf, .cap = sizeof(p->ibuf) };

	return io;
}

void ovpn_probe_on_data(struct ovpn_probe *p, const uint8_t *b, size_t n,
    struct probe_out *o)
{
	struct ovpn_pkt k;
	struct probe_out io;

	if (p->state != PS_HELLO && p->state != PS_FLIGHT)
		return;
	if (ovpn_pkt_parse(b, n, &k) != 0) {
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
		memcpy(p->rsid, k.sid, 8);
		p->rx_next = k.packet_id + 1;
		p->reset_due = 0;
		p->state = PS_FLIGHT;
		io = inner_out(p);
		probe_on_connected(&p->tls, &io);
		relay(p, &io, o, 1, k.packet_id);
		return;
	}
	if (memcmp(k.sid, p->rsid, 8) != 0)
		return; /* another session's */
	if (k.op == OVPN_P_CONTROL_HARD_RESET_SERVER_V2 ||
	    (k.op == OVPN_P_CONTROL_V1 && k.packet_id < p->rx_next)) {
		/* A copy: our ack was lost.  Acknowledge it again. */
		io = inner_out(p);
		relay(p, &io, o, 1, k.packet_id);
		return;
	}
	if (k.op != OVPN_P_CONTROL_V1 || k.packet_id != p->rx_next)
		return; /* acks, or ahead of a gap: it comes again */
	p->rx_next++;
	io = inner_out(p);
	if (k.payload_len)
		probe_on_data(&p->tls, k.payload, k.payload_len, &io);
	relay(p, &io, o, 1, k.packet_id);
}

void ovpn_probe_on_wake(struct ovpn_probe *p, struct probe_out *o)
{
	struct probe_out io;

	if (p->state == PS_HELLO && p->reset_due && p->now_ms >= p->reset_due) {
		if (send_reset(p, o) != 0)
			return;
		arm(p, o);
		return;
	}
	if (p->state == PS_FLIGHT && p->tls_due && p->now_ms >= p->tls_due) {
		p->tls_due = 0;
		io = inner_out(p);
		probe_on_wake(&p->tls, &io);
		relay(p, &io, o, 0, 0);
		return;
	}
	if (p->state == PS_HELLO || p->state == PS_FLIGHT)
		arm(p, o);
}

void ovpn_probe_on_closed(struct ovpn_probe *p, int err, struct probe_out *o)
{
	struct probe_out io;

	if (p->state == PS_HELLO || p->state == PS_IDLE) {
		if (err == -ECONNREFUSED && !p->got_bytes && p->attempts == 0)
			own_finish(p, o, PV_REFUSED,
			    p->state == PS_IDLE ?
				"connection refused" :
				"port unreachable (ICMP): "
				"nothing listens on this UDP port");
		else if (p->state == PS_HELLO && !p->got_bytes)
			own_finish(p, o, PV_HANDSHAKE_FAILED,
			    "the server closed "
			    "the connection on our OpenVPN reset: it needs the "
			    "tls-auth or tls-crypt key, or is not OpenVPN");
		else
			own_finish(p, o, PV_HANDSHAKE_FAILED,
			    "the connection "
			    "failed before the OpenVPN reset was answered");
		return;
	}
	if (p->state != PS_FLIGHT)
		return;
	io = inner_out(p);
	probe_on_closed(&p->tls, err, &io);
	relay(p, &io, o, 0, 0);
}

void ovpn_probe_on_timeout(struct ovpn_probe *p, struct probe_out *o)
{
	struct probe_out io;
	char why[160];

	if (p->state == PS_IDLE || p->state == PS_HELLO) {
		snprintf(why, sizeof(why),
		    "no OpenVPN reset came back (%u "
		    "sent): the server needs the tls-auth or tls-crypt key, or "
		    "is not OpenVPN",
		    (unsigned)p->resets);
		own_finish(p, o, PV_TIMEOUT, why);
		return;
	}
	if (p->state != PS_FLIGHT)
		return;
	io = inner_out(p);
	probe_on_timeout(&p->tls, &io);
	relay(p, &io, o, 0, 0);
	if (!probe_is_done(&p->tls))
		own_finish(p, o, PV_TIMEOUT, "deadline passed");
	p->state = PS_DONE;
}
