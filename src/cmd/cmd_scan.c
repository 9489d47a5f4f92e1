/*
 * heartcheck scan: argument parsing and wiring of targets, the scan driver
 * and the output sink.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cmd/args.h"
#include "cmd/cmd.h"
#include "net/scan.h"
#include "net/scanres.h"
#include "net/targets.h"
#include "report/err.h"
#include "report/out.h"
#include "report/sink.h"
#include "tls/tls.h"

#define DEFAULT_CONCURRENCY 1000
#define DEFAULT_TIMEOUT_MS 5000

static void scan_usage(FILE *f)
{
	fprintf(f,
	    "usage: heartcheck scan [OPTIONS] TARGET...\n"
	    "\n"
	    "Probe TLS servers for Heartbleed (CVE-2014-0160).  The probe proves an\n"
	    "over-read with the server's own stale copy of our bytes, so a vulnerable\n"
	    "server discloses none of its memory, and every TLS stack answers at once.\n"
	    "\n"
	    "Targets: host, host:port, 192.0.2.1, [2001:db8::1]:443, 192.0.2.0/24,\n"
	    "192.0.2.1-20, 192.0.2.1-192.0.2.9.  A host name is probed on every address\n"
	    "it resolves to, with SNI.\n"
	    "\n"
	    "Options:\n"
	    "  -p, --ports LIST         ports for targets without one (default 443),\n"
	    "                           e.g. 443,8443,9000-9010\n"
	    "  -iL, --input FILE        read targets from FILE, one per line (- = stdin)\n"
	    "      --shard K/N          scan only shard K of N (deterministic, disjoint)\n"
	    "  -c, --concurrency N      probes in flight at once (default %d)\n"
	    "  -t, --timeout MS         budget per endpoint, all connections (default %d)\n"
	    "      --rate N             start at most N probes per second\n"
	    "      --max-version V      first version offered: tls1.2 (default),\n"
	    "                           tls1.1, tls1.0, ssl3\n"
	    "      --no-sni             never send SNI\n"
	    "      --udp, --dtls        probe DTLS over UDP instead of TLS over TCP\n"
	    "      --openvpn            probe TLS inside OpenVPN's control channel (UDP)\n"
	    "      --openvpn-tcp        the same over TCP\n"
	    "      --leak BYTES         EVIDENCE MODE: claim BYTES past the payload as\n"
	    "                           the 2014 exploit did and hexdump what comes back.\n"
	    "                           This makes a vulnerable server disclose memory.\n"
	    "  -j, --json               JSON Lines on stdout (docs/json-schema.md)\n"
	    "  -q, --quiet              text: print only vulnerable and untested results\n"
	    "      --color WHEN         auto (default), always, never\n"
	    "      --trace              log every probe state change to stderr\n"
	    "  -h, --help               this text\n"
	    "\n"
	    "Exit status: 0 nothing vulnerable, 1 vulnerable found, 2 usage error,\n"
	    "3 some targets could not be tested (and none vulnerable), 4 the results\n"
	    "could not be written (standard output full or closed; the scan stops).\n",
	    DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS);
}

struct scan_ctx {
	struct out out;
	struct sink sink;
	int progress_tty;
	int progress_drawn;     /* a progress line may be on the terminal */
	uint64_t invalid;
	unsigned long shard_n;  /* N of --shard K/N, for the progress total */
};

static void on_result(void *ctx, const struct scan_result *r)
{
	struct scan_ctx *c = ctx;

	if (out_failed(&c->out))
		return;
	/* Through the writer, in order with the result: a terminal stopped
	 * with Ctrl-S must not stop the probes either. */
	if (c->progress_drawn) {
		out_stderr(&c->out, "\r\033[K", 0);
		c->progress_drawn = 0;
	}
	{
		struct res_endpoint e;
		char vb[16];

		scanres_endpoint(r, &e, vb, sizeof(vb));
		sink_endpoint(&c->sink, &e);
	}
}

/* Output that backs up holds new probes; output that fails stops the
 * scan. */
static int on_busy(void *ctx)
{
	struct scan_ctx *c = ctx;

	return out_busy(&c->out);
}

static void on_progress(void *ctx, const struct scan_stats *st)
{
	struct scan_ctx *c = ctx;
	char line[160];

	if (!c->progress_tty || out_failed(&c->out))
		return;
	/* With --shard the total is known only for the whole target space:
	 * show this shard's expected share. */
	snprintf(line, sizeof(line),
	    "\r\033[K[%llu/%s%llu] %llu vulnerable, %zu in flight",
	    (unsigned long long)st->done, c->shard_n > 1 ? "~" : "",
	    (unsigned long long)(st->total / (c->shard_n ? c->shard_n : 1)),
	    (unsigned long long)st->by_verdict[PV_VULNERABLE], st->in_flight);
	/* Dropped while output waits: the next one says it all. */
	out_stderr(&c->out, line, 1);
	c->progress_drawn = 1;
}

