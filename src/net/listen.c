/*
 * libuv driver for the reverse probe.  Each tested connection is a job
 * holding a TCP handle, a timer and the engine, as in driver.c; the one
 * timer serves the deadline and the engine's wake-ups.  With a command
 * there is one job whose engine sees every connection of every run.
 */
#include "net/listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "net/cmdrun.h"
#include "net/conn.h"
#include "net/sockaddr.h"
#include "probe/srvpreamble.h"

#define READ_BUF (64 * 1024)
#define DEFAULT_MAX_CONNS 256
/* A command may run once per strategy of the ladder. */
#define MAX_RUNS 3

struct lsn;

struct job {
	struct lsn *L;
	uv_tcp_t *tcp; /* the connection under test, or NULL */
	uv_timer_t timer;
	struct client_probe eng;
	struct client_cfg cfg;
	struct srvpre_conn pre; /* --starttls: the plaintext part */
	struct sockaddr_storage peer;
	uint64_t t0; /* hrtime at the start */
	uint64_t deadline; /* loop ms */
	uint64_t wake_at;
	uint32_t tx, rx;
	uint8_t finished;
	uint8_t released;
	struct job *next, *prev; /* jobs in flight */
};

struct lsn {
	uv_loop_t loop;
	uv_tcp_t server;
	uv_signal_t sigint, sigterm;
	const struct listen_opts *o;
	const struct listen_hooks *h;
	struct job *jobs;
	unsigned active;
	unsigned reported;
	uint8_t stopping;
	uint64_t nonce;
	/* Command mode: cmd.argv is set. */
	struct cmdrun cmd;
	struct cmdrun_hooks cmd_hooks;
	struct job *cjob; /* the one job */
	uint8_t rbuf[READ_BUF];
	uint8_t wbuf[CLIENT_OUT_MIN];
};

static void job_apply(struct job *j, struct probe_out *o);
static void maybe_stop(struct lsn *L);

static struct probe_out job_out(struct job *j)
{
	struct probe_out o = { .buf = j->L->wbuf, .cap = sizeof(j->L->wbuf) };

	client_clock(&j->eng, uv_now(&j->L->loop));
	return o;
}

static void on_timer(uv_timer_t *t);

static void job_arm(struct job *j)
{
	net_timer_arm(&j->timer, on_timer, j->deadline, j->wake_at);
}

static void on_tcp_closed(uv_handle_t *h)
{
	free(h);
}

/* Closes the job's connection, if any. */
static void job_drop_tcp(struct job *j)
{
	if (!j->tcp)
		return;
	uv_read_stop((uv_stream_t *)j->tcp);
	if (!uv_is_closing((uv_handle_t *)j->tcp))
		uv_close((uv_handle_t *)j->tcp, on_tcp_closed);
	j->tcp = NULL;
}

static void on_job_timer_closed(uv_handle_t *h)
{
	struct job *j = h->data;
	struct lsn *L = j->L;

	client_free(&j->eng);
	srvpre_free(&j->pre);
	free(j);
	maybe_stop(L);
}

static void job_release(struct job *j)
{
	struct lsn *L = j->L;

	if (j->released)
		return;
	j->released = 1;
	if (j->prev)
		j->prev->next = j->next;
	else
		L->jobs = j->next;
	if (j->next)
		j->next->prev = j->prev;
	L->active--;
	if (L->cjob == j)
		L->cjob = NULL;
	job_drop_tcp(j);
	uv_timer_stop(&j->timer);
	uv_close((uv_handle_t *)&j->timer, on_job_timer_closed);
}

void listen_report_fill(struct client_report *r,
    const struct sockaddr_storage *peer, uint32_t tx, uint32_t rx, uint64_t t0,
    const struct cmdrun *cmd)
{
	memset(r, 0, sizeof(*r));
	if (peer)
		net_addr_text(peer, r->ip, sizeof(r->ip), &r->port);
	r->bytes_sent = tx;
	r->bytes_received = rx;
	r->elapsed_ms = (double)(uv_hrtime() - t0) / 1e6;
	r->runs = cmd->runs;
	r->cmd_status = cmd->argv ? cmd->status : -1;
	r->cmd_signal = cmd->signal;
}

