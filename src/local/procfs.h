/*
 * Reading /proc/PID/<file> below a procroot that the caller opened.
 *
 * The procroot is /proc, or a fake tree in the tests; either way what it
 * holds is untrusted (a process names its own comm, and a fake tree may put
 * a FIFO anywhere), so every file is opened through safe_open_regular() and
 * read with a bound.
 */
#ifndef HEARTCHECK_LOCAL_PROCFS_H
#define HEARTCHECK_LOCAL_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

/* Reads at most cap - 1 bytes of procfd's PID/FILE (pid is the directory
 * entry's name) into buf and NUL-terminates them.  Returns the length, or
 * a negative errno (-SAFE_ENOTREG for a file that is not regular). */
ssize_t procfs_read(int procfd, const char *pid, const char *file, char *buf,
    size_t cap);

/* Reads all of procfd's PID/FILE into *buf, which grows (doubling from
 * 64 KiB) up to max bytes and may be reused across calls; *cap is its size.
 * Returns the length, or a negative errno: -EFBIG when the file does not
 * fit in max, -ENOMEM. */
ssize_t procfs_read_all(int procfd, const char *pid, const char *file,
    size_t max, char **buf, size_t *cap);

/* The process's name from PID/comm, without its newline; "" when it cannot
 * be read.  cap is at least 1.  Returns its length, or a negative errno. */
ssize_t procfs_comm(int procfd, const char *pid, char *out, size_t cap);

#endif
