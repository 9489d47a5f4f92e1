/*
 * Installed-package databases: pure parsers plus the scan that reads them.
 */
#include "local/pkgdb.h"
#include "local/safeopen.h"
#include "util/ascii.h"
#include "util/lines.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The status file of a large host is tens of MiB; this bounds a hostile
 * or corrupted one. */
#define PKGDB_FILE_MAX (256u << 20)
#define PKGDB_RPM_OUT_MAX (4u << 20)

struct field {
	char v[PKGDB_FIELD_MAX + 1];
	int set;
	int overflow;
};

static void field_set(struct field *f, const char *v, size_t n)
{
	while (n > 0 && is_hspace((unsigned char)*v)) {
		v++;
		n--;
	}
	while (n > 0 && is_hspace((unsigned char)v[n - 1]))
		n--;
	f->set = 1;
	if (n > PKGDB_FIELD_MAX || memchr(v, '\0', n)) {
		f->overflow = 1;
		f->v[0] = '\0';
		return;
	}
	f->overflow = 0;
	memcpy(f->v, v, n);
	f->v[n] = '\0';
}

/* --- dpkg --------------------------------------------------------------- */

enum { DF_PACKAGE, DF_VERSION, DF_ARCH, DF_STATUS, DF_COUNT };

struct dpkg_stanza {
	struct field f[DF_COUNT];
};

static int stanza_emit(struct dpkg_stanza *st, pkgdb_entry_cb cb, void *ctx)
{
	int k, ok = st->f[DF_PACKAGE].set && st->f[DF_PACKAGE].v[0];

	for (k = 0; k < DF_COUNT; k++)
		if (st->f[k].overflow)
			ok = 0;
	if (ok && cb)
		cb(ctx, st->f[DF_PACKAGE].v, st->f[DF_VERSION].v,
		    st->f[DF_ARCH].v, st->f[DF_STATUS].v);
	for (k = 0; k < DF_COUNT; k++) {
		st->f[k].set = 0;
		st->f[k].overflow = 0;
		st->f[k].v[0] = '\0';
	}
	return ok;
}

int dpkg_status_parse(const char *buf, size_t len, pkgdb_entry_cb cb, void *ctx)
{
	static const char *const names[DF_COUNT] = { "Package", "Version",
		"Architecture", "Status" };
	struct dpkg_stanza *st;
	struct lines it;
	const char *line;
	size_t ln;
	int count = 0;

	if (!buf && len)
		return -EINVAL;
	/* The stanza is about 1 KiB; keep it off small thread stacks. */
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	lines_init(&it, buf, len, LINES_ANY_LENGTH);
	while (lines_next(&it, &line, &ln) != LINES_END) {
		const char *colon;
		size_t k, blank = 1;

		for (k = 0; k < ln; k++)
			if (!is_hspace((unsigned char)line[k]))
				blank = 0;
		if (blank) {
			count += stanza_emit(st, cb, ctx);
			continue;
		}
		/* Continuation lines belong to multi-line fields (Description,
		 * Conffiles) that are not needed here. */
		if (line[0] == ' ' || line[0] == '\t' || line[0] == '#')
			continue;
		colon = memchr(line, ':', ln);
		if (!colon)
			continue;
		for (k = 0; k < DF_COUNT; k++) {
			size_t kl = strlen(names[k]);

			if ((size_t)(colon - line) == kl &&
			    strncasecmp(line, names[k], kl) == 0) {
				field_set(&st->f[k], colon + 1, ln - kl - 1);
				break;
			}
		}
	}
	count += stanza_emit(st, cb, ctx);
	free(st);
	return count;
}

/* --- apk ---------------------------------------------------------------- */

