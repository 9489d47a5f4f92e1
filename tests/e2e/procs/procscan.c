/*
 * Test driver for proc_scan: prints one line per TLS library image that a
 * process maps, then the restart advice and the scan statistics.
 *
 *   procscan [PROCROOT]
 *
 * Output lines:
 *   lib PID WHY PATH          (WHY is "none" or restart_why_str)
 *   unreadable PID MESSAGE
 *   proc PID UNIT|- CONTAINER|- COMM
 *   plan ...                  (restart_plan_print output)
 *   stats PROCESSES WITH_TLS UNREADABLE SECONDS
 */
#include "local/procmaps.h"
#include "local/units.h"

#include <stdio.h>
#include <string.h>

static void
on_proc(void *ctx, const struct proc_info *p)
{
	struct restart_plan *rp = ctx;
	char why[64];
	int i;

	if (p->unreadable) {
		printf("unreadable %d %s\n", (int)p->pid, p->errmsg);
		return;
	}
	printf("proc %d %s %s %s\n", (int)p->pid,
	    p->unit[0] ? p->unit : "-",
	    p->container[0] ? "container" : "-", p->comm);
	for (i = 0; i < p->nlibs; i++) {
		restart_why_str(p->libs[i].why, why, sizeof(why));
		printf("lib %d %s %s\n", (int)p->pid, why[0] ? why : "none",
		    p->libs[i].path);
	}
	if (restart_plan_add(rp, p) < 0)
		fprintf(stderr, "procscan: out of memory\n");
}

int
main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : "/proc";
	struct proc_scan_stats st;
	struct restart_plan *rp;
	int r;

	if ((rp = restart_plan_new()) == NULL)
		return 2;
	r = proc_scan(root, on_proc, rp, &st);
	if (r != 0) {
		fprintf(stderr, "procscan: cannot scan %s: %s\n", root,
		    strerror(-r));
		restart_plan_free(rp);
		return 2;
	}
	fflush(stdout);
	printf("plan-begin\n");
	restart_plan_print(rp, stdout);
	printf("plan-end\n");
	printf("stats %u %u %u %.6f\n", st.processes, st.with_tls,
	    st.unreadable, st.seconds);
	restart_plan_free(rp);
	return 0;
}
