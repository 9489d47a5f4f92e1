/*
 * libuv UDP driver for the DTLS probe engine.  See udp.h.
 */
#include "net/udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/sockaddr.h"
#include "probe/dtls.h"
#include "probe/openvpn.h"

/* One loop thread runs every job: datagrams are consumed before the next
 * read, and engine answers before the next event. */
static uint8_t rbuf[64 * 1024];
static uint8_t wbuf[PROBE_OUT_MIN];

struct udp_job {
	uint8_t kind; /* UDP_JOB_KIND */
	struct udp_job_spec s;
	uv_udp_t udp;
	uv_tcp_t tcp; /* --openvpn-tcp: the socket instead of udp */
	uv_connect_t creq;
	uint8_t *fbuf; /* a partial frame read over TCP */
	size_t flen;
	uv_timer_t timer;
	struct dtls_probe probe;
	struct ovpn_probe *ov; /* --openvpn: the control channel instead */
	struct probe_cfg cfg;
	struct sockaddr_storage addr;
	char *name, *label;
	uint64_t wake_at;
	uint32_t tx, rx;
	uint8_t open_handles;
	uint8_t udp_open; /* the socket (udp or tcp) is open */
	uint8_t stream; /* OpenVPN over TCP */
	uint8_t finished;
	uint8_t *leak;
	size_t leak_len;
};

static void job_connect(struct udp_job *j);
static void on_timer(uv_timer_t *t);

static uv_handle_t *sock(struct udp_job *j)
{
	return j->stream ? (uv_handle_t *)&j->tcp : (uv_handle_t *)&j->udp;
}

static void sock_stop(struct udp_job *j)
{
	if (j->stream)
		uv_read_stop((uv_stream_t *)&j->tcp);
	else
		uv_udp_recv_stop(&j->udp);
}

/* The engine of this job: DTLS, or OpenVPN's control channel. */
static void e_clock(struct udp_job *j, uint64_t t)
{
	if (j->ov)
		ovpn_probe_clock(j->ov, t);
	else
		dtls_probe_clock(&j->probe, t);
}

static int e_done(struct udp_job *j)
{
	return j->ov ? ovpn_probe_is_done(j->ov) :
		       dtls_probe_is_done(&j->probe);
}

static int e_idle(struct udp_job *j)
{
	return j->ov ? ovpn_probe_is_idle(j->ov) :
		       dtls_probe_is_idle(&j->probe);
}

static void e_finish(struct udp_job *j, enum probe_verdict v, const char *why)
{
	if (j->ov)
		ovpn_probe_finish(j->ov, v, why);
	else
		dtls_probe_finish(&j->probe, v, why);
}

static void e_connected(struct udp_job *j, struct probe_out *o)
{
	if (j->ov)
		ovpn_probe_on_connected(j->ov, o);
	else
		dtls_probe_on_connected(&j->probe, o);
}

static void e_data(struct udp_job *j, const uint8_t *b, size_t n,
    struct probe_out *o)
{
	if (j->ov)
		ovpn_probe_on_data(j->ov, b, n, o);
	else
		dtls_probe_on_data(&j->probe, b, n, o);
}

static void e_closed(struct udp_job *j, int err, struct probe_out *o)
{
	if (j->ov)
		ovpn_probe_on_closed(j->ov, err, o);
	else
		dtls_probe_on_closed(&j->probe, err, o);
}

static void e_timeout(struct udp_job *j, struct probe_out *o)
{
	if (j->ov)
		ovpn_probe_on_timeout(j->ov, o);
	else
		dtls_probe_on_timeout(&j->probe, o);
}

static void e_wake(struct udp_job *j, struct probe_out *o)
{
	if (j->ov)
		ovpn_probe_on_wake(j->ov, o);
	else
		dtls_probe_on_wake(&j->probe, o);
}

static void e_result(struct udp_job *j, struct probe_result *r)
{
	if (j->ov)
		ovpn_probe_get_result(j->ov, r);
	else
		dtls_probe_get_result(&j->probe, r);
}

static struct probe_out job_out(struct udp_job *j)
{
	struct probe_out o = { .buf = wbuf, .cap = sizeof(wbuf) };

	e_clock(j, uv_now(j->s.loop));
	return o;
}

static void job_arm(struct udp_job *j)
{
	uint64_t now = uv_now(j->s.loop), at = j->s.deadline;

	if (j->wake_at && j->wake_at < at)
		at = j->wake_at;
	uv_timer_start(&j->timer, on_timer, at > now ? at - now : 0, 0);
}

