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
#include "net/listen.h"
#include "report/out.h"
#include "tls/tls.h"

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
	int quiet;                /* text: only vulnerable and untested */
	const char *cmd_name;     /* argv[0] of the command, or NULL */
	uint64_t done;
	uint64_t by_verdict[PV_COUNT];
	int listening_said;
};

static json_t *hello_json(const struct client_hello_info *ch)
{
	json_t *j = json_object(), *vs = json_array();
	char vb[16];
	unsigned i;

	json_object_set_new(j, "version", json_string(tls_version_name(
	    ch->version, vb, sizeof(vb))));
	for (i = 0; i < ch->n_versions; i++)
		json_array_append_new(vs, json_string(tls_version_name(
		    ch->versions[i], vb, sizeof(vb))));
	json_object_set_new(j, "versions", vs);
	json_object_set_new(j, "suites", json_integer(ch->n_suites));
	json_object_set_new(j, "heartbeat", json_boolean(ch->heartbeat_ext));
	json_object_set_new(j, "heartbeat_mode", ch->heartbeat_ext ?
	    json_integer(ch->heartbeat_mode) : json_null());
	if (ch->sni[0])
		out_json_set_str(j, "sni", ch->sni);
	else
		json_object_set_new(j, "sni", json_null());
	return j;
}

static void on_result(void *ctx, const struct client_report *r)
{
	struct clients_ctx *c = ctx;
	const struct client_result *cr = &r->r;
	char vb[16], peer[INET6_ADDRSTRLEN + 16], suite[8];

	c->done++;
	c->by_verdict[cr->verdict]++;
	if (out_failed(&c->out))
		return;
	if (r->ip[0])
		snprintf(peer, sizeof(peer), strchr(r->ip, ':') ? "[%s]:%u" :
		    "%s:%u", r->ip, r->port);
	else
		snprintf(peer, sizeof(peer), "-");
	snprintf(suite, sizeof(suite), "0x%04x", cr->suite);
	if (c->out.json) {
		json_t *j = json_object();

		json_object_set_new(j, "type", json_string("client"));
		json_object_set_new(j, "peer", json_string(peer));
		json_object_set_new(j, "ip", r->ip[0] ? json_string(r->ip) :
		    json_null());
		json_object_set_new(j, "port", r->ip[0] ?
		    json_integer(r->port) : json_null());
		if (c->cmd_name) {
			out_json_set_str(j, "command", c->cmd_name);
			json_object_set_new(j, "runs", json_integer(r->runs));
			json_object_set_new(j, "command_status",
			    r->cmd_status >= 0 ? json_integer(r->cmd_status) :
			    json_null());
			json_object_set_new(j, "command_signal",
			    r->cmd_signal ? json_integer(r->cmd_signal) :
			    json_null());
		}
		json_object_set_new(j, "verdict",
		    json_string(probe_verdict_name(cr->verdict)));
		out_json_set_str(j, "reason", cr->reason);
		json_object_set_new(j, "client_hello", cr->hello ?
		    hello_json(cr->hello) : json_null());
		json_object_set_new(j, "version", cr->version ?
		    json_string(tls_version_name(cr->version, vb, sizeof(vb))) :
		    json_null());
		json_object_set_new(j, "suite", cr->suite ?
		    json_string(suite) : json_null());
		json_object_set_new(j, "heartbeat_ext",
		    json_boolean(cr->heartbeat_ext));
		json_object_set_new(j, "disclosed", json_integer(cr->disclosed));
		json_object_set_new(j, "alert", cr->alert >= 0 ?
		    json_integer(cr->alert) : json_null());
		json_object_set_new(j, "attempts",
		    json_integer(cr->connections));
		json_object_set_new(j, "strategy", json_string(cr->strategy));
		json_object_set_new(j, "nudges", json_integer(cr->nudges));
		json_object_set_new(j, "bytes_sent",
		    json_integer(r->bytes_sent));
		json_object_set_new(j, "bytes_received",
		    json_integer(r->bytes_received));
		json_object_set_new(j, "elapsed_ms",
		    json_real((double)(long long)(r->elapsed_ms * 10) / 10));
		out_json(&c->out, j);
		return;
	}
	if (c->quiet && !probe_verdict_untested(cr->verdict) &&
	    cr->verdict != PV_VULNERABLE)
		return;
	fprintf(c->out.f, "%s%-16s%s %-22s %-8s %s%s%s%s (%s%s, %.0f ms)\n",
	    cr->verdict == PV_VULNERABLE ? out_red(&c->out) :
	    probe_verdict_untested(cr->verdict) ? out_yellow(&c->out) :
	    out_green(&c->out), probe_verdict_name(cr->verdict),
	    out_reset(&c->out), peer,
	    cr->version ? tls_version_name(cr->version, vb, sizeof(vb)) : "-",
	    c->cmd_name ? "[" : "", c->cmd_name ? out_esc(c->cmd_name) : "",
	    c->cmd_name ? "] " : "", out_esc(cr->reason),
	    cr->hello ? (cr->heartbeat_ext ? "extension 15 offered" :
	    "no extension 15") : "no ClientHello", cr->connections > 1 ?
	    ", several connections" : "", r->elapsed_ms);
	fflush(c->out.f);
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
	int v;

	if (c->out.json) {
		json_t *j = json_object(), *vs = json_object();

		json_object_set_new(j, "type", json_string("summary"));
		json_object_set_new(j, "clients", json_integer(
		    (json_int_t)c->done));
		for (v = 0; v < PV_COUNT; v++)
			json_object_set_new(vs, probe_verdict_name(v),
			    json_integer((json_int_t)c->by_verdict[v]));
		json_object_set_new(j, "verdicts", vs);
		json_object_set_new(j, "seconds", json_real(seconds));
		out_json(&c->out, j);
		return;
	}
	fprintf(c->out.f, "\n%s%llu client%s in %.2f s:%s", out_bold(&c->out),
	    (unsigned long long)c->done, c->done == 1 ? "" : "s", seconds,
	    out_reset(&c->out));
	for (v = 0; v < PV_COUNT; v++)
		if (c->by_verdict[v])
			fprintf(c->out.f, " %s %llu,", probe_verdict_name(v),
			    (unsigned long long)c->by_verdict[v]);
	fputc('\n', c->out.f);
	if (c->by_verdict[PV_VULNERABLE])
		fprintf(c->out.f, "%sVulnerable clients found.%s Upgrade the "
		    "OpenSSL they use to 1.0.1g or later and restart them; a "
		    "vulnerable client that talked to a hostile server may "
		    "have sent it any of its memory.\n", out_red(&c->out),
		    out_reset(&c->out));
	fflush(c->out.f);
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
	int out_inited = 0;
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
	ctx.quiet = quiet;
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
	if (!quiet || json)
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
	if (out_inited) {
		int e = out_close(&ctx.out);

		if (e) {
			out_write_error(e);
			ret = EXIT_OUTPUT;
		}
	}
	return ret;
}