int listen_emit(const struct listen_opts *o, const struct listen_hooks *h,
    unsigned *reported, const struct client_report *r)
{
	if (o->count && *reported >= o->count)
		return 0;
	(*reported)++;
	if (h->result)
		h->result(h->ctx, r);
	return 1;
}

void listen_trace(const struct sockaddr_storage *peer, const char *line)
{
	char ip[INET6_ADDRSTRLEN];
	uint16_t port;

	net_addr_text(peer, ip, sizeof(ip), &port);
	fprintf(stderr, "heartcheck: trace %s:%u: %s\n", ip[0] ? ip : "-", port,
	    line);
}

static void job_report(struct job *j)
{
	struct lsn *L = j->L;
	struct client_report r;

	listen_report_fill(&r, &j->peer, j->tx, j->rx, j->t0, &L->cmd);
	client_get_result(&j->eng, &r.r);
	listen_emit(L->o, L->h, &L->reported, &r);
}

static void job_done(struct job *j)
{
	struct lsn *L = j->L;

	if (j->finished)
		return;
	j->finished = 1;
	if (L->cmd.running) {
		/* Report once the command's exit status is known, if it comes
		 * soon; the deadline still bounds the wait. */
		uint64_t now = uv_now(&L->loop);

		job_drop_tcp(j);
		uv_timer_stop(&j->timer);
		cmdrun_linger(&L->cmd,
		    j->deadline > now ? j->deadline - now : 0);
		return;
	}
	job_report(j);
	job_release(j);
	maybe_stop(L);
}

static int job_send(struct job *j, const uint8_t *b, size_t n)
{
	j->tx += (uint32_t)n;
	return net_stream_send((uv_stream_t *)j->tcp, b, n);
}

static void job_apply(struct job *j, struct probe_out *o)
{
	struct lsn *L = j->L;
	int r;

	if (o->len > 0 && o->act == PA_CONTINUE && j->tcp) {
		r = job_send(j, o->buf, o->len);
		if (r < 0) {
			struct probe_out o2 = job_out(j);

			client_on_closed(&j->eng, r, &o2);
			if (o2.act == PA_CONTINUE && !client_is_done(&j->eng))
				client_finish(&j->eng, PV_HANDSHAKE_FAILED,
				    "write failed");
			job_drop_tcp(j);
			job_apply(j, &o2);
			return;
		}
	}
	if (o->act == PA_DONE || client_is_done(&j->eng)) {
		job_done(j);
		return;
	}
	if (o->act == PA_RECONNECT) {
		/* The next connection of this client, or of its next run. */
		j->wake_at = 0;
		job_drop_tcp(j);
		if (L->cmd.argv && !L->cmd.running) {
			if (L->cmd.runs >= MAX_RUNS ||
			    cmdrun_spawn(&L->cmd) != 0) {
				client_finish(&j->eng, PV_INCONCLUSIVE,
				    "the command could not be run again");
				job_done(j);
				return;
			}
		}
		job_arm(j);
		return;
	}
	if (o->wake_ms) {
		j->wake_at = uv_now(&L->loop) + o->wake_ms;
		job_arm(j);
	}
}

static void on_timer(uv_timer_t *t)
{
	struct job *j = t->data;
	struct probe_out o = job_out(j);
	uint64_t now = uv_now(&j->L->loop);

	if (j->finished)
		return;
	if (now < j->deadline) {
		if (j->wake_at && now >= j->wake_at) {
			j->wake_at = 0;
			client_on_wake(&j->eng, &o);
			job_apply(j, &o);
		}
		if (!j->finished)
			job_arm(j);
		return;
	}
	client_on_timeout(&j->eng, &o);
	if (!client_is_done(&j->eng))
		client_finish(&j->eng, PV_TIMEOUT, "deadline passed");
	job_drop_tcp(j);
	job_done(j);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct job *j = h->data;

	*buf = uv_buf_init((char *)j->L->rbuf, sizeof(j->L->rbuf));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct job *j = s->data;
	struct probe_out o;

	if (nread == 0 || j->finished || (uv_tcp_t *)s != j->tcp)
		return;
	o = job_out(j);
	if (nread > 0) {
		j->rx += (uint32_t)nread;
		client_on_data(&j->eng, (const uint8_t *)buf->base,
		    (size_t)nread, &o);
	} else {
		job_drop_tcp(j);
		client_on_closed(&j->eng, nread == UV_EOF ? 0 : (int)nread, &o);
		if (o.act == PA_CONTINUE && !client_is_done(&j->eng))
			client_finish(&j->eng, PV_HANDSHAKE_FAILED,
			    "connection closed");
	}
	job_apply(j, &o);
}

