/*
 * Package database parsers and the scan over fake and real roots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../hc_skip.h"

#include "local/pkgdb.h"

#ifndef PKG_TESTDATA
#define PKG_TESTDATA "tests/unit/pkg/data"
#endif

#define MAX_ENTRIES 64

struct entry {
	char name[256], version[256], arch[64], status[128];
};

struct entries {
	struct entry e[MAX_ENTRIES];
	int n;
};

static void collect(void *ctx, const char *name, const char *version, const char *arch,
	const char *status)
{
	struct entries *es = ctx;
	struct entry *e;

	assert_true(es->n < MAX_ENTRIES);
	e = &es->e[es->n++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->version, sizeof(e->version), "%s", version);
	snprintf(e->arch, sizeof(e->arch), "%s", arch);
	snprintf(e->status, sizeof(e->status), "%s", status);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static void test_dpkg_fixture(void **state)
{
	struct entries *es = calloc(1, sizeof(*es));
	size_t len;
	char *buf = slurp(PKG_TESTDATA "/dpkg-status-sample", &len);

	(void)state;
	assert_int_equal(dpkg_status_parse(buf, len, collect, es), 6);
	assert_int_equal(es->n, 6);
	/* Continuation lines of Description do not override Version. */
	assert_string_equal(es->e[0].name, "libc6");
	assert_string_equal(es->e[0].version, "2.13-38+deb7u1");
	assert_string_equal(es->e[1].name, "libssl1.0.0");
	assert_string_equal(es->e[1].version, "1.0.1e-2+deb7u4");
	assert_string_equal(es->e[1].arch, "amd64");
	assert_string_equal(es->e[1].status, "install ok installed");
	assert_string_equal(es->e[2].status, "install ok half-installed");
	assert_string_equal(es->e[2].arch, "i386");
	/* Field names are case-insensitive and values are trimmed. */
	assert_string_equal(es->e[3].name, "openssl");
	assert_string_equal(es->e[3].version, "1.0.1e-2+deb7u5");
	assert_string_equal(es->e[4].status, "deinstall ok config-files");
	assert_string_equal(es->e[5].version, "");
	free(buf);
	free(es);
}

static void test_dpkg_hostile(void **state)
{
	struct entries *es = calloc(1, sizeof(*es));
	char *big;
	size_t k;
	static const char tail[] = "\n\nPackage: b\nVersion: 1\n";

	(void)state;
	/* An over-long version skips that stanza only. */
	big = malloc(2000);
	assert_non_null(big);
	k = (size_t)snprintf(big, 2000, "Package: a\nVersion: ");
	memset(big + k, '1', 600);
	k += 600;
	memcpy(big + k, tail, sizeof(tail) - 1);
	k += sizeof(tail) - 1;
	assert_int_equal(dpkg_status_parse(big, k, collect, es), 1);
	assert_string_equal(es->e[0].name, "b");
	free(big);

	/* No trailing newline, CRLF lines, junk lines and no buffer. */
	es->n = 0;
	assert_int_equal(dpkg_status_parse("Package: x\r\nVersion: 2\r\njunk\n:\n", 31, collect, es), 1);
	assert_string_equal(es->e[0].version, "2");
	assert_int_equal(dpkg_status_parse(NULL, 0, collect, es), 0);
	assert_int_equal(dpkg_status_parse("Package:", 8, NULL, NULL), 0);
	assert_true(dpkg_status_parse(NULL, 5, collect, es) < 0);
	free(es);
}

/* Keeps the libssl packages of a whole status file, and counts all. */
struct real_ctx {
	struct entries es;
	int total;
};

static void collect_libssl(void *ctx, const char *name, const char *version, const char *arch,
	const char *status)
{
	struct real_ctx *rc = ctx;

	rc->total++;
	if (strncmp(name, "libssl", 6) == 0)
		collect(&rc->es, name, version, arch, status);
}

