/*
 * libuv driver for the reverse probe over DTLS (net/udplisten.h): one UDP
 * socket; each client address gets its own engine (probe/dtlsclient.h)
 * and one timer, for the deadline and, once judged, for a short linger in
 * which the client's retransmissions are ignored rather than taken for a
 * new client.  With a command (net/cmdrun.h) the one engine waits for the
 * first client address that speaks, the command runs on a free loopback
 * port, and the verdict waits for the command's exit.
 */
#include "net/udplisten.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "net/cmdrun.h"
#include "net/conn.h"
#include "net/sockaddr.h"
#include "probe/dtlsclient.h"

#define DEFAULT_MAX_PEERS 256
#define LINGER_MS 1500
/* After the command exited, how long its last datagrams may take to be
 * read before the engine judges what it has. */
#define SETTLE_MS 100

struct ul;

struct upeer {
	struct ul *L;
	struct sockaddr_storage addr;
	uv_timer_t timer;
	struct dclient eng;
	struct dclient_cfg cfg;
	uint64_t t0;
	uint64_t deadline; /* loop ms */
	uint32_t tx, rx;
	uint8_t finished;
	uint8_t bound; /* addr is the client's */
	struct upeer *next, *prev;
};

struct ul {
	uv_loop_t loop;
	uv_udp_t udp;
	uv_signal_t sigint, sigterm;
	const struct listen_opts *o;
	const struct listen_hooks *h;
	struct upeer *peers;
	unsigned active, reported;
	uint8_t stopping;
	uint64_t nonce;
	/* Command mode: cmd.argv is set. */
	struct cmdrun cmd;
	struct cmdrun_hooks cmd_hooks;
	struct upeer *cpeer; /* the one engine */
	uint8_t rbuf[65536];
	uint8_t wbuf[DCLIENT_OUT_MIN];
};

static void maybe_stop(struct ul *L);