static void job_free(struct udp_job *j)
{
	dtls_probe_free(&j->probe);
	free(j->fbuf);
	if (j->ov)
		ovpn_probe_free(j->ov);
	free(j->ov);
	free(j->name);
	free(j->label);
	free(j->leak);
	free(j);
}

static void on_handle_closed(uv_handle_t *h)
{
	struct udp_job *j = h->data;
	void (*release)(void *) = j->s.release;
	void *ctx = j->s.ctx;

	if (h == sock(j))
		j->udp_open = 0;
	if (--j->open_handles > 0)
		return;
	job_free(j);
	release(ctx);
}

static void job_report(struct udp_job *j)
{
	struct scan_result r;
	struct probe_result pr;

	memset(&r, 0, sizeof(r));
	r.target = j->label;
	r.name = j->name ? j->name : "";
	net_addr_text(&j->addr, r.ip, sizeof(r.ip), &r.port);
	e_result(j, &pr);
	scan_result_set_probe(&r, &pr);
	r.bytes_sent = j->tx;
	r.bytes_received = j->rx;
	r.elapsed_ms = (double)(uv_hrtime() - j->s.t0) / 1e6;
	r.leaked = j->leak;
	r.leaked_len = j->leak_len;
	j->s.report(j->s.ctx, &r);
}

static void job_done(struct udp_job *j)
{
	if (j->finished)
		return;
	j->finished = 1;
	job_report(j);
	uv_timer_stop(&j->timer);
	if (!uv_is_closing((uv_handle_t *)&j->timer))
		uv_close((uv_handle_t *)&j->timer, on_handle_closed);
	if (j->udp_open && !uv_is_closing(sock(j))) {
		sock_stop(j);
		uv_close(sock(j), on_handle_closed);
	}
}

static void on_reconnect_closed(uv_handle_t *h)
{
	struct udp_job *j = h->data;

	j->udp_open = 0;
	j->open_handles--;
	if (j->finished) {
		if (j->open_handles == 0) {
			void (*release)(void *) = j->s.release;
			void *ctx = j->s.ctx;

			job_free(j);
			release(ctx);
		}
		return;
	}
	job_connect(j);
}

static void job_apply(struct udp_job *j, struct probe_out *o);

/* The socket failed: the engine decides what that means. */
static void job_failed(struct udp_job *j, int err)
{
	struct probe_out o = job_out(j);

	e_closed(j, err, &o);
	if (o.act == PA_RECONNECT && !e_done(j)) {
		/* A close the TLS engine climbs past (OpenVPN over TCP). */
		job_apply(j, &o);
		return;
	}
	if (!e_done(j))
		e_finish(j, PV_HANDSHAKE_FAILED, "socket failed");
	job_done(j);
}

/* Sends one datagram.  A full socket buffer loses it, as the network
 * may: the engine retransmits.  Returns 0, or a libuv error. */
static int send_dgram(struct udp_job *j, const uint8_t *b, size_t n)
{
	uv_buf_t buf = uv_buf_init((char *)b, (unsigned)n);
	int r = uv_udp_try_send(&j->udp, &buf, 1, NULL);

	if (r >= 0)
		j->tx += (uint32_t)n;
	else if (r != UV_EAGAIN && r != UV_ENOBUFS)
		return r;
	return 0;
}

static void on_write(uv_write_t *req, int status)
{
	free(req->data);
	free(req);
}

/* Writes framed packets to the TCP socket, queueing what does not fit. */
static int send_stream(struct udp_job *j, const uint8_t *b, size_t n)
{
	uv_buf_t buf = uv_buf_init((char *)b, (unsigned)n);
	uv_write_t *req;
	int r = uv_try_write((uv_stream_t *)&j->tcp, &buf, 1);

	if (r == (int)n) {
		j->tx += (uint32_t)n;
		return 0;
	}
	if (r < 0 && r != UV_EAGAIN)
		return r;
	if (r < 0)
		r = 0;
	j->tx += (uint32_t)n;
	req = malloc(sizeof(*req));
	if (!req || !(req->data = malloc(n - (size_t)r))) {
		free(req);
		return UV_ENOMEM;
	}
	memcpy(req->data, b + r, n - (size_t)r);
	buf = uv_buf_init(req->data, (unsigned)(n - (size_t)r));
	r = uv_write(req, (uv_stream_t *)&j->tcp, &buf, 1, on_write);
	if (r < 0) {
		free(req->data);
		free(req);
	}
	return r;
}

