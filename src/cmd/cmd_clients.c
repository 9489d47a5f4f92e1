/*
 * heartcheck clients: a listener that tests every TLS client connecting to
 * it, or the one client a command starts.  The wiring of its options
 * (clients_opts.c), the listener, the output sink and the exit code.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "cmd/clients_opts.h"
#include "cmd/cmd.h"
#include "net/clientres.h"
#include "net/listen.h"
#include "net/udplisten.h"
#include "report/out.h"
#include "report/sink.h"

struct clients_ctx {
	struct out out;
	struct sink sink;
	const char *cmd_name; /* argv[0] of the command, or NULL */
	uint64_t done;
	uint64_t by_verdict[PV_COUNT];
	int listening_said;
};

static void on_result(void *ctx, const struct client_report *r)
{
	struct clients_ctx *c = ctx;
	struct clientres_names n;
	struct res_client rc;

	c->done++;
	c->by_verdict[r->r.verdict]++;
	if (out_failed(&c->out))
		return;
	clientres_client(r, c->cmd_name, &rc, &n);
	sink_client(&c->sink, &rc);
}

static void on_listening(void *ctx, const char *addr)
{
	struct clients_ctx *c = ctx;

	if (c->cmd_name)
		return;
	/* On stderr: with --listen :0 the port is news, and stdout stays
	 * results only. */
	fprintf(stderr, "heartcheck: listening on %s\n", addr);
	c->listening_said = 1;
}

static int on_busy(void *ctx)
{
	struct clients_ctx *c = ctx;

	return out_failed(&c->out) ? -1 : 0;
}

static void summary(struct clients_ctx *c, double seconds)
{
	struct scanres_names n;
	struct res_client_summary s;

	clientres_summary(c->done, c->by_verdict, seconds, &n, &s);
	sink_client_summary(&c->sink, &s);
}

int cmd_clients(int argc, char **argv)
{
	struct clients_cmd cc;
	struct listen_hooks hooks;
	struct clients_ctx ctx;
	int r, ret = EXIT_USAGE, k, out_inited = 0, sink_opened = 0;
	struct timespec t0, t1;

	memset(&ctx, 0, sizeof(ctx));
	if ((r = clients_opts_parse(&cc, argc, argv)) >= 0)
		return r;
	ctx.cmd_name = cc.cmd_name;
	out_init(&ctx.out, stdout, cc.format != &sink_text_ops, cc.color);
	out_inited = 1;
	if (sink_open(&ctx.sink, cc.format, &ctx.out, cc.quiet) != 0) {
		fprintf(stderr, "heartcheck: out of memory\n");
		ret = EXIT_UNTESTED;
		goto out;
	}
	sink_opened = 1;
	memset(&hooks, 0, sizeof(hooks));
	hooks.listening = on_listening;
	hooks.result = on_result;
	hooks.busy = on_busy;
	hooks.ctx = &ctx;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = cc.lo.udp ? udplisten_run(&cc.lo, &hooks) :
			listen_run(&cc.lo, &hooks);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r < 0) {
		if (cc.lo.cmd)
			fprintf(stderr, "heartcheck: cannot run \"%s\": %s\n",
			    out_esc(ctx.cmd_name), uv_strerror(r));
		else
			fprintf(stderr,
			    "heartcheck: cannot listen on %s: "
			    "%s\n",
			    out_esc(cc.listen_at), uv_strerror(r));
		ret = r == UV_ENOENT || r == UV_EACCES || cc.lo.cmd == NULL ?
		    EXIT_USAGE :
		    EXIT_UNTESTED;
		goto out;
	}
	if (out_failed(&ctx.out))
		goto out;
	summary(&ctx,
	    (double)(t1.tv_sec - t0.tv_sec) +
		(double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (ctx.by_verdict[PV_VULNERABLE])
		ret = EXIT_VULNERABLE;
	else {
		uint64_t untested = 0;

		for (k = 0; k < PV_COUNT; k++)
			if (probe_verdict_untested(k))
				untested += ctx.by_verdict[k];
		ret = untested || ctx.done == 0 ? EXIT_UNTESTED : EXIT_CLEAN;
	}
out:
	if (sink_opened)
		sink_close(&ctx.sink);
	if (out_inited) {
		int e = out_close(&ctx.out);

		if (e) {
			out_write_error(e);
			ret = EXIT_OUTPUT;
		}
	}
	return ret;
}