static int same_addr(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	if (a->ss_family != b->sa_family)
		return 0;
	if (b->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a,
					 *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (b->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a,
					  *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		    !memcmp(&x->sin6_addr, &y->sin6_addr, 16);
	}
	return 0;
}

static void on_peer_closed(uv_handle_t *h)
{
	struct upeer *p = h->data;
	struct ul *L = p->L;

	free(p);
	maybe_stop(L);
}

static void peer_release(struct upeer *p)
{
	struct ul *L = p->L;

	if (p->prev)
		p->prev->next = p->next;
	else
		L->peers = p->next;
	if (p->next)
		p->next->prev = p->prev;
	L->active--;
	if (L->cpeer == p)
		L->cpeer = NULL;
	uv_timer_stop(&p->timer);
	uv_close((uv_handle_t *)&p->timer, on_peer_closed);
}

static void on_linger(uv_timer_t *t)
{
	peer_release(t->data);
}

static void peer_report(struct upeer *p)
{
	struct ul *L = p->L;
	struct client_report r;

	listen_report_fill(&r, p->bound ? &p->addr : NULL, p->tx, p->rx, p->t0,
	    &L->cmd);
	dclient_get_result(&p->eng, &r.r);
	listen_emit(L->o, L->h, &L->reported, &r);
}

/* Reports the verdict; the peer lingers, or goes at once when stopping.
 * With a command still running, the report waits for its exit. */
static void peer_done(struct upeer *p)
{
	struct ul *L = p->L;

	if (p->finished)
		return;
	p->finished = 1;
	if (p == L->cpeer && L->cmd.running) {
		uint64_t now = uv_now(&L->loop);

		uv_timer_stop(&p->timer);
		cmdrun_linger(&L->cmd,
		    p->deadline > now ? p->deadline - now : 0);
		return;
	}
	peer_report(p);
	if (L->o->count && L->reported >= L->o->count)
		L->stopping = 1;
	if (L->stopping) {
		peer_release(p);
		maybe_stop(L);
		return;
	}
	uv_timer_start(&p->timer, on_linger, LINGER_MS, 0);
}

static void on_deadline(uv_timer_t *t)
{
	struct upeer *p = t->data;
	struct ul *L = p->L;
	char why[160];

	if (p == L->cpeer && !L->cmd.running && p->eng.state == DCS_HELLO) {
		/* The command is gone: no hello can come any more. */
		cmdrun_ended_text(&L->cmd,
		    p->bound ? "a complete ClientHello" : "sending a datagram",
		    why, sizeof(why));
		dclient_finish(&p->eng, PV_HANDSHAKE_FAILED, why);
	} else {
		dclient_on_timeout(&p->eng);
	}
	peer_done(p);
}

static void on_cmd_closed(void *ctx)
{
	maybe_stop(ctx);
}

/* The command ended: the verdict waiting for it is reported; else the
 * engine judges what the client sent, once its last datagrams are in. */
static void on_cmd_exit(void *ctx)
{
	struct ul *L = ctx;
	struct upeer *p = L->cpeer;

	if (!p)
		return;
	if (p->finished) {
		peer_report(p);
		L->stopping = 1;
		peer_release(p);
		maybe_stop(L);
		return;
	}
	p->deadline = uv_now(&L->loop) + SETTLE_MS;
	uv_timer_start(&p->timer, on_deadline, SETTLE_MS, 0);
}

static void peer_trace(void *ctx, const char *line)
{
	listen_trace(&((struct upeer *)ctx)->addr, line);
}

static void peer_bind(struct upeer *p, const struct sockaddr *a)
{
	memcpy(&p->addr, a,
	    a->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
				       sizeof(struct sockaddr_in));
	p->bound = 1;
}

/* A new engine for client address a, or with a NULL a for the first
 * address that speaks (command mode). */
static struct upeer *peer_new(struct ul *L, const struct sockaddr *a)
{
	struct upeer *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->L = L;
	if (a)
		peer_bind(p, a);
	p->t0 = uv_hrtime();
	p->cfg.cookie = L->o->dtls_cookie;
	if (L->o->trace) {
		p->cfg.trace = peer_trace;
		p->cfg.trace_ctx = p;
	}
	dclient_init(&p->eng, &p->cfg, net_nonce_next(&L->nonce));
	uv_timer_init(&L->loop, &p->timer);
	p->timer.data = p;
	p->deadline = uv_now(&L->loop) + L->o->timeout_ms;
	uv_timer_start(&p->timer, on_deadline, L->o->timeout_ms, 0);
	p->next = L->peers;
	if (L->peers)
		L->peers->prev = p;
	L->peers = p;
	L->active++;
	return p;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct ul *L = h->data;

	*buf = uv_buf_init((char *)L->rbuf, sizeof(L->rbuf));
}

static void on_recv(uv_udp_t *u, ssize_t nread, const uv_buf_t *buf,
    const struct sockaddr *a, unsigned flags)
{
	struct ul *L = u->data;
	unsigned max = L->o->max_conns ? L->o->max_conns : DEFAULT_MAX_PEERS;
	struct probe_out o = { .buf = L->wbuf, .cap = sizeof(L->wbuf) };
	struct upeer *p;
	uv_buf_t out;

	if (nread <= 0 || !a || L->stopping)
		return;
	for (p = L->peers; p && !same_addr(&p->addr, a); p = p->next)
		;
	if (!p && L->cpeer && !L->cpeer->bound) {
		p = L->cpeer;
		peer_bind(p, a);
	}
	if (!p) {
		if (L->active >= max ||
		    (L->o->count && L->reported + L->active >= L->o->count))
			return;
		p = peer_new(L, a);
		if (!p)
			return;
	}
	if (p->finished)
		return; /* a retransmission after the verdict */
	p->rx += (uint32_t)nread;
	dclient_on_datagram(&p->eng, (const uint8_t *)buf->base, (size_t)nread,
	    &o);
	if (o.len > 0) {
		out = uv_buf_init((char *)o.buf, (unsigned)o.len);
		if (uv_udp_try_send(&L->udp, &out, 1, a) > 0)
			p->tx += (uint32_t)o.len;
	}
	if (dclient_is_done(&p->eng))
		peer_done(p);
}

static void stop_all(struct ul *L)
{
	struct upeer *p, *n;

	L->stopping = 1;
	for (p = L->peers; p; p = n) {
		n = p->next;
		if (p->finished) {
			/* The one verdict waits for the command's exit. */
			if (p != L->cpeer)
				peer_release(p);
			continue;
		}
		dclient_finish(&p->eng, PV_INCONCLUSIVE,
		    "heartcheck was stopped");
		peer_done(p);
	}
	cmdrun_kill(&L->cmd);
	maybe_stop(L);
}

static void on_signal(uv_signal_t *s, int signum)
{
	stop_all(s->data);
}

static void maybe_stop(struct ul *L)
{
	int busy = L->h->busy ? L->h->busy(L->h->ctx) : 0;

	if (busy < 0 && !L->stopping) {
		stop_all(L);
		return;
	}
	if (L->cmd.argv && !L->cpeer)
		L->stopping = 1;
	if (!L->stopping)
		return;
	if (!uv_is_closing((uv_handle_t *)&L->udp)) {
		uv_udp_recv_stop(&L->udp);
		uv_close((uv_handle_t *)&L->udp, NULL);
	}
	if (L->peers || cmdrun_busy(&L->cmd))
		return;
	cmdrun_close(&L->cmd);
	net_signals_close(&L->sigint, &L->sigterm);
}

int udplisten_run(const struct listen_opts *o, const struct listen_hooks *h)
{
	struct ul *L = calloc(1, sizeof(*L));
	struct sockaddr_storage bound;
	char text[INET6_ADDRSTRLEN + 16];
	int r, len = sizeof(bound);

	if (!L)
		return UV_ENOMEM;
	L->o = o;
	L->h = h;
	L->nonce = net_nonce_seed(L);
	r = uv_loop_init(&L->loop);
	if (r < 0) {
		free(L);
		return r;
	}
	uv_udp_init(&L->loop, &L->udp);
	L->udp.data = L;
	net_signals_start(&L->loop, &L->sigint, &L->sigterm, L, on_signal);
	L->cmd_hooks.exited = on_cmd_exit;
	L->cmd_hooks.closed = on_cmd_closed;
	L->cmd_hooks.ctx = L;
	cmdrun_init(&L->cmd, &L->loop, &L->cmd_hooks);
	if (o->cmd) {
		struct sockaddr_in lo;

		uv_ip4_addr("127.0.0.1", 0, &lo);
		r = uv_udp_bind(&L->udp, (const struct sockaddr *)&lo, 0);
	} else {
		r = uv_udp_bind(&L->udp, (const struct sockaddr *)&o->addr, 0);
	}
	if (r == 0)
		r = uv_udp_getsockname(&L->udp, (struct sockaddr *)&bound,
		    &len);
	if (r == 0)
		r = uv_udp_recv_start(&L->udp, on_alloc, on_recv);
	if (r == 0 && o->cmd)
		r = cmdrun_prepare(&L->cmd, o->cmd, &bound);
	if (r == 0 && h->listening) {
		net_bound_text(&bound, "udp ", text, sizeof(text));
		h->listening(h->ctx, text);
	}
	if (r == 0 && o->cmd) {
		L->cpeer = peer_new(L, NULL);
		r = L->cpeer ? cmdrun_spawn(&L->cmd) : UV_ENOMEM;
		if (r < 0 && L->cpeer) {
			L->cpeer->finished = 1;
			peer_release(L->cpeer);
		}
	}
	if (r < 0)
		L->stopping = 1;
	maybe_stop(L);
	uv_run(&L->loop, UV_RUN_DEFAULT);
	uv_loop_close(&L->loop);
	cmdrun_free(&L->cmd);
	free(L);
	return r;
}