int apk_installed_parse(const char *buf, size_t len, pkgdb_entry_cb cb,
    void *ctx)
{
	struct dpkg_stanza *st;
	struct lines it;
	const char *line;
	size_t ln;
	int count = 0;

	if (!buf && len)
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	field_set(&st->f[DF_STATUS], "installed", 9);
	lines_init(&it, buf, len, LINES_ANY_LENGTH);
	while (lines_next(&it, &line, &ln) != LINES_END) {

		if (ln == 0 || (ln == 1 && line[0] == '\r')) {
			count += stanza_emit(st, cb, ctx);
			field_set(&st->f[DF_STATUS], "installed", 9);
			continue;
		}
		if (ln < 2 || line[1] != ':')
			continue;
		if (line[0] == 'P')
			field_set(&st->f[DF_PACKAGE], line + 2, ln - 2);
		else if (line[0] == 'V')
			field_set(&st->f[DF_VERSION], line + 2, ln - 2);
		else if (line[0] == 'A')
			field_set(&st->f[DF_ARCH], line + 2, ln - 2);
	}
	count += stanza_emit(st, cb, ctx);
	free(st);
	return count;
}

/* --- rpm ---------------------------------------------------------------- */

int rpm_qa_parse(const char *buf, size_t len, rpm_entry_cb cb, void *ctx)
{
	struct field *f;
	struct lines it;
	const char *line;
	size_t ln;
	int count = 0;

	if (!buf && len)
		return -EINVAL;
	f = calloc(5, sizeof(*f));
	if (!f)
		return -ENOMEM;
	lines_init(&it, buf, len, LINES_ANY_LENGTH);
	while (lines_next(&it, &line, &ln) != LINES_END) {
		size_t start = 0, k;
		int nf = 0, bad = 0;

		for (k = 0; k <= ln; k++) {
			if (k < ln && line[k] != '\t')
				continue;
			if (nf == 5) {
				bad = 1;
				break;
			}
			field_set(&f[nf], line + start, k - start);
			bad |= f[nf].overflow;
			nf++;
			start = k + 1;
		}
		if (bad || nf != 5 || !f[0].v[0] || !f[2].v[0])
			continue;
		if (cb)
			cb(ctx, f[0].v, f[1].v, f[2].v, f[3].v, f[4].v);
		count++;
	}
	free(f);
	return count;
}

/* --- release files ------------------------------------------------------ */

int redhat_release_parse(const char *buf, size_t len, struct os_release *out)
{
	static const struct {
		const char *prefix, *id;
	} known[] = {
		{ "Red Hat Enterprise Linux", "rhel" },
		{ "CentOS", "centos" },
		{ "Scientific Linux", "scientific" },
		{ "Fedora", "fedora" },
	};
	struct lines it;
	const char *rel;
	size_t k, n, i;

	if (!out || (!buf && len))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	/* The first line only. */
	lines_init(&it, buf, len, LINES_ANY_LENGTH);
	if (lines_next(&it, &buf, &n) == LINES_END)
		n = 0;
	for (k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		size_t pl = strlen(known[k].prefix);

		if (n >= pl && memcmp(buf, known[k].prefix, pl) == 0)
			break;
	}
	if (k == sizeof(known) / sizeof(known[0]))
		return -EINVAL;
	rel = memmem(buf, n, "release ", 8);
	if (!rel)
		return -EINVAL;
	rel += 8;
	for (i = 0; rel + i < buf + n && i + 1 < sizeof(out->version_id) &&
	     (is_digit((unsigned char)rel[i]) || rel[i] == '.');
	     i++)
		out->version_id[i] = rel[i];
	out->version_id[i] = '\0';
	if (i == 0)
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%s", known[k].id);
	snprintf(out->pretty, sizeof(out->pretty), "%.*s",
	    (int)(n < 127 ? n : 127), buf);
	return 0;
}

static void path_join(char *dst, size_t cap, const char *root, const char *rel)
{
	size_t rl = strlen(root);

	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	if (rl == 1 && root[0] == '/')
		rl = 0;
	snprintf(dst, cap, "%.*s/%s", (int)rl, root, rel);
}

/* Reads a whole file of at most max bytes into a fresh buffer. */
static int read_file(const char *path, size_t max, char **out, size_t *outlen)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, r = 0;

	*out = NULL;
	*outlen = 0;
	/* Under --root, an image's files are as untrusted as any user's. */
	fd = safe_open_regular(AT_FDCWD, path, 0, NULL);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap >= max) {
				r = -EFBIG;
				goto out;
			}
			cap = cap ? cap * 2 : 65536;
			if (cap > max)
				cap = max;
			if (!(nb = realloc(buf, cap))) {
				r = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*outlen = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return r;
}

