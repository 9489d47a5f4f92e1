/*
 * heartcheck scan's stop, resume and output files (cmd/scan_session.h).
 */
#include "cmd/scan_session.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "report/out.h"
#include "report/progress.h"

/* SIGINT or SIGTERM: the first stops the scan gracefully, the second
 * aborts the probes in flight. */
static volatile sig_atomic_t stop_signal, stop_count;

static void on_stop_signal(int sig)
{
	static const char m1[] =
	    "\nheartcheck: stopping: no new probes; "
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

void scan_signals_catch(struct scan_signals *s)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	stop_count = 0;
	stop_signal = 0;
	sigaction(SIGINT, &sa, &s->old_int);
	sigaction(SIGTERM, &sa, &s->old_term);
	s->set = 1;
}

void scan_signals_restore(struct scan_signals *s)
{
	if (!s->set)
		return;
	sigaction(SIGINT, &s->old_int, NULL);
	sigaction(SIGTERM, &s->old_term, NULL);
	s->set = 0;
}

int scan_signals_count(void)
{
	return stop_count;
}

int scan_signals_exit(void)
{
	return 128 + (stop_signal ? stop_signal : SIGINT);
}

/* Raises the descriptor limit and keeps the window inside it. */
unsigned scan_session_fit_concurrency(unsigned want)
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
		unsigned fit =
		    rl.rlim_cur > 96 ? (unsigned)rl.rlim_cur - 64 : 16;

		/* Only ever lower it: a small window asked for stays. */
		if (fit >= want)
			return want;

		fprintf(stderr,
		    "heartcheck: concurrency lowered to %u to fit "
		    "the open-file limit\n",
		    fit);
		return fit;
	}
	return want;
}

static int prepare_resume(struct scan_cmd *c)
{
	char rerr[RESUME_ERRMAX];
	struct resume *rs = &c->rs;

	if (c->space)
		return scan_fail_usage(
		    "--resume FILE takes the targets, "
		    "ports, exclusions, shard, order and output of the "
		    "stopped scan from FILE: do not give them again",
		    "heartcheck scan --resume FILE [-c N] [-t MS] "
		    "[--rate N] [--status-file F]");
	resume_free(rs);
	if (resume_read(c->resume_from, rs, rerr) != 0)
		return scan_fail_usage(rerr,
		    "a resume file is written by "
		    "--resume-file when a scan is stopped");
	/* The scan goes on under the same name, unless told. */
	if (!c->resume_file)
		c->resume_file = c->resume_from;
	c->json = rs->json;
	c->output = rs->output;
	rs->runs++;
	/* Parsed again from the file's copy. */
	tgt_set_free(c->set);
	if (!(c->set = tgt_set_new()))
		return EXIT_USAGE;
	c->shard_n = rs->shard && strchr(rs->shard, '/') ?
	    strtoul(strchr(rs->shard, '/') + 1, NULL, 10) :
	    0;
	return -1;
}

int scan_session_prepare(struct scan_cmd *c)
{
	char rerr[RESUME_ERRMAX];
	struct resume *rs = &c->rs;
	size_t i;

	if (c->resume_from)
		return prepare_resume(c);
	rs->runs = 1;
	if (rs->random && !c->have_seed) {
		uint64_t seed = 0;

		if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
			seed = progress_clock_ns() ^ ((uint64_t)getpid() << 32);
		rs->seed = seed;
	}
	rs->json = c->json;
	if (c->resume_file && c->format && c->format->document)
		return scan_fail_usage("--resume-file: a resumed scan appends "
				       "to its output, and a --format that "
				       "writes one whole document cannot be "
				       "appended to",
		    "use --json (or text) with --resume-file");
	/* Files are recorded by absolute path, size and hash, so that a
	 * resume finds them and knows them unchanged. */
	for (i = 0; c->resume_file && i < rs->ninputs; i++) {
		if (!strcmp(rs->inputs[i].path, "-"))
			return scan_fail_usage("--resume-file: targets read "
					       "from standard input cannot be "
					       "read again to "
					       "resume",
			    "put them in a file: -iL FILE");
		if (resume_fill_file(&rs->inputs[i], rerr) != 0)
			return scan_fail_usage(rerr, NULL);
	}
	for (i = 0; i < rs->nexclude_files; i++)
		if (resume_fill_file(&rs->exclude_files[i], rerr) != 0)
			return scan_fail_usage(rerr, NULL);
	return -1;
}

/* Warns when a resumed scan writes to a standard output that the shell
 * truncated (">" instead of ">>"). */
static void check_stdout_append(void)
{
	struct stat sb;
	int fl = fcntl(STDOUT_FILENO, F_GETFL);

	if (fstat(STDOUT_FILENO, &sb) == 0 && S_ISREG(sb.st_mode) && fl >= 0 &&
	    !(fl & O_APPEND) && sb.st_size == 0)
		fprintf(stderr,
		    "heartcheck: warning: standard output is an "
		    "empty file opened for writing, not appending: the earlier "
		    "runs' results are not in it\n[hint] resume with \">>\", "
		    "or "
		    "use -o FILE, which a resumed scan appends to\n");
}

