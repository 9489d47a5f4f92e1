/*
 * The outbound driver's core (net/driver.h).
 *
 * One job per endpoint holds the transport's socket, a timer and the
 * engine's state, all in one allocation (about 1.5 KiB for TLS).  Reads land
 * in one buffer per scan: libuv hands us one read at a time and the engine
 * consumes it before returning, so nothing is copied per probe.  The one
 * timer serves both the endpoint's deadline and the engine's wake-ups: it is
 * armed for whichever comes first.
 */
#include "net/driver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/conn.h"
#include "net/sockaddr.h"
#include "report/err.h"

#define READ_BUF (64 * 1024)
/* Resolved addresses waiting for a slot.  Lookups count against the
 * window, so this is reached only by names with very many addresses. */
#define PEND_MAX 65536

/* An endpoint waiting for a probe slot (from DNS). */
struct pending {
	struct pending *next;
	struct sockaddr_storage addr;
	char *name;
	char *label;
	struct tgt_door door;
	uint64_t born; /* loop time the lookup started: the budget's */
	uint64_t born_hr;
};

struct dns_job {
	uv_getaddrinfo_t req;
	uv_timer_t timer; /* the lookup's share of the endpoint budget */
	struct drv *d;
	char *name;
	char *label; /* the target's: "name:port", with its scheme */
	struct tgt_door door;
	uint16_t port;
	uint8_t timed_out;
	uint64_t born, born_hr;
};

struct drv {
	uv_loop_t loop;
	const struct scan_opts *o;
	const struct scan_hooks *h;
	struct scan_stats *st;
	drv_door_fn *door;
	struct tgt_iter *it;
	const struct tgt_set *set;
	int iter_done;
	struct pending *pend_head, *pend_tail;
	size_t npend;
	LIST_HEAD(, drv_job) jobs; /* in flight */
	size_t active; /* jobs and DNS lookups under way */
	uv_timer_t tick; /* rate limit and progress */
	double tokens;
	uint64_t last_tick, last_progress;
	uint64_t nonce;
	size_t dns_abandoned; /* lookups past their deadline, still running */
	uint8_t rbuf[READ_BUF];
	uint8_t wbuf[PROBE_OUT_MIN];
};

static void pump(struct drv *d);
static void job_connect(struct drv_job *j);
static void job_apply(struct drv_job *j, struct probe_out *o);
static void on_timer(uv_timer_t *t);
static void on_tick(uv_timer_t *t);
static void drv_abort(struct drv *d);

uv_loop_t *drv_job_loop(struct drv_job *j)
{
	return &j->d->loop;
}

uv_buf_t drv_read_buf(struct drv_job *j)
{
	return uv_buf_init((char *)j->d->rbuf, sizeof(j->d->rbuf));
}

/* A fresh engine answer buffer, with the engine told the time. */
static struct probe_out job_out(struct drv_job *j)
{
	struct probe_out o = { .buf = j->d->wbuf, .cap = sizeof(j->d->wbuf) };

	j->eng->clock(j->e, uv_now(&j->d->loop));
	return o;
}

static void job_arm(struct drv_job *j)
{
	net_timer_arm(&j->timer, on_timer, j->deadline, j->wake_at);
}

static void job_free(struct drv_job *j)
{
	j->eng->free(j->e);
	free(j->fbuf);
	free(j->name);
	free(j->label);
	free(j->leak);
	free(j);
}

static void window_grew(struct drv *d)
{
	d->active++;
	if (d->active > d->st->peak_in_flight)
		d->st->peak_in_flight = d->active;
	d->st->in_flight = d->active;
}

/* Frees a job once libuv holds none of its handles. */
static void job_release(struct drv_job *j)
{
	struct drv *d = j->d;

	if (j->open_handles > 0)
		return;
	LIST_REMOVE(j, link);
	job_free(j);
	d->active--;
	d->st->in_flight = d->active;
	pump(d);
}

