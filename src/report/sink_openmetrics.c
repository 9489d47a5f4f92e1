/*
 * The OpenMetrics sink: gauges for node_exporter's textfile collector, at
 * the end of a local audit.
 */
#include <time.h>

#include "report/sink.h"

static void m_local_summary(struct sink *s, const struct res_local_summary *c)
{
	fprintf(s->out->f,
	    "# HELP heartcheck_vulnerable_libraries OpenSSL "
	    "libraries proven vulnerable by running their own code.\n"
	    "# TYPE heartcheck_vulnerable_libraries gauge\n"
	    "heartcheck_vulnerable_libraries %u\n"
	    "# HELP heartcheck_libraries libssl libraries tested.\n"
	    "# TYPE heartcheck_libraries gauge\n"
	    "heartcheck_libraries %u\n"
	    "# HELP heartcheck_processes_need_restart Processes that "
	    "map a deleted, replaced or vulnerable libssl/libcrypto.\n"
	    "# TYPE heartcheck_processes_need_restart gauge\n"
	    "heartcheck_processes_need_restart %u\n"
	    "# HELP heartcheck_vulnerable_listeners Listening services "
	    "proven vulnerable over loopback.\n"
	    "# TYPE heartcheck_vulnerable_listeners gauge\n"
	    "heartcheck_vulnerable_listeners %u\n"
	    "# HELP heartcheck_vulnerable_packages Installed packages "
	    "older than the first fixed version.\n"
	    "# TYPE heartcheck_vulnerable_packages gauge\n"
	    "heartcheck_vulnerable_packages %u\n"
	    "# HELP heartcheck_errors Parts of the audit that could not "
	    "run.\n"
	    "# TYPE heartcheck_errors gauge\n"
	    "heartcheck_errors %u\n"
	    "# HELP heartcheck_last_run_timestamp_seconds When the "
	    "audit ran.\n"
	    "# TYPE heartcheck_last_run_timestamp_seconds gauge\n"
	    "heartcheck_last_run_timestamp_seconds %lld\n"
	    "# HELP heartcheck_run_duration_seconds How long the "
	    "audit took.\n"
	    "# TYPE heartcheck_run_duration_seconds gauge\n"
	    "heartcheck_run_duration_seconds %.3f\n"
	    "# EOF\n",
	    c->vulnerable_libraries, c->libraries, c->processes_need_restart,
	    c->vulnerable_listeners, c->vulnerable_packages, c->errors,
	    (long long)time(NULL), c->seconds.total);
}

const struct sink_ops sink_openmetrics_ops = {
	.name = "openmetrics",
	.commands = SINK_LOCAL,
	.local_summary = m_local_summary,
};
