/*
 * Processes that map libssl or libcrypto, and why they need a restart.
 * See procmaps.h for the contract.
 */
#include "local/procmaps.h"
#include "local/procfs.h"
#include "local/safeopen.h"
#include "local/cgroup.h"
#include "util/ascii.h"
#include "util/lines.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

/* A maps file larger than this is not a real process's; stop there rather
 * than let a hostile or broken tree exhaust memory. */
#define MAPS_MAX (64u << 20)

static const char DELETED_SUFFIX[] = " (deleted)";

/* Parses 1..maxd hex digits.  Returns the number of digits, or 0. */
static size_t parse_hex(const char *p, size_t n, size_t maxd, uint64_t *v)
{
	size_t i;
	uint64_t x = 0;

	for (i = 0; i < n && i < maxd + 1; i++) {
		int d = hex_value(p[i]);

		if (d < 0)
			break;
		x = (x << 4) | (unsigned)d;
	}
	if (i == 0 || i > maxd)
		return 0;
	*v = x;
	return i;
}

/* Parses 1..20 decimal digits without overflow.  Returns the number of
 * digits, or 0. */
static size_t parse_dec(const char *p, size_t n, uint64_t *v)
{
	size_t i;
	uint64_t x = 0;

	for (i = 0; i < n && is_digit(p[i]); i++) {
		unsigned d = (unsigned)(p[i] - '0');

		if (x > (UINT64_MAX - d) / 10)
			return 0;
		x = x * 10 + d;
	}
	if (i == 0)
		return 0;
	*v = x;
	return i;
}

int maps_parse_line(const char *line, size_t len, struct map_line *out)
{
	size_t pos = 0, k;
	uint64_t v;
	int i;

	if (line == NULL || out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	if (len > 0 && line[len - 1] == '\n')
		len--;

	if ((k = parse_hex(line, len, 16, &out->start)) == 0)
		return -1;
	pos += k;
	if (pos >= len || line[pos++] != '-')
		return -1;
	if ((k = parse_hex(line + pos, len - pos, 16, &out->end)) == 0)
		return -1;
	pos += k;
	if (out->end < out->start)
		return -1;
	if (pos >= len || line[pos++] != ' ')
		return -1;

	if (len - pos < 5)
		return -1;
	for (i = 0; i < 4; i++) {
		static const char allowed[4][2] = {
			{ 'r', '-' },
			{ 'w', '-' },
			{ 'x', '-' },
			{ 'p', 's' },
		};
		char c = line[pos + (size_t)i];

		if (c != allowed[i][0] && c != allowed[i][1])
			return -1;
		out->perms[i] = c;
	}
	out->perms[4] = '\0';
	pos += 4;
	if (line[pos++] != ' ')
		return -1;

	if ((k = parse_hex(line + pos, len - pos, 16, &out->offset)) == 0)
		return -1;
	pos += k;
	if (pos >= len || line[pos++] != ' ')
		return -1;

	/* Device numbers: the kernel allows 12-bit majors and 20-bit minors. */
	if ((k = parse_hex(line + pos, len - pos, 8, &v)) == 0 || v > 0xfff)
		return -1;
	out->dev_major = (unsigned)v;
	pos += k;
	if (pos >= len || line[pos++] != ':')
		return -1;
	if ((k = parse_hex(line + pos, len - pos, 8, &v)) == 0 || v > 0xfffff)
		return -1;
	out->dev_minor = (unsigned)v;
	pos += k;
	if (pos >= len || line[pos++] != ' ')
		return -1;

	if ((k = parse_dec(line + pos, len - pos, &out->inode)) == 0)
		return -1;
	pos += k;

	/* The path column is padded with spaces; anonymous mappings have no
	 * path, and older kernels leave one trailing space there. */
	out->path = line + len;
	out->path_len = 0;
	if (pos == len)
		return 0;
	if (line[pos] != ' ')
		return -1;
	while (pos < len && line[pos] == ' ')
		pos++;
	out->path = line + pos;
	out->path_len = len - pos;

	k = sizeof(DELETED_SUFFIX) - 1;
	if (out->path_len > k &&
	    memcmp(out->path + out->path_len - k, DELETED_SUFFIX, k) == 0) {
		out->path_len -= k;
		out->deleted = 1;
	}
	return 0;
}

static int has_prefix(const char *p, size_t n, const char *pre)
{
	size_t k = strlen(pre);

	return n >= k && memcmp(p, pre, k) == 0;
}

int maps_is_tls_library(const char *path, size_t len)
{
	const char *base;
	size_t blen;

	if (path == NULL || len < 2 || path[0] != '/')
		return 0;
	/* memfd objects look like "/memfd:NAME", and NAME may contain
	 * slashes; they are never a library on disk. */
	if (has_prefix(path, len, "/memfd:"))
		return 0;
	base = memrchr(path, '/', len);
	base++;
	blen = len - (size_t)(base - path);
	return has_prefix(base, blen, "libssl.so") ||
	    has_prefix(base, blen, "libcrypto.so") ||
	    has_prefix(base, blen, "libssl-") ||
	    has_prefix(base, blen, "libcrypto-");
}

int proc_lib_map_file(const char *procroot, pid_t pid,
    const struct proc_lib *lib, char *buf, size_t cap)
{
	int n;

	n = snprintf(buf, cap, "%s/%d/map_files/%llx-%llx", procroot, (int)pid,
	    (unsigned long long)lib->start, (unsigned long long)lib->end);
	return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

const char *restart_why_str(unsigned why, char *buf, size_t cap)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ WHY_DELETED, "deleted" },
		{ WHY_REPLACED, "replaced" },
		{ WHY_VULNERABLE, "vulnerable" },
	};
	size_t i, used = 0;

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int n;

		if (!(why & names[i].bit))
			continue;
		n = snprintf(buf + used, cap - used, "%s%s", used ? "," : "",
		    names[i].name);
		if (n < 0 || (size_t)n >= cap - used) {
			/* Keep whole names only. */
			buf[used] = '\0';
			break;
		}
		used += (size_t)n;
	}
	return buf;
}

