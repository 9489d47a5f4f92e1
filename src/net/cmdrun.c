/*
 * The command a client listener tests (net/cmdrun.h).
 */
#include "net/cmdrun.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/conn.h"
#include "net/sockaddr.h"

/* After the verdict, how long the command may take to exit by itself. */
#define EXIT_GRACE_MS 2000
#define KILL_GRACE_MS 500

/* The placeholders and what replaces them, in cmdrun_subst_argv's order. */
struct subst {
	const char *key;
	const char *val;
};

/* Writes s with the placeholders replaced to d (when not NULL); returns
 * the length. */
static size_t subst_one(const char *s, const struct subst *t, size_t nt,
    char *d)
{
	size_t len = 0, i, kl, vl;

	while (*s) {
		for (i = 0; i < nt; i++) {
			kl = strlen(t[i].key);
			if (strncmp(s, t[i].key, kl) == 0)
				break;
		}
		if (i == nt) {
			if (d)
				d[len] = *s;
			len++;
			s++;
			continue;
		}
		vl = strlen(t[i].val);
		if (d)
			memcpy(d + len, t[i].val, vl);
		len += vl;
		s += kl;
	}
	if (d)
		d[len] = '\0';
	return len;
}

char **cmdrun_subst_argv(char **argv, const char *addr, const char *host,
    const char *port)
{
	const struct subst t[] = {
		{ "{}", addr },
		{ "{host}", host },
		{ "{port}", port },
	};
	size_t n = 0, i, nt = sizeof(t) / sizeof(t[0]);
	char **out;

	while (argv[n])
		n++;
	out = calloc(n + 1, sizeof(*out));
	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		out[i] = malloc(subst_one(argv[i], t, nt, NULL) + 1);
		if (!out[i]) {
			cmdrun_free_argv(out);
			return NULL;
		}
		subst_one(argv[i], t, nt, out[i]);
	}
	return out;
}

void cmdrun_free_argv(char **argv)
{
	size_t i;

	if (!argv)
		return;
	for (i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
}

void cmdrun_init(struct cmdrun *c, uv_loop_t *loop,
    const struct cmdrun_hooks *h)
{
	memset(c, 0, sizeof(*c));
	c->h = h;
	c->status = -1;
	uv_timer_init(loop, &c->grace);
	c->grace.data = c;
}

int cmdrun_prepare(struct cmdrun *c, char **cmd,
    const struct sockaddr_storage *bound)
{
	char addr[INET6_ADDRSTRLEN + 16], host[INET6_ADDRSTRLEN], port[8];
	uint16_t p;

	net_bound_text(bound, "", addr, sizeof(addr));
	net_addr_text(bound, host, sizeof(host), &p);
	snprintf(port, sizeof(port), "%u", p);
	c->argv = cmdrun_subst_argv(cmd, addr, host, port);
	return c->argv ? 0 : UV_ENOMEM;
}

static void on_proc_closed(uv_handle_t *h)
{
	struct cmdrun *c = h->data;

	free(h);
	c->handles--;
	if (c->h->closed)
		c->h->closed(c->h->ctx);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct cmdrun *c = p->data;

	c->running = 0;
	c->proc = NULL;
	c->status = sig ? -1 : (int)status;
	c->signal = sig;
	uv_timer_stop(&c->grace);
	uv_close((uv_handle_t *)p, on_proc_closed);
	if (c->h->exited)
		c->h->exited(c->h->ctx);
}

int cmdrun_spawn(struct cmdrun *c)
{
	uv_process_options_t po;
	uv_stdio_container_t st[3];
	int r;

	memset(&po, 0, sizeof(po));
	memset(st, 0, sizeof(st));
	st[0].flags = UV_IGNORE; /* /dev/null: no client waits on us */
	st[1].flags = UV_IGNORE; /* its stdout would mix with ours */
	st[2].flags = UV_INHERIT_FD;
	st[2].data.fd = 2;
	po.file = c->argv[0];
	po.args = c->argv;
	po.stdio = st;
	po.stdio_count = 3;
	po.exit_cb = on_exit_cb;
	c->proc = calloc(1, sizeof(*c->proc));
	if (!c->proc)
		return UV_ENOMEM;
	c->proc->data = c;
	r = uv_spawn(c->grace.loop, c->proc, &po);
	c->handles++;
	if (r < 0) {
		uv_close((uv_handle_t *)c->proc, on_proc_closed);
		c->proc = NULL;
		return r;
	}
	c->running = 1;
	c->killed = 0;
	c->runs++;
	return 0;
}

static void proc_kill(struct cmdrun *c, int sig)
{
	if (c->running && c->proc)
		uv_process_kill(c->proc, sig);
}

static void on_grace(uv_timer_t *t)
{
	struct cmdrun *c = t->data;

	if (!c->running)
		return;
	if (!c->killed) {
		c->killed = 1;
		proc_kill(c, SIGTERM);
		uv_timer_start(&c->grace, on_grace, KILL_GRACE_MS, 0);
		return;
	}
	proc_kill(c, SIGKILL);
}

void cmdrun_linger(struct cmdrun *c, uint64_t left_ms)
{
	uv_timer_start(&c->grace, on_grace,
	    left_ms < EXIT_GRACE_MS ? left_ms : EXIT_GRACE_MS, 0);
}

void cmdrun_kill(struct cmdrun *c)
{
	proc_kill(c, SIGKILL);
}

int cmdrun_busy(const struct cmdrun *c)
{
	return c->handles > 0;
}

void cmdrun_close(struct cmdrun *c)
{
	if (!uv_is_closing((uv_handle_t *)&c->grace))
		uv_close((uv_handle_t *)&c->grace, NULL);
}

void cmdrun_free(struct cmdrun *c)
{
	cmdrun_free_argv(c->argv);
	c->argv = NULL;
}

void cmdrun_ended_text(const struct cmdrun *c, const char *without, char *out,
    size_t cap)
{
	const char *next = c->runs > 1 ? " on its next run" : "";

	if (c->signal)
		snprintf(out, cap,
		    "the command was killed by signal %d without %s%s",
		    c->signal, without, next);
	else
		snprintf(out, cap,
		    "the command exited with status %d without %s%s", c->status,
		    without, next);
}