int os_release_load(const char *root, struct os_release *out)
{
	static const char *const files[] = { "etc/os-release",
		"usr/lib/os-release" };
	char path[4096];
	char *buf;
	size_t len, k;
	int r;

	if (!root || !out)
		return -EINVAL;
	for (k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		path_join(path, sizeof(path), root, files[k]);
		if (read_file(path, 1u << 20, &buf, &len) == 0) {
			r = os_release_parse(buf, len, out);
			free(buf);
			return r;
		}
	}
	path_join(path, sizeof(path), root, "etc/redhat-release");
	if (read_file(path, 1u << 16, &buf, &len) == 0) {
		r = redhat_release_parse(buf, len, out);
		free(buf);
		if (r == 0)
			return 0;
	}
	memset(out, 0, sizeof(*out));
	return -ENOENT;
}

/* --- scan --------------------------------------------------------------- */

struct scan_ctx {
	const struct os_release *os;
	void (*cb)(void *ctx, const struct pkg_finding *f);
	void *ctx;
	int scheme;
	int count;
};

static void report(struct scan_ctx *sc, const char *name, const char *version,
    const char *arch)
{
	struct pkg_finding f;

	if (advisory_judge(sc->os, name, version, sc->scheme, &f) != 0)
		return;
	snprintf(f.arch, sizeof(f.arch), "%s", arch);
	if (sc->cb)
		sc->cb(sc->ctx, &f);
	sc->count++;
}

/* The third word of dpkg's Status field is the package state. */
static void on_dpkg(void *ctx, const char *name, const char *version,
    const char *arch, const char *status)
{
	struct scan_ctx *sc = ctx;
	const char *state = strrchr(status, ' ');
	struct pkg_finding f;

	state = state ? state + 1 : status;
	if (!advisory_pkg_relevant(name) || !version[0])
		return;
	/* These states leave no package files on disk. */
	if (strcmp(state, "not-installed") == 0 ||
	    strcmp(state, "config-files") == 0)
		return;
	if (strcmp(state, "half-installed") != 0) {
		report(sc, name, version, arch);
		return;
	}
	/* A half-installed package may hold the old files, the new ones or
	 * a mix, so its version says nothing reliable. */
	if (advisory_judge(sc->os, name, version, sc->scheme, &f) != 0)
		return;
	snprintf(f.arch, sizeof(f.arch), "%s", arch);
	f.verdict = PKG_UNKNOWN;
	f.confirmed = 0;
	snprintf(f.reason, sizeof(f.reason),
	    "package is half-installed, so its files may not match version "
	    "%.100s; "
	    "reinstall it or test the library itself",
	    version);
	if (sc->cb)
		sc->cb(sc->ctx, &f);
	sc->count++;
}

static void on_apk(void *ctx, const char *name, const char *version,
    const char *arch, const char *status)
{
	struct scan_ctx *sc = ctx;

	(void)status;
	if (advisory_pkg_relevant(name) && version[0])
		report(sc, name, version, arch);
}

static void on_rpm(void *ctx, const char *name, const char *epoch,
    const char *version, const char *release, const char *arch)
{
	struct scan_ctx *sc = ctx;
	char evr[3 * (PKGDB_FIELD_MAX + 1)];

	if (!advisory_pkg_relevant(name))
		return;
	if (epoch[0] && strcmp(epoch, "0") != 0 && strcmp(epoch, "(none)") != 0)
		snprintf(evr, sizeof(evr), "%s:%s-%s", epoch, version, release);
	else
		snprintf(evr, sizeof(evr), "%s-%s", version, release);
	report(sc, name, evr, arch);
}

static void err_add(char *err, size_t errcap, const char *fmt, const char *a,
    int code)
{
	size_t l;

	if (!err || errcap == 0)
		return;
	l = strnlen(err, errcap);
	if (l + 3 >= errcap)
		return;
	if (l > 0) {
		memcpy(err + l, "; ", 3);
		l += 2;
	}
	snprintf(err + l, errcap - l, fmt, a, strerror(code));
}

