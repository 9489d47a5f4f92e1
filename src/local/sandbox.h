/*
 * Locks down the current process before it runs untrusted code, in
 * OpenSSH's order: resource limits, then no_new_privs, then a seccomp
 * allow-list.
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
	rlim_t nofile;      /* 0 leaves RLIMIT_NOFILE alone */
};

/* Step 1: RLIMIT_AS, RLIMIT_CPU, RLIMIT_NOFILE from lim, and RLIMIT_FSIZE,
 * RLIMIT_NPROC and RLIMIT_CORE set to 0.  Returns 0 or -errno. */
int sandbox_limit(const struct sandbox_limits *lim);

/* Steps 2 and 3: PR_SET_NO_NEW_PRIVS, then the seccomp filter.  Call it
 * before dlopen(), so that the library's constructors already run locked
 * down; the loader only needs read-only opens and mmap, which stay
 * allowed.  Returns 0 or -errno. */
int sandbox_lock(void);

/* All three steps at once.  Returns 0 or a negative errno-style code. */
int sandbox_enter(const struct sandbox_limits *lim);

#endif