/* State shared by one scan; nothing here outlives proc_scan. */
struct scan {
	int procfd;
	const char *procroot;
	char *buf; /* reused for every maps file */
	size_t cap;
	struct stat self_root;
	int have_self_root;
};

static void format_cmdline(char *raw, size_t n, char *out, size_t cap)
{
	size_t i, keep;

	for (i = 0; i < n; i++)
		if (raw[i] == '\0' || raw[i] == '\n')
			raw[i] = ' ';
	while (n > 0 && raw[n - 1] == ' ')
		n--;
	if (n < cap) {
		memcpy(out, raw, n);
		out[n] = '\0';
		return;
	}
	keep = cap - 4;
	memcpy(out, raw, keep);
	memcpy(out + keep, "...", 4);
}

/* Records one TLS library mapping, once per image.  The list grows up to
 * PROC_MAX_LIBS; past that, images are counted in libs_dropped. */
static void add_lib(struct proc_info *pi, const struct map_line *ml)
{
	struct proc_lib *lib;
	int i;

	if (ml->path_len >= sizeof(lib->path) - (sizeof(DELETED_SUFFIX) - 1)) {
		pi->libs_dropped++;
		return;
	}
	for (i = 0; i < pi->nlibs; i++) {
		lib = &pi->libs[i];
		if (lib->inode == ml->inode &&
		    lib->dev_major == ml->dev_major &&
		    lib->dev_minor == ml->dev_minor &&
		    strlen(lib->path) == ml->path_len &&
		    memcmp(lib->path, ml->path, ml->path_len) == 0)
			return;
	}
	if (pi->nlibs == PROC_MAX_LIBS) {
		pi->libs_dropped++;
		return;
	}
	if (pi->nlibs == pi->libs_cap) {
		int ncap = pi->libs_cap ? pi->libs_cap * 2 : 8;
		struct proc_lib *nv;

		if (ncap > PROC_MAX_LIBS)
			ncap = PROC_MAX_LIBS;
		if ((nv = realloc(pi->libs, (size_t)ncap * sizeof(*nv))) ==
		    NULL) {
			pi->libs_dropped++;
			return;
		}
		pi->libs = nv;
		pi->libs_cap = ncap;
	}
	lib = &pi->libs[pi->nlibs++];
	memset(lib, 0, sizeof(*lib));
	memcpy(lib->path, ml->path, ml->path_len);
	lib->path[ml->path_len] = '\0';
	lib->start = ml->start;
	lib->end = ml->end;
	lib->dev_major = ml->dev_major;
	lib->dev_minor = ml->dev_minor;
	lib->inode = ml->inode;
	lib->text_deleted = ml->deleted;
	lib->why = ml->deleted ? WHY_DELETED : WHY_NONE;
}

