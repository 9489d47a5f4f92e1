/*
 * heartcheck scan: argument parsing and wiring of targets, the scan driver
 * and the output sink.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/args.h"
#include "cmd/cmd.h"
#include "net/exclude.h"
#include "net/resume.h"
#include "net/scan.h"
#include "net/scanres.h"
#include "net/targets.h"
#include "probe/preamble.h"
#include "report/err.h"
#include "report/out.h"
#include "report/sink.h"
#include "tls/tls.h"

#define DEFAULT_CONCURRENCY 1000
#define DEFAULT_TIMEOUT_MS 5000
/* How often --status-file is rewritten. */
#define STATUS_EVERY_MS 2000

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
	    "      --exclude LIST       never probe these (target syntax, comma-separated;\n"
	    "                           may be repeated)\n"
	    "      --exclude-file FILE  never probe the targets listed in FILE\n"
	    "      --include-reserved   scan 0.0.0.0/8, 224.0.0.0/4, 240.0.0.0/4 and\n"
	    "                           ff00::/8 too (refused by default)\n"
	    "      --random             visit the endpoints in a pseudo-random order\n"
	    "      --seed N             the order's seed (implies --random)\n"
	    "  -o, --output FILE        write results to FILE (a resumed scan appends)\n"
	    "      --resume-file FILE   on SIGINT or SIGTERM, finish the probes in flight\n"
	    "                           and write where the scan stopped to FILE\n"
	    "      --resume FILE        continue the scan stopped in FILE\n"
	    "      --status-file FILE   rewrite FILE with the progress in JSON every 2 s\n"
	    "  -c, --concurrency N      probes in flight at once (default %d)\n"
	    "  -t, --timeout MS         budget per endpoint, all connections (default %d)\n"
	    "      --rate N             start at most N probes per second\n"
	    "      --max-version V      first version offered: tls1.2 (default),\n"
	    "                           tls1.1, tls1.0, ssl3\n"
	    "      --no-sni             never send SNI\n"
	    "      --starttls PROTO     plaintext dialogue before TLS: auto (default:\n"
	    "                           by well-known port), none, smtp, lmtp, imap,\n"
	    "                           pop3, ftp, xmpp, xmpp-server, ldap, postgres,\n"
	    "                           mysql, nntp, sieve, irc, telnet, rdp\n"
	    "      --xmpp-host NAME     XMPP stream to= (default: the target's name)\n"
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
	    "could not be written (standard output full or closed; the scan stops);\n"
	    "130 or 143 stopped by SIGINT or SIGTERM before the end.\n",
	    DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS);
}

struct scan_ctx {
	struct out out;
	struct sink sink;
	int progress_tty;
	int progress_drawn;     /* a progress line may be on the terminal */
	uint64_t invalid;
	unsigned long shard_n;  /* N of --shard K/N, for the progress total */
	const char *status_file;
	uint64_t t0_ns, status_ns;
	/* Earlier runs of a resumed scan. */
	uint64_t prev_done, prev_vuln;
};

/* SIGINT or SIGTERM: the first stops the scan gracefully, the second
 * aborts the probes in flight. */
static volatile sig_atomic_t stop_signal, stop_count;

static void on_stop_signal(int sig)
{
	static const char m1[] = "\nheartcheck: stopping: no new probes; "
	    "finishing those in flight (again to abort them)\n";
	static const char m2[] = "\nheartcheck: aborting the probes in "
	    "flight\n";
	ssize_t ignored;

	stop_signal = sig;
	if (stop_count < 2)
		stop_count++;
	ignored = write(STDERR_FILENO, stop_count == 1 ? m1 : m2,
	    stop_count == 1 ? sizeof(m1) - 1 : sizeof(m2) - 1);
	(void)ignored;
}

