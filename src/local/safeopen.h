/*
 * Opening files named by untrusted sources: process maps, library
 * directories, process roots, ld.so.cache entries.
 *
 * Any user can put a FIFO, a device or a directory where a library is
 * expected, or swap one in between two of our looks.  A plain open() of a
 * FIFO blocks until a writer comes, so every such file is opened here:
 * non-blocking, close-on-exec, without a controlling terminal, checked with
 * fstat() to be a regular file, and read with a size bound.
 */
#ifndef HEARTCHECK_LOCAL_SAFEOPEN_H
#define HEARTCHECK_LOCAL_SAFEOPEN_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* errno after safe_open_regular() refused a file that is not regular: one
 * that open() never returns for a read-only open. */
#define SAFE_ENOTREG EMEDIUMTYPE

/*
 * Opens path (relative to dirfd when dirfd is not AT_FDCWD) read-only with
 * O_NONBLOCK | O_CLOEXEC | O_NOCTTY plus extra_flags (O_NOFOLLOW, for
 * instance), and checks with fstat() that it is a regular file; then clears
 * O_NONBLOCK again.  A file that is not regular is refused before it is
 * opened when stat already says so, and after it is opened otherwise, so a
 * FIFO swapped in between is never waited on.  Returns the fd with *st
 * filled (st may be NULL), or -1 with errno set: the open's own errno, or
 * SAFE_ENOTREG with *st describing what was found (when it could be
 * stat'ed).
 */
int safe_open_regular(int dirfd, const char *path, int extra_flags,
    struct stat *st);

/* "a FIFO", "a directory", "a socket", "a character device", "a block
 * device", "a symbolic link", "a regular file", "a special file". */
const char *safe_file_kind(mode_t mode);

/*
 * One sentence for why path cannot be a library, from the errno of a failed
 * safe_open_regular() or stat() (and *st when it was filled): "a FIFO, not a
 * regular file", "a symbolic link loop", ...  Writes into buf and returns it.
 */
const char *safe_open_why(int err, const struct stat *st, char *buf,
    size_t cap);

/*
 * Reads at most cap bytes of fd into a malloc'd buffer with one spare NUL
 * byte after the data (*n excludes it).  *truncated (may be NULL) is set
 * when the file had more.  Returns 0, or -1 with errno set (ENOMEM, or the
 * read's errno).
 */
int safe_read_fd(int fd, size_t cap, uint8_t **out, size_t *n, int *truncated);

#endif
