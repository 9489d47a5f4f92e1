/*
 * libuv driver for the probe engine.
 *
 * One job per endpoint holds a TCP handle, a timer and the engine state,
 * all inline (about 1.5 KiB).  Reads land in one buffer per scan: libuv
 * hands us one read at a time and the engine consumes it before returning,
 * so nothing is copied per probe.  The one timer serves both the endpoint's
 * deadline and the engine's wake-ups (nudges): it is armed for whichever
 * comes first.
 */
#include "net/scan.h"

#include "probe/preamble.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <uv.h>

#include "net/sockaddr.h"

#include "net/udp.h"

#define READ_BUF (64 * 1024)

struct scan;

/* An endpoint waiting for a probe slot (from DNS). */
struct pending {
	struct pending *next;
	struct sockaddr_storage addr;
	char *name;
	char *label;
	uint64_t born; /* loop time the lookup started: the budget's */
	uint64_t born_hr;
};

/* The first byte of what a timer's data points at: scan_abort walks the
 * loop's timers and must tell probes from lookups. */
enum { KIND_JOB = 1, KIND_DNS };

struct job {
	uint8_t kind; /* KIND_JOB */
	struct scan *sc;
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_connect_t creq;
	struct probe probe;
	struct probe_cfg cfg;
	struct sockaddr_storage addr;
	char *name; /* SNI name, or NULL */
	char *label;
	uint64_t t0;
	uint64_t deadline; /* loop time (ms) by which the verdict is due */
	uint64_t wake_at; /* loop time of the engine's wake-up, or 0 */
	uint32_t tx, rx; /* bytes sent and received, every connection */
	uint8_t open_handles;
	uint8_t tcp_open;
	uint8_t finished;
	uint8_t reconnecting;
	uint8_t *leak; /* --leak only */
	size_t leak_len;
};

struct dns_job {
	uint8_t kind; /* KIND_DNS */
	uv_getaddrinfo_t req;
	uv_timer_t timer; /* the lookup's share of the endpoint budget */
	struct scan *sc;
	char *name;
	uint16_t port;
	uint8_t timed_out;
	uint64_t born, born_hr;
};

struct scan {
	uv_loop_t loop;
	const struct scan_opts *o;
	const struct scan_hooks *h;
	struct scan_stats *st;
	struct tgt_iter *it;
	const struct tgt_set *set;
	int iter_done;
	struct pending *pend_head, *pend_tail;
	size_t active; /* jobs and DNS lookups under way */
	uv_timer_t tick; /* rate limit and progress */
	double tokens;
	uint64_t last_tick, last_progress;
	uint64_t nonce;
	size_t dns_abandoned; /* lookups past their deadline, still running */
	uint8_t rbuf[READ_BUF];
	uint8_t wbuf[PROBE_OUT_MIN];
};

static void pump(struct scan *sc);
static void job_connect(struct job *j);
static void on_timer(uv_timer_t *t);
static void on_tick(uv_timer_t *t);
static void scan_abort(struct scan *sc);

/* A fresh engine answer buffer, with the engine told the time. */
static struct probe_out job_out(struct job *j)
{
	struct probe_out o = { .buf = j->sc->wbuf, .cap = sizeof(j->sc->wbuf) };

	probe_clock(&j->probe, uv_now(&j->sc->loop));
	return o;
}

/* Arms the one timer for the deadline or the wake-up, whichever is first. */
static void job_arm(struct job *j)
{
	uint64_t now = uv_now(&j->sc->loop), at = j->deadline;

	if (j->wake_at && j->wake_at < at)
		at = j->wake_at;
	uv_timer_start(&j->timer, on_timer, at > now ? at - now : 0, 0);
}

static uint64_t next_nonce(struct scan *sc)
{
	uint64_t x = sc->nonce += 0x9e3779b97f4a7c15ULL;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 27);
}

void scan_result_set_probe(struct scan_result *r, const struct probe_result *pr)
{
	r->verdict = pr->verdict;
	r->reason = pr->reason;
	r->version = pr->version;
	r->heartbeat_ext = pr->heartbeat_ext;
	r->disclosed = pr->disclosed;
	r->alert = pr->alert;
	r->attempts = pr->connections;
	r->strategy = pr->strategy;
	r->nudges = pr->nudges;
	r->starttls = pr->starttls;
}

