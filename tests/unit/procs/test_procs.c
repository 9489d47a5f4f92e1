/*
 * Unit tests for the process audit: the maps line parser, the library
 * name test, cgroup unit names, the restart plan, and proc_scan over a
 * fake /proc tree built in a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../hc_skip.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "local/procmaps.h"
#include "local/units.h"

static int
parse(const char *s, struct map_line *ml)
{
	return maps_parse_line(s, strlen(s), ml);
}

static int
path_is(const struct map_line *ml, const char *want)
{
	return ml->path_len == strlen(want) &&
	    memcmp(ml->path, want, ml->path_len) == 0;
}

static void
test_parse_real_line(void **state)
{
	struct map_line ml;

	(void)state;
	assert_int_equal(parse("7f1c2a400000-7f1c2a4a2000 r-xp 0001f000 "
	    "fe:01 1234567                    "
	    "/usr/lib/x86_64-linux-gnu/libssl.so.3\n", &ml), 0);
	assert_true(ml.start == 0x7f1c2a400000ull);
	assert_true(ml.end == 0x7f1c2a4a2000ull);
	assert_true(ml.offset == 0x1f000);
	assert_string_equal(ml.perms, "r-xp");
	assert_int_equal(ml.dev_major, 0xfe);
	assert_int_equal(ml.dev_minor, 1);
	assert_true(ml.inode == 1234567);
	assert_true(path_is(&ml, "/usr/lib/x86_64-linux-gnu/libssl.so.3"));
	assert_int_equal(ml.deleted, 0);

	/* Large device numbers print with more than two digits. */
	assert_int_equal(parse("00400000-00401000 rw-s 00000000 103:1a2 "
	    "18446744073709551615 /dev/shm/x", &ml), 0);
	assert_int_equal(ml.dev_major, 0x103);
	assert_int_equal(ml.dev_minor, 0x1a2);
	assert_true(ml.inode == UINT64_MAX);
	assert_string_equal(ml.perms, "rw-s");
}

static void
test_parse_deleted_and_spaces(void **state)
{
	struct map_line ml;

	(void)state;
	assert_int_equal(parse("7f00-8f00 r--p 00000000 08:02 42 "
	    "/usr/lib/libcrypto.so.1.0.0 (deleted)", &ml), 0);
	assert_int_equal(ml.deleted, 1);
	assert_true(path_is(&ml, "/usr/lib/libcrypto.so.1.0.0"));

	assert_int_equal(parse("7f00-8f00 r--p 00000000 08:02 42      "
	    "/opt/my app/lib dir/libssl.so.1.0.0", &ml), 0);
	assert_int_equal(ml.deleted, 0);
	assert_true(path_is(&ml, "/opt/my app/lib dir/libssl.so.1.0.0"));

	/* " (deleted)" alone is a name, not a marker on an empty path. */
	assert_int_equal(parse("7f00-8f00 r--p 00000000 08:02 42 "
	    " (deleted)", &ml), 0);
	assert_int_equal(ml.deleted, 0);

	assert_int_equal(parse("7f00-8f00 rw-s 00000000 00:01 1033 "
	    "/memfd:libssl.so.3 (deleted)", &ml), 0);
	assert_int_equal(ml.deleted, 1);
	assert_int_equal(maps_is_tls_library(ml.path, ml.path_len), 0);
}

static void
test_parse_anonymous(void **state)
{
	struct map_line ml;

	(void)state;
	assert_int_equal(parse("7ffd1000-7ffd3000 rw-p 00000000 00:00 0", &ml),
	    0);
	assert_int_equal(ml.path_len, 0);
	assert_true(ml.inode == 0);
	/* Older kernels pad an anonymous line with one space. */
	assert_int_equal(parse("7ffd1000-7ffd3000 rw-p 00000000 00:00 0 \n",
	    &ml), 0);
	assert_int_equal(ml.path_len, 0);
	assert_int_equal(parse("55d0c000-55d2d000 rw-p 00000000 00:00 0"
	    "                          [heap]", &ml), 0);
	assert_true(path_is(&ml, "[heap]"));
	assert_int_equal(maps_is_tls_library(ml.path, ml.path_len), 0);
}

