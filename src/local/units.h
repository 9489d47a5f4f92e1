/*
 * Service names for processes, and the restart advice built from them.
 *
 * cgroup_unit names the systemd unit that owns a process, so the advice
 * is one "systemctl restart" per service instead of a list of PIDs.  A
 * restart_plan collects the processes that need a restart and groups
 * them: services are restarted by name; processes in scopes (login
 * sessions, containers), which systemctl cannot restart, and processes
 * outside any unit are listed by PID and command line.
 */
#ifndef HEARTCHECK_LOCAL_UNITS_H
#define HEARTCHECK_LOCAL_UNITS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct proc_info;

/* Pure: from the contents of /proc/PID/cgroup (v1 or v2), the systemd
 * unit that owns the process.  That is the outermost path component that
 * names a unit (.service, .scope, .socket, .mount, .swap), so a user's
 * processes give "user@1000.service" or "session-3.scope" and a process
 * in a delegated subtree gives its service.  A service run by a user's
 * own manager gives "user@1000.service/NAME.service": restarting the
 * manager would end all of that user's services.  Across the lines of a v1
 * file a .service wins over other kinds.  Returns 0 and fills unit
 * (NUL-terminated), or -1 when there is none or it does not fit.
 * Fuzzed. */
int cgroup_unit(const char *buf, size_t len, char *unit, size_t cap);

/* Pure: a short hint naming the container a process runs in, from its
 * cgroup contents: "docker 0123456789ab", "podman ...", "kubernetes pod
 * ...", "lxc NAME", ...  Returns 0 and fills out, or -1 when the cgroup
 * path does not say. */
int cgroup_container_hint(const char *buf, size_t len, char *out,
    size_t cap);

/* 1 when a restart by name makes sense for this unit. */
int unit_is_restartable(const char *unit);

/* The command that restarts unit: "systemctl restart nginx.service", or
 * for "user@1000.service/app.service" "systemctl --user -M 1000@ restart
 * app.service".  Returns 0, or -1 when the unit cannot be restarted by
 * name or out is too small. */
int unit_restart_command(const char *unit, char *out, size_t cap);

struct restart_plan;

/* A process the plan lists by PID rather than by unit. */
struct restart_loose {
	pid_t pid;
	unsigned why;          /* union of its libraries' enum restart_why */
	char comm[64];
	char cmdline[512];
	char unit[256];        /* a scope or other unit that cannot restart */
	char container[128];
};

/* Returns NULL when out of memory. */
struct restart_plan *restart_plan_new(void);

/* Adds p when any of its libraries has a non-zero why; others are
 * ignored.  Returns 0, 1 when ignored, or -1 when out of memory. */
int restart_plan_add(struct restart_plan *rp, const struct proc_info *p);

/* The restartable units, in the order first seen, with how many processes
 * each holds.  The arrays stay valid until the next add or free. */
size_t restart_plan_units(const struct restart_plan *rp,
    const char ***names, const unsigned **counts);

/* The processes listed by PID, in the order added. */
size_t restart_plan_loose(const struct restart_plan *rp,
    const struct restart_loose **procs);

/* Prints the advice: "systemctl restart nginx.service" once per unit, then
 * one line per loose process. */
void restart_plan_print(const struct restart_plan *rp, FILE *out);

void restart_plan_free(struct restart_plan *rp);

#endif
