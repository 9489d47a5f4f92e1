/*
 * Processes that must be restarted.  proc_scan walks a /proc tree, finds
 * every process that maps libssl or libcrypto, and says why each mapped
 * image needs a restart: the file was deleted, or the file now at that
 * path is not the one mapped.  "Deleted" is decided from the mapped inode
 * (its link count, through /proc/PID/map_files) where that can be read,
 * not from the text of the path: a file may be named "libssl.so.3
 * (deleted)" or contain a newline.  Whether the mapped image itself is
 * vulnerable is decided by the caller, which tests the exact copy through
 * /proc/PID/map_files/<start>-<end> (see proc_lib_map_file) and then sets
 * WHY_VULNERABLE.
 *
 * Only libssl and libcrypto mappings count.  Deleted temp files, memfd,
 * JNA and libffi mappings are never reported, because restart tools that
 * report them bury the real findings.
 */
#ifndef HEARTCHECK_LOCAL_PROCMAPS_H
#define HEARTCHECK_LOCAL_PROCMAPS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One line of /proc/PID/maps.  path points into the parsed line and is not
 * NUL-terminated; path_len excludes a trailing " (deleted)", which sets
 * deleted instead.  Anonymous mappings have path_len 0. */
struct map_line {
	uint64_t start, end, offset;
	char perms[5];
	unsigned dev_major, dev_minor;
	uint64_t inode;
	const char *path;
	size_t path_len;
	int deleted;
};

/* Pure parser of one /proc/PID/maps line; a trailing newline is allowed
 * but not needed.  Returns 0, or -1 when the line is malformed.  Fuzzed. */
int maps_parse_line(const char *line, size_t len, struct map_line *out);

/* 1 when the path names an OpenSSL libssl or libcrypto image: an absolute
 * path whose basename starts with "libssl.so", "libcrypto.so", "libssl-"
 * or "libcrypto-".  NSS's libssl3.so and memfd objects are not. */
int maps_is_tls_library(const char *path, size_t len);

enum restart_why {
	WHY_NONE = 0,
	WHY_DELETED = 1, /* the mapped file is gone from its path */
	WHY_REPLACED = 2, /* another file now lives at that path */
	WHY_VULNERABLE = 4, /* set by the caller after testing the image */
};

/* The per-process list of images grows as needed up to this hard bound (4
 * MiB of paths); a process that maps more has libs_dropped set and must be
 * reported as not fully examined, never as "no restart". */
#define PROC_MAX_LIBS 1024

struct proc_lib {
	char path[4096]; /* as in maps, without a " (deleted)" that marks
			  * a deleted file (kept when it is part of the
			  * name); newlines stay escaped as "\012" */
	uint64_t start, end; /* first mapping of this image */
	unsigned dev_major, dev_minor;
	uint64_t inode;
	unsigned why; /* bitmask of enum restart_why */
	int text_deleted; /* the maps line ended in " (deleted)" */
};

struct proc_info {
	pid_t pid;
	uid_t uid; /* owner of /proc/PID, (uid_t)-1 if unknown */
	char comm[64];
	char cmdline[512]; /* NULs turned into spaces, "..." when cut */
	char unit[256]; /* systemd unit, or "" */
	char container[128]; /* non-empty when the process has another root */
	int libs_dropped; /* images beyond PROC_MAX_LIBS that were seen;
			   * errmsg then says so */
	int unreadable; /* maps could not be read: reason in errmsg */
	char errmsg[128];
	int nlibs;
	struct proc_lib *libs; /* nlibs entries, owned by proc_scan: a caller
				* that keeps the process copies them */
	int libs_cap;
};

struct proc_scan_stats {
	unsigned processes, with_tls, unreadable;
	double seconds;
};

/* Scans procroot ("/proc" in production, a fake tree in tests) and calls
 * cb for every process that maps libssl or libcrypto, and for every
 * process whose maps could not be read.  Processes that exit during the
 * scan are skipped silently.  The proc_info passed to cb is only valid
 * during the call.  Returns 0, or a negative errno when procroot itself
 * cannot be read.  st may be NULL. */
int proc_scan(const char *procroot,
    void (*cb)(void *ctx, const struct proc_info *p), void *ctx,
    struct proc_scan_stats *st);

/* The systemd unit of one process, from procroot/PID/cgroup, read as
 * proc_scan reads it: for a process proc_scan did not keep (a listener's
 * owner that maps no libssl).  Returns 0, or -1 with unit "". */
int proc_unit(const char *procroot, pid_t pid, char *unit, size_t cap);

/* Writes "<procroot>/<pid>/map_files/<start>-<end>" into buf, the name
 * under which the exact mapped image can be opened (needs root).  Returns
 * 0, or -1 when buf is too small. */
int proc_lib_map_file(const char *procroot, pid_t pid,
    const struct proc_lib *lib, char *buf, size_t cap);

/* Short text for a why bitmask: "deleted", "replaced", "vulnerable",
 * "deleted,vulnerable", ...  Writes into buf and returns it. */
const char *restart_why_str(unsigned why, char *buf, size_t cap);

#endif