static void
test_parse_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"7f00",
		"7f00-",
		"7f00-8f00",
		"7f00 8f00 r--p 00000000 08:02 42 /x",
		"8f00-7f00 r--p 00000000 08:02 42 /x",        /* end < start */
		"7f00-8f00 rwxq 00000000 08:02 42 /x",        /* bad perms */
		"7f00-8f00 r--p 0000000g 08:02 42 /x",
		"7f00-8f00 r--p 00000000 0802 42 /x",
		"7f00-8f00 r--p 00000000 08:02 /x",
		"7f00-8f00 r--p 00000000 08:02 42x /x",
		"7f00-8f00 r--p 00000000 1000:02 42 /x",      /* major > 12 bits */
		"7f00-8f00 r--p 00000000 08:100000 42 /x",    /* minor > 20 bits */
		"7f00-8f00 r--p 00000000 08:02 18446744073709551616 /x",
		"10000000000000000-10000000000000001 r--p 0 0:0 0",
		"-8f00 r--p 00000000 08:02 42 /x",
		"7f00-8f00 r--p",
		"7f00-8f00 r--p ",
	};
	struct map_line ml;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &ml) != -1)
			fail_msg("accepted malformed line %zu: \"%s\"", i,
			    bad[i]);
	}
	/* The length is honoured: a valid line cut short is malformed. */
	assert_int_equal(maps_parse_line("7f00-8f00 r--p 0 08:02 42 /x", 12,
	    &ml), -1);
	assert_int_equal(maps_parse_line(NULL, 0, &ml), -1);
}

