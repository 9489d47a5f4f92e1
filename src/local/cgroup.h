/*
 * Service names for processes, from their cgroup paths.
 *
 * The systemd unit that owns a process names what to restart; the
 * container it runs in says where.  Everything here is pure: it parses
 * the contents of /proc/PID/cgroup that the caller read.
 */
#ifndef HEARTCHECK_LOCAL_CGROUP_H
#define HEARTCHECK_LOCAL_CGROUP_H

#include <stddef.h>

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
int cgroup_container_hint(const char *buf, size_t len, char *out, size_t cap);

/* 1 when a restart by name makes sense for this unit. */
int unit_is_restartable(const char *unit);

/* The command that restarts unit: "systemctl restart nginx.service", or
 * for "user@1000.service/app.service" "systemctl --user -M 1000@ restart
 * app.service".  Returns 0, or -1 when the unit cannot be restarted by
 * name or out is too small. */
int unit_restart_command(const char *unit, char *out, size_t cap);

#endif