static void on_handle_closed(uv_handle_t *h)
{
	struct drv_job *j = h->data;

	if (h != (uv_handle_t *)&j->timer)
		j->sock_open = 0;
	j->open_handles--;
	job_release(j);
}

/* Counts one result and hands it on: every endpoint ends here. */
static void emit(struct drv *d, const struct scan_result *r)
{
	d->st->done++;
	d->st->by_verdict[r->verdict]++;
	if (d->h->result)
		d->h->result(d->h->ctx, r);
}

static void job_report(struct drv_job *j)
{
	struct scan_result r;
	struct probe_result pr;

	memset(&r, 0, sizeof(r));
	r.target = j->label;
	r.name = j->name ? j->name : "";
	net_addr_text(&j->addr, r.ip, sizeof(r.ip), &r.port);
	j->eng->result(j->e, &pr);
	scan_result_set_probe(&r, &pr);
	r.bytes_sent = j->tx;
	r.bytes_received = j->rx;
	r.elapsed_ms = (double)(uv_hrtime() - j->t0) / 1e6;
	r.leaked = j->leak;
	r.leaked_len = j->leak_len;
	r.transport = j->tp->name;
	emit(j->d, &r);
}

/* Reports once and releases both handles; the job is freed when libuv
 * has closed them. */
static void job_done(struct drv_job *j)
{
	if (j->finished)
		return;
	j->finished = 1;
	job_report(j);
	uv_timer_stop(&j->timer);
	if (!uv_is_closing((uv_handle_t *)&j->timer))
		uv_close((uv_handle_t *)&j->timer, on_handle_closed);
	if (j->sock_open)
		j->tp->close(j, on_handle_closed);
}

static void job_finish(struct drv_job *j, enum probe_verdict v, const char *why)
{
	j->eng->finish(j->e, v, why);
	job_done(j);
}

static void on_reconnect_closed(uv_handle_t *h)
{
	struct drv_job *j = h->data;

	j->sock_open = 0;
	j->open_handles--;
	if (j->finished) {
		job_release(j);
		return;
	}
	job_connect(j);
}

void drv_job_closed(struct drv_job *j, int err, const char *why)
{
	struct probe_out o;

	if (j->finished)
		return;
	o = job_out(j);
	j->eng->closed(j->e, err, &o);
	/* A close the engine climbs past (a reconnect) goes on. */
	if (o.act != PA_RECONNECT && !j->eng->is_done(j->e))
		j->eng->finish(j->e, PV_HANDSHAKE_FAILED, why);
	if (j->eng->is_done(j->e))
		job_done(j);
	else
		job_apply(j, &o);
}

/* Acts on what the engine asked for. */
static void job_apply(struct drv_job *j, struct probe_out *o)
{
	int r;

	if (o->len > 0 && o->act == PA_CONTINUE && j->sock_open) {
		r = j->tp->send(j, o->buf, o->len);
		if (r < 0) {
			drv_job_closed(j, r, "write failed");
			return;
		}
	}
	if (o->act == PA_DONE || j->eng->is_done(j->e)) {
		job_done(j);
		return;
	}
	if (o->act == PA_RECONNECT) {
		/* The deadline is the endpoint's, across every connection. */
		j->wake_at = 0;
		uv_timer_stop(&j->timer);
		j->flen = 0;
		if (j->sock_open)
			j->tp->close(j, on_reconnect_closed);
		else
			job_connect(j);
		return;
	}
	if (o->wake_ms) {
		j->wake_at = uv_now(&j->d->loop) + o->wake_ms;
		job_arm(j);
	}
}

static void on_timer(uv_timer_t *t)
{
	struct drv_job *j = t->data;
	struct probe_out o = job_out(j);
	uint64_t now = uv_now(&j->d->loop);

	if (now < j->deadline) {
		if (j->wake_at && now >= j->wake_at) {
			j->wake_at = 0;
			j->eng->wake(j->e, &o);
			job_apply(j, &o);
		}
		if (!j->finished && !j->eng->is_idle(j->e))
			job_arm(j);
		return;
	}
	j->eng->timeout(j->e, &o);
	if (o.act != PA_DONE && !j->eng->is_done(j->e))
		j->eng->finish(j->e, PV_TIMEOUT, "deadline passed");
	job_done(j);
}