static void
test_is_tls_library(void **state)
{
	static const char *const yes[] = {
		"/usr/lib/x86_64-linux-gnu/libssl.so.3",
		"/lib/libcrypto.so.1.0.0",
		"/usr/lib/libssl.so",
		"/opt/app/lib/libcrypto-1_1-x64.so",
		"/opt/app/lib/libssl-3.so",
		"/usr/local/ssl/lib/libcrypto.so.1.0.1f",
		"/a dir/libssl.so.10",
	};
	static const char *const no[] = {
		"/usr/lib/x86_64-linux-gnu/libssl3.so",     /* NSS */
		"/usr/lib/x86_64-linux-gnu/libnss3.so",
		"/memfd:libssl.so.3",
		"/memfd:x/libcrypto.so.3",
		"libssl.so.3",
		"/tmp/jna-1234/jna5678.tmp",
		"/tmp/ffiXXXXXX",
		"/usr/lib/libffi.so.8",
		"/usr/lib/libssl.so.3/",
		"/usr/lib/libsslx.so",
		"/usr/lib/libgnutls.so.30",
		"/libssl/libc.so.6",
		"[heap]",
		"/",
		"",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!maps_is_tls_library(yes[i], strlen(yes[i])))
			fail_msg("not a TLS library: %s", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (maps_is_tls_library(no[i], strlen(no[i])))
			fail_msg("wrongly a TLS library: %s", no[i]);
	/* Only len bytes count. */
	assert_int_equal(maps_is_tls_library("/usr/lib/libssl.so.3", 12), 0);
}

static int
unit_of(const char *cg, char *out, size_t cap)
{
	return cgroup_unit(cg, strlen(cg), out, cap);
}

static void
test_cgroup_unit(void **state)
{
	char u[256];

	(void)state;
	assert_int_equal(unit_of("0::/system.slice/nginx.service\n", u,
	    sizeof(u)), 0);
	assert_string_equal(u, "nginx.service");

	assert_int_equal(unit_of(
	    "12:pids:/system.slice/sshd.service\n"
	    "11:cpu,cpuacct:/system.slice/sshd.service\n"
	    "4:memory:/\n"
	    "1:name=systemd:/system.slice/sshd.service\n"
	    "0::/system.slice/sshd.service\n", u, sizeof(u)), 0);
	assert_string_equal(u, "sshd.service");

	/* A v1 file whose controllers disagree: the service wins. */
	assert_int_equal(unit_of("5:cpu:/system.slice/foo.scope\n"
	    "1:name=systemd:/system.slice/bar.service", u, sizeof(u)), 0);
	assert_string_equal(u, "bar.service");

	/* A user manager's service is named inside its manager: restarting
	 * user@1000.service would end all of that user's services. */
	assert_int_equal(unit_of("0::/user.slice/user-1000.slice/"
	    "user@1000.service/app.slice/gnome-terminal-server.service\n",
	    u, sizeof(u)), 0);
	assert_string_equal(u,
	    "user@1000.service/gnome-terminal-server.service");
	assert_true(unit_is_restartable(u));
	{
		char cmd[128];

		assert_int_equal(unit_restart_command(u, cmd, sizeof(cmd)), 0);
		assert_string_equal(cmd, "systemctl --user -M 1000@ restart "
		    "gnome-terminal-server.service");
		assert_int_equal(unit_restart_command("nginx.service", cmd,
		    sizeof(cmd)), 0);
		assert_string_equal(cmd, "systemctl restart nginx.service");
		assert_int_equal(unit_restart_command("session-3.scope", cmd,
		    sizeof(cmd)), -1);
	}
	/* The user manager itself, with nothing inside. */
	assert_int_equal(unit_of("0::/user.slice/user-1000.slice/"
	    "user@1000.service/init.scope\n", u, sizeof(u)), 0);
	assert_string_equal(u, "user@1000.service");
	assert_int_equal(unit_of("0::/user.slice/user-1000.slice/"
	    "session-3.scope\n", u, sizeof(u)), 0);
	assert_string_equal(u, "session-3.scope");

	/* A delegated subtree belongs to its service. */
	assert_int_equal(unit_of("0::/system.slice/containerd.service/"
	    "sub/x.scope", u, sizeof(u)), 0);
	assert_string_equal(u, "containerd.service");
	assert_int_equal(unit_of("0::/init.scope\n", u, sizeof(u)), 0);
	assert_string_equal(u, "init.scope");
	assert_int_equal(unit_of("0::/system.slice/docker-0123456789abcdef"
	    ".scope\n", u, sizeof(u)), 0);
	assert_string_equal(u, "docker-0123456789abcdef.scope");
	assert_int_equal(unit_of("0::/system.slice/"
	    "systemd-journald.socket", u, sizeof(u)), 0);
	assert_string_equal(u, "systemd-journald.socket");

	/* Containers under the cgroupfs driver name no unit. */
	assert_int_equal(unit_of("0::/docker/0123456789abcdef0123456789abcdef"
	    "\n", u, sizeof(u)), -1);
	assert_int_equal(unit_of("0::/kubepods/burstable/pod1234/abcdef\n",
	    u, sizeof(u)), -1);

	/* Garbage. */
	assert_int_equal(unit_of("", u, sizeof(u)), -1);
	assert_int_equal(unit_of("\n\n\n", u, sizeof(u)), -1);
	assert_int_equal(unit_of("nginx.service", u, sizeof(u)), -1);
	assert_int_equal(unit_of("0::nginx.service", u, sizeof(u)), -1);
	assert_int_equal(unit_of("0::/", u, sizeof(u)), -1);
	assert_int_equal(unit_of("0::/system.slice", u, sizeof(u)), -1);
	assert_int_equal(unit_of("0::/.service", u, sizeof(u)), -1);
	assert_int_equal(unit_of("0::/system.slice/x;rm -rf ~.service", u,
	    sizeof(u)), -1);
	assert_int_equal(unit_of("0::/system.slice/a\tb.service", u,
	    sizeof(u)), -1);
	/* A unit that does not fit is refused, not cut. */
	assert_int_equal(unit_of("0::/system.slice/nginx.service", u, 13),
	    -1);
	assert_int_equal(unit_of("0::/system.slice/nginx.service", u, 14), 0);
	assert_string_equal(u, "nginx.service");
}

static int
hint_of(const char *cg, char *out, size_t cap)
{
	return cgroup_container_hint(cg, strlen(cg), out, cap);
}

static void
test_container_hint(void **state)
{
	char h[128];

	(void)state;
	assert_int_equal(hint_of("0::/docker/0123456789abcdef0123456789abcdef"
	    "\n", h, sizeof(h)), 0);
	assert_string_equal(h, "docker 0123456789ab");
	assert_int_equal(hint_of("0::/system.slice/docker-fedcba9876543210"
	    ".scope\n", h, sizeof(h)), 0);
	assert_string_equal(h, "docker fedcba987654");
	assert_int_equal(hint_of("0::/machine.slice/libpod-aaaabbbbccccdddd"
	    ".scope/container", h, sizeof(h)), 0);
	assert_string_equal(h, "podman aaaabbbbcccc");
	assert_int_equal(hint_of("0::/kubepods/burstable/pod1234-5678-9abc/"
	    "abcdef\n", h, sizeof(h)), 0);
	assert_string_equal(h, "kubernetes pod 1234-5678-9a");
	assert_int_equal(hint_of("0::/kubepods.slice/kubepods-burstable.slice/"
	    "kubepods-burstable-pod12345678_abcd.slice/"
	    "cri-containerd-0123abcd.scope\n", h, sizeof(h)), 0);
	assert_string_equal(h, "kubernetes pod 12345678_abc");
	assert_int_equal(hint_of("0::/lxc.payload.web1/init.scope", h,
	    sizeof(h)), 0);
	assert_string_equal(h, "lxc web1");
	assert_int_equal(hint_of("3:memory:/lxc/web2\n", h, sizeof(h)), 0);
	assert_string_equal(h, "lxc web2");

	assert_int_equal(hint_of("0::/system.slice/nginx.service\n", h,
	    sizeof(h)), -1);
	assert_int_equal(hint_of("0::/pod123/x", h, sizeof(h)), -1);
	assert_int_equal(hint_of("garbage", h, sizeof(h)), -1);
	assert_int_equal(hint_of("", h, sizeof(h)), -1);
}

static void
fake_proc(struct proc_info *p, pid_t pid, const char *unit,
    const char *container, unsigned why)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	snprintf(p->comm, sizeof(p->comm), "proc%d", (int)pid);
	snprintf(p->cmdline, sizeof(p->cmdline), "/usr/bin/proc%d --flag",
	    (int)pid);
	snprintf(p->unit, sizeof(p->unit), "%s", unit);
	snprintf(p->container, sizeof(p->container), "%s", container);
	static struct proc_lib pool[32][2];
	static int used;

	p->libs = pool[used++ % 32];
	memset(p->libs, 0, 2 * sizeof(p->libs[0]));
	p->nlibs = 2;
	p->libs_cap = 2;
	snprintf(p->libs[0].path, sizeof(p->libs[0].path), "/l/libssl.so.3");
	snprintf(p->libs[1].path, sizeof(p->libs[1].path),
	    "/l/libcrypto.so.3");
	p->libs[1].why = why;
}

