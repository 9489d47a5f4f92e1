/*
 * heartcheck scan's life beyond one run: SIGINT and SIGTERM (the first
 * stops gracefully, the second aborts the probes in flight), --resume and
 * --resume-file bookkeeping, and -o, which a resumed scan appends to.
 */
#ifndef HEARTCHECK_CMD_SCAN_SESSION_H
#define HEARTCHECK_CMD_SCAN_SESSION_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "cmd/scan_opts.h"
#include "net/exclude.h"

struct scan_signals {
	struct sigaction old_int, old_term;
	int set;
};

/* Installs the stop handlers, clearing any earlier stop. */
void scan_signals_catch(struct scan_signals *s);
/* Puts back the handlers that were there, if scan_signals_catch ran. */
void scan_signals_restore(struct scan_signals *s);
/* How many stop signals came: 0, 1 (stopping) or 2 (aborting). */
int scan_signals_count(void);
/* The exit code of a scan the signal stopped: 128 + its number. */
int scan_signals_exit(void);

/* Raises the open-file limit and returns the concurrency that fits in
 * it: want, or less after saying so. */
unsigned scan_session_fit_concurrency(unsigned want);

/* Completes c->rs: read from --resume FILE (the options that describe the
 * scan may not be given again; c->set is made anew), or, for a fresh
 * scan, the seed and the target and exclusion files' sums.  Returns -1 to
 * go on, or an exit code after saying why. */
int scan_session_prepare(struct scan_cmd *c);

/* Opens -o (truncated, or appended to when resuming) into *outf, or warns
 * when a resumed scan's standard output was truncated.  Returns -1 to go
 * on, or an exit code after saying why. */
int scan_session_output(struct scan_cmd *c, FILE **outf);

/* Builds c->set and x from c->rs, the same way for a fresh scan and a
 * resumed one; a bad target goes to bad_line.  Returns 0, or an exit code
 * after saying why. */
int scan_session_space(struct scan_cmd *c, struct excl *x,
    void (*bad_line)(void *ctx, const char *msg), void *ctx);

/* Records where a stopped scan is, with the counts of every run so far,
 * in --resume-file.  Returns the exit code. */
int scan_session_save(struct scan_cmd *c, uint64_t pos, uint64_t end,
    uint64_t done, const uint64_t *by_verdict, double seconds);

#endif