void drv_job_data(struct drv_job *j, const uint8_t *b, size_t n)
{
	struct probe_out o;

	if (j->finished)
		return;
	o = job_out(j);
	j->eng->data(j->e, b, n, &o);
	job_apply(j, &o);
}

void drv_job_up(struct drv_job *j)
{
	struct probe_out o;

	if (j->finished)
		return;
	o = job_out(j);
	j->eng->connected(j->e, &o);
	job_apply(j, &o);
	if (!j->finished)
		job_arm(j);
}

/* The socket could not be opened or connected: the same verdicts for
 * every transport and engine. */
void drv_job_connect_failed(struct drv_job *j, int err)
{
	struct probe_result pr;
	enum probe_verdict v = PV_UNREACHABLE;

	if (j->finished)
		return;
	j->eng->result(j->e, &pr);
	if (err == UV_ECONNREFUSED)
		v = PV_REFUSED;
	else if (err == UV_ETIMEDOUT)
		v = PV_TIMEOUT;
	else if (err == UV_EMFILE || err == UV_ENFILE)
		v = PV_INCONCLUSIVE; /* our limit, not the endpoint's */
	/* A server that took the first connection and refuses the next
	 * still failed the handshake. */
	if (pr.connections > 1)
		v = PV_HANDSHAKE_FAILED;
	job_finish(j, v, uv_strerror(err));
}

static void job_connect(struct drv_job *j)
{
	int r = j->tp->open(j);

	if (r < 0) {
		drv_job_connect_failed(j, r);
		return;
	}
	job_arm(j);
	if (r > 0)
		drv_job_up(j);
}

static void on_disclosed(void *ctx, size_t off, const uint8_t *b, size_t n)
{
	struct drv_job *j = ctx;
	uint8_t *nb;

	(void)off;
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
	struct drv_job *j = ctx;

	fprintf(stderr, "heartcheck: trace %s: %s\n", j->label, line);
}

/* Reports an endpoint that got no job: a failed lookup, or a failure of
 * the driver itself (its address a, when known). */
static void report_addr(struct drv *d, const struct sockaddr_storage *a,
    const char *label, const char *name, uint16_t port, enum probe_verdict v,
    const char *why, uint64_t born_hr)
{
	struct scan_result r;

	memset(&r, 0, sizeof(r));
	if (a)
		net_addr_text(a, r.ip, sizeof(r.ip), &port);
	r.elapsed_ms = born_hr ? (double)(uv_hrtime() - born_hr) / 1e6 : 0;
	r.target = label;
	r.name = name;
	r.port = port;
	r.verdict = v;
	r.reason = why;
	r.alert = -1;
	d->st->started++;
	emit(d, &r);
}

static void report_early(struct drv *d, const char *label, const char *name,
    uint16_t port, enum probe_verdict v, const char *why, uint64_t born_hr)
{
	report_addr(d, NULL, label, name, port, v, why, born_hr);
}

/* The driver itself failed (code, an HC_ERR_*, in doing what): the
 * endpoint is untested, and says why. */
static void report_failure(struct drv *d, const struct sockaddr_storage *a,
    const char *label, const char *name, uint16_t port, int code,
    const char *what, uint64_t born_hr)
{
	char why[160];

	snprintf(why, sizeof(why), "not probed: %s: %s", what,
	    hc_strerror(code));
	report_addr(d, a, label, name, port, PV_INCONCLUSIVE, why, born_hr);
}

/* Starts one probe.  Returns 0, or an HC_ERR_* code when it could not
 * (nothing was reported then). */