static void
test_restart_plan(void **state)
{
	struct restart_plan *rp;
	struct proc_info p;
	const char **names;
	const unsigned *counts;
	const struct restart_loose *loose;
	char *text = NULL;
	size_t tlen = 0;
	FILE *f;

	(void)state;
	assert_non_null(rp = restart_plan_new());
	fake_proc(&p, 10, "nginx.service", "", WHY_DELETED);
	assert_int_equal(restart_plan_add(rp, &p), 0);
	fake_proc(&p, 11, "nginx.service", "", WHY_REPLACED);
	assert_int_equal(restart_plan_add(rp, &p), 0);
	fake_proc(&p, 12, "sshd.service", "", WHY_VULNERABLE);
	assert_int_equal(restart_plan_add(rp, &p), 0);
	fake_proc(&p, 13, "nginx.service", "", WHY_DELETED | WHY_VULNERABLE);
	assert_int_equal(restart_plan_add(rp, &p), 0);
	/* Nothing to restart: ignored. */
	fake_proc(&p, 14, "postfix.service", "", WHY_NONE);
	assert_int_equal(restart_plan_add(rp, &p), 1);
	/* A scope cannot be restarted; a container goes with its
	 * container; a process outside any unit is listed by PID. */
	fake_proc(&p, 15, "session-3.scope", "", WHY_DELETED);
	assert_int_equal(restart_plan_add(rp, &p), 0);
	fake_proc(&p, 16, "docker-ab.scope", "docker ab", WHY_REPLACED);
	assert_int_equal(restart_plan_add(rp, &p), 0);
	fake_proc(&p, 17, "", "", WHY_DELETED);
	assert_int_equal(restart_plan_add(rp, &p), 0);
	fake_proc(&p, 18, "getty@.service", "", WHY_DELETED);
	assert_int_equal(restart_plan_add(rp, &p), 0);

	assert_int_equal(restart_plan_units(rp, &names, &counts), 2);
	assert_string_equal(names[0], "nginx.service");
	assert_int_equal(counts[0], 3);
	assert_string_equal(names[1], "sshd.service");
	assert_int_equal(counts[1], 1);
	assert_int_equal(restart_plan_loose(rp, &loose), 4);
	assert_int_equal(loose[0].pid, 15);
	assert_int_equal(loose[0].why, WHY_DELETED);
	assert_string_equal(loose[0].unit, "session-3.scope");
	assert_int_equal(loose[1].pid, 16);
	assert_string_equal(loose[1].container, "docker ab");
	assert_int_equal(loose[2].pid, 17);
	assert_string_equal(loose[2].cmdline, "/usr/bin/proc17 --flag");
	assert_int_equal(loose[3].pid, 18);

	assert_non_null(f = open_memstream(&text, &tlen));
	restart_plan_print(rp, f);
	fclose(f);
	assert_non_null(strstr(text, "systemctl restart nginx.service "));
	assert_null(strstr(strstr(text, "nginx.service") + 1,
	    "nginx.service"));
	assert_non_null(strstr(text, "systemctl restart sshd.service "));
	assert_null(strstr(text, "systemctl restart session-3.scope"));
	assert_null(strstr(text, "postfix"));
	assert_non_null(strstr(text, "pid 17 (proc17): /usr/bin/proc17 "
	    "--flag"));
	assert_non_null(strstr(text, "in docker ab"));
	free(text);
	restart_plan_free(rp);
	restart_plan_free(NULL);
}