static void job_free(struct job *j)
{
	probe_free(&j->probe);
	free(j->name);
	free(j->label);
	free(j->leak);
	free(j);
}

/* Frees a job once libuv holds none of its handles. */
static void job_release(struct job *j)
{
	struct scan *sc = j->sc;

	if (j->open_handles > 0)
		return;
	job_free(j);
	sc->active--;
	sc->st->in_flight = sc->active;
	pump(sc);
}

static void on_handle_closed(uv_handle_t *h)
{
	struct job *j = h->data;

	if (h == (uv_handle_t *)&j->tcp)
		j->tcp_open = 0;
	j->open_handles--;
	job_release(j);
}

static void job_report(struct job *j)
{
	struct scan *sc = j->sc;
	struct scan_result r;
	struct probe_result pr;

	memset(&r, 0, sizeof(r));
	r.target = j->label;
	r.name = j->name ? j->name : "";
	net_addr_text(&j->addr, r.ip, sizeof(r.ip), &r.port);
	probe_get_result(&j->probe, &pr);
	scan_result_set_probe(&r, &pr);
	r.bytes_sent = j->tx;
	r.bytes_received = j->rx;
	r.elapsed_ms = (double)(uv_hrtime() - j->t0) / 1e6;
	r.leaked = j->leak;
	r.leaked_len = j->leak_len;
	sc->st->done++;
	sc->st->by_verdict[r.verdict]++;
	if (sc->h->result)
		sc->h->result(sc->h->ctx, &r);
}

/* Reports once and releases both handles; the job is freed when libuv
 * has closed them. */
static void job_done(struct job *j)
{
	if (j->finished)
		return;
	j->finished = 1;
	job_report(j);
	uv_timer_stop(&j->timer);
	if (!uv_is_closing((uv_handle_t *)&j->timer))
		uv_close((uv_handle_t *)&j->timer, on_handle_closed);
	if (j->tcp_open && !uv_is_closing((uv_handle_t *)&j->tcp))
		uv_close((uv_handle_t *)&j->tcp, on_handle_closed);
}

static void on_write(uv_write_t *req, int status)
{
	free(req->data);
	free(req);
}