static int job_start(struct drv *d, const struct sockaddr_storage *a,
    const char *name, const char *label, const struct tgt_door *td,
    uint64_t born, uint64_t born_hr)
{
	struct drv_job *j = NULL;
	struct door door;
	uint16_t port;
	char ip[INET6_ADDRSTRLEN];

	net_addr_text(a, ip, sizeof(ip), &port);
	memset(&door, 0, sizeof(door));
	d->door(d->o, td, port, &door);
	if (!(j = calloc(1, sizeof(*j) + door.engine->size)))
		return HC_ERR_ALLOC_FAIL;
	if (!(j->label = strdup(label)) ||
	    (name && name[0] && !(j->name = strdup(name)))) {
		free(j->label);
		free(j);
		return HC_ERR_ALLOC_FAIL;
	}
	j->d = d;
	j->eng = door.engine;
	j->tp = door.transport;
	j->addr = *a;
	/* A looked-up name's budget began with its lookup. */
	j->t0 = born_hr ? born_hr : uv_hrtime();
	j->deadline = (born ? born : uv_now(&d->loop)) + d->o->timeout_ms;
	j->cfg.sni = d->o->no_sni ? NULL : j->name;
	j->cfg.max_version = d->o->max_version;
	j->cfg.leak = d->o->leak;
	j->cfg.preamble = door.preamble;
	j->cfg.host = d->o->xmpp_host ? d->o->xmpp_host : j->name;
	j->cfg.ovpn_auth = d->o->ovpn_auth;
	if (d->o->trace) {
		j->cfg.trace = job_trace;
		j->cfg.trace_ctx = j;
	}
	if (d->o->leak) {
		j->cfg.on_disclosed = on_disclosed;
		j->cfg.ctx = j;
	}
	j->eng->init(j->e, &j->cfg, net_nonce_next(&d->nonce));
	uv_timer_init(&d->loop, &j->timer);
	j->timer.data = j;
	j->open_handles = 1;
	LIST_INSERT_HEAD(&d->jobs, j, link);
	d->st->started++;
	window_grew(d);
	if (j->eng->is_done(j->e))
		job_done(j);
	else
		job_connect(j);
	return 0;
}

static void start_or_report(struct drv *d, const struct sockaddr_storage *a,
    const char *name, const char *label, const struct tgt_door *td,
    uint64_t born, uint64_t born_hr)
{
	int r = job_start(d, a, name, label, td, born, born_hr);

	if (r != 0)
		report_failure(d, a, label, name, 0, r,
		    "cannot start the probe", born_hr);
}

static void pend_free(struct pending *p)
{
	free(p->name);
	free(p->label);
	free(p);
}

static int pend_push(struct drv *d, const struct sockaddr_storage *a,
    const char *name, const char *label, const struct dns_job *dj)
{
	struct pending *p;

	if (d->npend >= PEND_MAX)
		return HC_ERR_LIMIT;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->name = strdup(name)) || !(p->label = strdup(label))) {
		if (p)
			pend_free(p);
		return HC_ERR_ALLOC_FAIL;
	}
	p->addr = *a;
	p->door = dj->door;
	p->born = dj->born;
	p->born_hr = dj->born_hr;
	if (d->pend_tail)
		d->pend_tail->next = p;
	else
		d->pend_head = p;
	d->pend_tail = p;
	d->npend++;
	d->st->total++;
	return 0;
}

static struct pending *pend_pop(struct drv *d)
{
	struct pending *p = d->pend_head;

	if (!p)
		return NULL;
	d->pend_head = p->next;
	if (!d->pend_head)
		d->pend_tail = NULL;
	d->npend--;
	return p;
}

static void on_dns_closed(uv_handle_t *h)
{
	struct dns_job *dj = h->data;

	free(dj->name);
	free(dj->label);
	free(dj);
}

static void dns_free(struct dns_job *dj)
{
	uv_timer_stop(&dj->timer);
	uv_close((uv_handle_t *)&dj->timer, on_dns_closed);
}