int scan_session_output(struct scan_cmd *c, FILE **outf)
{
	*outf = NULL;
	if (!c->output) {
		if (c->resume_from)
			check_stdout_append();
		return -1;
	}
	/* A fresh scan truncates; a resumed one appends. */
	if (!(*outf = fopen(c->output, c->resume_from ? "ae" : "we"))) {
		fprintf(stderr,
		    "heartcheck: cannot open the output file "
		    "\"%s\": %s\n",
		    out_esc(c->output), strerror(errno));
		return EXIT_OUTPUT;
	}
	if (!c->resume_from) {
		char *abs = realpath(c->output, NULL);

		c->rs.output = abs ? abs : strdup(c->output);
	}
	return -1;
}

static int add_exclude_file(struct scan_cmd *c, struct excl *x, size_t i)
{
	struct resume *rs = &c->rs;
	char err[TGT_ERRMAX], rerr[RESUME_ERRMAX], m[TGT_ERRMAX + 64];
	int r;

	if (c->resume_from && resume_check_file(&rs->exclude_files[i], rerr))
		return scan_fail_usage(rerr,
		    "a resumed scan needs the same "
		    "exclusion files: start the scan again");
	r = excl_add_file(x, rs->exclude_files[i].path, NULL, NULL, err);
	if (r == 0)
		return 0;
	if (r > 0)
		snprintf(m, sizeof(m),
		    "--exclude-file %s: %d bad line(s); a "
		    "partial exclusion list is not used",
		    rs->exclude_files[i].path, r);
	else
		snprintf(m, sizeof(m), "--exclude-file: %s", err);
	return scan_fail_usage(m, NULL);
}

int scan_session_space(struct scan_cmd *c, struct excl *x,
    void (*bad_line)(void *ctx, const char *msg), void *ctx)
{
	char err[TGT_ERRMAX], rerr[RESUME_ERRMAX];
	struct resume *rs = &c->rs;
	struct tgt_set *set = c->set;
	size_t i;
	int r;

	if (rs->ports && tgt_set_ports(set, rs->ports, err) != 0)
		return scan_fail_usage(err, NULL);
	if (rs->shard && tgt_set_shard(set, rs->shard, err) != 0)
		return scan_fail_usage(err,
		    "--shard K/N with 1 <= K <= N, "
		    "e.g. --shard 2/8");
	for (i = 0; i < rs->nexcludes; i++)
		if (excl_add(x, rs->excludes[i], err) != 0) {
			char m[TGT_ERRMAX + 32];

			snprintf(m, sizeof(m), "--exclude: %s", err);
			return scan_fail_usage(m,
			    "exclusions take the target "
			    "syntax: 192.0.2.7, 10.0.0.0/8, 192.0.2.1-20, "
			    "host.example, each with an optional :port");
		}
	for (i = 0; i < rs->nexclude_files; i++)
		if ((r = add_exclude_file(c, x, i)) != 0)
			return r;
	if (excl_finish(x) != 0) {
		fprintf(stderr, "heartcheck: out of memory\n");
		return EXIT_UNTESTED;
	}
	/* Before the targets: streamed files count what is left. */
	tgt_set_exclude(set, x);
	for (i = 0; i < rs->ntargets; i++)
		if (tgt_set_add(set, rs->targets[i], err) != 0)
			bad_line(ctx, err);
	for (i = 0; i < rs->ninputs; i++) {
		if (c->resume_from && resume_check_file(&rs->inputs[i], rerr))
			return scan_fail_usage(rerr,
			    "a resumed scan needs the "
			    "same target files: start the scan again");
		/* Streamed unless the random order needs them in memory. */
		r = rs->random ? tgt_set_add_file(set, rs->inputs[i].path,
				     bad_line, ctx, err) :
				 tgt_set_stream_file(set, rs->inputs[i].path,
				     bad_line, ctx, err);
		if (r < 0)
			return scan_fail_usage(err, NULL);
	}
	if (tgt_set_order(set, rs->random, rs->seed, err) != 0)
		return scan_fail_usage(err, NULL);
	return 0;
}

int scan_session_save(struct scan_cmd *c, uint64_t pos, uint64_t end,
    uint64_t done, const uint64_t *by_verdict, double seconds)
{
	char rerr[RESUME_ERRMAX];
	struct resume *rs = &c->rs;

	rs->position = pos;
	rs->end = end;
	rs->done = done;
	memcpy(rs->verdicts, by_verdict, sizeof(rs->verdicts));
	rs->seconds = seconds;
	if (resume_write(c->resume_file, rs, rerr) != 0) {
		fprintf(stderr, "heartcheck: %s\n", out_esc(rerr));
		return EXIT_OUTPUT;
	}
	fprintf(stderr,
	    "heartcheck: stopped after %" PRIu64 " endpoints; "
	    "continue with: heartcheck scan --resume %s\n",
	    done, out_esc(c->resume_file));
	return scan_signals_exit();
}
