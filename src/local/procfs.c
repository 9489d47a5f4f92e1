/*
 * Reading /proc/PID/<file> below a procroot.  See procfs.h.
 */
#include "local/procfs.h"
#include "local/safeopen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Opens procfd's PID/FILE, or returns a negative errno. */
static int open_pid_file(int procfd, const char *pid, const char *file)
{
	char rel[128];
	int n, fd;

	n = snprintf(rel, sizeof(rel), "%s/%s", pid, file);
	if (n < 0 || (size_t)n >= sizeof(rel))
		return -ENAMETOOLONG;
	if ((fd = safe_open_regular(procfd, rel, 0, NULL)) < 0)
		return -errno;
	return fd;
}

ssize_t procfs_read(int procfd, const char *pid, const char *file, char *buf,
    size_t cap)
{
	size_t len = 0;
	int fd;

	buf[0] = '\0';
	if ((fd = open_pid_file(procfd, pid, file)) < 0)
		return fd;
	while (len + 1 < cap) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

ssize_t procfs_read_all(int procfd, const char *pid, const char *file,
    size_t max, char **buf, size_t *cap)
{
	size_t len = 0;
	int fd, r;

	if ((fd = open_pid_file(procfd, pid, file)) < 0)
		return fd;
	for (;;) {
		ssize_t n;

		if (len == *cap) {
			size_t ncap = *cap ? *cap * 2 : 65536;
			char *nb;

			if (ncap > max) {
				r = -EFBIG;
				goto fail;
			}
			if ((nb = realloc(*buf, ncap)) == NULL) {
				r = -ENOMEM;
				goto fail;
			}
			*buf = nb;
			*cap = ncap;
		}
		n = read(fd, *buf + len, *cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	return (ssize_t)len;
fail:
	close(fd);
	return r;
}

ssize_t procfs_comm(int procfd, const char *pid, char *out, size_t cap)
{
	ssize_t n = procfs_read(procfd, pid, "comm", out, cap);

	if (n < 0)
		return n;
	out[strcspn(out, "\n")] = '\0';
	return (ssize_t)strlen(out);
}