/* One address a name resolved to, queued for a slot. */
static void dns_address(struct drv *d, struct dns_job *dj,
    const struct addrinfo *ai)
{
	struct sockaddr_storage a;
	char ip[INET6_ADDRSTRLEN], label[400];
	uint16_t port;
	int r;

	memset(&a, 0, sizeof(a));
	memcpy(&a, ai->ai_addr, ai->ai_addrlen);
	if (a.ss_family == AF_INET)
		((struct sockaddr_in *)&a)->sin_port = htons(dj->port);
	else
		((struct sockaddr_in6 *)&a)->sin6_port = htons(dj->port);
	net_addr_text(&a, ip, sizeof(ip), &port);
	snprintf(label, sizeof(label),
	    a.ss_family == AF_INET6 ? "%s [%s]" : "%s (%s)", dj->label, ip);
	if ((r = pend_push(d, &a, dj->name, label, dj)) != 0) {
		report_failure(d, &a, label, dj->name, dj->port, r,
		    r == HC_ERR_LIMIT ?
			"the queue of resolved addresses is full" :
			"cannot queue the address",
		    dj->born_hr);
	}
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct dns_job *dj = req->data;
	struct drv *d = dj->d;
	struct addrinfo *ai;
	char why[160];
	unsigned n = 0;

	if (dj->timed_out) {
		/* Reported when its deadline passed; only the memory is left.
		 */
		d->dns_abandoned--;
		uv_freeaddrinfo(res);
		dns_free(dj);
		pump(d);
		return;
	}
	d->active--;
	d->st->total--;
	if (status < 0) {
		snprintf(why, sizeof(why), "cannot resolve %s: %s", dj->name,
		    uv_strerror(status));
		report_early(d, dj->label, dj->name, dj->port, PV_DNS_ERROR,
		    why, dj->born_hr);
	}
	for (ai = res; status == 0 && ai; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		dns_address(d, dj, ai);
		n++;
	}
	if (status == 0 && n == 0) {
		report_early(d, dj->label, dj->name, dj->port, PV_DNS_ERROR,
		    "no IPv4 or IPv6 address", dj->born_hr);
	}
	uv_freeaddrinfo(res);
	dns_free(dj);
	pump(d);
}

/* The lookup took the whole budget: report now, and let the resolver
 * thread finish in its own time (getaddrinfo cannot be interrupted). */
static void on_dns_timeout(uv_timer_t *t)
{
	struct dns_job *dj = t->data;
	struct drv *d = dj->d;
	char why[160];

	dj->timed_out = 1;
	d->active--;
	d->st->total--;
	d->dns_abandoned++;
	snprintf(why, sizeof(why), "cannot resolve %s: no answer within %u ms",
	    dj->name, d->o->timeout_ms);
	report_early(d, dj->label, dj->name, dj->port, PV_DNS_ERROR, why,
	    dj->born_hr);
	/* Succeeds only while the lookup still waits for a thread. */
	uv_cancel((uv_req_t *)&dj->req);
	pump(d);
}

static void start_dns(struct drv *d, const struct tgt_endpoint *e)
{
	struct dns_job *dj = calloc(1, sizeof(*dj));
	struct addrinfo hints;
	char why[160];
	int r;

	if (!dj || !(dj->name = strdup(e->name)) ||
	    !(dj->label = strdup(e->label))) {
		if (dj)
			free(dj->name);
		free(dj);
		report_failure(d, NULL, e->label, e->name, e->port,
		    HC_ERR_ALLOC_FAIL, "cannot resolve", 0);
		return;
	}
	dj->d = d;
	dj->port = e->port;
	dj->door = e->door;
	dj->req.data = dj;
	dj->born = uv_now(&d->loop);
	dj->born_hr = uv_hrtime();
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	r = uv_getaddrinfo(&d->loop, &dj->req, on_resolved, dj->name, NULL,
	    &hints);
	if (r < 0) {
		snprintf(why, sizeof(why), "cannot resolve: %s",
		    uv_strerror(r));
		report_early(d, e->label, e->name, e->port, PV_DNS_ERROR, why,
		    0);
		free(dj->name);
		free(dj->label);
		free(dj);
		return;
	}
	d->active++;
	d->st->total++;
	uv_timer_init(&d->loop, &dj->timer);
	dj->timer.data = dj;
	uv_timer_start(&dj->timer, on_dns_timeout, d->o->timeout_ms, 0);
}

