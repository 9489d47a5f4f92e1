/*
 * heartcheck clients: a listener that tests every TLS client connecting to
 * it, or the one client a command starts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "cmd/cmd.h"
#include "net/clientres.h"
#include "net/listen.h"
#include "report/out.h"
#include "report/sink.h"

#define DEFAULT_LISTEN "127.0.0.1:4433"
#define DEFAULT_TIMEOUT_MS 10000

static void clients_usage(FILE *f)
{
	fprintf(f,
	    "usage: heartcheck clients [OPTIONS]\n"
	    "       heartcheck clients [OPTIONS] -- COMMAND [ARG...]\n"
	    "\n"
	    "Test TLS clients for Heartbleed (CVE-2014-0160).  heartcheck plays a TLS\n"
	    "server: it answers the client's hello and sends a valid heartbeat and an\n"
	    "over-length one before its certificate.  A vulnerable client echoes the\n"
	    "over-length one with our own stale bytes: proof, with none of the client's\n"
	    "memory disclosed.  The handshake never completes.\n"
	    "\n"
	    "Without a command it listens and reports on every client that connects.\n"
	    "With one, it listens on a free loopback port, runs COMMAND with every {}\n"
	    "in its arguments replaced by 127.0.0.1:PORT (no shell), reports on that\n"
	    "client, and runs it again when a client that gives up on the first\n"
	    "heartbeat needs another strategy.  Example:\n"
	    "  heartcheck clients -- curl -k https://{}/\n"
	    "\n"
	    "Options:\n"
	    "  -l, --listen ADDR:PORT   where to listen (default %s);\n"
	    "                           [IPv6]:PORT, or :PORT for every IPv4 address\n"
	    "  -n, --count N            stop after N results (default: until Ctrl-C)\n"
	    "  -t, --timeout MS         budget per client connection; with a command,\n"
	    "                           for the whole test (default %d)\n"
	    "      --strategy S         first strategy: flight (default), large, valid\n"
	    "  -j, --json               JSON Lines on stdout (docs/json-schema.md)\n"
	    "  -q, --quiet              text: print only vulnerable and untested results\n"
	    "      --color WHEN         auto (default), always, never\n"
	    "      --trace              log every engine state change to stderr\n"
	    "  -h, --help               this text\n"
	    "\n"
	    "Exit status: 0 nothing vulnerable, 1 a vulnerable client, 2 usage error\n"
	    "(or the command cannot be run), 3 some client could not be tested (and\n"
	    "none vulnerable), 4 the results could not be written.\n",
	    DEFAULT_LISTEN, DEFAULT_TIMEOUT_MS);
}

struct clients_ctx {
	struct out out;
	struct sink sink;
	const char *cmd_name;     /* argv[0] of the command, or NULL */
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

/* "IP:PORT", "[IPv6]:PORT" or ":PORT". */
static int parse_listen(const char *s, struct sockaddr_storage *a)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *h = s;
	unsigned long port;
	size_t hl;

	memset(a, 0, sizeof(*a));
	if (s[0] == '[') {
		const char *e = strchr(s, ']');

		if (!e || e[1] != ':')
			return -1;
		h = s + 1;
		hl = (size_t)(e - h);
		colon = e + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - s);
	}
	if (hl >= sizeof(host) || cmd_parse_uint(colon + 1, 0, 65535,
	    &port) != 0)
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (hl == 0)
		snprintf(host, sizeof(host), "0.0.0.0");
	if (uv_ip4_addr(host, (int)port, (struct sockaddr_in *)a) == 0 &&
	    s[0] != '[')
		return 0;
	if (uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)a) == 0)
		return 0;
	return -1;
}

int cmd_clients(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "strategy", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "color", required_argument, NULL, 'C' },
		{ "trace", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct listen_opts lo;
	struct listen_hooks hooks;
	struct clients_ctx ctx;
	const char *listen_at = DEFAULT_LISTEN;
	unsigned long v;
	int json = 0, color = -1, quiet = 0, ch, r, ret = EXIT_USAGE, k;
	int out_inited = 0, sink_opened = 0;
	struct timespec t0, t1;

	memset(&ctx, 0, sizeof(ctx));
	memset(&lo, 0, sizeof(lo));
	lo.timeout_ms = DEFAULT_TIMEOUT_MS;
	optind = 1;
	opterr = 0;
	/* "+": the command's own options are not ours. */
	while ((ch = getopt_long(argc, argv, "+l:n:t:jqh", lopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'l':
			listen_at = optarg;
			break;
		case 'n':
			if (cmd_parse_uint(optarg, 1, 100000000, &v) != 0) {
				fprintf(stderr, "heartcheck: --count takes a "
				    "number from 1 to 100000000\n");
				goto out;
			}
			lo.count = (unsigned)v;
			break;
		case 't':
			if (cmd_parse_uint(optarg, 1, 3600000, &v) != 0) {
				fprintf(stderr, "heartcheck: --timeout takes "
				    "milliseconds, 1 to 3600000\n");
				goto out;
			}
			lo.timeout_ms = (unsigned)v;
			break;
		case 'S':
			if (client_strategy_parse(optarg,
			    &lo.first_strategy) != 0) {
				fprintf(stderr, "heartcheck: --strategy takes "
				    "flight, large or valid\n");
				goto out;
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'C':
			if (cmd_parse_color(optarg, &color) != 0)
				goto out;
			break;
		case 'T':
			lo.trace = 1;
			break;
		case 'h':
			clients_usage(stdout);
			ret = EXIT_CLEAN;
			goto out;
		default:
			cmd_getopt_error("clients", argc, argv);
			goto out;
		}
	}
	if (optind < argc) {
		lo.cmd = argv + optind;
		ctx.cmd_name = argv[optind];
		lo.count = 1;
	} else if (parse_listen(listen_at, &lo.addr) != 0) {
		fprintf(stderr, "heartcheck: --listen: \"%s\" is not "
		    "ADDR:PORT\n[hint] --listen 127.0.0.1:4433, "
		    "--listen [::1]:4433 or --listen :4433\n",
		    out_esc(listen_at));
		goto out;
	}
	out_init(&ctx.out, stdout, json, color);
	out_inited = 1;
	if (sink_open(&ctx.sink, sink_find(json ? "json" : "text"), &ctx.out,
	    quiet) != 0) {
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
	r = listen_run(&lo, &hooks);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r < 0) {
		if (lo.cmd)
			fprintf(stderr, "heartcheck: cannot run \"%s\": %s\n",
			    out_esc(ctx.cmd_name), uv_strerror(r));
		else
			fprintf(stderr, "heartcheck: cannot listen on %s: "
			    "%s\n", out_esc(listen_at), uv_strerror(r));
		ret = r == UV_ENOENT || r == UV_EACCES || lo.cmd == NULL ?
		    EXIT_USAGE : EXIT_UNTESTED;
		goto out;
	}
	if (out_failed(&ctx.out))
		goto out;
	summary(&ctx, (double)(t1.tv_sec - t0.tv_sec) +
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
