/*
 * The progress line and the status file (report/progress.h).
 */
#include "report/progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

struct progress_fig {
	uint64_t done, total, vulnerable;
	double rate, eta, elapsed; /* eta < 0: unknown */
};

uint64_t progress_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void progress_start(struct progress *p)
{
	p->t0_ns = p->status_ns = progress_clock_ns();
}

double progress_seconds(const struct progress *p)
{
	return (double)(progress_clock_ns() - p->t0_ns) / 1e9;
}

static void figures(const struct progress *p, const struct progress_counts *c,
    struct progress_fig *f)
{
	uint64_t share = c->total / (p->shard_n ? p->shard_n : 1);

	f->elapsed = progress_seconds(p);
	f->done = p->prev_done + c->done;
	f->total = share > f->done ? share : f->done;
	f->vulnerable = p->prev_vulnerable + c->vulnerable;
	f->rate = f->elapsed > 0.5 ? (double)c->done / f->elapsed : 0;
	f->eta = f->rate > 0 ? (double)(f->total - f->done) / f->rate : -1;
}

/* The progress as JSON, atomically: a temporary file renamed over it. */
void progress_status(struct progress *p, const struct progress_counts *c,
    const char *state)
{
	struct progress_fig f;
	char tmp[4096];
	FILE *fp;
	int ok;

	if (!p->status_file)
		return;
	figures(p, c, &f);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", p->status_file,
		(long)getpid()) >= (int)sizeof(tmp))
		return;
	if (!(fp = fopen(tmp, "we")))
		return;
	fprintf(fp,
	    "{\"type\":\"status\",\"state\":\"%s\",\"done\":%" PRIu64
	    ",\"total\":%" PRIu64 ",\"in_flight\":%zu,\"vulnerable\":%" PRIu64
	    ",\"rate\":%.1f,\"elapsed_s\":%.1f,\"eta_s\":",
	    state, f.done, f.total, c->in_flight, f.vulnerable, f.rate,
	    f.elapsed);
	if (f.eta >= 0)
		fprintf(fp, "%.0f", f.eta);
	else
		fprintf(fp, "null");
	fprintf(fp, ",\"position\":%" PRIu64 ",\"time\":%lld}\n", c->position,
	    (long long)time(NULL));
	ok = fflush(fp) == 0 && !ferror(fp);
	if (fclose(fp) != 0)
		ok = 0;
	if (!ok || rename(tmp, p->status_file) != 0)
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

void progress_update(struct progress *p, const struct progress_counts *c,
    int stopping)
{
	struct progress_fig f;
	char line[200], eta[32];
	uint64_t now = progress_clock_ns();

	if (p->status_file &&
	    now - p->status_ns >= STATUS_EVERY_MS * 1000000ull) {
		p->status_ns = now;
		progress_status(p, c, stopping ? "stopping" : "running");
	}
	if (!p->tty || out_failed(p->out))
		return;
	figures(p, c, &f);
	fmt_dur(f.eta, eta, sizeof(eta));
	/* With a shard the total is known only for the whole target space:
	 * show this shard's expected share. */
	snprintf(line, sizeof(line),
	    "\r\033[K[%llu/%s%llu] %.0f/s, %llu vulnerable, %zu in flight, "
	    "ETA %s%s",
	    (unsigned long long)f.done, p->shard_n > 1 ? "~" : "",
	    (unsigned long long)f.total, f.rate,
	    (unsigned long long)f.vulnerable, c->in_flight, eta,
	    stopping ? " (stopping)" : "");
	/* Dropped while output waits: the next one says it all. */
	out_stderr(p->out, line, 1);
	p->drawn = 1;
}

void progress_clear(struct progress *p)
{
	/* Through the writer, in order with the result: a terminal stopped
	 * with Ctrl-S must not stop the probes either. */
	if (p->drawn) {
		out_stderr(p->out, "\r\033[K", 0);
		p->drawn = 0;
	}
}
