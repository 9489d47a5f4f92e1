/*
 * heartcheck scan: the wiring of its options (scan_opts.c), the target set,
 * the scan driver, the progress (report/progress.c), the output sink and
 * the stop and resume files (scan_session.c), and the exit code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/args.h"
#include "cmd/cmd.h"
#include "cmd/scan_opts.h"
#include "cmd/scan_session.h"
#include "net/exclude.h"
#include "net/scan.h"
#include "net/scanres.h"
#include "net/targets.h"
#include "report/err.h"
#include "report/out.h"
#include "report/progress.h"
#include "report/sink.h"

struct scan_ctx {
	struct out out;
	struct sink sink;
	struct progress progress;
	uint64_t invalid;
};

static void counts(const struct scan_stats *st, struct progress_counts *pc)
{
	pc->total = st->total;
	pc->done = st->done;
	pc->vulnerable = st->by_verdict[PV_VULNERABLE];
	pc->position = st->position;
	pc->in_flight = st->in_flight;
}

static void on_result(void *ctx, const struct scan_result *r)
{
	struct scan_ctx *c = ctx;
	struct res_endpoint e;
	char vb[16];

	if (out_failed(&c->out))
		return;
	progress_clear(&c->progress);
	scanres_endpoint(r, &e, vb, sizeof(vb));
	sink_endpoint(&c->sink, &e);
}

/* Output that backs up holds new probes; output that fails stops the
 * scan. */
static int on_busy(void *ctx)
{
	struct scan_ctx *c = ctx;

	if (scan_signals_count() > 1)
		return -1;
	return out_busy(&c->out);
}

static int on_stop(void *ctx)
{
	return scan_signals_count() > 0;
}

static void on_progress(void *ctx, const struct scan_stats *st)
{
	struct scan_ctx *c = ctx;
	struct progress_counts pc;

	counts(st, &pc);
	progress_update(&c->progress, &pc, scan_signals_count() > 0);
}