static int on_stop(void *ctx)
{
	return stop_count > 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct progress_fig {
	uint64_t done, total, vulnerable;
	double rate, eta, elapsed;  /* eta < 0: unknown */
};

static void figures(const struct scan_ctx *c, const struct scan_stats *st,
    struct progress_fig *f)
{
	uint64_t share = st->total / (c->shard_n ? c->shard_n : 1);

	f->elapsed = (double)(now_ns() - c->t0_ns) / 1e9;
	f->done = c->prev_done + st->done;
	f->total = share > f->done ? share : f->done;
	f->vulnerable = c->prev_vuln + st->by_verdict[PV_VULNERABLE];
	f->rate = f->elapsed > 0.5 ? (double)st->done / f->elapsed : 0;
	f->eta = f->rate > 0 ? (double)(f->total - f->done) / f->rate : -1;
}

/* The progress as JSON, atomically: a temporary file renamed over it. */
static void write_status(struct scan_ctx *c, const struct scan_stats *st,
    const char *state)
{
	struct progress_fig f;
	char tmp[4096];
	FILE *fp;
	int ok;

	if (!c->status_file)
		return;
	figures(c, st, &f);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", c->status_file,
	    (long)getpid()) >= (int)sizeof(tmp))
		return;
	if (!(fp = fopen(tmp, "we")))
		return;
	fprintf(fp, "{\"type\":\"status\",\"state\":\"%s\",\"done\":%" PRIu64
	    ",\"total\":%" PRIu64 ",\"in_flight\":%zu,\"vulnerable\":%" PRIu64
	    ",\"rate\":%.1f,\"elapsed_s\":%.1f,\"eta_s\":", state, f.done,
	    f.total, st->in_flight, f.vulnerable, f.rate, f.elapsed);
	if (f.eta >= 0)
		fprintf(fp, "%.0f", f.eta);
	else
		fprintf(fp, "null");
	fprintf(fp, ",\"position\":%" PRIu64 ",\"time\":%lld}\n",
	    st->position, (long long)time(NULL));
	ok = fflush(fp) == 0 && !ferror(fp);
	if (fclose(fp) != 0)
		ok = 0;
	if (!ok || rename(tmp, c->status_file) != 0)
		unlink(tmp);
}

static void fmt_dur(double s, char *out, size_t cap)
{
	unsigned long t = (unsigned long)(s + 0.5);

	if (s < 0)
		snprintf(out, cap, "?");
	else if (t >= 3600)
		snprintf(out, cap, "%luh%02lum", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(out, cap, "%lum%02lus", t / 60, t % 60);
	else
		snprintf(out, cap, "%lus", t);
}

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

	if (stop_count > 1)
		return -1;
	return out_busy(&c->out);
}