static void on_bad_line(void *ctx, const char *msg)
{
	struct scan_ctx *c = ctx;

	c->invalid++;
	fprintf(stderr, "heartcheck: %s\n", out_esc(msg));
	{
		struct res_error e = { NULL, HC_ERR_INVALID, msg };

		sink_error(&c->sink, &e);
	}
}

/* The summary of st, through the sink. */
static void summary(struct scan_ctx *c, const struct scan_stats *st,
    double seconds)
{
	struct scanres_names n;
	struct res_scan_summary s;

	scanres_summary(st, seconds, &n, &s);
	sink_scan_summary(&c->sink, &s);
}

static int parse_version(const char *s, uint16_t *v)
{
	static const struct {
		const char *name;
		uint16_t v;
	} t[] = { { "tls1.2", TLS_V_TLS12 }, { "tls1.1", TLS_V_TLS11 },
		  { "tls1.0", TLS_V_TLS10 }, { "tls1", TLS_V_TLS10 },
		  { "ssl3", TLS_V_SSL3 } };
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(s, t[i].name)) {
			*v = t[i].v;
			return 0;
		}
	return -1;
}

/* Raises the descriptor limit and keeps the window inside it. */
static unsigned fit_concurrency(unsigned want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return want < 200 ? want : 200;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)want + 64) {
		unsigned fit = rl.rlim_cur > 96 ? (unsigned)rl.rlim_cur - 64 :
		    16;

		/* Only ever lower it: a small window asked for stays. */
		if (fit >= want)
			return want;

		fprintf(stderr, "heartcheck: concurrency lowered to %u to fit "
		    "the open-file limit\n", fit);
		return fit;
	}
	return want;
}

