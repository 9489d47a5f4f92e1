/*
 * The restart advice for processes that map a deleted, replaced or
 * vulnerable TLS library.
 *
 * The unit names come from cgroup.h, so the advice is one "systemctl
 * restart" per service instead of a list of PIDs.  A restart_plan
 * collects the processes that need a restart and groups them: services
 * are restarted by name; processes in scopes (login sessions,
 * containers), which systemctl cannot restart, and processes outside any
 * unit are listed by PID and command line.
 */
#ifndef HEARTCHECK_LOCAL_UNITS_H
#define HEARTCHECK_LOCAL_UNITS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "local/cgroup.h"

struct proc_info;

struct restart_plan;

/* A process the plan lists by PID rather than by unit. */
struct restart_loose {
	pid_t pid;
	unsigned why; /* union of its libraries' enum restart_why */
	char comm[64];
	char cmdline[512];
	char unit[256]; /* a scope or other unit that cannot restart */
	char container[128];
};

/* Returns NULL when out of memory. */
struct restart_plan *restart_plan_new(void);

/* Adds p when any of its libraries has a non-zero why; others are
 * ignored.  Returns 0, 1 when ignored, or -1 when out of memory. */
int restart_plan_add(struct restart_plan *rp, const struct proc_info *p);

/* The restartable units, in the order first seen, with how many processes
 * each holds.  The arrays stay valid until the next add or free. */
size_t restart_plan_units(const struct restart_plan *rp, const char ***names,
    const unsigned **counts);

/* The processes listed by PID, in the order added. */
size_t restart_plan_loose(const struct restart_plan *rp,
    const struct restart_loose **procs);

/* Prints the advice: "systemctl restart nginx.service" once per unit, then
 * one line per loose process. */
void restart_plan_print(const struct restart_plan *rp, FILE *out);

void restart_plan_free(struct restart_plan *rp);

#endif