static void
test_why_str(void **state)
{
	char b[64];

	(void)state;
	assert_string_equal(restart_why_str(0, b, sizeof(b)), "");
	assert_string_equal(restart_why_str(WHY_DELETED, b, sizeof(b)),
	    "deleted");
	assert_string_equal(restart_why_str(WHY_DELETED | WHY_VULNERABLE, b,
	    sizeof(b)), "deleted,vulnerable");
	assert_string_equal(restart_why_str(7, b, 9), "deleted");
}

/* --- proc_scan over a fake tree ------------------------------------- */

struct fake {
	char dir[256];
	struct stat ssl, crypto, ssl1;
};

static void
put_file(const char *dir, const char *rel, const char *data, size_t n)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void
put_str(const char *dir, const char *rel, const char *s)
{
	put_file(dir, rel, s, strlen(s));
}

static void
mkdirf(const char *dir, const char *fmt, ...)
{
	char rel[PATH_MAX / 2], path[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void
linkf(const char *dir, const char *target, const char *rel)
{
	char path[PATH_MAX], t[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(t, sizeof(t), "%s/%s", dir, target);
	assert_int_equal(symlink(t, path), 0);
}

/* One maps line for a file whose stat we know. */
static void
map_line_for(char *out, size_t cap, unsigned long start,
    const struct stat *st, uint64_t inode_delta, const char *path,
    const char *suffix)
{
	snprintf(out, cap, "%lx-%lx r--p 00000000 %02x:%02x %llu"
	    "                 %s%s\n", start, start + 0x1000,
	    major(st->st_dev), minor(st->st_dev),
	    (unsigned long long)st->st_ino + inode_delta, path, suffix);
}

static void
fake_pid(struct fake *fk, int pid, const char *root, const char *maps,
    const char *cgroup)
{
	char rel[64];

	mkdirf(fk->dir, "%d", pid);
	snprintf(rel, sizeof(rel), "%d/maps", pid);
	put_str(fk->dir, rel, maps);
	snprintf(rel, sizeof(rel), "%d/comm", pid);
	put_str(fk->dir, rel, "fake\n");
	snprintf(rel, sizeof(rel), "%d/cmdline", pid);
	put_file(fk->dir, rel, "/usr/bin/fake\0--opt\0", 20);
	snprintf(rel, sizeof(rel), "%d/cgroup", pid);
	put_str(fk->dir, rel, cgroup);
	snprintf(rel, sizeof(rel), "%d/root", pid);
	linkf(fk->dir, root, rel);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static int
fake_setup(void **state)
{
	struct fake *fk;
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX];

	assert_non_null(fk = calloc(1, sizeof(*fk)));
	snprintf(fk->dir, sizeof(fk->dir), "%s/procs-unit-XXXXXX",
	    tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(fk->dir));
	/* Two roots: the host's and a container's. */
	mkdirf(fk->dir, "hostroot");
	mkdirf(fk->dir, "hostroot/lib");
	put_str(fk->dir, "hostroot/lib/libssl.so.3", "ssl");
	put_str(fk->dir, "hostroot/lib/libcrypto.so.3", "crypto");
	mkdirf(fk->dir, "ctroot");
	mkdirf(fk->dir, "ctroot/lib");
	put_str(fk->dir, "ctroot/lib/libssl.so.1.0.0", "old ssl");
	mkdirf(fk->dir, "self");
	linkf(fk->dir, "hostroot", "self/root");
	snprintf(path, sizeof(path), "%s/hostroot/lib/libssl.so.3", fk->dir);
	assert_int_equal(stat(path, &fk->ssl), 0);
	snprintf(path, sizeof(path), "%s/hostroot/lib/libcrypto.so.3",
	    fk->dir);
	assert_int_equal(stat(path, &fk->crypto), 0);
	snprintf(path, sizeof(path), "%s/ctroot/lib/libssl.so.1.0.0", fk->dir);
	assert_int_equal(stat(path, &fk->ssl1), 0);
	*state = fk;
	return 0;
}

static int
fake_teardown(void **state)
{
	struct fake *fk = *state;

	nftw(fk->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fk);
	return 0;
}

#define MAX_SEEN 32

struct seen {
	int n;
	struct proc_info p[MAX_SEEN];
};

static void
collect(void *ctx, const struct proc_info *p)
{
	struct seen *s = ctx;

	if (s->n < MAX_SEEN) {
		struct proc_info *c = &s->p[s->n++];

		/* The scan reuses its list: keep a copy of the images. */
		*c = *p;
		c->libs = NULL;
		if (p->nlibs > 0) {
			c->libs = malloc((size_t)p->nlibs * sizeof(*c->libs));
			assert_non_null(c->libs);
			memcpy(c->libs, p->libs,
			    (size_t)p->nlibs * sizeof(*c->libs));
		}
	}
}

static void
seen_free(struct seen *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->p[i].libs);
	free(s);
}

static const struct proc_info *
find_pid(const struct seen *s, pid_t pid)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->p[i].pid == pid)
			return &s->p[i];
	return NULL;
}