int cmd_scan(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "ports", required_argument, NULL, 'p' },
		{ "input", required_argument, NULL, 'i' },
		{ "shard", required_argument, NULL, 'S' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'r' },
		{ "max-version", required_argument, NULL, 'V' },
		{ "no-sni", no_argument, NULL, 'n' },
		{ "udp", no_argument, NULL, 'U' },
		{ "dtls", no_argument, NULL, 'U' },
		{ "openvpn", no_argument, NULL, 'O' },
		{ "openvpn-tcp", no_argument, NULL, 'o' },
		{ "leak", required_argument, NULL, 'L' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "color", required_argument, NULL, 'C' },
		{ "trace", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct scan_opts so = { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, 0,
		TLS_V_TLS12, 0, 0, 0, 0, 0, 0 };
	struct scan_hooks hooks;
	struct scan_ctx ctx;
	struct scan_stats st = { 0 };
	struct tgt_set *set;
	char err[TGT_ERRMAX];
	const char *inputs[64];
	size_t ninputs = 0, i;
	unsigned long v;
	int json = 0, color = -1, quiet = 0, ch, r, ret = EXIT_USAGE;
	int out_inited = 0, sink_opened = 0;
	uint64_t t0;
	struct timespec ts;

	memset(&ctx, 0, sizeof(ctx));
	set = tgt_set_new();
	if (!set) {
		fprintf(stderr, "heartcheck: out of memory\n");
		return EXIT_UNTESTED;
	}
	/* nmap users type -iL; getopt cannot spell it, so rewrite it. */
	for (i = 1; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-iL"))
			argv[i] = (char *)"--input";
	}
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "p:c:t:jqh", lopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			if (tgt_set_ports(set, optarg, err) != 0) {
				fprintf(stderr, "heartcheck: %s\n", out_esc(err));
				goto out;
			}
			break;
		case 'i':
			if (ninputs == sizeof(inputs) / sizeof(inputs[0])) {
				fprintf(stderr, "heartcheck: too many -iL\n");
				goto out;
			}
			inputs[ninputs++] = optarg;
			break;
		case 'S':
			ctx.shard_n = strtoul(strchr(optarg, '/') ?
			    strchr(optarg, '/') + 1 : "1", NULL, 10);
			if (tgt_set_shard(set, optarg, err) != 0) {
				fprintf(stderr, "heartcheck: %s\n[hint] --shard "
				    "K/N with 1 <= K <= N, e.g. --shard 2/8\n",
				    out_esc(err));
				goto out;
			}
			break;
		case 'c':
			if (cmd_parse_uint(optarg, 1, 100000, &v) != 0) {
				fprintf(stderr, "heartcheck: --concurrency "
				    "takes a number from 1 to 100000\n");
				goto out;
			}
			so.concurrency = (unsigned)v;
			break;
		case 't':
			if (cmd_parse_uint(optarg, 1, 3600000, &v) != 0) {
				fprintf(stderr, "heartcheck: --timeout takes "
				    "milliseconds, 1 to 3600000\n");
				goto out;
			}
			so.timeout_ms = (unsigned)v;
			break;
		case 'r':
			if (cmd_parse_uint(optarg, 1, 10000000, &v) != 0) {
				fprintf(stderr, "heartcheck: --rate takes "
				    "probes per second, 1 to 10000000\n");
				goto out;
			}
			so.rate = (double)v;
			break;
		case 'V':
			if (parse_version(optarg, &so.max_version) != 0) {
				fprintf(stderr, "heartcheck: --max-version: "
				    "\"%s\" is not one of tls1.2, tls1.1, "
				    "tls1.0, ssl3\n", out_esc(optarg));
				goto out;
			}
			break;
		case 'n':
			so.no_sni = 1;
			break;
		case 'U':
			so.udp = 1;
			break;
		case 'O':
			so.udp = so.openvpn = 1;
			break;
		case 'o':
			so.udp = 1;
			so.openvpn = 2;
			break;
		case 'L':
			if (cmd_parse_uint(optarg, 1, 65535 - 32, &v) != 0) {
				fprintf(stderr, "heartcheck: --leak takes a "
				    "byte count from 1 to 65503\n");
				goto out;
			}
			so.leak = (uint16_t)v;
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
			so.trace = 1;
			break;
		case 'h':
			scan_usage(stdout);
			ret = EXIT_CLEAN;
			goto out;
		default:
			cmd_getopt_error("scan", argc, argv);
			goto out;
		}
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
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (tgt_set_add(set, argv[i], err) != 0)
			on_bad_line(&ctx, err);
	}
	for (i = 0; i < ninputs; i++) {
		r = tgt_set_add_file(set, inputs[i], on_bad_line, &ctx, err);
		if (r < 0) {
			fprintf(stderr, "heartcheck: %s\n", out_esc(err));
			goto out;
		}
	}
	if (tgt_set_count(set) == 0) {
		if (ctx.invalid == 0) {
			fprintf(stderr, "heartcheck scan: no targets\n"
			    "[hint] heartcheck scan example.com "
			    "192.0.2.0/24:8443   or   -iL targets.txt\n");
			goto out;
		}
		/* Every target was bad: the stream still ends with its
		 * summary, of nothing. */
		memset(&st, 0, sizeof(st));
		summary(&ctx, &st, 0.0);
		ret = EXIT_UNTESTED;
		goto out;
	}
	if (so.leak)
		fprintf(stderr, "heartcheck: WARNING: --leak makes every "
		    "vulnerable server send up to %u bytes of its memory, "
		    "which may hold keys and passwords.  Use it only on "
		    "servers you own.\n", so.leak);
	so.concurrency = fit_concurrency(so.concurrency);
	ctx.progress_tty = isatty(STDERR_FILENO) && !so.trace;
	so.progress_ms = ctx.progress_tty ? 200 : 0;
	memset(&hooks, 0, sizeof(hooks));
	hooks.result = on_result;
	hooks.progress = on_progress;
	hooks.busy = on_busy;
	hooks.ctx = &ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	r = scan_run(set, &so, &hooks, &st);
	if (ctx.progress_drawn)
		out_stderr(&ctx.out, "\r\033[K", 0);
	if (r < 0) {
		char msg[80];
		struct res_error e = { "scan", HC_ERR_SYSTEM, msg };

		snprintf(msg, sizeof(msg), "the scan could not run: error %d",
		    r);
		fprintf(stderr, "heartcheck: %s\n", msg);
		sink_error(&ctx.sink, &e);
		ret = EXIT_UNTESTED;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (out_failed(&ctx.out))
		goto out;
	summary(&ctx, &st, (double)((uint64_t)ts.tv_sec * 1000000000ull +
	    (uint64_t)ts.tv_nsec - t0) / 1e9);
	if (st.by_verdict[PV_VULNERABLE])
		ret = EXIT_VULNERABLE;
	else {
		uint64_t untested = ctx.invalid;
		int k;

		for (k = 0; k < PV_COUNT; k++)
			if (probe_verdict_untested(k))
				untested += st.by_verdict[k];
		ret = untested ? EXIT_UNTESTED : EXIT_CLEAN;
	}
out:
	/* Every result must reach its reader: a failed write is an outcome
	 * of its own, whatever was found. */
	if (sink_opened)
		sink_close(&ctx.sink);
	if (out_inited) {
		int e = out_close(&ctx.out);

		if (e) {
			out_write_error(e);
			ret = EXIT_OUTPUT;
		}
	}
	tgt_set_free(set);
	if (st.lookups_left) {
		/* libuv joins its resolver threads at exit, and one may sit
		 * in getaddrinfo for many seconds more: every result is out. */
		if (fflush(NULL) != 0)
			ret = EXIT_UNTESTED;
		_exit(ret);
	}
	return ret;
}