/* An executable rpm on the usual paths, resolved here rather than in the
 * child, because only exec-safe calls may follow fork in a threaded
 * process. */
static const char *find_rpm(void)
{
	static const char *const paths[] = { "/usr/bin/rpm", "/bin/rpm",
		"/usr/local/bin/rpm" };
	size_t k;

	for (k = 0; k < sizeof(paths) / sizeof(paths[0]); k++)
		if (access(paths[k], X_OK) == 0)
			return paths[k];
	return NULL;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs rpm's query and collects its standard output, killing it at the
 * deadline. */
static int run_rpm(const char *rpm, const char *root, char **out,
    size_t *outlen)
{
	const char *argv[12];
	int argc = 0, pfd[2] = { -1, -1 }, status, r = 0, nullfd;
	char *buf = NULL;
	size_t len = 0;
	long deadline = now_ms() + PKGDB_RPM_TIMEOUT_MS;
	pid_t pid;

	*out = NULL;
	*outlen = 0;
	argv[argc++] = "rpm";
	if (strcmp(root, "/") != 0) {
		argv[argc++] = "--root";
		argv[argc++] = root;
	}
	argv[argc++] = "-qa";
	argv[argc++] = "--qf";
	argv[argc++] =
	    "%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n";
	argv[argc++] = "openssl*";
	argv[argc++] = "libopenssl*";
	argv[argc] = NULL;

	if (!(buf = malloc(PKGDB_RPM_OUT_MAX)))
		return -ENOMEM;
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		r = -errno;
		goto out;
	}
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		if (nullfd >= 0)
			close(nullfd);
		goto out;
	}
	if (pid == 0) {
		if (dup2(pfd[1], 1) < 0)
			_exit(127);
		if (nullfd >= 0) {
			dup2(nullfd, 0);
			dup2(nullfd, 2);
		}
		execv(rpm, (char *const *)argv);
		_exit(127);
	}
	if (nullfd >= 0)
		close(nullfd);
	close(pfd[1]);
	pfd[1] = -1;
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		long left = deadline - now_ms();
		ssize_t n;
		int pr;

		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		pr = poll(&p, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0) {
			r = -errno;
			break;
		}
		if (pr == 0)
			continue;
		if (len == PKGDB_RPM_OUT_MAX) {
			r = -EFBIG;
			break;
		}
		n = read(pfd[0], buf + len, PKGDB_RPM_OUT_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (r != 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		r = -ECHILD;
	if (r == 0) {
		*out = buf;
		*outlen = len;
		buf = NULL;
	}
out:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	free(buf);
	return r;
}

static int dir_exists(const char *root, const char *rel)
{
	char path[4096];
	struct stat st;

	path_join(path, sizeof(path), root, rel);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Gentoo keeps one directory per installed package: dev-libs/openssl-1.0.1g. */
static int scan_gentoo(struct scan_ctx *sc, const char *root)
{
	char path[4096];
	struct dirent *de;
	DIR *d;

	path_join(path, sizeof(path), root, "var/db/pkg/dev-libs");
	if (!(d = opendir(path)))
		return -errno;
	sc->scheme = PKG_SCHEME_APK;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "openssl-", 8) == 0 &&
		    is_digit((unsigned char)de->d_name[8]))
			report(sc, "dev-libs/openssl", de->d_name + 8, "");
	closedir(d);
	return 0;
}

/* pacman keeps one directory per package: NAME-VERSION-PKGREL, where the
 * name itself may contain hyphens. */