static void
test_scan_fake_tree(void **state)
{
	struct fake *fk = *state;
	struct seen *seen;
	struct proc_scan_stats st;
	const struct proc_info *p;
	char *maps, l1[512], l2[512], l3[512], big[2100], rel[64];
	const size_t maps_cap = 512 * 1024;
	int i;

	assert_non_null(seen = calloc(1, sizeof(*seen)));
	assert_non_null(maps = malloc(maps_cap));
	/* 100: both libraries current, plus noise that must never count. */
	map_line_for(l1, sizeof(l1), 0x7f0000000000, &fk->ssl, 0,
	    "/lib/libssl.so.3", "");
	map_line_for(l2, sizeof(l2), 0x7f0000100000, &fk->crypto, 0,
	    "/lib/libcrypto.so.3", "");
	snprintf(maps, maps_cap,
	    "55d0c000-55d2d000 rw-p 00000000 00:00 0          [heap]\n"
	    "%s%s"
	    "7f1000000000-7f1000001000 r-xp 00000000 08:01 99 "
	    "/tmp/jna-1/jna42.tmp (deleted)\n"
	    "7f1000002000-7f1000003000 rw-s 00000000 00:01 98 "
	    "/memfd:libssl.so.3 (deleted)\n"
	    "7f1000004000-7f1000005000 r-xp 00000000 08:01 97 "
	    "/usr/lib/libffi.so.8 (deleted)\n"
	    "7f1000006000-7f1000007000 r-xp 00000000 08:01 96 "
	    "/usr/lib/libssl3.so (deleted)\n"
	    "7f1000008000-7f1000009000 r-xp 00000000 08:01 95 "
	    "/libssl/not-a-lib (deleted)\n"
	    "7ffd1000-7ffd3000 rw-p 00000000 00:00 0 [stack]", l1, l2);
	fake_pid(fk, 100, "hostroot", maps, "0::/system.slice/nginx.service\n");

	/* 101: libssl deleted. */
	map_line_for(l1, sizeof(l1), 0x7f0000000000, &fk->ssl, 5,
	    "/lib/libssl.so.3", " (deleted)");
	fake_pid(fk, 101, "hostroot", l1, "0::/system.slice/a.service\n");

	/* 102: libcrypto replaced: the mapped inode is not the file there. */
	map_line_for(l1, sizeof(l1), 0x7f0000000000, &fk->ssl, 0,
	    "/lib/libssl.so.3", "");
	map_line_for(l2, sizeof(l2), 0x7f0000100000, &fk->crypto, 7,
	    "/lib/libcrypto.so.3", "");
	snprintf(maps, maps_cap, "%s%s", l1, l2);
	fake_pid(fk, 102, "hostroot", maps, "0::/user.slice/user-1000.slice/"
	    "session-4.scope\n");

	/* 103: the file is missing, without the marker: deleted. */
	map_line_for(l1, sizeof(l1), 0x7f0000000000, &fk->ssl, 0,
	    "/lib/libssl.so.1.0.2", "");
	fake_pid(fk, 103, "hostroot", l1, "0::/\n");

	/* 104: no TLS library at all: not reported. */
	fake_pid(fk, 104, "hostroot",
	    "00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/dbus\n",
	    "0::/\n");

	/* 105: maps cannot be read. */
	mkdirf(fk->dir, "105");
	mkdirf(fk->dir, "105/maps");
	put_str(fk->dir, "105/comm", "secret\n");

	/* 106: a container, judged against its own root. */
	map_line_for(l1, sizeof(l1), 0x7f0000000000, &fk->ssl1, 0,
	    "/lib/libssl.so.1.0.0", "");
	fake_pid(fk, 106, "ctroot", l1,
	    "0::/system.slice/docker-0123456789abcdef.scope\n");

	/* 107: one image over several lines counts once, at its first
	 * mapping. */
	map_line_for(l1, sizeof(l1), 0x7f0000000000, &fk->ssl, 0,
	    "/lib/libssl.so.3", "");
	map_line_for(l2, sizeof(l2), 0x7f0000001000, &fk->ssl, 0,
	    "/lib/libssl.so.3", "");
	map_line_for(l3, sizeof(l3), 0x7f0000002000, &fk->ssl, 0,
	    "/lib/libssl.so.3", "");
	snprintf(maps, maps_cap, "%s%s%s", l1, l2, l3);
	fake_pid(fk, 107, "hostroot", maps, "0::/\n");
	/* Its command line is long: cut with "...". */
	memset(big, 'a', sizeof(big));
	put_file(fk->dir, "107/cmdline", big, sizeof(big));

	/* 108: more images than fit. */
	maps[0] = '\0';
	for (i = 0; i < PROC_MAX_LIBS + 2; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/lib/libssl.so.%d", i);
		map_line_for(l1, sizeof(l1), 0x7f0000000000ul +
		    (unsigned long)i * 0x10000, &fk->ssl, (uint64_t)i, path,
		    " (deleted)");
		strncat(maps, l1, maps_cap - strlen(maps) - 1);
	}
	fake_pid(fk, 108, "hostroot", maps, "0::/\n");

	/* Not processes. */
	mkdirf(fk->dir, "0123");
	snprintf(rel, sizeof(rel), "0123/maps");
	map_line_for(l1, sizeof(l1), 0x1000, &fk->ssl, 1, "/lib/libssl.so.3",
	    " (deleted)");
	put_str(fk->dir, rel, l1);
	mkdirf(fk->dir, "net");
	/* A process that exited: its directory has no maps any more. */
	mkdirf(fk->dir, "109");

	assert_int_equal(proc_scan(fk->dir, collect, seen, &st), 0);
	assert_int_equal(st.processes, 9);
	assert_int_equal(st.with_tls, 7);
	assert_int_equal(st.unreadable, 1);
	assert_true(st.seconds >= 0 && st.seconds < 10);
	assert_int_equal(seen->n, 8);
	assert_null(find_pid(seen, 104));
	assert_null(find_pid(seen, 123));
	assert_null(find_pid(seen, 109));

	assert_non_null(p = find_pid(seen, 100));
	assert_int_equal(p->nlibs, 2);
	assert_string_equal(p->libs[0].path, "/lib/libssl.so.3");
	assert_int_equal(p->libs[0].why, WHY_NONE);
	assert_string_equal(p->libs[1].path, "/lib/libcrypto.so.3");
	assert_int_equal(p->libs[1].why, WHY_NONE);
	assert_true(p->libs[1].start == 0x7f0000100000ull);
	assert_string_equal(p->unit, "nginx.service");
	assert_string_equal(p->comm, "fake");
	assert_string_equal(p->cmdline, "/usr/bin/fake --opt");
	assert_string_equal(p->container, "");
	assert_int_equal(p->unreadable, 0);
	assert_int_equal(p->uid, getuid());

	assert_non_null(p = find_pid(seen, 101));
	assert_int_equal(p->nlibs, 1);
	assert_int_equal(p->libs[0].why, WHY_DELETED);
	assert_string_equal(p->libs[0].path, "/lib/libssl.so.3");

	assert_non_null(p = find_pid(seen, 102));
	assert_int_equal(p->nlibs, 2);
	assert_int_equal(p->libs[0].why, WHY_NONE);
	assert_int_equal(p->libs[1].why, WHY_REPLACED);
	assert_string_equal(p->unit, "session-4.scope");

	assert_non_null(p = find_pid(seen, 103));
	assert_int_equal(p->libs[0].why, WHY_DELETED);
	assert_string_equal(p->unit, "");

	assert_non_null(p = find_pid(seen, 105));
	assert_int_equal(p->unreadable, 1);
	assert_int_equal(p->nlibs, 0);
	assert_non_null(strstr(p->errmsg, "105/maps"));
	assert_non_null(strstr(p->errmsg, "not a regular file"));
	assert_string_equal(p->comm, "secret");

	assert_non_null(p = find_pid(seen, 106));
	assert_int_equal(p->libs[0].why, WHY_NONE);
	assert_string_equal(p->container, "docker 0123456789ab");
	assert_string_equal(p->unit, "docker-0123456789abcdef.scope");

	assert_non_null(p = find_pid(seen, 107));
	assert_int_equal(p->nlibs, 1);
	assert_true(p->libs[0].start == 0x7f0000000000ull);
	assert_true(p->libs[0].end == 0x7f0000001000ull);
	assert_int_equal(strlen(p->cmdline), sizeof(p->cmdline) - 1);
	assert_string_equal(p->cmdline + sizeof(p->cmdline) - 4, "...");

	assert_non_null(p = find_pid(seen, 108));
	assert_int_equal(p->nlibs, PROC_MAX_LIBS);
	assert_int_equal(p->libs_dropped, 2);
	for (i = 0; i < PROC_MAX_LIBS; i++)
		assert_int_equal(p->libs[i].why, WHY_DELETED);
	/* Never dropped without a word. */
	assert_non_null(strstr(p->errmsg, "2 more"));

	assert_int_equal(proc_scan("/nonexistent/procroot", collect, seen,
	    &st), -ENOENT);
	seen_free(seen);
	free(maps);
}

static void
test_map_file_name(void **state)
{
	struct proc_lib lib;
	char buf[128];

	(void)state;
	memset(&lib, 0, sizeof(lib));
	lib.start = 0x7f1c2a400000ull;
	lib.end = 0x7f1c2a4a2000ull;
	assert_int_equal(proc_lib_map_file("/proc", 42, &lib, buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "/proc/42/map_files/7f1c2a400000-7f1c2a4a2000");
	assert_int_equal(proc_lib_map_file("/proc", 42, &lib, buf, 20), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_real_line),
		cmocka_unit_test(test_parse_deleted_and_spaces),
		cmocka_unit_test(test_parse_anonymous),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_is_tls_library),
		cmocka_unit_test(test_cgroup_unit),
		cmocka_unit_test(test_container_hint),
		cmocka_unit_test(test_restart_plan),
		cmocka_unit_test(test_why_str),
		cmocka_unit_test(test_map_file_name),
		cmocka_unit_test_setup_teardown(test_scan_fake_tree,
		    fake_setup, fake_teardown),
	};

	return hc_run_group_tests(tests, NULL, NULL);
}