/* Starts testing a connection with job j. */
static void job_attach(struct job *j, uv_tcp_t *tcp)
{
	struct probe_out o;
	int len = sizeof(j->peer);

	j->tcp = tcp;
	tcp->data = j;
	memset(&j->peer, 0, sizeof(j->peer));
	uv_tcp_getpeername(tcp, (struct sockaddr *)&j->peer, &len);
	uv_tcp_nodelay(tcp, 1);
	uv_read_start((uv_stream_t *)tcp, on_alloc, on_read);
	o = job_out(j);
	client_on_connected(&j->eng, &o);
	job_apply(j, &o);
}

static void job_trace(void *ctx, const char *line)
{
	listen_trace(&((struct job *)ctx)->peer, line);
}

static struct job *job_new(struct lsn *L)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->L = L;
	j->t0 = uv_hrtime();
	j->deadline = uv_now(&L->loop) + L->o->timeout_ms;
	j->cfg.first_strategy = L->o->first_strategy;
	j->cfg.can_retry = L->cmd.argv != NULL;
	if (L->o->trace) {
		j->cfg.trace = job_trace;
		j->cfg.trace_ctx = j;
	}
	/* The preamble phase: the engine plays the module's plaintext part
	 * on every connection, then TLS. */
	if (L->o->starttls) {
		if (srvpre_bind(&j->pre, L->o->starttls) != 0) {
			free(j);
			return NULL;
		}
		j->cfg.preamble = &j->pre.cp;
	}
	client_init(&j->eng, &j->cfg, net_nonce_next(&L->nonce));
	uv_timer_init(&L->loop, &j->timer);
	j->timer.data = j;
	j->next = L->jobs;
	if (L->jobs)
		L->jobs->prev = j;
	L->jobs = j;
	L->active++;
	return j;
}

static void on_connection(uv_stream_t *server, int status)
{
	struct lsn *L = server->data;
	unsigned max = L->o->max_conns ? L->o->max_conns : DEFAULT_MAX_CONNS;
	uv_tcp_t *tcp;
	struct job *j;
	int take;

	if (status < 0)
		return;
	tcp = malloc(sizeof(*tcp));
	if (!tcp)
		return;
	uv_tcp_init(&L->loop, tcp);
	if (uv_accept(server, (uv_stream_t *)tcp) != 0) {
		uv_close((uv_handle_t *)tcp, on_tcp_closed);
		return;
	}
	if (L->cmd.argv) {
		/* Only the engine's next connection is tested; others (a
		 * client that opens several) are closed at once. */
		take = L->cjob && !L->cjob->finished && !L->cjob->tcp &&
		    client_is_idle(&L->cjob->eng);
		if (take)
			job_attach(L->cjob, tcp);
		else
			uv_close((uv_handle_t *)tcp, on_tcp_closed);
		return;
	}
	take = !L->stopping && L->active < max &&
	    (!L->o->count || L->reported + L->active < L->o->count);
	j = take ? job_new(L) : NULL;
	if (!j) {
		uv_close((uv_handle_t *)tcp, on_tcp_closed);
		return;
	}
	job_arm(j);
	job_attach(j, tcp);
}

static void on_cmd_closed(void *ctx)
{
	maybe_stop(ctx);
}

