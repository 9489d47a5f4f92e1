/*
 * Non-blocking, regular-file-only opens of untrusted paths.  See
 * safeopen.h for the contract.
 */
#include "local/safeopen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *safe_file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFLNK:
		return "a symbolic link";
	}
	return "a special file";
}

int safe_open_regular(int dirfd, const char *path, int extra_flags,
    struct stat *st)
{
	struct stat tmp, *sp = st != NULL ? st : &tmp;
	int fd, fl;

	memset(sp, 0, sizeof(*sp));
	/* A look first, so that devices are never opened at all. */
	if (fstatat(dirfd, path, sp,
		(extra_flags & O_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0) == 0 &&
	    !S_ISREG(sp->st_mode)) {
		errno = SAFE_ENOTREG;
		return -1;
	}
	fd = openat(dirfd, path,
	    O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | extra_flags);
	if (fd < 0)
		return -1;
	if (fstat(fd, sp) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	/* Swapped in after the look: refuse it without ever reading. */
	if (!S_ISREG(sp->st_mode)) {
		close(fd);
		errno = SAFE_ENOTREG;
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) >= 0)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

const char *safe_open_why(int err, const struct stat *st, char *buf, size_t cap)
{
	if (err == SAFE_ENOTREG && st != NULL && st->st_mode != 0)
		snprintf(buf, cap, "%s, not a regular file",
		    safe_file_kind(st->st_mode));
	else if (err == SAFE_ENOTREG)
		snprintf(buf, cap, "not a regular file");
	else if (err == ELOOP)
		snprintf(buf, cap,
		    "a symbolic link loop (or a link where none "
		    "may be)");
	else
		snprintf(buf, cap, "cannot be opened: %s", strerror(err));
	return buf;
}

int safe_read_fd(int fd, size_t cap, uint8_t **out, size_t *n, int *truncated)
{
	uint8_t *buf = NULL, *nb;
	size_t have = 0, size = 0;
	ssize_t got;
	int e;

	*out = NULL;
	*n = 0;
	if (truncated != NULL)
		*truncated = 0;
	for (;;) {
		if (have == size) {
			size_t ns = size == 0 ? 65536 : size * 2;

			if (size >= cap) {
				char c;

				/* One more byte says whether it was cut. */
				if (truncated != NULL && read(fd, &c, 1) == 1)
					*truncated = 1;
				break;
			}
			if (ns > cap)
				ns = cap;
			if ((nb = realloc(buf, ns + 1)) == NULL) {
				free(buf);
				errno = ENOMEM;
				return -1;
			}
			buf = nb;
			size = ns;
		}
		got = read(fd, buf + have, size - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			e = errno;
			free(buf);
			errno = e;
			return -1;
		}
		if (got == 0)
			break;
		have += (size_t)got;
	}
	if (buf == NULL && (buf = malloc(1)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	buf[have] = 0;
	*out = buf;
	*n = have;
	return 0;
}