static void test_dpkg_real(void **state)
{
	struct real_ctx *rc;
	char *buf, want[256] = "";
	size_t len;
	FILE *p;
	int k, n, found = 0;

	(void)state;
	if (access("/var/lib/dpkg/status", R_OK) != 0)
		hc_skip("no dpkg database (/var/lib/dpkg/status) on this machine");
	/* dpkg-query gives the reference version, when it is available. */
	p = popen("dpkg-query -W -f='${Version}' libssl3 2>/dev/null", "r");
	if (p) {
		if (!fgets(want, sizeof(want), p))
			want[0] = '\0';
		pclose(p);
	}
	buf = slurp("/var/lib/dpkg/status", &len);
	rc = calloc(1, sizeof(*rc));
	assert_non_null(rc);
	n = dpkg_status_parse(buf, len, collect_libssl, rc);
	assert_int_equal(n, rc->total);
	assert_true(n > 50);
	for (k = 0; k < rc->es.n; k++) {
		if (strcmp(rc->es.e[k].name, "libssl3") != 0)
			continue;
		found = 1;
		assert_true(rc->es.e[k].version[0] == '3');
		assert_string_equal(rc->es.e[k].status, "install ok installed");
		if (want[0])
			assert_string_equal(rc->es.e[k].version, want);
		print_message("libssl3 %s %s (%d stanzas)\n", rc->es.e[k].version,
			rc->es.e[k].arch, n);
	}
	assert_true(found);
	free(buf);
	free(rc);
}

static void test_apk_parse(void **state)
{
	static const char db[] =
		"C:Q1abc=\nP:musl\nV:1.1.24-r2\nA:x86_64\n\n"
		"C:Q1def=\nP:libssl1.0\nV:1.0.1f-r0\nA:x86_64\nT:SSL shared libraries\n\n"
		"P:openssl\nV:1.0.1g-r0\nA:x86\n";
	struct entries *es = calloc(1, sizeof(*es));

	(void)state;
	assert_int_equal(apk_installed_parse(db, sizeof(db) - 1, collect, es), 3);
	assert_string_equal(es->e[1].name, "libssl1.0");
	assert_string_equal(es->e[1].version, "1.0.1f-r0");
	assert_string_equal(es->e[2].arch, "x86");
	assert_string_equal(es->e[2].status, "installed");
	free(es);
}

struct rpm_rows {
	char line[8][300];
	int n;
};

static void rpm_collect(void *ctx, const char *name, const char *epoch, const char *version,
	const char *release, const char *arch)
{
	struct rpm_rows *r = ctx;

	assert_true(r->n < 8);
	snprintf(r->line[r->n++], sizeof(r->line[0]), "%s|%s|%s|%s|%s", name, epoch, version,
		release, arch);
}

static void test_rpm_parse(void **state)
{
	static const char out[] =
		"openssl\t1\t1.0.1e\t16.el6_5.4\tx86_64\n"
		"openssl-devel\t0\t1.0.1e\t16.el6_5.4\tx86_64\n"
		"bad line without tabs\n"
		"too\tmany\tfields\there\tnow\textra\n"
		"\t0\t1\t1\tx\n"
		"openssl-libs\t(none)\t1.0.1e\t37.fc20.1\ti686";
	struct rpm_rows r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(rpm_qa_parse(out, sizeof(out) - 1, rpm_collect, &r), 3);
	assert_string_equal(r.line[0], "openssl|1|1.0.1e|16.el6_5.4|x86_64");
	assert_string_equal(r.line[2], "openssl-libs|(none)|1.0.1e|37.fc20.1|i686");
	assert_int_equal(rpm_qa_parse("", 0, rpm_collect, &r), 0);
}

static void test_redhat_release(void **state)
{
	static const char c6[] = "CentOS release 6.5 (Final)\n";
	static const char r6[] = "Red Hat Enterprise Linux Server release 6.4 (Santiago)\n";
	struct os_release os;

	(void)state;
	assert_int_equal(redhat_release_parse(c6, sizeof(c6) - 1, &os), 0);
	assert_string_equal(os.id, "centos");
	assert_string_equal(os.version_id, "6.5");
	assert_int_equal(redhat_release_parse(r6, sizeof(r6) - 1, &os), 0);
	assert_string_equal(os.id, "rhel");
	assert_string_equal(os.version_id, "6.4");
	assert_true(redhat_release_parse("Debian 7", 8, &os) < 0);
	assert_true(redhat_release_parse("CentOS release x", 16, &os) < 0);
}

/* --- fake roots --------------------------------------------------------- */