static void on_cmd_exit(void *ctx)
{
	struct lsn *L = ctx;
	struct job *j = L->cjob;
	char why[160];

	if (!j)
		return;
	if (j->finished) {
		/* The verdict was waiting for the exit status. */
		job_report(j);
		job_release(j);
		return;
	}
	if (!client_is_idle(&j->eng) || j->tcp)
		return;
	if (j->eng.attempts > 0 && L->cmd.runs < MAX_RUNS &&
	    cmdrun_spawn(&L->cmd) == 0)
		return;
	cmdrun_ended_text(&L->cmd, "connecting", why, sizeof(why));
	client_finish(&j->eng,
	    j->eng.attempts ? PV_INCONCLUSIVE : PV_HANDSHAKE_FAILED, why);
	job_done(j);
}

static void stop_all(struct lsn *L, const char *why)
{
	struct job *j, *n;

	L->stopping = 1;
	for (j = L->jobs; j; j = n) {
		n = j->next;
		if (j->finished)
			continue;
		client_finish(&j->eng, PV_INCONCLUSIVE, why);
		job_drop_tcp(j);
		job_done(j);
	}
	cmdrun_kill(&L->cmd);
	maybe_stop(L);
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct lsn *L = s->data;

	stop_all(L, "heartcheck was stopped");
}

/* Closes the loop's own handles once nothing more can happen. */
static void maybe_stop(struct lsn *L)
{
	int busy = L->h->busy ? L->h->busy(L->h->ctx) : 0;

	if (busy < 0 && !L->stopping)
		stop_all(L, "the output failed");
	if (!L->stopping && L->o->count && L->reported >= L->o->count)
		L->stopping = 1;
	if (L->cmd.argv && !L->cjob)
		L->stopping = 1;
	if (!L->stopping)
		return;
	if (!uv_is_closing((uv_handle_t *)&L->server))
		uv_close((uv_handle_t *)&L->server, NULL);
	if (L->jobs || cmdrun_busy(&L->cmd))
		return;
	cmdrun_close(&L->cmd);
	net_signals_close(&L->sigint, &L->sigterm);
}

int listen_run(const struct listen_opts *o, const struct listen_hooks *h)
{
	struct lsn *L = calloc(1, sizeof(*L));
	struct sockaddr_storage bound;
	int r, len = sizeof(bound);
	char text[INET6_ADDRSTRLEN + 16];

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
	uv_tcp_init(&L->loop, &L->server);
	L->server.data = L;
	L->cmd_hooks.exited = on_cmd_exit;
	L->cmd_hooks.closed = on_cmd_closed;
	L->cmd_hooks.ctx = L;
	cmdrun_init(&L->cmd, &L->loop, &L->cmd_hooks);
	net_signals_start(&L->loop, &L->sigint, &L->sigterm, L, on_signal);
	if (o->cmd) {
		struct sockaddr_in lo;

		uv_ip4_addr("127.0.0.1", 0, &lo);
		r = uv_tcp_bind(&L->server, (const struct sockaddr *)&lo, 0);
	} else {
		r = uv_tcp_bind(&L->server, (const struct sockaddr *)&o->addr,
		    0);
	}
	if (r == 0)
		r = uv_listen((uv_stream_t *)&L->server, 128, on_connection);
	if (r == 0)
		r = uv_tcp_getsockname(&L->server, (struct sockaddr *)&bound,
		    &len);
	if (r == 0) {
		net_bound_text(&bound, "", text, sizeof(text));
		if (o->cmd)
			r = cmdrun_prepare(&L->cmd, o->cmd, &bound);
	}
	if (r == 0 && h->listening)
		h->listening(h->ctx, text);
	if (r == 0 && o->cmd) {
		L->cjob = job_new(L);
		if (!L->cjob)
			r = UV_ENOMEM;
		else {
			job_arm(L->cjob);
			r = cmdrun_spawn(&L->cmd);
		}
		if (r < 0 && L->cjob) {
			L->cjob->finished = 1;
			job_release(L->cjob);
		}
	}
	if (r < 0) {
		L->stopping = 1;
		maybe_stop(L);
		uv_run(&L->loop, UV_RUN_DEFAULT);
		uv_loop_close(&L->loop);
		cmdrun_free(&L->cmd);
		free(L);
		return r;
	}
	uv_run(&L->loop, UV_RUN_DEFAULT);
	r = uv_loop_close(&L->loop);
	cmdrun_free(&L->cmd);
	free(L);
	return r == UV_EBUSY ? 0 : r;
}
