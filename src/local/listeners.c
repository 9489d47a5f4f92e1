/*
 * Listening TCP sockets from /proc/net/tcp{,6}, unconnected UDP sockets
 * from /proc/net/udp{,6}, and their owning processes.
 * See listeners.h for the contract.
 */
#include "local/listeners.h"

#include "local/libfind.h"
#include "local/procfs.h"
#include "local/safeopen.h"
#include "util/ascii.h"
#include "util/lines.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A host with a million sockets prints about 150 MiB; stop well past it. */
#define NET_TCP_READ_CAP (256u << 20)
#define TCP_LISTEN 0x0A
/* An unconnected UDP socket: the kernel prints TCP_CLOSE for it. */
#define UDP_UNCONNECTED 0x07
#define MAX_FIELDS 10

struct field {
	const char *p;
	size_t n;
};

/* Parses exactly n (at most 8) hex digits. */
static int hex_u32(const char *p, size_t n, uint32_t *v)
{
	uint32_t r = 0;
	size_t i;
	int h;

	if (n == 0 || n > 8)
		return -1;
	for (i = 0; i < n; i++) {
		if ((h = hex_value(p[i])) < 0)
			return -1;
		r = r << 4 | (uint32_t)h;
	}
	*v = r;
	return 0;
}

static int dec_u64(const char *p, size_t n, uint64_t *v)
{
	uint64_t r = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned d;

		if (!is_digit(p[i]))
			return -1;
		d = (unsigned)(p[i] - '0');
		if (r > (UINT64_MAX - d) / 10)
			return -1;
		r = r * 10 + d;
	}
	*v = r;
	return 0;
}

/*
 * Parses "ADDR:PORT".  The kernel prints each 32-bit word of the address
 * with %08X of the word as it sits in memory, so storing the parsed word
 * back in host order restores the network-order bytes.
 */
static int parse_endpoint(const struct field *f, int family, struct listener *l)
{
	size_t words = family == AF_INET ? 1 : 4, i;
	uint32_t w, port;

	if (f->n != words * 8 + 5 || f->p[words * 8] != ':')
		return -1;
	for (i = 0; i < words; i++) {
		if (hex_u32(f->p + i * 8, 8, &w) != 0)
			return -1;
		memcpy(l->addr + i * 4, &w, 4);
	}
	if (hex_u32(f->p + words * 8 + 1, 4, &port) != 0)
		return -1;
	l->port = (uint16_t)port;
	return 0;
}

/* Splits one line into at most max blank-separated fields. */
static size_t split(const char *p, size_t n, struct field *f, size_t max)
{
	size_t i = 0, nf = 0;

	while (i < n && nf < max) {
		while (i < n && is_hspace(p[i]))
			i++;
		if (i == n)
			break;
		f[nf].p = p + i;
		while (i < n && !is_hspace(p[i]))
			i++;
		f[nf].n = (size_t)(p + i - f[nf].p);
		nf++;
	}
	return nf;
}

/* Returns 1 for a listener, 0 for another socket, -1 for a bad line. */
static int parse_line(const char *p, size_t n, int family, int udp,
    struct listener *l)
{
	static const uint8_t zero[16];
	struct field f[MAX_FIELDS];
	struct listener tmp, rem;
	uint32_t st;
	size_t nf = split(p, n, f, MAX_FIELDS);

	if (nf < MAX_FIELDS)
		return -1;
	if (f[0].n < 2 || f[0].p[f[0].n - 1] != ':')
		return -1;
	memset(&tmp, 0, sizeof(tmp));
	memset(&rem, 0, sizeof(rem));
	tmp.family = family;
	tmp.udp = udp;
	if (parse_endpoint(&f[2], family, &rem) != 0 ||
	    parse_endpoint(&f[1], family, &tmp) != 0)
		return -1;
	if (f[3].n != 2 || hex_u32(f[3].p, 2, &st) != 0)
		return -1;
	if (dec_u64(f[9].p, f[9].n, &tmp.inode) != 0)
		return -1;
	if (!udp && st != TCP_LISTEN)
		return 0;
	/* A UDP server waits on a bound port, connected to no peer. */
	if (udp &&
	    (st != UDP_UNCONNECTED || tmp.port == 0 || rem.port != 0 ||
		memcmp(rem.addr, zero, family == AF_INET ? 4 : 16) != 0))
		return 0;
	*l = tmp;
	return 1;
}

static int net_parse(const char *buf, size_t len, int family, int udp,
    void (*cb)(void *ctx, const struct listener *l), void *ctx)
{
	struct listener l;
	struct field f[1];
	struct lines it;
	const char *line;
	size_t n;
	int count = 0, r;

	if (buf == NULL || (family != AF_INET && family != AF_INET6))
		return -1;
	lines_init(&it, buf, len, LINES_ANY_LENGTH);
	while (lines_next(&it, &line, &n) != LINES_END) {
		/* Blank lines and the column header carry no socket. */
		if (split(line, n, f, 1) == 0 ||
		    (f[0].n == 2 && memcmp(f[0].p, "sl", 2) == 0))
			continue;
		if ((r = parse_line(line, n, family, udp, &l)) < 0)
			return -1;
		if (r == 1) {
			if (count == INT_MAX)
				return -1;
			if (cb != NULL)
				cb(ctx, &l);
			count++;
		}
	}
	return count;
}

int proc_net_tcp_parse(const char *buf, size_t len, int family,
    void (*cb)(void *ctx, const struct listener *l), void *ctx)
{
	return net_parse(buf, len, family, 0, cb, ctx);
}

