/*
 * A long run's progress, for people and for programs: a line redrawn on a
 * terminal's standard error, and a JSON status file rewritten atomically
 * every STATUS_EVERY_MS.  Plain numbers in, so any producer can use it.
 */
#ifndef HEARTCHECK_REPORT_PROGRESS_H
#define HEARTCHECK_REPORT_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "report/out.h"

/* How often the status file is rewritten. */
#define STATUS_EVERY_MS 2000

/* This run's counts, as the producer sees them now. */
struct progress_counts {
	uint64_t total; /* endpoints known, in the whole target space */
	uint64_t done; /* results of this run */
	uint64_t vulnerable; /* vulnerable results of this run */
	uint64_t position; /* where a stopped run would resume */
	size_t in_flight;
};

struct progress {
	struct out *out; /* the line goes to stderr in order with it */
	const char *status_file; /* or NULL */
	int tty; /* draw the line */
	int drawn; /* a line may be on the terminal */
	unsigned long shard_n; /* N of a shard K/N: the total is shared */
	uint64_t prev_done, prev_vulnerable; /* earlier runs, resumed */
	uint64_t t0_ns, status_ns;
};

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t progress_clock_ns(void);

/* The run starts now. */
void progress_start(struct progress *p);

/* Seconds since progress_start. */
double progress_seconds(const struct progress *p);

/* Rewrites the status file, when there is one, with state ("running",
 * "stopping", "stopped", "done"). */
void progress_status(struct progress *p, const struct progress_counts *c,
    const char *state);

/* A periodic update: the status file when it is due, and the terminal
 * line; stopping says a graceful stop is under way. */
void progress_update(struct progress *p, const struct progress_counts *c,
    int stopping);

/* Erases the terminal line, if one is drawn, before a result. */
void progress_clear(struct progress *p);

#endif