static int job_send(struct job *j, const uint8_t *b, size_t n)
{
	uv_buf_t buf = uv_buf_init((char *)b, (unsigned)n);
	uv_write_t *req;
	int r;

	j->tx += (uint32_t)n;
	r = uv_try_write((uv_stream_t *)&j->tcp, &buf, 1);
	if (r == (int)n)
		return 0;
	if (r < 0 && r != UV_EAGAIN)
		return r;
	if (r < 0)
		r = 0;
	/* Rare: the socket buffer is full.  Copy the rest and queue it. */
	req = malloc(sizeof(*req));
	if (!req)
		return UV_ENOMEM;
	req->data = malloc(n - (size_t)r);
	if (!req->data) {
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

static void on_reconnect_closed(uv_handle_t *h)
{
	struct job *j = h->data;

	j->tcp_open = 0;
	j->open_handles--;
	if (j->finished) {
		job_release(j);
		return;
	}
	job_connect(j);
}

/* Acts on what the engine asked for. */
static void job_apply(struct job *j, struct probe_out *o)
{
	int r;

	if (o->len > 0 && o->act == PA_CONTINUE && j->tcp_open) {
		r = job_send(j, o->buf, o->len);
		if (r < 0) {
			struct probe_out o2 = job_out(j);

			probe_on_closed(&j->probe, r, &o2);
			if (o2.act == PA_CONTINUE)
				probe_finish(&j->probe, PV_HANDSHAKE_FAILED,
				    "write failed");
			job_apply(j, &o2);
			return;
		}
	}
	if (o->act == PA_DONE || probe_is_done(&j->probe)) {
		job_done(j);
		return;
	}
	if (o->act == PA_RECONNECT) {
		/* The deadline is the endpoint's, across every connection. */
		j->wake_at = 0;
		uv_timer_stop(&j->timer);
		uv_read_stop((uv_stream_t *)&j->tcp);
		if (!uv_is_closing((uv_handle_t *)&j->tcp))
			uv_close((uv_handle_t *)&j->tcp, on_reconnect_closed);
		return;
	}
	if (o->wake_ms) {
		j->wake_at = uv_now(&j->sc->loop) + o->wake_ms;
		job_arm(j);
	}
}

static void on_timer(uv_timer_t *t)
{
	struct job *j = t->data;
	struct probe_out o = job_out(j);
	uint64_t now = uv_now(&j->sc->loop);

	if (now < j->deadline) {
		if (j->wake_at && now >= j->wake_at) {
			j->wake_at = 0;
			probe_on_wake(&j->probe, &o);
			job_apply(j, &o);
		}
		if (!j->finished && !probe_is_idle(&j->probe))
			job_arm(j);
		return;
	}
	probe_on_timeout(&j->probe, &o);
	if (o.act != PA_DONE && !probe_is_done(&j->probe))
		probe_finish(&j->probe, PV_TIMEOUT, "deadline passed");
	job_done(j);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct job *j = h->data;

	*buf = uv_buf_init((char *)j->sc->rbuf, sizeof(j->sc->rbuf));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct job *j = s->data;
	struct probe_out o;

	if (nread == 0 || j->finished)
		return;
	o = job_out(j);
	if (nread > 0)
		j->rx += (uint32_t)nread;
	if (nread > 0)
		probe_on_data(&j->probe, (const uint8_t *)buf->base,
		    (size_t)nread, &o);
	else
		probe_on_closed(&j->probe, nread == UV_EOF ? 0 : (int)nread,
		    &o);
	if (nread < 0 && o.act == PA_CONTINUE && !probe_is_done(&j->probe))
		probe_finish(&j->probe, PV_HANDSHAKE_FAILED,
		    "connection closed");
	job_apply(j, &o);
}

static void on_connect(uv_connect_t *req, int status)
{
	struct job *j = req->data;
	struct probe_out o;

	if (j->finished)
		return;
	o = job_out(j);
	if (status < 0) {
		enum probe_verdict v = PV_UNREACHABLE;

		if (status == UV_ECANCELED)
			return;
		if (status == UV_ECONNREFUSED)
			v = PV_REFUSED;
		else if (status == UV_ETIMEDOUT)
			v = PV_TIMEOUT;
		/* A server that accepted the first attempt and refuses the
		 * fallback still failed the handshake. */
		if (j->probe.attempts > 0)
			v = PV_HANDSHAKE_FAILED;
		probe_finish(&j->probe, v, uv_strerror(status));
		job_done(j);
		return;
	}
	uv_tcp_nodelay(&j->tcp, 1);
	uv_read_start((uv_stream_t *)&j->tcp, on_alloc, on_read);
	probe_on_connected(&j->probe, &o);
	job_apply(j, &o);
}

static void job_connect(struct job *j)
{
	struct scan *sc = j->sc;
	int r;

	r = uv_tcp_init(&sc->loop, &j->tcp);
	if (r == 0) {
		j->tcp.data = j;
		j->tcp_open = 1;
		j->open_handles++;
		j->creq.data = j;
		r = uv_tcp_connect(&j->creq, &j->tcp,
		    (const struct sockaddr *)&j->addr, on_connect);
	}
	if (r < 0) {
		probe_finish(&j->probe,
		    r == UV_EMFILE || r == UV_ENFILE ? PV_INCONCLUSIVE :
						       PV_UNREACHABLE,
		    uv_strerror(r));
		job_done(j);
		return;
	}
	job_arm(j);
}

static void on_disclosed(void *ctx, size_t off, const uint8_t *b, size_t n)
{
	struct job *j = ctx;
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

/* --trace: one stderr line per engine event, named by the endpoint. */
static void job_trace(void *ctx, const char *line)
{
	struct job *j = ctx;

	fprintf(stderr, "heartcheck: trace %s: %s\n", j->label, line);
}

/* --- DTLS over UDP: net/udp.c runs the job, the scan keeps the books. --- */
static void udp_report(void *ctx, const struct scan_result *r)
{
	struct scan *sc = ctx;

	sc->st->done++;
	sc->st->by_verdict[r->verdict]++;
	if (sc->h->result)
		sc->h->result(sc->h->ctx, r);
}

static void udp_release(void *ctx)
{
	struct scan *sc = ctx;

	sc->active--;
	sc->st->in_flight = sc->active;
	pump(sc);
}

static void udp_start(struct scan *sc, const struct sockaddr_storage *a,
    const char *name, const char *label, uint64_t born, uint64_t born_hr)
{
	struct udp_job_spec s = {
		.loop = &sc->loop,
		.o = sc->o,
		.addr = a,
		.name = name,
		.label = label,
		.report = udp_report,
		.release = udp_release,
		.ctx = sc,
	};

	sc->st->started++;
	s.t0 = born_hr ? born_hr : uv_hrtime();
	s.deadline = (born ? born : uv_now(&sc->loop)) + sc->o->timeout_ms;
	s.nonce = next_nonce(sc);
	if (udp_job_start(&s) != 0) {
		fprintf(stderr, "heartcheck: out of memory\n");
		return;
	}
	sc->active++;
	if (sc->active > sc->st->peak_in_flight)
		sc->st->peak_in_flight = sc->active;
	sc->st->in_flight = sc->active;
}
/* --- end of DTLS over UDP --- */

static void job_start(struct scan *sc, const struct sockaddr_storage *a,
    const char *name, const char *label, uint64_t born, uint64_t born_hr)
{
	struct job *j;

	if (sc->o->udp) { /* DTLS over UDP */
		udp_start(sc, a, name, label, born, born_hr);
		return;
	}
	j = calloc(1, sizeof(*j));
	sc->st->started++;
	if (!j || !(j->label = strdup(label)) ||
	    (name && name[0] && !(j->name = strdup(name)))) {
		if (j)
			job_free(j);
		fprintf(stderr, "heartcheck: out of memory\n");
		return;
	}
	j->kind = KIND_JOB;
	j->sc = sc;
	j->addr = *a;
	/* A looked-up name's budget began with its lookup. */
	j->t0 = born_hr ? born_hr : uv_hrtime();
	j->deadline = (born ? born : uv_now(&sc->loop)) + sc->o->timeout_ms;
	j->cfg.sni = sc->o->no_sni ? NULL : j->name;
	j->cfg.max_version = sc->o->max_version;
	j->cfg.leak = sc->o->leak;
	{
		const char *st = sc->o->starttls;
		uint16_t port;
		char ip[INET6_ADDRSTRLEN];

		net_addr_text(a, ip, sizeof(ip), &port);
		j->cfg.preamble = !st	? NULL :
		    !strcmp(st, "auto") ? preamble_for_port(port) :
					  preamble_find(st);
		j->cfg.host = sc->o->xmpp_host ? sc->o->xmpp_host : j->name;
	}
	if (sc->o->trace) {
		j->cfg.trace = job_trace;
		j->cfg.trace_ctx = j;
	}
	if (sc->o->leak) {
		j->cfg.on_disclosed = on_disclosed;
		j->cfg.ctx = j;
	}
	probe_init(&j->probe, &j->cfg, next_nonce(sc));
	uv_timer_init(&sc->loop, &j->timer);
	j->timer.data = j;
	j->open_handles = 1;
	sc->active++;
	if (sc->active > sc->st->peak_in_flight)
		sc->st->peak_in_flight = sc->active;
	sc->st->in_flight = sc->active;
	if (probe_is_done(&j->probe)) {
		job_done(j);
		return;
	}
	job_connect(j);
}

/* Reports an endpoint that never got a connection (DNS failure). */
static void report_early(struct scan *sc, const char *label, const char *name,
    uint16_t port, enum probe_verdict v, const char *why, uint64_t born_hr)
{
	struct scan_result r;

	memset(&r, 0, sizeof(r));
	r.elapsed_ms = born_hr ? (double)(uv_hrtime() - born_hr) / 1e6 : 0;
	r.target = label;
	r.name = name;
	r.port = port;
	r.verdict = v;
	r.reason = why;
	r.alert = -1;
	sc->st->started++;
	sc->st->done++;
	sc->st->by_verdict[v]++;
	if (sc->h->result)
		sc->h->result(sc->h->ctx, &r);
}

static void pend_push(struct scan *sc, const struct sockaddr_storage *a,
    const char *name, const char *label, const struct dns_job *d)
{
	struct pending *p = calloc(1, sizeof(*p));

	if (!p || !(p->name = strdup(name)) || !(p->label = strdup(label))) {
		if (p) {
			free(p->name);
			free(p);
		}
		return;
	}
	p->addr = *a;
	p->born = d->born;
	p->born_hr = d->born_hr;
	if (sc->pend_tail)
		sc->pend_tail->next = p;
	else
		sc->pend_head = p;
	sc->pend_tail = p;
	sc->st->total++;
}

static void on_dns_closed(uv_handle_t *h)
{
	struct dns_job *d = h->data;

	free(d->name);
	free(d);
}

static void dns_free(struct dns_job *d)
{
	uv_timer_stop(&d->timer);
	uv_close((uv_handle_t *)&d->timer, on_dns_closed);
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct dns_job *d = req->data;
	struct scan *sc = d->sc;
	struct addrinfo *ai;
	char label[320], why[160];
	unsigned n = 0;

	if (d->timed_out) {
		/* Reported when its deadline passed; only the memory is left.
		 */
		sc->dns_abandoned--;
		uv_freeaddrinfo(res);
		dns_free(d);
		pump(sc);
		return;
	}
	sc->active--;
	sc->st->total--;
	if (status < 0) {
		snprintf(label, sizeof(label), "%s:%u", d->name, d->port);
		snprintf(why, sizeof(why), "cannot resolve %s: %s", d->name,
		    uv_strerror(status));
		report_early(sc, label, d->name, d->port, PV_DNS_ERROR, why,
		    d->born_hr);
	}
	for (ai = res; status == 0 && ai; ai = ai->ai_next) {
		struct sockaddr_storage a;
		char ip[INET6_ADDRSTRLEN];
		uint16_t port;

		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		memset(&a, 0, sizeof(a));
		memcpy(&a, ai->ai_addr, ai->ai_addrlen);
		if (a.ss_family == AF_INET)
			((struct sockaddr_in *)&a)->sin_port = htons(d->port);
		else
			((struct sockaddr_in6 *)&a)->sin6_port = htons(d->port);
		net_addr_text(&a, ip, sizeof(ip), &port);
		snprintf(label, sizeof(label),
		    a.ss_family == AF_INET6 ? "%s:%u [%s]" : "%s:%u (%s)",
		    d->name, d->port, ip);
		pend_push(sc, &a, d->name, label, d);
		n++;
	}
	if (status == 0 && n == 0) {
		snprintf(label, sizeof(label), "%s:%u", d->name, d->port);
		report_early(sc, label, d->name, d->port, PV_DNS_ERROR,
		    "no IPv4 or IPv6 address", d->born_hr);
	}
	uv_freeaddrinfo(res);
	dns_free(d);
	pump(sc);
}

/* The lookup took the whole budget: report now, and let the resolver
 * thread finish in its own time (getaddrinfo cannot be interrupted). */
static void on_dns_timeout(uv_timer_t *t)
{
	struct dns_job *d = t->data;
	struct scan *sc = d->sc;
	char label[320], why[160];

	d->timed_out = 1;
	sc->active--;
	sc->st->total--;
	sc->dns_abandoned++;
	snprintf(label, sizeof(label), "%s:%u", d->name, d->port);
	snprintf(why, sizeof(why), "cannot resolve %s: no answer within %u ms",
	    d->name, sc->o->timeout_ms);
	report_early(sc, label, d->name, d->port, PV_DNS_ERROR, why,
	    d->born_hr);
	/* Succeeds only while the lookup still waits for a thread. */
	uv_cancel((uv_req_t *)&d->req);
	pump(sc);
}

static void start_dns(struct scan *sc, const struct tgt_endpoint *e)
{
	struct dns_job *d = calloc(1, sizeof(*d));
	struct addrinfo hints;
	int r;

	if (!d || !(d->name = strdup(e->name))) {
		free(d);
		return;
	}
	d->kind = KIND_DNS;
	d->sc = sc;
	d->port = e->port;
	d->req.data = d;
	d->born = uv_now(&sc->loop);
	d->born_hr = uv_hrtime();
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	sc->active++;
	sc->st->total++;
	r = uv_getaddrinfo(&sc->loop, &d->req, on_resolved, d->name, NULL,
	    &hints);
	if (r < 0) {
		char why[160];

		sc->active--;
		sc->st->total--;
		snprintf(why, sizeof(why), "cannot resolve: %s",
		    uv_strerror(r));
		report_early(sc, e->label, e->name, e->port, PV_DNS_ERROR, why,
		    0);
		free(d->name);
		free(d);
		return;
	}
	uv_timer_init(&sc->loop, &d->timer);
	d->timer.data = d;
	uv_timer_start(&d->timer, on_dns_timeout, sc->o->timeout_ms, 0);
}

static int may_start(struct scan *sc)
{
	if (sc->active >= sc->o->concurrency)
		return 0;
	if (sc->o->rate > 0 && sc->tokens < 1.0)
		return 0;
	return 1;
}

static void take_token(struct scan *sc)
{
	if (sc->o->rate > 0)
		sc->tokens -= 1.0;
}

/* A graceful stop asked through the stop hook: take no more endpoints
 * from the targets; what is under way goes on. */
static int scan_stopping(struct scan *sc)
{
	if (!sc->h->stop || !sc->h->stop(sc->h->ctx))
		return 0;
	sc->iter_done = 1;
	sc->st->position = tgt_iter_pos(sc->it);
	return 1;
}

/* A name resolved to an excluded address: dropped, never connected to,
 * and counted apart.  Frees p when it says yes. */
static int pending_excluded(struct scan *sc, struct pending *p)
{
	const struct sockaddr_storage *a = &p->addr;
	int yes;

	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)a;

		yes = tgt_set_excluded_addr(sc->set, AF_INET6,
		    s6->sin6_addr.s6_addr, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)a;

		yes = tgt_set_excluded_addr(sc->set, AF_INET,
		    (const uint8_t *)&s4->sin_addr, ntohs(s4->sin_port));
	}
	if (!yes)
		return 0;
	sc->st->total--;
	sc->st->excluded++;
	free(p->name);
	free(p->label);
	free(p);
	return 1;
}

static void pump(struct scan *sc)
{
	struct tgt_endpoint e;
	int busy = sc->h->busy ? sc->h->busy(sc->h->ctx) : 0;

	if (busy < 0)
		scan_abort(sc);
	else if (sc->h->busy && !uv_is_closing((uv_handle_t *)&sc->tick) &&
	    !uv_is_active((uv_handle_t *)&sc->tick))
		/* The tick asks again while held, and notices output that
		 * failed while no probe ends. */
		uv_timer_start(&sc->tick, on_tick, 10, 10);
	while (busy == 0 && may_start(sc)) {
		if (sc->pend_head) {
			struct pending *p = sc->pend_head;

			sc->pend_head = p->next;
			if (!sc->pend_head)
				sc->pend_tail = NULL;
			if (pending_excluded(sc, p))
				continue;
			take_token(sc);
			job_start(sc, &p->addr, p->name, p->label, p->born,
			    p->born_hr);
			free(p->name);
			free(p->label);
			free(p);
			continue;
		}
		if (sc->iter_done)
			break;
		if (scan_stopping(sc))
			break;
		if (tgt_iter_next(sc->it, &e) != 1) {
			sc->iter_done = 1;
			sc->st->position = tgt_iter_pos(sc->it);
			break;
		}
		sc->st->position = tgt_iter_pos(sc->it);
		take_token(sc);
		if (e.family == AF_UNSPEC) {
			start_dns(sc, &e);
		} else {
			struct sockaddr_storage a;

			memset(&a, 0, sizeof(a));
			if (e.family == AF_INET6) {
				struct sockaddr_in6 *s6 = (void *)&a;

				s6->sin6_family = AF_INET6;
				memcpy(&s6->sin6_addr, e.addr, 16);
				s6->sin6_port = htons(e.port);
			} else {
				struct sockaddr_in *s4 = (void *)&a;

				s4->sin_family = AF_INET;
				memcpy(&s4->sin_addr, e.addr, 4);
				s4->sin_port = htons(e.port);
			}
			job_start(sc, &a, e.name, e.label, 0, 0);
		}
	}
	if (sc->active == 0 && sc->iter_done && !sc->pend_head) {
		if (!uv_is_closing((uv_handle_t *)&sc->tick))
			uv_close((uv_handle_t *)&sc->tick, NULL);
		/* Every endpoint is reported: do not wait for lookups that
		 * are past their deadline. */
		if (sc->dns_abandoned)
			uv_stop(&sc->loop);
	}
}

static void on_tick(uv_timer_t *t)
{
	struct scan *sc = t->data;
	uint64_t now = uv_now(&sc->loop);

	if (sc->o->rate > 0) {
		sc->tokens +=
		    sc->o->rate * (double)(now - sc->last_tick) / 1000.0;
		/* A burst of at most a tenth of a second's worth. */
		if (sc->tokens > sc->o->rate / 10 + 1)
			sc->tokens = sc->o->rate / 10 + 1;
	}
	sc->last_tick = now;
	if (sc->h->progress && sc->o->progress_ms &&
	    now - sc->last_progress >= sc->o->progress_ms) {
		sc->last_progress = now;
		sc->h->progress(sc->h->ctx, sc->st);
	}
	pump(sc);
}

int scan_run(const struct tgt_set *set, const struct scan_opts *o,
    const struct scan_hooks *h, struct scan_stats *st)
{
	struct scan *sc;
	int r;

	/* uv_getaddrinfo runs on libuv's thread pool: four threads by
	 * default, of which blocking lookups may use only half, so a list of
	 * names would resolve two at a time.  The pool is created on first
	 * use, so this must come before any lookup; a user's value wins. */
	setenv("UV_THREADPOOL_SIZE", "64", 0);
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return UV_ENOMEM;
	memset(st, 0, sizeof(*st));
	sc->o = o;
	sc->h = h;
	sc->st = st;
	sc->set = set;
	sc->nonce = uv_hrtime() ^ ((uint64_t)(uintptr_t)sc << 16);
	st->total = tgt_set_count(set);
	r = uv_loop_init(&sc->loop);
	if (r < 0) {
		free(sc);
		return r;
	}
	sc->it = tgt_iter_new(set);
	if (!sc->it) {
		uv_loop_close(&sc->loop);
		free(sc);
		return UV_ENOMEM;
	}
	uv_timer_init(&sc->loop, &sc->tick);
	sc->tick.data = sc;
	sc->last_tick = uv_now(&sc->loop);
	sc->tokens = 1.0;
	/* The tick only refills the rate limit and draws progress; without
	 * either, it would wake the loop 100 times a second for nothing. */
	if (o->rate > 0 || (h->progress && o->progress_ms))
		uv_timer_start(&sc->tick, on_tick, 10, 10);
	pump(sc);
	uv_run(&sc->loop, UV_RUN_DEFAULT);
	if (h->progress && o->progress_ms)
		h->progress(h->ctx, st);
	tgt_iter_free(sc->it);
	st->lookups_left = sc->dns_abandoned;
	if (sc->dns_abandoned) {
		/* A resolver thread still holds the loop: it must outlive
		 * us, so it stays allocated and reachable until exit. */
		static struct scan *left_running;

		sc->tick.data = left_running;
		left_running = sc;
		return 0;
	}
	r = uv_loop_close(&sc->loop);
	free(sc);
	return r == UV_EBUSY ? 0 : r;
}

/* Ends each job still in flight: its timer handle is the one handle every
 * job holds from job_start until it is freed. */
static void abort_job(uv_handle_t *h, void *arg)
{
	struct scan *sc = arg;
	struct job *j;

	if (h == (uv_handle_t *)&sc->tick || h->type != UV_TIMER ||
	    uv_is_closing(h))
		return;
	if (udp_job_abort(h)) /* DTLS over UDP */
		return;
	j = h->data;
	/* A lookup reports itself when it ends; only probes are cut short. */
	if (j->kind != KIND_JOB || j->finished)
		return;
	probe_finish(&j->probe, PV_INCONCLUSIVE, "the scan was stopped");
	job_done(j);
}

/* Stops the scan: no endpoint is started any more, queued ones are
 * dropped, and every probe in flight ends now.  Lookups under way finish
 * on their own; what they resolve is dropped by the next pump. */
static void scan_abort(struct scan *sc)
{
	struct pending *p;

	sc->iter_done = 1;
	while ((p = sc->pend_head) != NULL) {
		sc->pend_head = p->next;
		free(p->name);
		free(p->label);
		free(p);
	}
	sc->pend_tail = NULL;
	uv_walk(&sc->loop, abort_job, sc);
}