int proc_net_udp_parse(const char *buf, size_t len, int family,
    void (*cb)(void *ctx, const struct listener *l), void *ctx)
{
	return net_parse(buf, len, family, 1, cb, ctx);
}

struct lvec {
	struct listener *v;
	size_t n, cap;
	int nomem;
};

static void lvec_push(void *ctx, const struct listener *l)
{
	struct lvec *lv = ctx;
	struct listener *nv;

	if (lv->nomem)
		return;
	if (lv->n == lv->cap) {
		size_t nc = lv->cap == 0 ? 16 : lv->cap * 2;

		if ((nv = realloc(lv->v, nc * sizeof(*nv))) == NULL) {
			lv->nomem = 1;
			return;
		}
		lv->v = nv;
		lv->cap = nc;
	}
	lv->v[lv->n++] = *l;
}

static int read_table(const char *procroot, const char *name, int family,
    int udp, struct lvec *lv)
{
	char path[PATH_MAX];
	uint8_t *buf = NULL;
	size_t n;
	int r;

	if (snprintf(path, sizeof(path), "%s/net/%s", procroot, name) >=
	    (int)sizeof(path))
		return -1;
	if ((r = libfind_read_file(path, NET_TCP_READ_CAP, &buf, &n)) != 0)
		return r == LIBFIND_ERR_IO && errno == ENOENT &&
			(family == AF_INET6 || udp) ?
		    0 :
		    -1;
	/* A table cut at the cap ends mid-line; keep the whole lines. */
	if (n == NET_TCP_READ_CAP)
		n = lines_whole((const char *)buf, n);
	r = net_parse((const char *)buf, n, family, udp, lvec_push, lv);
	free(buf);
	if (r < 0 || lv->nomem)
		return -1;
	return 0;
}

static int by_inode(const void *a, const void *b)
{
	const struct listener *x = a, *y = b;

	return (x->inode > y->inode) - (x->inode < y->inode);
}

static int by_endpoint(const void *a, const void *b)
{
	const struct listener *x = a, *y = b;
	int c;

	if (x->udp != y->udp)
		return x->udp < y->udp ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if ((c = memcmp(x->addr, y->addr, sizeof(x->addr))) != 0)
		return c;
	return by_inode(a, b);
}

/* Parses "socket:[INODE]" link text. */
static int socket_inode(const char *link, size_t n, uint64_t *inode)
{
	if (n < 10 || memcmp(link, "socket:[", 8) != 0 || link[n - 1] != ']')
		return -1;
	return dec_u64(link + 8, n - 9, inode);
}

/* Gives every listener held by one process that pid, if it is lower. */
static void scan_pid_fds(const char *procroot, int procfd, const char *pidname,
    pid_t pid, struct lvec *lv)
{
	char path[PATH_MAX], link[64], comm[64];
	struct listener key, *hit;
	DIR *d;
	struct dirent *de;
	ssize_t k;
	int have_comm = 0;

	if (snprintf(path, sizeof(path), "%s/%s/fd", procroot, pidname) >=
		(int)sizeof(path) ||
	    (d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		k = readlinkat(dirfd(d), de->d_name, link, sizeof(link));
		if (k <= 0 || (size_t)k >= sizeof(link))
			continue;
		if (socket_inode(link, (size_t)k, &key.inode) != 0)
			continue;
		hit = bsearch(&key, lv->v, lv->n, sizeof(*lv->v), by_inode);
		if (hit == NULL)
			continue;
		/* A forked server shares its socket; name the parent, which
		 * usually has the lowest pid. */
		if (hit->pid != 0 && hit->pid < pid)
			continue;
		if (!have_comm) {
			procfs_comm(procfd, pidname, comm, sizeof(comm));
			have_comm = 1;
		}
		hit->pid = pid;
		memcpy(hit->comm, comm, sizeof(hit->comm));
	}
	closedir(d);
}

int listeners_scan(const char *procroot, struct listener **out, size_t *n)
{
	struct lvec lv = { NULL, 0, 0, 0 };
	DIR *d = NULL;
	struct dirent *de;
	int r = -1;

	*out = NULL;
	*n = 0;
	if (procroot == NULL)
		procroot = "/proc";
	if (read_table(procroot, "tcp", AF_INET, 0, &lv) != 0 ||
	    read_table(procroot, "tcp6", AF_INET6, 0, &lv) != 0 ||
	    read_table(procroot, "udp", AF_INET, 1, &lv) != 0 ||
	    read_table(procroot, "udp6", AF_INET6, 1, &lv) != 0)
		goto out;
	if (lv.n > 0) {
		qsort(lv.v, lv.n, sizeof(*lv.v), by_inode);
		/* Without a readable procroot the owners stay unknown. */
		if ((d = opendir(procroot)) != NULL) {
			while ((de = readdir(d)) != NULL) {
				uint64_t pid;

				if (dec_u64(de->d_name, strlen(de->d_name),
					&pid) != 0 ||
				    pid == 0 || pid > INT_MAX)
					continue;
				scan_pid_fds(procroot, dirfd(d), de->d_name,
				    (pid_t)pid, &lv);
			}
		}
		qsort(lv.v, lv.n, sizeof(*lv.v), by_endpoint);
	}
	*out = lv.v;
	*n = lv.n;
	lv.v = NULL;
	r = 0;
out:
	if (d != NULL)
		closedir(d);
	free(lv.v);
	return r;
}