static int may_start(struct drv *d)
{
	if (d->active >= d->o->concurrency)
		return 0;
	if (d->o->rate > 0 && d->tokens < 1.0)
		return 0;
	return 1;
}

static void take_token(struct drv *d)
{
	if (d->o->rate > 0)
		d->tokens -= 1.0;
}

/* A graceful stop asked through the stop hook: take no more endpoints
 * from the targets; what is under way goes on. */
static int drv_stopping(struct drv *d)
{
	if (!d->h->stop || !d->h->stop(d->h->ctx))
		return 0;
	d->iter_done = 1;
	d->st->position = tgt_iter_pos(d->it);
	return 1;
}

/* A name resolved to an excluded address: dropped, never connected to,
 * and counted apart. */
static int pending_excluded(struct drv *d, const struct pending *p)
{
	const struct sockaddr_storage *a = &p->addr;
	int yes;

	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)a;

		yes = tgt_set_excluded_addr(d->set, AF_INET6,
		    s6->sin6_addr.s6_addr, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)a;

		yes = tgt_set_excluded_addr(d->set, AF_INET,
		    (const uint8_t *)&s4->sin_addr, ntohs(s4->sin_port));
	}
	if (!yes)
		return 0;
	d->st->total--;
	d->st->excluded++;
	return 1;
}

static void endpoint_addr(const struct tgt_endpoint *e,
    struct sockaddr_storage *a)
{
	memset(a, 0, sizeof(*a));
	if (e->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (void *)a;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, e->addr, 16);
		s6->sin6_port = htons(e->port);
	} else {
		struct sockaddr_in *s4 = (void *)a;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, e->addr, 4);
		s4->sin_port = htons(e->port);
	}
}

/* Takes the next endpoint from the targets.  Returns 0 when there is
 * none (or the scan stops taking them). */
static int take_endpoint(struct drv *d)
{
	struct tgt_endpoint e;
	struct sockaddr_storage a;

	if (d->iter_done || drv_stopping(d))
		return 0;
	if (tgt_iter_next(d->it, &e) != 1) {
		d->iter_done = 1;
		d->st->position = tgt_iter_pos(d->it);
		return 0;
	}
	d->st->position = tgt_iter_pos(d->it);
	take_token(d);
	if (e.family == AF_UNSPEC) {
		start_dns(d, &e);
		return 1;
	}
	endpoint_addr(&e, &a);
	start_or_report(d, &a, e.name, e.label, &e.door, 0, 0);
	return 1;
}

static void pump(struct drv *d)
{
	struct pending *p;
	int busy = d->h->busy ? d->h->busy(d->h->ctx) : 0;

	if (busy < 0)
		drv_abort(d);
	else if (d->h->busy && !uv_is_closing((uv_handle_t *)&d->tick) &&
	    !uv_is_active((uv_handle_t *)&d->tick))
		/* The tick asks again while held, and notices output that
		 * failed while no probe ends. */
		uv_timer_start(&d->tick, on_tick, 10, 10);
	while (busy == 0 && may_start(d)) {
		if ((p = pend_pop(d)) != NULL) {
			if (!pending_excluded(d, p)) {
				take_token(d);
				start_or_report(d, &p->addr, p->name, p->label,
				    &p->door, p->born, p->born_hr);
			}
			pend_free(p);
			continue;
		}
		if (!take_endpoint(d))
			break;
	}
	if (d->active == 0 && d->iter_done && !d->pend_head) {
		if (!uv_is_closing((uv_handle_t *)&d->tick))
			uv_close((uv_handle_t *)&d->tick, NULL);
		/* Every endpoint is reported: do not wait for lookups that
		 * are past their deadline. */
		if (d->dns_abandoned)
			uv_stop(&d->loop);
	}
}

