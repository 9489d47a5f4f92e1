/*
 * Locks down the current process before it runs untrusted code: privileges
 * dropped to an unprivileged user (sandbox_drop_privileges), then, in
 * OpenSSH's order, resource limits, no_new_privs, Landlock where the kernel
 * has it (sandbox_landlock), and a seccomp allow-list.
 *
 * What stays allowed after sandbox_lock(): reading and writing fds that are
 * already open, memory management, futexes, clocks, getrandom, fstat, opening
 * existing files read-only, fcntl on fd and status flags only, reading our
 * own rlimits, signals to ourselves (so abort() still dies by SIGABRT), and
 * exit.  Everything else fails with EPERM: sockets, connect,
 * opening files for writing or creating them, execve, fork and clone, ptrace,
 * and so on.  Syscalls of a foreign architecture (i386, x32) kill the process.
 */
#ifndef HEARTCHECK_LOCAL_SANDBOX_H
#define HEARTCHECK_LOCAL_SANDBOX_H

#include <sys/resource.h>

struct sandbox_limits {
	/* Address space the process may still add to what it has mapped now
	 * (a headroom, not an absolute cap, so that sanitizer shadow memory
	 * reserved at start-up does not count); 0 leaves RLIMIT_AS alone. */
	rlim_t as_bytes;
	rlim_t cpu_seconds; /* 0 leaves RLIMIT_CPU alone */
	rlim_t nofile; /* 0 leaves RLIMIT_NOFILE alone */
};

/* Step 1: RLIMIT_AS, RLIMIT_CPU, RLIMIT_NOFILE from lim, and RLIMIT_FSIZE,
 * RLIMIT_NPROC and RLIMIT_CORE set to 0.  Returns 0 or -errno. */
int sandbox_limit(const struct sandbox_limits *lim);

/* Steps 2 and 3: PR_SET_NO_NEW_PRIVS, then the seccomp filter.  Call it
 * before dlopen(), so that the library's constructors already run locked
 * down; the loader only needs read-only opens and mmap, which stay
 * allowed.  Returns 0 or -errno. */
int sandbox_lock(void);

/*
 * Drops every privilege before untrusted code runs: supplementary groups
 * cleared, then real, effective and saved gid and uid set to the
 * unprivileged account (`nobody`, looked up before the drop, else 65534),
 * and a check that uid 0 cannot be regained.  A process that is not root
 * keeps its own unprivileged ids.  Returns 0 or -errno.
 */
int sandbox_drop_privileges(void);

/*
 * Landlock, where the kernel has it (an extra layer, never required): from
 * now on files may be opened only below the paths in ro (read and map;
 * directories for the loader's search, single files such as
 * /etc/ld.so.cache), besides anonymous files (memfd) already open.
 * Writing, creating, removing or renaming anything is refused everywhere.
 * Needs no_new_privs first.  Returns 1 when enforced, 0 when the kernel
 * has no Landlock, or -errno.
 */
int sandbox_landlock(const char *const *ro);

/* All three steps at once.  Returns 0 or a negative errno-style code. */
int sandbox_enter(const struct sandbox_limits *lim);

#endif