static void write_file(const char *root, const char *rel, const char *text)
{
	char path[4096], dir[4096], *slash;
	size_t k;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	/* Create each parent directory in turn. */
	snprintf(dir, sizeof(dir), "%s", path);
	for (k = strlen(root) + 1; dir[k]; k++) {
		if (dir[k] != '/')
			continue;
		dir[k] = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", dir, strerror(errno));
		dir[k] = '/';
	}
	slash = strrchr(path, '/');
	assert_non_null(slash);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void rm_tree(const char *root)
{
	char cmd[4200];

	/* Only ever a directory made by mkdtemp below. */
	assert_non_null(strstr(root, "/heartcheck-pkg-"));
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static char *make_root(void)
{
	const char *tmp = getenv("TMPDIR");
	char *root = malloc(4096);

	assert_non_null(root);
	snprintf(root, 4096, "%s/heartcheck-pkg-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(root));
	return root;
}

#define MAX_FINDINGS 16

struct findings {
	struct pkg_finding f[MAX_FINDINGS];
	int n;
};

static void on_finding(void *ctx, const struct pkg_finding *f)
{
	struct findings *fs = ctx;

	assert_true(fs->n < MAX_FINDINGS);
	fs->f[fs->n++] = *f;
}

static const struct pkg_finding *find(const struct findings *fs, const char *name, const char *arch)
{
	int k;

	for (k = 0; k < fs->n; k++)
		if (strcmp(fs->f[k].name, name) == 0 && strcmp(fs->f[k].arch, arch) == 0)
			return &fs->f[k];
	return NULL;
}

static void test_scan_wheezy(void **state)
{
	char *root = make_root(), err[256];
	struct findings *fs = calloc(1, sizeof(*fs));
	const struct pkg_finding *f;
	char *status;
	size_t len;

	(void)state;
	status = slurp(PKG_TESTDATA "/dpkg-status-sample", &len);
	write_file(root, "etc/os-release",
		"PRETTY_NAME=\"Debian GNU/Linux 7 (wheezy)\"\nNAME=\"Debian GNU/Linux\"\n"
		"VERSION_ID=\"7\"\nVERSION=\"7 (wheezy)\"\nID=debian\n");
	write_file(root, "var/lib/dpkg/status", status);
	free(status);

	/* libssl1.0.0 amd64, libssl1.0.0 i386 (half-installed) and openssl;
	 * libc6, the config-files and the not-installed ones are skipped. */
	assert_int_equal(pkgdb_scan(root, NULL, on_finding, fs, err, sizeof(err)), 3);
	assert_int_equal(fs->n, 3);
	f = find(fs, "libssl1.0.0", "amd64");
	assert_non_null(f);
	assert_int_equal(f->verdict, PKG_VULNERABLE);
	assert_string_equal(f->version, "1.0.1e-2+deb7u4");
	assert_string_equal(f->fixed_in, "1.0.1e-2+deb7u5");
	assert_string_equal(f->advisory, "DSA-2896-1");
	assert_int_equal(f->confirmed, 1);
	f = find(fs, "libssl1.0.0", "i386");
	assert_non_null(f);
	assert_int_equal(f->verdict, PKG_UNKNOWN);
	assert_non_null(strstr(f->reason, "half-installed"));
	f = find(fs, "openssl", "amd64");
	assert_non_null(f);
	assert_int_equal(f->verdict, PKG_FIXED);
	rm_tree(root);
	free(root);
	free(fs);
}

static void test_scan_other_roots(void **state)
{
	char *root, err[256];
	struct findings *fs = calloc(1, sizeof(*fs));
	const struct pkg_finding *f;

	(void)state;
	/* Alpine. */
	root = make_root();
	write_file(root, "etc/os-release", "ID=alpine\nVERSION_ID=2.7.6\n");
	write_file(root, "lib/apk/db/installed",
		"P:libssl1.0\nV:1.0.1f-r0\nA:x86_64\n\nP:busybox\nV:1.21.1-r2\n\n"
		"P:libcrypto1.0\nV:1.0.1g-r0\nA:x86_64\n");
	assert_int_equal(pkgdb_scan(root, NULL, on_finding, fs, err, sizeof(err)), 2);
	assert_int_equal(find(fs, "libssl1.0", "x86_64")->verdict, PKG_VULNERABLE);
	assert_int_equal(find(fs, "libcrypto1.0", "x86_64")->verdict, PKG_FIXED);
	rm_tree(root);
	free(root);

	/* Gentoo and pacman directory trees. */
	fs->n = 0;
	root = make_root();
	write_file(root, "etc/os-release", "ID=gentoo\n");
	write_file(root, "var/db/pkg/dev-libs/openssl-1.0.1f-r1/CONTENTS", "");
	assert_int_equal(pkgdb_scan(root, NULL, on_finding, fs, err, sizeof(err)), 1);
	f = find(fs, "dev-libs/openssl", "");
	assert_non_null(f);
	assert_int_equal(f->verdict, PKG_VULNERABLE);
	assert_string_equal(f->advisory, "GLSA 201404-07");
	rm_tree(root);
	free(root);

	fs->n = 0;
	root = make_root();
	write_file(root, "etc/os-release", "ID=arch\n");
	write_file(root, "var/lib/pacman/local/openssl-1.0.1.g-1/desc", "");
	write_file(root, "var/lib/pacman/local/openssl-1.0-1.0.2.u-1/desc", "");
	write_file(root, "var/lib/pacman/local/zlib-1:1.2.8-3/desc", "");
	assert_int_equal(pkgdb_scan(root, NULL, on_finding, fs, err, sizeof(err)), 2);
	f = find(fs, "openssl", "");
	assert_non_null(f);
	assert_string_equal(f->version, "1.0.1.g-1");
	assert_int_equal(f->verdict, PKG_FIXED);
	rm_tree(root);
	free(root);

	/* Nothing at all. */
	fs->n = 0;
	root = make_root();
	assert_int_equal(pkgdb_scan(root, NULL, on_finding, fs, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no dpkg"));
	assert_int_equal(fs->n, 0);
	rm_tree(root);
	free(root);
	assert_true(pkgdb_scan(NULL, NULL, on_finding, fs, err, sizeof(err)) < 0);
	free(fs);
}

/* rpm's own query over an empty database under a fake root: it must run,
 * finish before its deadline and report nothing. */
static void test_scan_rpm_empty(void **state)
{
	char *root, err[256];
	struct findings *fs;

	(void)state;
	if (access("/usr/bin/rpm", X_OK) != 0)
		hc_skip("no rpm (/usr/bin/rpm) on this machine");
	fs = calloc(1, sizeof(*fs));
	root = make_root();
	write_file(root, "etc/redhat-release", "CentOS release 6.5 (Final)\n");
	write_file(root, "var/lib/rpm/.keep", "");
	assert_int_equal(pkgdb_scan(root, NULL, on_finding, fs, err, sizeof(err)), 0);
	assert_int_equal(fs->n, 0);
	rm_tree(root);
	free(root);
	free(fs);
}

static void test_scan_this_host(void **state)
{
	struct findings *fs;
	char err[256];
	int r, k, saw = 0;

	(void)state;
	if (access("/var/lib/dpkg/status", R_OK) != 0)
		hc_skip("no dpkg database (/var/lib/dpkg/status) on this machine");
	fs = calloc(1, sizeof(*fs));
	r = pkgdb_scan("/", NULL, on_finding, fs, err, sizeof(err));
	assert_true(r >= 1);
	for (k = 0; k < fs->n; k++) {
		print_message("%s %s %s: %s (%s)\n", fs->f[k].name, fs->f[k].version, fs->f[k].arch,
			pkg_verdict_name(fs->f[k].verdict), fs->f[k].reason);
		/* Every OpenSSL a current host ships is past the bug. */
		assert_int_not_equal(fs->f[k].verdict, PKG_VULNERABLE);
		if (strncmp(fs->f[k].name, "libssl3", 7) == 0)
			saw = 1;
	}
	assert_true(saw);
	free(fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dpkg_fixture),
		cmocka_unit_test(test_dpkg_hostile),
		cmocka_unit_test(test_dpkg_real),
		cmocka_unit_test(test_apk_parse),
		cmocka_unit_test(test_rpm_parse),
		cmocka_unit_test(test_redhat_release),
		cmocka_unit_test(test_scan_wheezy),
		cmocka_unit_test(test_scan_other_roots),
		cmocka_unit_test(test_scan_rpm_empty),
		cmocka_unit_test(test_scan_this_host),
	};

	return hc_run_group_tests(tests, NULL, NULL);
}
