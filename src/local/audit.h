/*
 * The local audit: the libraries on disk and in memory, the processes that
 * map them, the listening services and the installed packages, judged and
 * handed to a sink (report/sink.h) as results.  Its counts, the overall
 * state and the exit code are decided here, once.
 */
#ifndef HEARTCHECK_LOCAL_AUDIT_H
#define HEARTCHECK_LOCAL_AUDIT_H

#include "report/result.h"
#include "report/sink.h"

struct audit_opts {
	int no_listeners, no_libtest, no_packages, no_processes;
	unsigned timeout_ms; /* per library test; all listener probes */
	unsigned deadline_s; /* the whole audit */
	const char *root; /* file system root for libraries, packages */
	const char *procroot; /* "/proc", or a fake tree in tests */
};

/* Runs the audit, every result through s, and fills *sum (which is also
 * handed to s as the local summary, unless the output failed).  Returns 0,
 * or an HC_ERR_* code when it could not start. */
int audit_run(const struct audit_opts *o, struct sink *s,
    struct res_local_summary *sum);

/* The one state policy: CRITICAL when vulnerable code runs and is reachable
 * now, WARNING when something is vulnerable or must restart, UNKNOWN when
 * something could not be examined, else OK. */
enum res_state audit_state(const struct res_local_summary *sum);

/* The exit code: with nagios the state itself; otherwise 1 vulnerable or
 * to restart, 3 something not tested, 0 clean (cmd/cmd.h). */
int audit_exit_code(const struct res_local_summary *sum, int nagios);

#endif