static void on_progress(void *ctx, const struct scan_stats *st)
{
	struct scan_ctx *c = ctx;
	struct progress_fig f;
	char line[200], eta[32];
	uint64_t now = now_ns();

	if (c->status_file && now - c->status_ns >= STATUS_EVERY_MS * 1000000ull) {
		c->status_ns = now;
		write_status(c, st, stop_count ? "stopping" : "running");
	}
	if (!c->progress_tty || out_failed(&c->out))
		return;
	figures(c, st, &f);
	fmt_dur(f.eta, eta, sizeof(eta));
	/* With --shard the total is known only for the whole target space:
	 * show this shard's expected share. */
	snprintf(line, sizeof(line),
	    "\r\033[K[%llu/%s%llu] %.0f/s, %llu vulnerable, %zu in flight, "
	    "ETA %s%s", (unsigned long long)f.done, c->shard_n > 1 ? "~" : "",
	    (unsigned long long)f.total, f.rate,
	    (unsigned long long)f.vulnerable, st->in_flight, eta,
	    stop_count ? " (stopping)" : "");
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

/* Options that define the scan's endpoints and output: with --resume they
 * come from the resume file, and may not be given again. */
enum { SPACE_TARGETS = 1, SPACE_OPT = 2 };

static int fail_usage(const char *msg, const char *hint)
{
	fprintf(stderr, "heartcheck: %s\n", out_esc(msg));
	if (hint)
		fprintf(stderr, "[hint] %s\n", hint);
	return EXIT_USAGE;
}

static int push_path(struct resume_file **v, size_t *n, const char *path)
{
	struct resume_file *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -1;
	*v = nv;
	memset(&nv[*n], 0, sizeof(nv[*n]));
	if (!(nv[*n].path = strdup(path)))
		return -1;
	(*n)++;
	return 0;
}

/* Builds the target set and exclusions from a resume description, the
 * same way for a fresh scan and a resumed one.  Returns 0, or an exit
 * code after saying why. */
static int build_space(struct scan_ctx *ctx, struct resume *rs,
    struct tgt_set *set, struct excl *x, int resuming)
{
	char err[TGT_ERRMAX], rerr[RESUME_ERRMAX];
	size_t i;
	int r;

	if (rs->ports && tgt_set_ports(set, rs->ports, err) != 0)
		return fail_usage(err, NULL);
	if (rs->shard && tgt_set_shard(set, rs->shard, err) != 0)
		return fail_usage(err, "--shard K/N with 1 <= K <= N, e.g. "
		    "--shard 2/8");
	for (i = 0; i < rs->nexcludes; i++)
		if (excl_add(x, rs->excludes[i], err) != 0) {
			char m[TGT_ERRMAX + 32];

			snprintf(m, sizeof(m), "--exclude: %s", err);
			return fail_usage(m, "exclusions take the target "
			    "syntax: 192.0.2.7, 10.0.0.0/8, 192.0.2.1-20, "
			    "host.example, each with an optional :port");
		}
	for (i = 0; i < rs->nexclude_files; i++) {
		if (resuming && resume_check_file(&rs->exclude_files[i], rerr))
			return fail_usage(rerr, "a resumed scan needs the same "
			    "exclusion files: start the scan again");
		r = excl_add_file(x, rs->exclude_files[i].path, NULL, NULL, err);
		if (r != 0) {
			char m[TGT_ERRMAX + 64];

			if (r > 0)
				snprintf(m, sizeof(m), "--exclude-file %s: %d "
				    "bad line(s); a partial exclusion list is "
				    "not used", rs->exclude_files[i].path, r);
			else
				snprintf(m, sizeof(m), "--exclude-file: %s",
				    err);
			return fail_usage(m, NULL);
		}
	}
	if (excl_finish(x) != 0) {
		fprintf(stderr, "heartcheck: out of memory\n");
		return EXIT_UNTESTED;
	}
	/* Before the targets: streamed files count what is left. */
	tgt_set_exclude(set, x);
	for (i = 0; i < rs->ntargets; i++)
		if (tgt_set_add(set, rs->targets[i], err) != 0)
			on_bad_line(ctx, err);
	for (i = 0; i < rs->ninputs; i++) {
		if (resuming && resume_check_file(&rs->inputs[i], rerr))
			return fail_usage(rerr, "a resumed scan needs the same "
			    "target files: start the scan again");
		/* Streamed unless the random order needs them in memory. */
		r = rs->random ? tgt_set_add_file(set, rs->inputs[i].path,
		    on_bad_line, ctx, err) : tgt_set_stream_file(set,
		    rs->inputs[i].path, on_bad_line, ctx, err);
		if (r < 0)
			return fail_usage(err, NULL);
	}
	if (tgt_set_order(set, rs->random, rs->seed, err) != 0)
		return fail_usage(err, NULL);
	return 0;
}

/* Warns when a resumed scan writes to a standard output that the shell
 * truncated (">" instead of ">>"). */
static void check_stdout_append(void)
{
	struct stat sb;
	int fl = fcntl(STDOUT_FILENO, F_GETFL);

	if (fstat(STDOUT_FILENO, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    fl >= 0 && !(fl & O_APPEND) && sb.st_size == 0)
		fprintf(stderr, "heartcheck: warning: standard output is an "
		    "empty file opened for writing, not appending: the earlier "
		    "runs' results are not in it\n[hint] resume with \">>\", or "
		    "use -o FILE, which a resumed scan appends to\n");
}

int cmd_scan(int argc, char **argv)
{
	/* Long options without a short letter. */
	enum { OPT_STARTTLS = 256, OPT_XMPP_HOST, OPT_UDP, OPT_OPENVPN,
	    OPT_OPENVPN_TCP };
	static const struct option lopts[] = {
		{ "ports", required_argument, NULL, 'p' },
		{ "input", required_argument, NULL, 'i' },
		{ "shard", required_argument, NULL, 'S' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'r' },
		{ "max-version", required_argument, NULL, 'V' },
		{ "no-sni", no_argument, NULL, 'n' },
		{ "starttls", required_argument, NULL, OPT_STARTTLS },
		{ "xmpp-host", required_argument, NULL, OPT_XMPP_HOST },
		{ "udp", no_argument, NULL, OPT_UDP },
		{ "dtls", no_argument, NULL, OPT_UDP },
		{ "openvpn", no_argument, NULL, OPT_OPENVPN },
		{ "openvpn-tcp", no_argument, NULL, OPT_OPENVPN_TCP },
		{ "leak", required_argument, NULL, 'L' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "color", required_argument, NULL, 'C' },
		{ "trace", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "exclude-file", required_argument, NULL, 'X' },
		{ "include-reserved", no_argument, NULL, 'R' },
		{ "random", no_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 'd' },
		{ "resume-file", required_argument, NULL, 'w' },
		{ "resume", required_argument, NULL, 'e' },
		{ "status-file", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct scan_opts so = { .concurrency = DEFAULT_CONCURRENCY,
		.timeout_ms = DEFAULT_TIMEOUT_MS, .max_version = TLS_V_TLS12,
		.starttls = "auto" };
	struct scan_hooks hooks;
	struct scan_ctx ctx;
	struct scan_stats st = { 0 };
	struct tgt_set *set;
	struct excl *excl = NULL;
	struct resume rs;
	struct sigaction sa, old_int, old_term;
	char err[TGT_ERRMAX], rerr[RESUME_ERRMAX];
	const char *resume_from = NULL, *resume_file = NULL, *output = NULL;
	FILE *outf = NULL;
	size_t i;
	unsigned long v;
	int json = 0, color = -1, quiet = 0, ch, r, ret = EXIT_USAGE;
	int out_inited = 0, sink_opened = 0, space = 0, have_seed = 0;
	int sig_set = 0, complete;
	uint64_t pos, end;
	double secs;

	memset(&ctx, 0, sizeof(ctx));
	memset(&rs, 0, sizeof(rs));
	set = tgt_set_new();
	excl = excl_new();
	if (!set || !excl) {
		fprintf(stderr, "heartcheck: out of memory\n");
		tgt_set_free(set);
		excl_free(excl);
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
	while ((ch = getopt_long(argc, argv, "p:c:t:jqho:", lopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			/* Checked now, for the message; kept as typed. */
			if (tgt_set_ports(set, optarg, err) != 0) {
				fprintf(stderr, "heartcheck: %s\n", out_esc(err));
				goto out;
			}
			free(rs.ports);
			if (!(rs.ports = strdup(optarg)))
				goto out;
			space |= SPACE_OPT;
			break;
		case 'i':
			if (push_path(&rs.inputs, &rs.ninputs, optarg))
				goto out;
			space |= SPACE_TARGETS;
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
			free(rs.shard);
			if (!(rs.shard = strdup(optarg)))
				goto out;
			space |= SPACE_OPT;
			break;
		case 'x':
			if (resume_push(&rs.excludes, &rs.nexcludes, optarg))
				goto out;
			space |= SPACE_OPT;
			break;
		case 'X':
			if (push_path(&rs.exclude_files, &rs.nexclude_files,
			    optarg))
				goto out;
			space |= SPACE_OPT;
			break;
		case 'R':
			rs.include_reserved = 1;
			space |= SPACE_OPT;
			break;
		case 'm':
			rs.random = 1;
			space |= SPACE_OPT;
			break;
		case 'd':
			if (cmd_parse_uint(optarg, 0, ULONG_MAX, &v) != 0) {
				fprintf(stderr, "heartcheck: --seed takes a "
				    "whole number\n");
				goto out;
			}
			rs.random = 1;
			rs.seed = v;
			have_seed = 1;
			space |= SPACE_OPT;
			break;
		case 'o':
			output = optarg;
			space |= SPACE_OPT;
			break;
		case 'w':
			resume_file = optarg;
			break;
		case 'e':
			resume_from = optarg;
			break;
		case 's':
			ctx.status_file = optarg;
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
		case OPT_STARTTLS:
			if (strcmp(optarg, "auto") && strcmp(optarg, "none") &&
			    !preamble_find(optarg)) {
				char names[200];

				preamble_names(names, sizeof(names));
				fprintf(stderr, "heartcheck: --starttls: \"%s\" "
				    "is not one of auto, none, %s\n",
				    out_esc(optarg), names);
				goto out;
			}
			so.starttls = optarg;
			break;
		case OPT_XMPP_HOST:
			so.xmpp_host = optarg;
			break;
		case OPT_UDP:
			so.udp = 1;
			break;
		case OPT_OPENVPN:
			so.udp = so.openvpn = 1;
			break;
		case OPT_OPENVPN_TCP:
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
			space |= SPACE_OPT;
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
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (resume_push(&rs.targets, &rs.ntargets, argv[i]))
			goto out;
		space |= SPACE_TARGETS;
	}
	if (resume_from) {
		if (space) {
			ret = fail_usage("--resume FILE takes the targets, ports, "
			    "exclusions, shard, order and output of the stopped "
			    "scan from FILE: do not give them again",
			    "heartcheck scan --resume FILE [-c N] [-t MS] "
			    "[--rate N] [--status-file F]");
			goto out;
		}
		resume_free(&rs);
		if (resume_read(resume_from, &rs, rerr) != 0) {
			ret = fail_usage(rerr, "a resume file is written by "
			    "--resume-file when a scan is stopped");
			goto out;
		}
		/* The scan goes on under the same name, unless told. */
		if (!resume_file)
			resume_file = resume_from;
		json = rs.json;
		output = rs.output;
		ctx.prev_done = rs.done;
		ctx.prev_vuln = rs.verdicts[PV_VULNERABLE];
		rs.runs++;
		/* Parsed again from the file's copy. */
		tgt_set_free(set);
		if (!(set = tgt_set_new()))
			goto out;
		ctx.shard_n = rs.shard && strchr(rs.shard, '/') ?
		    strtoul(strchr(rs.shard, '/') + 1, NULL, 10) : 0;
	} else {
		rs.runs = 1;
		if (rs.random && !have_seed) {
			uint64_t seed = 0;

			if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
				seed = now_ns() ^ ((uint64_t)getpid() << 32);
			rs.seed = seed;
		}
		rs.json = json;
		/* Files are recorded by absolute path, size and hash, so
		 * that a resume finds them and knows them unchanged. */
		for (i = 0; resume_file && i < rs.ninputs; i++) {
			if (!strcmp(rs.inputs[i].path, "-")) {
				ret = fail_usage("--resume-file: targets read "
				    "from standard input cannot be read again "
				    "to resume", "put them in a file: -iL FILE");
				goto out;
			}
			if (resume_fill_file(&rs.inputs[i], rerr) != 0) {
				ret = fail_usage(rerr, NULL);
				goto out;
			}
		}
		for (i = 0; i < rs.nexclude_files; i++)
			if (resume_fill_file(&rs.exclude_files[i], rerr) != 0) {
				ret = fail_usage(rerr, NULL);
				goto out;
			}
	}
	if (output) {
		/* A fresh scan truncates; a resumed one appends. */
		outf = fopen(output, resume_from ? "ae" : "we");
		if (!outf) {
			fprintf(stderr, "heartcheck: cannot open the output file "
			    "\"%s\": %s\n", out_esc(output), strerror(errno));
			ret = EXIT_OUTPUT;
			goto out;
		}
		if (!resume_from) {
			char *abs = realpath(output, NULL);

			rs.output = abs ? abs : strdup(output);
		}
	} else if (resume_from) {
		check_stdout_append();
	}
	out_init(&ctx.out, outf ? outf : stdout, json, color);
	out_inited = 1;
	if (sink_open(&ctx.sink, sink_find(json ? "json" : "text"), &ctx.out,
	    quiet) != 0) {
		fprintf(stderr, "heartcheck: out of memory\n");
		ret = EXIT_UNTESTED;
		goto out;
	}
	sink_opened = 1;
	if ((r = build_space(&ctx, &rs, set, excl, resume_from != NULL)) != 0) {
		ret = r;
		goto out;
	}
	if (!rs.include_reserved && excl_reserved(excl, set, err, sizeof(err))) {
		ret = fail_usage(err, "leave it out with --exclude (e.g. --exclude "
		    "0.0.0.0/8,224.0.0.0/4,240.0.0.0/4,ff00::/8), or scan it "
		    "anyway with --include-reserved");
		goto out;
	}
	end = tgt_set_end(set);
	if (resume_from) {
		if (rs.end != end) {
			ret = fail_usage("the resume file does not match its "
			    "targets: they now make a different scan",
			    "start the scan again");
			goto out;
		}
		tgt_set_start(set, rs.position);
	}
	if (tgt_set_count(set) == 0) {
		if (ctx.invalid == 0) {
			fprintf(stderr, "heartcheck scan: no targets%s\n"
			    "[hint] heartcheck scan example.com "
			    "192.0.2.0/24:8443   or   -iL targets.txt\n",
			    excl_entries(excl) ? " left after the exclusions" :
			    "");
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
	so.progress_ms = ctx.progress_tty || ctx.status_file ? 200 : 0;
	memset(&hooks, 0, sizeof(hooks));
	hooks.result = on_result;
	hooks.progress = on_progress;
	hooks.busy = on_busy;
	hooks.stop = on_stop;
	hooks.ctx = &ctx;
	/* The first signal stops taking endpoints; the second aborts. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	stop_count = 0;
	stop_signal = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sig_set = 1;
	ctx.t0_ns = ctx.status_ns = now_ns();
	write_status(&ctx, &st, "running");
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
	secs = (double)(now_ns() - ctx.t0_ns) / 1e9;
	pos = st.position > rs.position ? st.position : rs.position;
	complete = pos >= end;
	write_status(&ctx, &st, complete ? "done" : "stopped");
	if (out_failed(&ctx.out))
		goto out;
	/* The summary and exit status cover every run of the scan. */
	st.done += rs.done;
	for (i = 0; i < PV_COUNT; i++)
		st.by_verdict[i] += rs.verdicts[i];
	secs += rs.seconds;
	if (!complete && resume_file) {
		/* Everything taken before the position is written: in
		 * order, the results first, then the resume file. */
		int e;

		sink_close(&ctx.sink);
		sink_opened = 0;
		e = out_close(&ctx.out);
		out_inited = 0;
		if (outf && e == 0 && (fflush(outf) != 0 || fsync(fileno(outf))))
			e = errno;
		if (e) {
			out_write_error(e);
			ret = EXIT_OUTPUT;
			goto out;
		}
		rs.position = pos;
		rs.end = end;
		rs.done = st.done;
		memcpy(rs.verdicts, st.by_verdict, sizeof(rs.verdicts));
		rs.seconds = secs;
		if (resume_write(resume_file, &rs, rerr) != 0) {
			fprintf(stderr, "heartcheck: %s\n", out_esc(rerr));
			ret = EXIT_OUTPUT;
			goto out;
		}
		fprintf(stderr, "heartcheck: stopped after %" PRIu64 " endpoints;"
		    " continue with: heartcheck scan --resume %s\n", st.done,
		    out_esc(resume_file));
		ret = 128 + (stop_signal ? stop_signal : SIGINT);
		goto out;
	}
	summary(&ctx, &st, secs);
	if (complete && resume_from && resume_file &&
	    !strcmp(resume_file, resume_from))
		unlink(resume_from);
	if (!complete) {
		fprintf(stderr, "heartcheck: stopped before the end\n[hint] "
		    "--resume-file FILE makes a stopped scan resumable\n");
		ret = 128 + (stop_signal ? stop_signal : SIGINT);
		goto out;
	}
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
	if (sig_set) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
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
	if (outf && fclose(outf) != 0 && ret != EXIT_OUTPUT) {
		out_write_error(errno);
		ret = EXIT_OUTPUT;
	}
	tgt_set_free(set);
	excl_free(excl);
	resume_free(&rs);
	if (st.lookups_left) {
		/* libuv joins its resolver threads at exit, and one may sit
		 * in getaddrinfo for many seconds more: every result is out. */
		if (fflush(NULL) != 0)
			ret = EXIT_UNTESTED;
		_exit(ret);
	}
	return ret;
}