static int scan_pacman(struct scan_ctx *sc, const char *root)
{
	char path[4096], name[256];
	struct dirent *de;
	DIR *d;

	path_join(path, sizeof(path), root, "var/lib/pacman/local");
	if (!(d = opendir(path)))
		return -errno;
	sc->scheme = PKG_SCHEME_RPM;
	while ((de = readdir(d)) != NULL) {
		const char *rel = strrchr(de->d_name, '-');
		const char *ver;
		size_t nl;

		if (!rel || rel == de->d_name)
			continue;
		for (ver = rel - 1; ver > de->d_name && *ver != '-'; ver--)
			;
		if (ver == de->d_name)
			continue;
		nl = (size_t)(ver - de->d_name);
		if (nl >= sizeof(name))
			continue;
		memcpy(name, de->d_name, nl);
		name[nl] = '\0';
		if (advisory_pkg_relevant(name))
			report(sc, name, ver + 1, "");
	}
	closedir(d);
	return 0;
}

int pkgdb_scan(const char *root, const struct os_release *os,
    void (*cb)(void *ctx, const struct pkg_finding *f), void *ctx, char *err,
    size_t errcap)
{
	struct os_release osr;
	struct scan_ctx sc;
	char path[4096];
	char *buf = NULL;
	size_t len;
	int r, found = 0, failed = 0;
	const char *rpm;

	if (err && errcap)
		err[0] = '\0';
	if (!root)
		return -EINVAL;
	if (!os) {
		if (os_release_load(root, &osr) != 0)
			err_add(err, errcap,
			    "cannot identify the release under %s: %s", root,
			    ENOENT);
		os = &osr;
	}
	memset(&sc, 0, sizeof(sc));
	sc.os = os;
	sc.cb = cb;
	sc.ctx = ctx;

	path_join(path, sizeof(path), root, "var/lib/dpkg/status");
	r = read_file(path, PKGDB_FILE_MAX, &buf, &len);
	if (r == 0) {
		found = 1;
		sc.scheme = PKG_SCHEME_DEB;
		if ((r = dpkg_status_parse(buf, len, on_dpkg, &sc)) < 0) {
			err_add(err, errcap, "cannot parse %s: %s", path, -r);
			failed = r;
		}
		free(buf);
		buf = NULL;
	} else if (r != -ENOENT && r != -ENOTDIR) {
		err_add(err, errcap, "cannot read %s: %s", path, -r);
		failed = r;
	}

	path_join(path, sizeof(path), root, "lib/apk/db/installed");
	r = read_file(path, PKGDB_FILE_MAX, &buf, &len);
	if (r == 0) {
		found = 1;
		sc.scheme = PKG_SCHEME_APK;
		if ((r = apk_installed_parse(buf, len, on_apk, &sc)) < 0) {
			err_add(err, errcap, "cannot parse %s: %s", path, -r);
			failed = r;
		}
		free(buf);
		buf = NULL;
	} else if (r != -ENOENT && r != -ENOTDIR) {
		err_add(err, errcap, "cannot read %s: %s", path, -r);
		failed = r;
	}

	/* An rpm binary alone is common on dpkg hosts; only a database says
	 * rpm manages this root. */
	if ((dir_exists(root, "var/lib/rpm") ||
		dir_exists(root, "usr/lib/sysimage/rpm")) &&
	    !dir_exists(root, "var/lib/dpkg")) {
		if (!(rpm = find_rpm())) {
			err_add(err, errcap,
			    "an rpm database exists under %s but rpm cannot "
			    "run: %s",
			    root, ENOENT);
			failed = -ENOENT;
		} else if ((r = run_rpm(rpm, root, &buf, &len)) == 0) {
			found = 1;
			sc.scheme = PKG_SCHEME_RPM;
			if ((r = rpm_qa_parse(buf, len, on_rpm, &sc)) < 0)
				failed = r;
			free(buf);
			buf = NULL;
		} else {
			err_add(err, errcap, "rpm -qa under %s failed: %s",
			    root, -r);
			failed = r;
		}
	}

	if (dir_exists(root, "var/db/pkg/dev-libs")) {
		found = 1;
		scan_gentoo(&sc, root);
	}
	if (dir_exists(root, "var/lib/pacman/local")) {
		found = 1;
		scan_pacman(&sc, root);
	}

	if (!found) {
		if (failed)
			return failed;
		err_add(err, errcap,
		    "no dpkg, rpm, apk, Gentoo or pacman database under %s: %s",
		    root, ENOENT);
		return -ENOENT;
	}
	return sc.count;
}