static void on_bad_line(void *ctx, const char *msg)
{
	struct scan_ctx *c = ctx;
	struct res_error e = { NULL, HC_ERR_INVALID, msg };

	c->invalid++;
	fprintf(stderr, "heartcheck: %s\n", out_esc(msg));
	sink_error(&c->sink, &e);
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

/* The exit code of a scan that ran to the end. */
static int verdict_exit(const struct scan_stats *st, uint64_t invalid)
{
	uint64_t untested = invalid;
	int k;

	if (st->by_verdict[PV_VULNERABLE])
		return EXIT_VULNERABLE;
	for (k = 0; k < PV_COUNT; k++)
		if (probe_verdict_untested(k))
			untested += st->by_verdict[k];
	return untested ? EXIT_UNTESTED : EXIT_CLEAN;
}

int cmd_scan(int argc, char **argv)
{
	struct scan_cmd c;
	struct scan_hooks hooks;
	struct scan_ctx ctx;
	struct scan_stats st = { 0 };
	struct progress_counts pc;
	struct scan_signals sig = { 0 };
	struct excl *excl;
	FILE *outf = NULL;
	char err[TGT_ERRMAX];
	size_t i;
	int r, ret = EXIT_USAGE, out_inited = 0, sink_opened = 0, complete;
	uint64_t pos, end;
	double secs;

	memset(&ctx, 0, sizeof(ctx));
	scan_cmd_init(&c, tgt_set_new());
	excl = excl_new();
	if (!c.set || !excl) {
		fprintf(stderr, "heartcheck: out of memory\n");
		ret = EXIT_UNTESTED;
		goto out;
	}
	if ((r = scan_opts_parse(&c, argc, argv)) >= 0 ||
	    (r = scan_session_prepare(&c)) >= 0 ||
	    (r = scan_session_output(&c, &outf)) >= 0) {
		ret = r;
		goto out;
	}
	out_init(&ctx.out, outf ? outf : stdout, c.json, c.color);
	out_inited = 1;
	if (sink_open(&ctx.sink, sink_find(c.json ? "json" : "text"), &ctx.out,
		c.quiet) != 0) {
		fprintf(stderr, "heartcheck: out of memory\n");
		ret = EXIT_UNTESTED;
		goto out;
	}
	sink_opened = 1;
	if ((r = scan_session_space(&c, excl, on_bad_line, &ctx)) != 0) {
		ret = r;
		goto out;
	}
	if (!c.rs.include_reserved &&
	    excl_reserved(excl, c.set, err, sizeof(err))) {
		ret = scan_fail_usage(err,
		    "leave it out with --exclude (e.g. "
		    "--exclude 0.0.0.0/8,224.0.0.0/4,240.0.0.0/4,ff00::/8), or "
		    "scan it anyway with --include-reserved");
		goto out;
	}
	end = tgt_set_end(c.set);
	if (c.resume_from) {
		if (c.rs.end != end) {
			ret = scan_fail_usage("the resume file does not match "
					      "its targets: they now make a "
					      "different scan",
			    "start the scan again");
			goto out;
		}
		tgt_set_start(c.set, c.rs.position);
	}
	if (tgt_set_count(c.set) == 0) {
		if (ctx.invalid == 0) {
			fprintf(stderr,
			    "heartcheck scan: no targets%s\n"
			    "[hint] heartcheck scan example.com "
			    "192.0.2.0/24:8443   or   -iL targets.txt\n",
			    excl_entries(excl) ? " left after the exclusions" :
						 "");
			goto out;
		}
		/* Every target was bad: the stream still ends with its
		 * summary, of nothing. */
		summary(&ctx, &st, 0.0);
		ret = EXIT_UNTESTED;
		goto out;
	}
	if (c.so.leak)
		fprintf(stderr,
		    "heartcheck: WARNING: --leak makes every "
		    "vulnerable server send up to %u bytes of its memory, "
		    "which may hold keys and passwords.  Use it only on "
		    "servers you own.\n",
		    c.so.leak);
	c.so.concurrency = scan_session_fit_concurrency(c.so.concurrency);
	ctx.progress.out = &ctx.out;
	ctx.progress.status_file = c.status_file;
	ctx.progress.tty = isatty(STDERR_FILENO) && !c.so.trace;
	ctx.progress.shard_n = c.shard_n;
	ctx.progress.prev_done = c.rs.done;
	ctx.progress.prev_vulnerable = c.rs.verdicts[PV_VULNERABLE];
	c.so.progress_ms = ctx.progress.tty || c.status_file ? 200 : 0;
	memset(&hooks, 0, sizeof(hooks));
	hooks.result = on_result;
	hooks.progress = on_progress;
	hooks.busy = on_busy;
	hooks.stop = on_stop;
	hooks.ctx = &ctx;
	/* The first signal stops taking endpoints; the second aborts. */
	scan_signals_catch(&sig);
	progress_start(&ctx.progress);
	counts(&st, &pc);
	progress_status(&ctx.progress, &pc, "running");
	r = scan_run(c.set, &c.so, &hooks, &st);
	progress_clear(&ctx.progress);
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
	secs = progress_seconds(&ctx.progress);
	pos = st.position > c.rs.position ? st.position : c.rs.position;
	complete = pos >= end;
	counts(&st, &pc);
	progress_status(&ctx.progress, &pc, complete ? "done" : "stopped");
	if (out_failed(&ctx.out))
		goto out;
	/* The summary and exit status cover every run of the scan. */
	st.done += c.rs.done;
	for (i = 0; i < PV_COUNT; i++)
		st.by_verdict[i] += c.rs.verdicts[i];
	secs += c.rs.seconds;
	if (!complete && c.resume_file) {
		/* Everything taken before the position is written: in
		 * order, the results first, then the resume file. */
		int e;

		sink_close(&ctx.sink);
		sink_opened = 0;
		e = out_close(&ctx.out);
		out_inited = 0;
		if (outf && e == 0 &&
		    (fflush(outf) != 0 || fsync(fileno(outf))))
			e = errno;
		if (e) {
			out_write_error(e);
			ret = EXIT_OUTPUT;
			goto out;
		}
		ret = scan_session_save(&c, pos, end, st.done, st.by_verdict,
		    secs);
		goto out;
	}
	summary(&ctx, &st, secs);
	if (complete && c.resume_from && c.resume_file &&
	    !strcmp(c.resume_file, c.resume_from))
		unlink(c.resume_from);
	if (!complete) {
		fprintf(stderr,
		    "heartcheck: stopped before the end\n[hint] "
		    "--resume-file FILE makes a stopped scan resumable\n");
		ret = scan_signals_exit();
		goto out;
	}
	ret = verdict_exit(&st, ctx.invalid);
out:
	scan_signals_restore(&sig);
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
	tgt_set_free(c.set);
	excl_free(excl);
	resume_free(&c.rs);
	scan_cmd_free(&c);
	if (st.lookups_left) {
		/* libuv joins its resolver threads at exit, and one may sit
		 * in getaddrinfo for many seconds more: every result is out. */
		if (fflush(NULL) != 0)
			ret = EXIT_UNTESTED;
		_exit(ret);
	}
	return ret;
}
