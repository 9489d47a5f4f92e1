/*
 * The Nagios sink: one plugin status line with performance data, at the
 * end of a local audit.  The state is the audit's (one policy,
 * local/audit.c); this only words it.
 */
#include "report/sink.h"

static void n_local_summary(struct sink *s, const struct res_local_summary *c)
{
	static const char *const word[] = {
		[RES_OK] = "OK",
		[RES_WARNING] = "WARNING",
		[RES_CRITICAL] = "CRITICAL",
		[RES_UNKNOWN] = "UNKNOWN",
	};
	char unf[200], parts[160];

	res_unfinished_text(c, parts, sizeof(parts));
	snprintf(unf, sizeof(unf), "%s%s", parts[0] ? ", not finished:" : "",
	    parts);
	fprintf(s->out->f,
	    "HEARTCHECK %s - %u vulnerable libraries, %u "
	    "processes to restart, %u vulnerable listeners, %u vulnerable "
	    "packages%s%s | vulnerable_libraries=%u;;1 "
	    "processes_need_restart=%u;1; vulnerable_listeners=%u;;1 "
	    "vulnerable_packages=%u;1; libraries=%u processes=%u "
	    "seconds=%.3fs\n",
	    word[c->state], c->vulnerable_libraries, c->processes_need_restart,
	    c->vulnerable_listeners, c->vulnerable_packages, unf,
	    c->errors ? ", parts not run" : "", c->vulnerable_libraries,
	    c->processes_need_restart, c->vulnerable_listeners,
	    c->vulnerable_packages, c->libraries, c->processes,
	    c->seconds.total);
}

const struct sink_ops sink_nagios_ops = {
	.name = "nagios",
	.commands = SINK_LOCAL,
	.local_summary = n_local_summary,
};