static void job_apply(struct udp_job *j, struct probe_out *o)
{
	if (o->len > 0 && o->act == PA_CONTINUE && j->udp_open && j->stream) {
		int r = send_stream(j, o->buf, o->len);

		if (r < 0) {
			job_failed(j, r);
			return;
		}
	} else if (o->len > 0 && o->act == PA_CONTINUE && j->udp_open) {
		size_t off = 0, n;
		int r = 0;

		if (!j->ov)
			r = send_dgram(j, o->buf, o->len);
		/* OpenVPN packets come framed: one datagram per frame. */
		while (j->ov && r == 0 && off + 2 <= o->len) {
			n = (size_t)o->buf[off] << 8 | o->buf[off + 1];
			if (n > o->len - off - 2)
				break;
			r = send_dgram(j, o->buf + off + 2, n);
			off += 2 + n;
		}
		if (r < 0) {
			job_failed(j, r);
			return;
		}
	}
	if (o->act == PA_DONE || e_done(j)) {
		job_done(j);
		return;
	}
	if (o->act == PA_RECONNECT) {
		j->wake_at = 0;
		uv_timer_stop(&j->timer);
		sock_stop(j);
		j->flen = 0;
		if (!uv_is_closing(sock(j)))
			uv_close(sock(j), on_reconnect_closed);
		return;
	}
	if (o->wake_ms) {
		j->wake_at = uv_now(j->s.loop) + o->wake_ms;
		job_arm(j);
	}
}

static void on_timer(uv_timer_t *t)
{
	struct udp_job *j = t->data;
	struct probe_out o = job_out(j);
	uint64_t now = uv_now(j->s.loop);

	if (now < j->s.deadline) {
		if (j->wake_at && now >= j->wake_at) {
			j->wake_at = 0;
			e_wake(j, &o);
			job_apply(j, &o);
		}
		if (!j->finished && !e_idle(j))
			job_arm(j);
		return;
	}
	e_timeout(j, &o);
	if (!e_done(j))
		e_finish(j, PV_TIMEOUT, "deadline passed");
	job_done(j);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	*buf = uv_buf_init((char *)rbuf, sizeof(rbuf));
}

static void on_recv(uv_udp_t *u, ssize_t nread, const uv_buf_t *buf,
    const struct sockaddr *from, unsigned flags)
{
	struct udp_job *j = u->data;
	struct probe_out o;

	if (j->finished)
		return;
	if (nread < 0) {
		job_failed(j, (int)nread);
		return;
	}
	/* nread 0 without an address: nothing more to read now.  A
	 * truncated datagram cannot be a whole DTLS record set: dropped. */
	if ((nread == 0 && from == NULL) || (flags & UV_UDP_PARTIAL))
		return;
	o = job_out(j);
	j->rx += (uint32_t)nread;
	e_data(j, (const uint8_t *)buf->base, (size_t)nread, &o);
	job_apply(j, &o);
}

/* OpenVPN over TCP: every packet comes with a 2-byte length. */
static void on_tcp_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct udp_job *j = st->data;
	const uint8_t *b = (const uint8_t *)buf->base;
	size_t n = nread > 0 ? (size_t)nread : 0;
	uint8_t *nb;

	if (nread == 0 || j->finished)
		return;
	if (nread < 0) {
		job_failed(j, nread == UV_EOF ? 0 : (int)nread);
		return;
	}
	j->rx += (uint32_t)n;
	if (j->flen + n > 2 + 65535 + 65536) {
		job_failed(j, UV_EPROTO);
		return;
	}
	nb = realloc(j->fbuf, j->flen + n);
	if (!nb) {
		job_failed(j, UV_ENOMEM);
		return;
	}
	j->fbuf = nb;
	memcpy(j->fbuf + j->flen, b, n);
	j->flen += n;
	while (!j->finished && j->flen >= 2 && j->stream) {
		size_t len = (size_t)j->fbuf[0] << 8 | j->fbuf[1];
		struct probe_out o;

		if (j->flen < 2 + len)
			break;
		o = job_out(j);
		e_data(j, j->fbuf + 2, len, &o);
		memmove(j->fbuf, j->fbuf + 2 + len, j->flen - 2 - len);
		j->flen -= 2 + len;
		job_apply(j, &o);
		if (!j->udp_open || e_idle(j))
			break;
	}
}