/* Finds the TLS library lines in a maps buffer.  Most lines are skipped
 * by two memmem searches, so the per-process cost is the kernel's, not
 * ours. */
static void collect_libs(struct proc_info *pi, const char *buf, size_t len)
{
	static const char *const needles[2] = { "/libssl", "/libcrypto" };
	const char *next[2] = { NULL, NULL };
	struct lines it;
	int i;

	lines_init(&it, buf, len, LINES_ANY_LENGTH);
	for (i = 0; i < 2; i++)
		next[i] = memmem(buf, len, needles[i], strlen(needles[i]));
	while (next[0] != NULL || next[1] != NULL) {
		const char *hit, *ls;
		size_t ln;
		struct map_line ml;

		if (next[0] == NULL)
			hit = next[1];
		else if (next[1] == NULL)
			hit = next[0];
		else
			hit = next[0] < next[1] ? next[0] : next[1];
		/* The line that holds the hit, then on past it. */
		lines_seek(&it, hit);
		if (lines_next(&it, &ls, &ln) == LINES_END)
			break;
		if (maps_parse_line(ls, ln, &ml) == 0 &&
		    maps_is_tls_library(ml.path, ml.path_len))
			add_lib(pi, &ml);
		for (i = 0; i < 2; i++) {
			if (next[i] != NULL && next[i] < it.p)
				next[i] = memmem(it.p, it.n, needles[i],
				    strlen(needles[i]));
		}
	}
}

/* stat() of path below the process's root; when that fails and the kernel
 * escaped a newline as "\012", of the unescaped name too. */
static int stat_in_root(struct scan *s, const char *pidname, const char *path,
    struct stat *st)
{
	char rel[4096 + 64], un[4096];
	const char *p;
	size_t o = 0;
	int n;