static void on_tick(uv_timer_t *t)
{
	struct drv *d = t->data;
	uint64_t now = uv_now(&d->loop);

	if (d->o->rate > 0) {
		d->tokens += d->o->rate * (double)(now - d->last_tick) / 1000.0;
		/* A burst of at most a tenth of a second's worth. */
		if (d->tokens > d->o->rate / 10 + 1)
			d->tokens = d->o->rate / 10 + 1;
	}
	d->last_tick = now;
	if (d->h->progress && d->o->progress_ms &&
	    now - d->last_progress >= d->o->progress_ms) {
		d->last_progress = now;
		d->h->progress(d->h->ctx, d->st);
	}
	pump(d);
}

int drv_run(const struct tgt_set *set, const struct scan_opts *o,
    const struct scan_hooks *h, struct scan_stats *st, drv_door_fn *door)
{
	struct drv *d;
	int r;

	/* uv_getaddrinfo runs on libuv's thread pool: four threads by
	 * default, of which blocking lookups may use only half, so a list of
	 * names would resolve two at a time.  The pool is created on first
	 * use, so this must come before any lookup; a user's value wins. */
	setenv("UV_THREADPOOL_SIZE", "64", 0);
	d = calloc(1, sizeof(*d));
	if (!d)
		return UV_ENOMEM;
	memset(st, 0, sizeof(*st));
	d->o = o;
	d->h = h;
	d->st = st;
	d->set = set;
	d->door = door;
	LIST_INIT(&d->jobs);
	d->nonce = net_nonce_seed(d);
	st->total = tgt_set_count(set);
	r = uv_loop_init(&d->loop);
	if (r < 0) {
		free(d);
		return r;
	}
	d->it = tgt_iter_new(set);
	if (!d->it) {
		uv_loop_close(&d->loop);
		free(d);
		return UV_ENOMEM;
	}
	uv_timer_init(&d->loop, &d->tick);
	d->tick.data = d;
	d->last_tick = uv_now(&d->loop);
	d->tokens = 1.0;
	/* The tick only refills the rate limit and draws progress; without
	 * either, it would wake the loop 100 times a second for nothing. */
	if (o->rate > 0 || (h->progress && o->progress_ms))
		uv_timer_start(&d->tick, on_tick, 10, 10);
	pump(d);
	uv_run(&d->loop, UV_RUN_DEFAULT);
	if (h->progress && o->progress_ms)
		h->progress(h->ctx, st);
	tgt_iter_free(d->it);
	st->lookups_left = d->dns_abandoned;
	if (d->dns_abandoned) {
		/* A resolver thread still holds the loop: it must outlive
		 * us, so it stays allocated and reachable until exit. */
		static struct drv *left_running;

		d->tick.data = left_running;
		left_running = d;
		return 0;
	}
	r = uv_loop_close(&d->loop);
	free(d);
	return r == UV_EBUSY ? 0 : r;
}

/* Stops the scan: no endpoint is started any more, queued ones are
 * dropped, and every probe in flight ends now.  Lookups under way finish
 * on their own; what they resolve is dropped by the next pump. */
static void drv_abort(struct drv *d)
{
	struct pending *p;
	struct drv_job *j, *next;

	d->iter_done = 1;
	while ((p = pend_pop(d)) != NULL)
		pend_free(p);
	/* job_done only closes handles: no job is freed during the walk. */
	for (j = LIST_FIRST(&d->jobs); j; j = next) {
		next = LIST_NEXT(j, link);
		if (!j->finished)
			job_finish(j, PV_INCONCLUSIVE, "the scan was stopped");
	}
}