static void on_tcp_connect(uv_connect_t *req, int status)
{
	struct udp_job *j = req->data;
	struct probe_out o;

	if (j->finished || status == UV_ECANCELED)
		return;
	if (status < 0) {
		job_failed(j, status);
		return;
	}
	uv_tcp_nodelay(&j->tcp, 1);
	uv_read_start((uv_stream_t *)&j->tcp, on_alloc, on_tcp_read);
	o = job_out(j);
	e_connected(j, &o);
	job_apply(j, &o);
	if (!j->finished)
		job_arm(j);
}

static void job_connect(struct udp_job *j)
{
	struct probe_out o;
	int r;

	if (j->stream) {
		r = uv_tcp_init(j->s.loop, &j->tcp);
		if (r == 0) {
			j->tcp.data = j;
			j->udp_open = 1;
			j->open_handles++;
			j->creq.data = j;
			r = uv_tcp_connect(&j->creq, &j->tcp,
			    (const struct sockaddr *)&j->addr, on_tcp_connect);
		}
		if (r < 0) {
			e_finish(j, PV_UNREACHABLE, uv_strerror(r));
			job_done(j);
			return;
		}
		job_arm(j);
		return;
	}

	r = uv_udp_init(j->s.loop, &j->udp);
	if (r == 0) {
		j->udp.data = j;
		j->udp_open = 1;
		j->open_handles++;
		r = uv_udp_connect(&j->udp, (const struct sockaddr *)&j->addr);
		if (r == 0)
			r = uv_udp_recv_start(&j->udp, on_alloc, on_recv);
	}
	if (r < 0) {
		struct probe_result pr;

		e_result(j, &pr);
		if (pr.connections > 1)
			e_finish(j, PV_HANDSHAKE_FAILED, uv_strerror(r));
		else
			e_finish(j,
			    r == UV_EMFILE || r == UV_ENFILE ? PV_INCONCLUSIVE :
							       PV_UNREACHABLE,
			    uv_strerror(r));
		job_done(j);
		return;
	}
	o = job_out(j);
	e_connected(j, &o);
	job_apply(j, &o);
	if (!j->finished)
		job_arm(j);
}

static void on_disclosed(void *ctx, size_t off, const uint8_t *b, size_t n)
{
	struct udp_job *j = ctx;
	uint8_t *nb;

	if (j->leak_len + n > 65536)
		return;
	nb = realloc(j->leak, j->leak_len + n);
	if (!nb)
		return;
	memcpy(nb + j->leak_len, b, n);
	j->leak = nb;
	j->leak_len += n;
}

static void job_trace(void *ctx, const char *line)
{
	struct udp_job *j = ctx;

	fprintf(stderr, "heartcheck: trace %s: %s\n", j->label, line);
}

int udp_job_start(const struct udp_job_spec *s)
{
	struct udp_job *j = calloc(1, sizeof(*j));

	if (!j || !(j->label = strdup(s->label)) ||
	    (s->name && s->name[0] && !(j->name = strdup(s->name)))) {
		if (j)
			job_free(j);
		return -1;
	}
	j->kind = UDP_JOB_KIND;
	j->s = *s;
	j->s.name = NULL;
	j->s.label = NULL;
	j->addr = *s->addr;
	j->s.addr = NULL;
	j->cfg.sni = s->o->no_sni ? NULL : j->name;
	j->cfg.max_version = s->o->max_version;
	j->cfg.leak = s->o->leak;
	if (s->o->trace) {
		j->cfg.trace = job_trace;
		j->cfg.trace_ctx = j;
	}
	if (s->o->leak) {
		j->cfg.on_disclosed = on_disclosed;
		j->cfg.ctx = j;
	}
	dtls_probe_init(&j->probe, &j->cfg, s->nonce);
	j->stream = s->o->openvpn == 2;
	if (s->o->openvpn) {
		j->ov = malloc(sizeof(*j->ov));
		if (!j->ov) {
			job_free(j);
			return -1;
		}
		ovpn_probe_init(j->ov, &j->cfg, s->nonce);
		j->ov->auth = s->o->ovpn_auth;
	}
	uv_timer_init(s->loop, &j->timer);
	j->timer.data = j;
	j->open_handles = 1;
	if (e_done(j)) {
		job_done(j);
		return 0;
	}
	job_connect(j);
	return 0;
}

int udp_job_abort(uv_handle_t *h)
{
	struct udp_job *j = h->data;

	if (h->type != UV_TIMER || !j || j->kind != UDP_JOB_KIND)
		return 0;
	if (!j->finished) {
		e_finish(j, PV_INCONCLUSIVE, "the scan was stopped");
		job_done(j);
	}
	return 1;
}