	n = snprintf(rel, sizeof(rel), "%s/root%s", pidname, path);
	if (n < 0 || (size_t)n >= sizeof(rel)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (fstatat(s->procfd, rel, st, 0) == 0)
		return 0;
	if (strstr(path, "\\012") == NULL)
		return -1;
	for (p = path; *p != '\0' && o + 1 < sizeof(un);) {
		if (strncmp(p, "\\012", 4) == 0) {
			un[o++] = '\n';
			p += 4;
		} else {
			un[o++] = *p++;
		}
	}
	un[o] = '\0';
	n = snprintf(rel, sizeof(rel), "%s/root%s", pidname, un);
	if (n < 0 || (size_t)n >= sizeof(rel)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return fstatat(s->procfd, rel, st, 0);
}

/*
 * Decides whether a mapped file was deleted or replaced.
 *
 * With /proc/PID/map_files readable (root), the mapped inode decides: a
 * link count of 0 means deleted, whatever the text of the path says, and a
 * still-linked image needs a restart only when the path through the
 * process's own root names another file.  A " (deleted)" at the end of the
 * text is part of the name when the name with it is the mapped inode, and a
 * "\012" may be an escaped newline.  Device numbers in maps come from the
 * superblock, which on btrfs and overlayfs differ from what stat reports, so
 * both sides of the comparison come from stat here.
 *
 * Without map_files, the text and the inode number in maps decide, as well
 * as they can.
 */
static void check_replaced(struct scan *s, const char *pidname,
    struct proc_lib *lib)
{
	char rel[4096 + 64];
	struct stat now, mapped;
	int n;

	n = snprintf(rel, sizeof(rel), "%s/map_files/%llx-%llx", pidname,
	    (unsigned long long)lib->start, (unsigned long long)lib->end);
	if (n > 0 && (size_t)n < sizeof(rel) &&
	    fstatat(s->procfd, rel, &mapped, 0) == 0) {
		lib->why &= ~(unsigned)(WHY_DELETED | WHY_REPLACED);
		if (mapped.st_nlink == 0) {
			lib->why |= WHY_DELETED;
			return;
		}
		/* Still linked, yet marked: either the name really ends in
		 * " (deleted)", or the mapped name was unlinked while another
		 * link keeps the inode (a dpkg upgrade of a hard-linked file).
		 */
		if (lib->text_deleted) {
			char full[sizeof(lib->path)];
			size_t k = strlen(lib->path);

			memcpy(full, lib->path, k);
			memcpy(full + k, DELETED_SUFFIX,
			    sizeof(DELETED_SUFFIX));
			if (stat_in_root(s, pidname, full, &now) == 0 &&
			    now.st_ino == mapped.st_ino &&
			    now.st_dev == mapped.st_dev) {
				memcpy(lib->path, full, sizeof(full));
				lib->text_deleted = 0;
			} else {
				lib->why |= WHY_DELETED;
			}
			return;
		}
		/* A path that leads nowhere in the process's root is a
		 * deleted name, as without map_files; one that leads to
		 * another file is a replaced one. */
		if (stat_in_root(s, pidname, lib->path, &now) != 0)
			lib->why |= errno == ENOENT || errno == ENOTDIR ?
			    WHY_DELETED :
			    WHY_REPLACED;
		else if (now.st_ino != mapped.st_ino ||
		    now.st_dev != mapped.st_dev)
			lib->why |= WHY_REPLACED;
		return;
	}

	if (lib->why & WHY_DELETED)
		return;
	if (stat_in_root(s, pidname, lib->path, &now) != 0) {
		struct stat root;

		/* A process that exits mid-scan loses its root as well, and
		 * then the path says nothing about the file. */
		snprintf(rel, sizeof(rel), "%s/root/", pidname);
		if ((errno == ENOENT || errno == ENOTDIR) &&
		    fstatat(s->procfd, rel, &root, 0) == 0)
			lib->why |= WHY_DELETED;
		return;
	}
	if ((uint64_t)now.st_ino == lib->inode &&
	    major(now.st_dev) == lib->dev_major &&
	    minor(now.st_dev) == lib->dev_minor)
		return;
	/* Without map_files (not root), a live mapped inode cannot share its
	 * number with another file on the same filesystem, so the inode alone
	 * decides. */
	if ((uint64_t)now.st_ino != lib->inode)
		lib->why |= WHY_REPLACED;
}

/* Reads PID/cgroup under dirfd into raw and names its systemd unit in
 * unit ("" when none).  Returns the bytes read, or a negative errno. */
static ssize_t read_unit(int dirfd, const char *pidname, char *raw, size_t cap,
    char *unit, size_t ucap)
{
	ssize_t n = procfs_read(dirfd, pidname, "cgroup", raw, cap);

	if (n <= 0 || cgroup_unit(raw, (size_t)n, unit, ucap) != 0)
		unit[0] = '\0';
	return n;
}

int proc_unit(const char *procroot, pid_t pid, char *unit, size_t cap)
{
	char pidname[24], raw[4096];
	int dirfd, ret = -1;

	unit[0] = '\0';
	if (pid <= 0)
		return -1;
	if ((dirfd = open(procroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	snprintf(pidname, sizeof(pidname), "%d", (int)pid);
	if (read_unit(dirfd, pidname, raw, sizeof(raw), unit, cap) > 0)
		ret = 0;
	close(dirfd);
	return ret;
}

/* Fills the descriptive fields: owner, names, unit and container. */
static void describe(struct scan *s, const char *pidname, struct proc_info *pi)
{
	char rel[64], raw[4096];
	struct stat st;
	ssize_t n;

	if (fstatat(s->procfd, pidname, &st, 0) == 0)
		pi->uid = st.st_uid;
	procfs_comm(s->procfd, pidname, pi->comm, sizeof(pi->comm));
	if ((n = procfs_read(s->procfd, pidname, "cmdline", raw, sizeof(raw))) >
	    0)
		format_cmdline(raw, (size_t)n, pi->cmdline,
		    sizeof(pi->cmdline));
	n = read_unit(s->procfd, pidname, raw, sizeof(raw), pi->unit,
	    sizeof(pi->unit));
	snprintf(rel, sizeof(rel), "%s/root", pidname);
	if (s->have_self_root && fstatat(s->procfd, rel, &st, 0) == 0 &&
	    (st.st_dev != s->self_root.st_dev ||
		st.st_ino != s->self_root.st_ino)) {
		if (n <= 0 ||
		    cgroup_container_hint(raw, (size_t)n, pi->container,
			sizeof(pi->container)) != 0)
			snprintf(pi->container, sizeof(pi->container),
			    "pid %d's root", (int)pi->pid);
	}
}

static int pid_name(const char *name, pid_t *pid)
{
	long v = 0;
	const char *p;

	/* Leading zeros would name the same process twice. */
	if (*name == '\0' || *name == '0')
		return -1;
	for (p = name; *p; p++) {
		if (!is_digit(*p) || v > 99999999)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v <= 0)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int proc_scan(const char *procroot,
    void (*cb)(void *ctx, const struct proc_info *p), void *ctx,
    struct proc_scan_stats *st)
{
	struct scan s;
	struct proc_scan_stats local;
	struct proc_info *pi = NULL;
	struct dirent *de;
	DIR *dir = NULL;
	double t0 = now_seconds();
	int r = 0, i;

	memset(&s, 0, sizeof(s));
	memset(&local, 0, sizeof(local));
	s.procroot = procroot;
	s.procfd = open(procroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.procfd < 0) {
		r = -errno;
		goto out;
	}
	if ((dir = opendir(procroot)) == NULL) {
		r = -errno;
		goto out;
	}
	/* Our own root is the reference: a process with another root lives
	 * in a container or chroot.  A fake tree without "self" is compared
	 * against "/". */
	if (fstatat(s.procfd, "self/root", &s.self_root, 0) == 0 ||
	    stat("/", &s.self_root) == 0)
		s.have_self_root = 1;
	if ((pi = calloc(1, sizeof(*pi))) == NULL) {
		r = -ENOMEM;
		goto out;
	}

	while ((de = readdir(dir)) != NULL) {
		char rel[64], name[16];
		pid_t pid;
		ssize_t n;

		if (pid_name(de->d_name, &pid) != 0)
			continue;
		snprintf(name, sizeof(name), "%d", (int)pid);
		snprintf(rel, sizeof(rel), "%s/maps", name);
		n = procfs_read_all(s.procfd, name, "maps", MAPS_MAX, &s.buf,
		    &s.cap);
		/* The process exited between readdir and open. */
		if (n == -ENOENT || n == -ESRCH)
			continue;
		local.processes++;
		{
			struct proc_lib *keep = pi->libs;
			int keep_cap = pi->libs_cap;

			memset(pi, 0, sizeof(*pi));
			pi->libs = keep;
			pi->libs_cap = keep_cap;
		}
		pi->pid = pid;
		pi->uid = (uid_t)-1;
		if (n < 0) {
			pi->unreadable = 1;
			snprintf(pi->errmsg, sizeof(pi->errmsg),
			    "cannot read %s/%s: %s", procroot, rel,
			    n == -SAFE_ENOTREG ? "not a regular file" :
						 strerror((int)-n));
			local.unreadable++;
			describe(&s, name, pi);
			if (cb)
				cb(ctx, pi);
			continue;
		}
		collect_libs(pi, s.buf, (size_t)n);
		if (pi->nlibs == 0 && pi->libs_dropped == 0)
			continue;
		if (pi->libs_dropped)
			snprintf(pi->errmsg, sizeof(pi->errmsg),
			    "maps %d more "
			    "libssl/libcrypto images than the %d examined",
			    pi->libs_dropped, pi->nlibs);
		for (i = 0; i < pi->nlibs; i++)
			check_replaced(&s, name, &pi->libs[i]);
		local.with_tls++;
		describe(&s, name, pi);
		if (cb)
			cb(ctx, pi);
	}

out:
	local.seconds = now_seconds() - t0;
	if (st)
		*st = local;
	if (pi)
		free(pi->libs);
	free(pi);
	free(s.buf);
	if (dir)
		closedir(dir);
	if (s.procfd >= 0)
		close(s.procfd);
	return r;
}
