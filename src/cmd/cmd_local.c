/*
 * heartcheck local: the host audit.  Wiring only: library discovery and
 * testing, process maps, listeners and packages live in src/local/, the
 * probe of listeners in src/net/.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "local/advisory.h"
#include "local/libfind.h"
#include "local/libtest.h"
#include "local/listeners.h"
#include "local/pkgdb.h"
#include "local/procmaps.h"
#include "local/units.h"
#include "net/scan.h"
#include "report/out.h"

#define DEFAULT_LIB_TIMEOUT_MS 5000
/* The whole audit's deadline, in seconds: check_nrpe gives a check 10 s. */
#define DEFAULT_DEADLINE_S 600
#define DEFAULT_NAGIOS_DEADLINE_S 9

struct local_opts {
	int json, nagios, openmetrics, quiet, color;
	int no_listeners, no_libtest, no_packages, no_processes;
	unsigned timeout_ms;
	unsigned deadline_s;    /* 0: the default for the output mode */
	const char *root;       /* file system root for libraries, packages */
	const char *procroot;
};

/* One tested image: a file on disk or a process's mapped copy. */
struct tested {
	dev_t dev;
	ino_t ino;
	struct libtest_result r;
};

struct audit {
	struct local_opts o;
	struct out out;
	struct proc_info **procs; /* trimmed copies: only nlibs entries */
	size_t nprocs, procs_cap;
	struct proc_scan_stats pst;
	struct lib_list libs;
	struct tested *tested;
	size_t ntested, tested_cap;
	struct restart_plan *rp;
	/* Counts for the summary, Nagios and OpenMetrics. */
	unsigned libs_total, libs_vuln, libs_untested, libs_possibly;
	unsigned procs_restart, procs_vuln_loaded, procs_unreadable;
	unsigned listeners_total, listeners_tls, listeners_vuln;
	unsigned listeners_skipped;
	unsigned pkgs_total, pkgs_vuln;
	double t_procs, t_libs, t_listeners, t_pkgs;
	int section_printed;
	double deadline_at;     /* now_s() time the audit must end by */
	/* What the deadline (or a listener's budget) cut short. */
	unsigned libs_unfinished, procs_unfinished, listeners_unfinished;
	unsigned packages_skipped;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Milliseconds left before the audit's deadline, 0 when it has passed. */
static long long left_ms(const struct audit *a)
{
	double left = a->deadline_at - now_s();

	return left > 0 ? (long long)(left * 1000) : 0;
}

static void deadline_result(struct libtest_result *r)
{
	memset(r, 0, sizeof(*r));
	r->exit_status = -1;
	r->verdict = LIB_TIMEOUT;
	snprintf(r->reason, sizeof(r->reason), "not tested: the audit's "
	    "deadline (--deadline) passed first");
}

static int text_out(const struct audit *a)
{
	return !a->o.json && !a->o.nagios && !a->o.openmetrics;
}

static void section(struct audit *a, const char *title)
{
	if (!text_out(a))
		return;
	fprintf(a->out.f, "%s%s%s\n", out_bold(&a->out), title,
	    out_reset(&a->out));
}

static void local_usage(FILE *f)
{
	fprintf(f,
	    "usage: heartcheck [local] [OPTIONS]\n"
	    "\n"
	    "Audit this host for Heartbleed: test every OpenSSL library on disk and in\n"
	    "memory by running its own code in a sandbox, name every process and\n"
	    "service that must be restarted, probe the listening TCP services over\n"
	    "loopback, and check installed packages against the distributions'\n"
	    "advisories.  Run as root to see every process and mapped image.\n"
	    "\n"
	    "Options:\n"
	    "  -j, --json           JSON Lines on stdout (docs/json-schema.md)\n"
	    "      --nagios         one Nagios plugin status line with perfdata\n"
	    "      --openmetrics    metrics for node_exporter's textfile collector\n"
	    "      --no-libtest     do not load libraries (version strings only)\n"
	    "      --no-listeners   do not probe listening services\n"
	    "      --no-packages    do not read the package database\n"
	    "      --no-processes   do not read process maps\n"
	    "      --timeout MS     deadline per library test, and for all listener\n"
	    "                       probes together (default %d)\n"
	    "      --deadline S     the whole audit ends within S seconds (default\n"
	    "                       %d, with --nagios %d); what it could not finish\n"
	    "                       is reported as not finished\n"
	    "  -q, --quiet          text: findings only\n"
	    "      --color WHEN     auto (default), always, never\n"
	    "  -h, --help           this text\n"
	    "\n"
	    "Exit status: 0 nothing vulnerable and nothing to restart, 1 something\n"
	    "vulnerable or a process to restart, 2 usage error, 3 some things could\n"
	    "not be tested, 4 the report could not be written (standard output full\n"
	    "or closed).  With --nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also\n"
	    "when the status line could not be written).\n",
	    DEFAULT_LIB_TIMEOUT_MS, DEFAULT_DEADLINE_S,
	    DEFAULT_NAGIOS_DEADLINE_S);
}

/* ---- processes ---- */

static void on_proc(void *ctx, const struct proc_info *p)
{
	struct audit *a = ctx;
	struct proc_info *copy;

	if (a->nprocs == a->procs_cap) {
		size_t cap = a->procs_cap ? a->procs_cap * 2 : 16;
		struct proc_info **v = realloc(a->procs, cap * sizeof(*v));

		if (!v)
			return;
		a->procs = v;
		a->procs_cap = cap;
	}
	if ((copy = malloc(sizeof(*copy))) == NULL)
		return;
	*copy = *p;
	copy->libs = NULL;
	copy->libs_cap = 0;
	if (p->nlibs > 0) {
		copy->libs = malloc((size_t)p->nlibs * sizeof(p->libs[0]));
		if (!copy->libs) {
			/* Never lose an image without a word. */
			copy->libs_dropped += copy->nlibs;
			copy->nlibs = 0;
			snprintf(copy->errmsg, sizeof(copy->errmsg),
			    "out of memory keeping its %d images",
			    copy->libs_dropped);
		} else {
			memcpy(copy->libs, p->libs,
			    (size_t)p->nlibs * sizeof(p->libs[0]));
			copy->libs_cap = p->nlibs;
		}
	}
	a->procs[a->nprocs++] = copy;
}

static int is_libssl(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	return strncmp(b, "libssl", 6) == 0;
}

/* ---- library tests ---- */

static struct tested *tested_find(struct audit *a, dev_t dev, ino_t ino)
{
	size_t i;

	for (i = 0; i < a->ntested; i++)
		if (a->tested[i].dev == dev && a->tested[i].ino == ino)
			return &a->tested[i];
	return NULL;
}

static struct tested *tested_add(struct audit *a, dev_t dev, ino_t ino,
    const struct libtest_result *r)
{
	if (a->ntested == a->tested_cap) {
		size_t cap = a->tested_cap ? a->tested_cap * 2 : 16;
		struct tested *v = realloc(a->tested, cap * sizeof(*v));

		if (!v)
			return NULL;
		a->tested = v;
		a->tested_cap = cap;
	}
	a->tested[a->ntested].dev = dev;
	a->tested[a->ntested].ino = ino;
	a->tested[a->ntested].r = *r;
	return &a->tested[a->ntested++];
}

/* 1.0.1 to 1.0.1f and 1.0.2-beta1 (FACTS.md, "Versions"). */
static int version_string_vulnerable(const char *v)
{
	const char *p = strstr(v, "OpenSSL ");

	if (!p)
		return 0;
	p += 8;
	if (!strncmp(p, "1.0.2-beta1", 11))
		return 1;
	if (strncmp(p, "1.0.1", 5) != 0)
		return 0;
	p += 5;
	return *p == ' ' || *p == '-' || *p == '\0' ||
	    (*p >= 'a' && *p <= 'f' && (p[1] == ' ' || p[1] == '\0' ||
	    p[1] == '-'));
}

/* Judges a library without loading it: static binaries, musl builds,
 * --no-libtest.  Only ever "possibly vulnerable", never proof. */
static void judge_by_version(const char *path, const char *crypto,
    const char *why, struct libtest_result *r)
{
	char ver[OPENSSL_VERSION_MAX + 1] = "";

	memset(r, 0, sizeof(*r));
	r->exit_status = -1;
	/* The version string lives in libcrypto for shared builds. */
	if (openssl_version_scan_file(path, 64u << 20, ver, sizeof(ver)) == 1 ||
	    (crypto && crypto[0] && openssl_version_scan_file(crypto,
	    64u << 20, ver, sizeof(ver)) == 1))
		snprintf(r->version, sizeof(r->version), "%s", ver);
	r->verdict = LIB_INCONCLUSIVE;
	if (r->version[0] && version_string_vulnerable(r->version))
		snprintf(r->reason, sizeof(r->reason), "possibly vulnerable: "
		    "%s, and its version string is in the vulnerable range "
		    "(a version string is not proof)", why);
	else
		snprintf(r->reason, sizeof(r->reason), "%s; version string "
		    "%s", why, r->version[0] ? "outside the vulnerable range" :
		    "not found");
}

static int possibly(const struct libtest_result *r)
{
	return r->verdict == LIB_INCONCLUSIVE &&
	    !strncmp(r->reason, "possibly vulnerable", 19);
}

static void test_one(struct audit *a, const char *path, const char *crypto,
    struct libtest_result *r)
{
	long long left = left_ms(a);

	if (a->o.no_libtest) {
		judge_by_version(path, crypto, "not loaded (--no-libtest)", r);
		return;
	}
	if (left < 100) {
		deadline_result(r);
		return;
	}
	libtest_run("/proc/self/exe", path, crypto && crypto[0] ? crypto :
	    NULL, left < a->o.timeout_ms ? (int)left : (int)a->o.timeout_ms, r);
	if (r->verdict == LIB_LOAD_FAILED && !r->version[0]) {
		struct libtest_result v;

		judge_by_version(path, crypto, "", &v);
		memcpy(r->version, v.version, sizeof(r->version));
	}
}

static const char *lib_color(const struct audit *a,
    const struct libtest_result *r)
{
	if (r->verdict == LIB_VULNERABLE || possibly(r))
		return out_red(&a->out);
	if (r->verdict == LIB_PATCHED || r->verdict == LIB_NO_HEARTBEAT)
		return out_green(&a->out);
	return out_yellow(&a->out);
}

static const char *lib_verdict_text(const struct libtest_result *r)
{
	return possibly(r) ? "possibly-vulnerable" : lib_verdict_name(r->verdict);
}

static void count_lib(struct audit *a, const struct libtest_result *r)
{
	a->libs_total++;
	if (r->verdict == LIB_VULNERABLE)
		a->libs_vuln++;
	else if (possibly(r))
		a->libs_possibly++;
	/* A file that is no library is an answer, not a gap. */
	else if (r->verdict != LIB_PATCHED && r->verdict != LIB_NO_HEARTBEAT &&
	    r->verdict != LIB_NOT_LIBRARY)
		a->libs_untested++;
}

static void print_library(struct audit *a, const struct lib_cand *c,
    const struct libtest_result *r)
{
	if (a->o.json) {
		json_t *j = json_object(), *src = json_array();

		json_object_set_new(j, "type", json_string("library"));
		out_json_set_str(j, "path", c->path);
		out_json_set_str(j, "soname", c->soname);
		out_json_set_str(j, "version", r->version);
		json_object_set_new(j, "verdict",
		    json_string(lib_verdict_text(r)));
		out_json_set_str(j, "reason", r->reason);
		json_object_set_new(j, "disclosed", json_integer(r->disclosed));
		if (c->crypto_path[0])
			out_json_set_str(j, "libcrypto", c->crypto_path);
		if (c->sources & LS_LDCACHE)
			json_array_append_new(src, json_string("ld.so.cache"));
		if (c->sources & LS_DIR)
			json_array_append_new(src, json_string("directory"));
		if (c->sources & LS_PROCESS)
			json_array_append_new(src, json_string("process"));
		json_object_set_new(j, "sources", src);
		out_json(&a->out, j);
		return;
	}
	if (!text_out(a))
		return;
	if (a->o.quiet && (r->verdict == LIB_PATCHED ||
	    r->verdict == LIB_NO_HEARTBEAT))
		return;
	fprintf(a->out.f, "  %s%-20s%s %s\n      %s%s%s\n",
	    lib_color(a, r), lib_verdict_text(r), out_reset(&a->out),
	    out_esc(c->path), r->version[0] ? out_esc(r->version) : "",
	    r->version[0] ? ": " : "", out_esc(r->reason));
	fflush(a->out.f);
}

static void audit_libraries(struct audit *a)
{
	size_t i, j;
	double t0 = now_s();

	libfind_scan_system(&a->libs, a->o.root);
	/* Mapped files that still exist are candidates too: a process may
	 * have loaded a library from anywhere. */
	for (i = 0; i < a->nprocs; i++) {
		for (j = 0; j < (size_t)a->procs[i]->nlibs; j++) {
			const struct proc_lib *l = &a->procs[i]->libs[j];
			char path[4200];

			if (l->why & (WHY_DELETED | WHY_REPLACED))
				continue;
			if (a->procs[i]->container[0])
				snprintf(path, sizeof(path), "%s/%d/root%s",
				    a->o.procroot, (int)a->procs[i]->pid, l->path);
			else
				snprintf(path, sizeof(path), "%s", l->path);
			libfind_add(&a->libs, path, LS_PROCESS);
		}
	}
	libfind_pair(&a->libs);
	section(a, "Libraries (each tested by running its own code in a sandbox)");
	for (i = 0; i < a->libs.n; i++) {
		const struct lib_cand *c = &a->libs.v[i];
		struct libtest_result r;

		if (c->notlib[0]) {
			/* Named like a library, but none: say so. */
			memset(&r, 0, sizeof(r));
			r.exit_status = -1;
			r.verdict = LIB_NOT_LIBRARY;
			snprintf(r.reason, sizeof(r.reason), "%s", c->notlib);
			count_lib(a, &r);
			print_library(a, c, &r);
			continue;
		}
		if (c->kind != LK_SSL)
			continue;
		if (c->elf == ELF_EXEC)
			judge_by_version(c->path, NULL, "a static executable "
			    "cannot be loaded", &r);
		else if (c->musl)
			judge_by_version(c->path, c->crypto_path, "built "
			    "against musl, which a glibc helper cannot load",
			    &r);
		else if (c->elf == ELF_OTHER_MACHINE)
			judge_by_version(c->path, c->crypto_path, "built for "
			    "another machine", &r);
		else
			test_one(a, c->path, c->crypto_path, &r);
		if (r.verdict == LIB_TIMEOUT && left_ms(a) < 100)
			a->libs_unfinished++;
		/* Remember the verdict only for the file that was really
		 * tested: the path may name another file by now (a FIFO
		 * swapped in), and then the mapped image is tested on its
		 * own.  A version-string verdict reads the candidate itself. */
		if (r.ino == 0 && (a->o.no_libtest || c->elf == ELF_EXEC ||
		    c->musl || c->elf == ELF_OTHER_MACHINE)) {
			r.dev = c->dev;
			r.ino = c->ino;
		}
		if (r.dev == c->dev && r.ino == c->ino)
			tested_add(a, r.dev, r.ino, &r);
		count_lib(a, &r);
		print_library(a, c, &r);
	}
	if (text_out(a) && a->libs_total == 0)
		fprintf(a->out.f, "  no libssl found\n");
	a->t_libs = now_s() - t0;
}

/* The mapped libcrypto of the same process that pairs with libssl l: same
 * directory and same soname suffix ("libssl.so.1.0.0" pairs with
 * "libcrypto.so.1.0.0"), so a process that maps two OpenSSL generations
 * does not get the other generation's libcrypto. */
static const struct proc_lib *proc_crypto(const struct proc_info *p,
    const struct proc_lib *l)
{
	const char *sb = strrchr(l->path, '/');
	const char *ss = sb ? strstr(sb, ".so") : NULL;
	size_t dlen = sb ? (size_t)(sb - l->path) : 0;
	int i;

	for (i = 0; ss && i < p->nlibs; i++) {
		const char *c = p->libs[i].path;
		const char *cb = strrchr(c, '/');

		if (is_libssl(c) || !cb || (size_t)(cb - c) != dlen ||
		    memcmp(c, l->path, dlen) != 0)
			continue;
		if (strncmp(cb + 1, "libcrypto", 9) == 0 &&
		    strcmp(cb + 10, ss) == 0)
			return &p->libs[i];
	}
	return NULL;
}

/* Decides whether the image a process maps is vulnerable.  A mapping that
 * still is the file on disk shares that file's verdict; a deleted or
 * replaced one is tested through /proc/PID/map_files, the copy the process
 * really runs (FACTS.md, "Testing the copy a process is actually running"). */
static const struct libtest_result *image_verdict(struct audit *a,
    const struct proc_info *p, const struct proc_lib *l)
{
	dev_t dev = makedev(l->dev_major, l->dev_minor);
	struct tested *t = tested_find(a, dev, (ino_t)l->inode);
	struct libtest_result r;
	char img[256], cimg[256];
	const struct proc_lib *c;

	if (t)
		return &t->r;
	if (!is_libssl(l->path))
		return NULL;
	if (proc_lib_map_file(a->o.procroot, p->pid, l, img, sizeof(img)) != 0)
		return NULL;
	if (access(img, R_OK) != 0) {
		memset(&r, 0, sizeof(r));
		r.verdict = LIB_LOAD_FAILED;
		r.exit_status = -1;
		snprintf(r.reason, sizeof(r.reason), "the mapped image cannot "
		    "be opened through %.180s (run as root)", img);
	} else {
		c = proc_crypto(p, l);
		cimg[0] = '\0';
		if (c)
			proc_lib_map_file(a->o.procroot, p->pid, c, cimg,
			    sizeof(cimg));
		test_one(a, img, cimg, &r);
	}
	/* A deadline is no verdict: do not remember it. */
	if (r.verdict == LIB_TIMEOUT && left_ms(a) < 100) {
		static struct libtest_result cut;

		cut = r;
		return &cut;
	}
	t = tested_add(a, dev, (ino_t)l->inode, &r);
	return t ? &t->r : NULL;
}

static void print_process(struct audit *a, const struct proc_info *p,
    unsigned why_all)
{
	char wb[64];
	int i;

	if (a->o.json) {
		json_t *j = json_object(), *libs = json_array();

		json_object_set_new(j, "type", json_string("process"));
		json_object_set_new(j, "pid", json_integer(p->pid));
		json_object_set_new(j, "uid", json_integer(p->uid));
		out_json_set_str(j, "comm", p->comm);
		out_json_set_str(j, "cmdline", p->cmdline);
		out_json_set_str(j, "unit", p->unit[0] ? p->unit : NULL);
		if (p->container[0])
			out_json_set_str(j, "container", p->container);
		/* Unknown (null) when some of its images were not examined. */
		json_object_set_new(j, "restart", why_all ? json_true() :
		    p->libs_dropped ? json_null() : json_false());
		if (p->unreadable || p->libs_dropped)
			out_json_set_str(j, "error", p->errmsg);
		for (i = 0; i < p->nlibs; i++) {
			json_t *l = json_object();

			out_json_set_str(l, "path", p->libs[i].path);
			json_object_set_new(l, "why", json_string(
			    restart_why_str(p->libs[i].why, wb, sizeof(wb))));
			json_array_append_new(libs, l);
		}
		json_object_set_new(j, "libraries", libs);
		out_json(&a->out, j);
		return;
	}
	if (!text_out(a) || (!why_all && !p->unreadable && !p->libs_dropped))
		return;
	if (p->libs_dropped && !why_all) {
		fprintf(a->out.f, "  %s%-20s%s pid %d %s: %s\n",
		    out_yellow(&a->out), "not-examined", out_reset(&a->out),
		    (int)p->pid, out_esc(p->comm), out_esc(p->errmsg));
		return;
	}
	if (p->unreadable) {
		/* Without root most processes are unreadable: name a few,
		 * count the rest. */
		if (a->procs_unreadable <= 5)
			fprintf(a->out.f, "  %s%-20s%s pid %d %s: %s\n",
			    out_yellow(&a->out), "unreadable",
			    out_reset(&a->out), (int)p->pid, out_esc(p->comm),
			    out_esc(p->errmsg));
		return;
	}
	fprintf(a->out.f, "  %s%-20s%s pid %d %s%s%s%s\n", why_all &
	    WHY_VULNERABLE ? out_red(&a->out) : out_yellow(&a->out),
	    "restart", out_reset(&a->out), (int)p->pid, out_esc(p->comm),
	    p->unit[0] ? " (" : "", out_esc(p->unit), p->unit[0] ? ")" : "");
	for (i = 0; i < p->nlibs; i++)
		if (p->libs[i].why)
			fprintf(a->out.f, "      %s: %s\n",
			    out_esc(p->libs[i].path),
			    restart_why_str(p->libs[i].why, wb, sizeof(wb)));
	if (p->libs_dropped)
		fprintf(a->out.f, "      and %s\n", out_esc(p->errmsg));
	fflush(a->out.f);
}

static void audit_processes(struct audit *a)
{
	size_t i;
	int k;

	section(a, "Processes that still map an old or vulnerable libssl");
	for (i = 0; i < a->nprocs; i++) {
		struct proc_info *p = a->procs[i];
		unsigned why_all = 0;

		if (p->unreadable) {
			a->procs_unreadable++;
			print_process(a, p, 0);
			continue;
		}
		for (k = 0; k < p->nlibs; k++) {
			const struct libtest_result *r =
			    image_verdict(a, p, &p->libs[k]);

			if (r && r->verdict == LIB_VULNERABLE)
				p->libs[k].why |= WHY_VULNERABLE;
			if (r && r->verdict == LIB_TIMEOUT && left_ms(a) < 100 &&
			    !p->libs_dropped) {
				/* Cut short: never "no restart". */
				p->libs_dropped = 1;
				snprintf(p->errmsg, sizeof(p->errmsg), "not "
				    "examined: the audit's deadline passed");
				a->procs_unfinished++;
			}
			why_all |= p->libs[k].why;
		}
		if (why_all) {
			a->procs_restart++;
			if (why_all & WHY_VULNERABLE)
				a->procs_vuln_loaded++;
			restart_plan_add(a->rp, p);
		}
		/* Images it could not list: never "no restart". */
		if (p->libs_dropped && !why_all)
			a->procs_unreadable++;
		print_process(a, p, why_all);
	}
	if (text_out(a) && a->procs_unreadable > 5)
		fprintf(a->out.f, "  %s...%s and %u more unreadable processes\n",
		    out_yellow(&a->out), out_reset(&a->out),
		    a->procs_unreadable - 5);
	if (text_out(a) && a->procs_restart == 0)
		fprintf(a->out.f, "  %snone%s among the processes read (%u of "
		    "%u read, %u map libssl or libcrypto)\n",
		    out_green(&a->out), out_reset(&a->out),
		    a->pst.processes - a->procs_unreadable, a->pst.processes,
		    a->pst.with_tls);
}

/* ---- listening services ---- */

/* One endpoint handed to the scan, and whether its result came. */
struct lprobe {
	char spec[80];
	char ip[INET6_ADDRSTRLEN];
	uint16_t port;
	int done;
};

/*
 * The listener scan runs in a thread of its own, so that the audit can stop
 * waiting at its budget even though scan_run() has no way to be cancelled.
 * Results are handled under mu; once closed is set, a late result is never
 * reported (it could no longer be trusted to reach the output in order),
 * and the scan thread is parked in the hook until the process exits.
 */
struct lctx {
	struct audit *a;
	struct listener *ls;
	size_t n;
	struct lprobe *probes;
	size_t nprobes;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, closed;
	const struct tgt_set *set;
	struct scan_opts so;
	struct scan_hooks h;
	struct scan_stats st;
};

static const struct listener *listener_for(const struct lctx *c,
    const struct scan_result *r)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->ls[i].port == r->port &&
		    (c->ls[i].family == AF_INET6) == (strchr(r->ip, ':') != NULL))
			return &c->ls[i];
	return NULL;
}

/* The systemd unit of a process, from procroot/PID/cgroup, or "". */
static void unit_of(const struct audit *a, pid_t pid, char *unit, size_t cap)
{
	char path[64], buf[4096];
	FILE *f;
	size_t n;

	unit[0] = '\0';
	if (pid <= 0)
		return;
	snprintf(path, sizeof(path), "%.40s/%d/cgroup", a->o.procroot,
	    (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (cgroup_unit(buf, n, unit, cap) != 0)
		unit[0] = '\0';
}

static void report_listener(struct lctx *c, const struct scan_result *r)
{
	struct audit *a = c->a;
	const struct listener *l = listener_for(c, r);
	int tls = !probe_verdict_untested(r->verdict);
	char unit[256];

	unit_of(a, l ? l->pid : 0, unit, sizeof(unit));

	if (tls)
		a->listeners_tls++;
	if (r->verdict == PV_VULNERABLE)
		a->listeners_vuln++;
	/* Out of budget, in the scan or at the audit's deadline: either way
	 * the listener was not finished. */
	if (r->verdict == PV_TIMEOUT)
		a->listeners_unfinished++;
	if (a->o.json) {
		/* The scan object, with the owner added. */
		json_t *j = out_scan_json(r);

		if (!j)
			return;
		json_object_set_new(j, "type", json_string("listener"));
		json_object_set_new(j, "pid", l && l->pid ?
		    json_integer(l->pid) : json_null());
		out_json_set_str(j, "comm", l && l->comm[0] ? l->comm : NULL);
		out_json_set_str(j, "unit", unit[0] ? unit : NULL);
		out_json(&a->out, j);
		return;
	}
	if (!text_out(a) || (!tls && a->o.quiet) ||
	    r->verdict == PV_NOT_TLS || r->verdict == PV_REFUSED)
		return;
	fprintf(a->out.f, "  %s%-20s%s %-24s %s%s%s%s%s %s\n",
	    r->verdict == PV_VULNERABLE ? out_red(&a->out) : tls ?
	    out_green(&a->out) : out_yellow(&a->out),
	    probe_verdict_name(r->verdict), out_reset(&a->out),
	    out_esc(r->target), l && l->comm[0] ? "(" : "",
	    l ? out_esc(l->comm) : "", unit[0] ? ", " : "", out_esc(unit),
	    l && l->comm[0] ? ")" : "", out_esc(r->reason));
	fflush(a->out.f);
}

/* Output that backs up holds new listener probes; output that fails ends
 * them. */
static int on_listener_busy(void *ctx)
{
	struct lctx *c = ctx;

	return out_busy(&c->a->out);
}

static int is_loopback(int family, const uint8_t *addr)
{
	static const uint8_t v6lo[16] = { [15] = 1 };

	return family == AF_INET ? addr[0] == 127 : !memcmp(addr, v6lo, 16);
}

static int is_any(int family, const uint8_t *addr)
{
	static const uint8_t zero[16];

	return !memcmp(addr, zero, family == AF_INET ? 4 : 16);
}

static void on_listener_result(void *ctx, const struct scan_result *r)
{
	struct lctx *c = ctx;
	size_t i;

	pthread_mutex_lock(&c->mu);
	if (c->closed) {
		pthread_mutex_unlock(&c->mu);
		/* Too late: the audit has moved on.  Park here for good. */
		for (;;)
			pause();
	}
	for (i = 0; i < c->nprobes; i++)
		if (!c->probes[i].done && c->probes[i].port == r->port &&
		    !strcmp(c->probes[i].ip, r->ip)) {
			c->probes[i].done = 1;
			break;
		}
	report_listener(c, r);
	pthread_mutex_unlock(&c->mu);
}

static void *listener_thread(void *arg)
{
	struct lctx *c = arg;

	scan_run(c->set, &c->so, &c->h, &c->st);
	pthread_mutex_lock(&c->mu);
	c->done = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* Reports every listener whose probe did not finish within the budget. */
static void report_unfinished(struct lctx *c, const char *why)
{
	size_t i;

	for (i = 0; i < c->nprobes; i++) {
		struct lprobe *p = &c->probes[i];
		struct scan_result r;

		if (p->done)
			continue;
		memset(&r, 0, sizeof(r));
		r.target = p->spec;
		r.name = "";
		snprintf(r.ip, sizeof(r.ip), "%s", p->ip);
		r.port = p->port;
		r.verdict = PV_TIMEOUT;
		r.reason = why;
		r.alert = -1;
		report_listener(c, &r);
	}
}

static void audit_listeners(struct audit *a)
{
	/* Static: a scan thread still running at the budget keeps using it
	 * until the process exits. */
	static struct lctx c;
	static char why[160];
	struct tgt_set *set;
	struct rlimit rl;
	char spec[80], ip[INET6_ADDRSTRLEN], err[TGT_ERRMAX];
	size_t i;
	double t0 = now_s();
	long long budget;
	pthread_t th;
	int running = 0;

	memset(&c, 0, sizeof(c));
	c.a = a;
	pthread_mutex_init(&c.mu, NULL);
	pthread_cond_init(&c.cv, NULL);
	section(a, "Listening TCP services (probed over loopback)");
	if (listeners_scan(a->o.procroot, &c.ls, &c.n) < 0) {
		if (text_out(a))
			fprintf(a->out.f, "  cannot read %s/net/tcp\n",
			    out_esc(a->o.procroot));
		return;
	}
	set = tgt_set_new();
	c.probes = calloc(c.n ? c.n : 1, sizeof(*c.probes));
	for (i = 0; set && c.probes && i < c.n; i++) {
		const struct listener *l = &c.ls[i];
		uint8_t lo[16] = { 0 };
		const uint8_t *addr = l->addr;

		a->listeners_total++;
		if (is_any(l->family, l->addr)) {
			/* A wildcard listener answers on loopback too. */
			if (l->family == AF_INET)
				lo[0] = 127, lo[3] = 1;
			else
				lo[15] = 1;
			addr = lo;
		} else if (!is_loopback(l->family, l->addr)) {
			/* Only loopback is probed from here; the address is
			 * named so it can be scanned on purpose. */
			a->listeners_skipped++;
			continue;
		}
		inet_ntop(l->family, addr, ip, sizeof(ip));
		snprintf(spec, sizeof(spec), l->family == AF_INET6 ?
		    "[%s]:%u" : "%s:%u", ip, l->port);
		if (tgt_set_add(set, spec, err) == 0) {
			struct lprobe *p = &c.probes[c.nprobes++];

			snprintf(p->spec, sizeof(p->spec), "%s", spec);
			snprintf(p->ip, sizeof(p->ip), "%s", ip);
			p->port = l->port;
		}
	}
	/* Every listener at once: one stalled service must not hold up the
	 * others.  Room for a socket each, as far as the hard limit allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max &&
	    rl.rlim_cur < 65536) {
		rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* All probes together get --timeout, and never past the deadline. */
	budget = left_ms(a);
	if (budget > a->o.timeout_ms)
		budget = a->o.timeout_ms;
	if (set && c.nprobes && budget < 100) {
		snprintf(why, sizeof(why), "not probed: the audit's deadline "
		    "(--deadline) passed first");
		report_unfinished(&c, why);
	} else if (set && c.nprobes) {
		struct timespec until;
		double end = now_s() + (double)budget / 1000;

		c.set = set;
		c.so.concurrency = c.nprobes < 64 ? 64 : c.nprobes > 4096 ?
		    4096 : (unsigned)c.nprobes;
		c.so.timeout_ms = a->o.timeout_ms < 3000 ? a->o.timeout_ms :
		    3000;
		if (c.so.timeout_ms > budget)
			c.so.timeout_ms = (unsigned)budget;
		c.h.result = on_listener_result;
		c.h.busy = on_listener_busy;
		c.h.ctx = &c;
		if (pthread_create(&th, NULL, listener_thread, &c) == 0) {
			running = 1;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += budget / 1000;
			until.tv_nsec += (budget % 1000) * 1000000;
			if (until.tv_nsec >= 1000000000) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000;
			}
			pthread_mutex_lock(&c.mu);
			while (!c.done && now_s() < end &&
			    pthread_cond_timedwait(&c.cv, &c.mu, &until) == 0)
				;
			if (!c.done)
				c.closed = 1;
			pthread_mutex_unlock(&c.mu);
			if (c.done) {
				pthread_join(th, NULL);
				running = 0;
			} else {
				pthread_detach(th);
			}
		} else {
			scan_run(set, &c.so, &c.h, &c.st);
		}
		snprintf(why, sizeof(why), "not finished within %lld ms (the "
		    "listener budget: --timeout, or what was left of "
		    "--deadline)", budget);
		report_unfinished(&c, why);
	}
	if (text_out(a)) {
		fprintf(a->out.f, "  %u listening sockets, %u speak TLS",
		    a->listeners_total, a->listeners_tls);
		if (a->listeners_unfinished)
			fprintf(a->out.f, ", %u not finished",
			    a->listeners_unfinished);
		if (a->listeners_skipped)
			fprintf(a->out.f, ", %u bound to non-loopback "
			    "addresses not probed (use heartcheck scan)",
			    a->listeners_skipped);
		fputc('\n', a->out.f);
	}
	if (!running) {
		tgt_set_free(set);
		free(c.ls);
		free(c.probes);
		c.ls = NULL;
		c.probes = NULL;
	}
	a->t_listeners = now_s() - t0;
}

/* ---- packages ---- */

static void on_package(void *ctx, const struct pkg_finding *f)
{
	struct audit *a = ctx;

	a->pkgs_total++;
	if (f->verdict == PKG_VULNERABLE)
		a->pkgs_vuln++;
	if (a->o.json) {
		json_t *j = json_object();

		json_object_set_new(j, "type", json_string("package"));
		out_json_set_str(j, "name", f->name);
		out_json_set_str(j, "version", f->version);
		out_json_set_str(j, "arch", f->arch);
		json_object_set_new(j, "verdict",
		    json_string(pkg_verdict_name(f->verdict)));
		out_json_set_str(j, "fixed_in", f->fixed_in[0] ? f->fixed_in :
		    NULL);
		out_json_set_str(j, "advisory", f->advisory[0] ? f->advisory :
		    NULL);
		json_object_set_new(j, "confirmed", json_boolean(f->confirmed));
		out_json_set_str(j, "reason", f->reason);
		out_json(&a->out, j);
		return;
	}
	if (!text_out(a) || (a->o.quiet && f->verdict != PKG_VULNERABLE))
		return;
	fprintf(a->out.f, "  %s%-20s%s %s %s: %s\n",
	    f->verdict == PKG_VULNERABLE ? out_red(&a->out) :
	    f->verdict == PKG_UNKNOWN ? out_yellow(&a->out) :
	    out_green(&a->out), pkg_verdict_name(f->verdict),
	    out_reset(&a->out), out_esc(f->name), out_esc(f->version),
	    out_esc(f->reason));
}

static void audit_packages(struct audit *a)
{
	struct os_release os;
	char err[256] = "";
	double t0 = now_s();

	section(a, "Packages");
	memset(&os, 0, sizeof(os));
	os_release_load(a->o.root, &os);
	if (pkgdb_scan(a->o.root, &os, on_package, a, err, sizeof(err)) < 0 &&
	    text_out(a))
		fprintf(a->out.f, "  %s\n", err[0] ? out_esc(err) :
		    "no package database found");
	else if (text_out(a) && a->pkgs_total == 0)
		fprintf(a->out.f, "  no OpenSSL package installed\n");
	else if (text_out(a) && a->o.quiet && a->pkgs_vuln == 0)
		fprintf(a->out.f, "  no vulnerable package (%u checked)\n",
		    a->pkgs_total);
	a->t_pkgs = now_s() - t0;
}

/* ---- summary ---- */

/* restart_plan_print(), with every name and command line escaped. */
static void print_restart_plan(struct audit *a, const char **names,
    const unsigned *counts, size_t nu, const struct restart_loose *loose,
    size_t nl)
{
	char cmd[600], why[64];
	size_t i;

	for (i = 0; i < nu; i++) {
		if (unit_restart_command(names[i], cmd, sizeof(cmd)) != 0)
			continue;
		fprintf(a->out.f, "%s    # %u process%s\n", out_esc(cmd),
		    counts[i], counts[i] == 1 ? "" : "es");
	}
	for (i = 0; i < nl; i++) {
		const struct restart_loose *l = &loose[i];

		fprintf(a->out.f, "restart pid %d (%s): %s    # %s",
		    (int)l->pid, out_esc(l->comm),
		    l->cmdline[0] ? out_esc(l->cmdline) : "?",
		    restart_why_str(l->why, why, sizeof(why)));
		if (l->container[0])
			fprintf(a->out.f, ", in %s", out_esc(l->container));
		else if (l->unit[0])
			fprintf(a->out.f, ", in %s", out_esc(l->unit));
		fputc('\n', a->out.f);
	}
}

static void print_advice(struct audit *a)
{
	const char **names;
	const unsigned *counts;
	const struct restart_loose *loose;
	size_t nu, nl, i;
	int step = 0;

	nu = restart_plan_units(a->rp, &names, &counts);
	nl = restart_plan_loose(a->rp, &loose);
	if (a->o.json) {
		for (i = 0; i < nu; i++) {
			json_t *j = json_object();
			char cmd[600];

			if (unit_restart_command(names[i], cmd,
			    sizeof(cmd)) != 0)
				continue;
			json_object_set_new(j, "type", json_string("restart"));
			out_json_set_str(j, "unit", names[i]);
			json_object_set_new(j, "processes",
			    json_integer(counts[i]));
			out_json_set_str(j, "command", cmd);
			out_json(&a->out, j);
		}
		for (i = 0; i < nl; i++) {
			json_t *j = json_object();

			json_object_set_new(j, "type", json_string("restart"));
			json_object_set_new(j, "pid", json_integer(loose[i].pid));
			out_json_set_str(j, "comm", loose[i].comm);
			out_json_set_str(j, "cmdline", loose[i].cmdline);
			json_object_set_new(j, "command", json_null());
			out_json(&a->out, j);
		}
		return;
	}
	if (!text_out(a))
		return;
	fprintf(a->out.f, "\n%sWhat to do%s\n", out_bold(&a->out),
	    out_reset(&a->out));
	if (a->libs_vuln || a->pkgs_vuln || a->libs_possibly)
		fprintf(a->out.f, "  %d. Upgrade OpenSSL to 1.0.1g or later, or "
		    "to your distribution's fixed package.\n", ++step);
	if (a->listeners_vuln && !a->procs_vuln_loaded)
		fprintf(a->out.f, "  %d. Find the OpenSSL of each vulnerable "
		    "listener above: a static build, or one inside a "
		    "container, is not among this host's libraries.  Upgrade "
		    "it.\n", ++step);
	if (nu || nl) {
		fprintf(a->out.f, "  %d. Restart what still maps the old "
		    "library:\n", ++step);
		print_restart_plan(a, names, counts, nu, loose, nl);
	} else if (a->listeners_vuln) {
		fprintf(a->out.f, "  %d. Restart the services behind the "
		    "vulnerable listeners.\n", ++step);
	}
	if (a->libs_vuln || a->listeners_vuln || a->procs_vuln_loaded)
		fprintf(a->out.f, "  %d. Revoke and reissue the certificates "
		    "and keys of every service that ran the vulnerable "
		    "library, and change the passwords it handled.\n", ++step);
	if (a->procs_unreadable && geteuid() != 0)
		fprintf(a->out.f, "  %d. Run as root: %u process%s could not "
		    "be read and may still map an old library.\n"
		    "     [hint] sudo heartcheck local\n", ++step,
		    a->procs_unreadable, a->procs_unreadable == 1 ? "" : "es");
	else if (a->procs_unreadable)
		/* Even root is refused by another PID namespace's init or a
		 * security module: say so instead of asking for root. */
		fprintf(a->out.f, "  %d. Check the %u process%s that could "
		    "not be read even as root (listed above): they may still "
		    "map an old library.\n", ++step, a->procs_unreadable,
		    a->procs_unreadable == 1 ? "" : "es");
	if (step)
		fprintf(a->out.f, "  %d. Run heartcheck again to verify.\n",
		    ++step);
	else
		fprintf(a->out.f, "  %sNothing: no vulnerable library, "
		    "nothing to restart.%s\n", out_green(&a->out),
		    out_reset(&a->out));
}

static unsigned unfinished(const struct audit *a)
{
	return a->libs_unfinished + a->procs_unfinished +
	    a->listeners_unfinished + a->packages_skipped;
}

/* ", not finished: 2 listeners, 1 library" or "". */
static void unfinished_text(const struct audit *a, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!unfinished(a))
		return;
	n += (size_t)snprintf(buf, cap, ", not finished");
#define PART(cnt, one, many) \
	if ((cnt) && n < cap) \
		n += (size_t)snprintf(buf + n, cap - n, "%s %u %s", \
		    n > 14 ? "," : ":", (cnt), (cnt) == 1 ? (one) : (many));
	PART(a->libs_unfinished, "library", "libraries")
	PART(a->procs_unfinished, "process", "processes")
	PART(a->listeners_unfinished, "listener", "listeners")
	PART(a->packages_skipped, "package check", "package checks")
#undef PART
}

static void print_summary(struct audit *a, double total)
{
	char unf[160];

	unfinished_text(a, unf, sizeof(unf));
	if (a->o.json) {
		json_t *j = json_object(), *t = json_object();

		json_object_set_new(j, "type", json_string("summary"));
		json_object_set_new(j, "libraries", json_integer(a->libs_total));
		json_object_set_new(j, "vulnerable_libraries",
		    json_integer(a->libs_vuln));
		json_object_set_new(j, "possibly_vulnerable_libraries",
		    json_integer(a->libs_possibly));
		json_object_set_new(j, "untested_libraries",
		    json_integer(a->libs_untested));
		json_object_set_new(j, "processes", json_integer(
		    a->pst.processes));
		json_object_set_new(j, "processes_need_restart",
		    json_integer(a->procs_restart));
		json_object_set_new(j, "processes_unreadable",
		    json_integer(a->procs_unreadable));
		json_object_set_new(j, "listeners", json_integer(
		    a->listeners_total));
		json_object_set_new(j, "vulnerable_listeners",
		    json_integer(a->listeners_vuln));
		json_object_set_new(j, "vulnerable_packages",
		    json_integer(a->pkgs_vuln));
		{
			json_t *u = json_object();

			json_object_set_new(u, "libraries",
			    json_integer(a->libs_unfinished));
			json_object_set_new(u, "processes",
			    json_integer(a->procs_unfinished));
			json_object_set_new(u, "listeners",
			    json_integer(a->listeners_unfinished));
			json_object_set_new(u, "packages",
			    json_integer(a->packages_skipped));
			json_object_set_new(j, "unfinished", u);
		}
		json_object_set_new(t, "processes", json_real(a->pst.seconds));
		json_object_set_new(t, "libraries", json_real(a->t_libs));
		json_object_set_new(t, "listeners", json_real(a->t_listeners));
		json_object_set_new(t, "packages", json_real(a->t_pkgs));
		json_object_set_new(t, "total", json_real(total));
		json_object_set_new(j, "seconds", t);
		out_json(&a->out, j);
		return;
	}
	if (a->o.nagios) {
		const char *state = "OK";

		/* CRITICAL: vulnerable code is running and reachable now. */
		if (a->procs_vuln_loaded || a->listeners_vuln)
			state = "CRITICAL";
		else if (a->procs_restart || a->libs_vuln || a->pkgs_vuln ||
		    a->libs_possibly)
			state = "WARNING";
		else if (a->procs_unreadable || unfinished(a))
			state = "UNKNOWN";
		fprintf(a->out.f, "HEARTCHECK %s - %u vulnerable libraries, %u processes "
		    "to restart, %u vulnerable listeners, %u vulnerable "
		    "packages%s | vulnerable_libraries=%u;;1 "
		    "processes_need_restart=%u;1; vulnerable_listeners=%u;;1 "
		    "vulnerable_packages=%u;1; libraries=%u processes=%u "
		    "seconds=%.3fs\n", state, a->libs_vuln, a->procs_restart,
		    a->listeners_vuln, a->pkgs_vuln, unf, a->libs_vuln,
		    a->procs_restart, a->listeners_vuln, a->pkgs_vuln,
		    a->libs_total, a->pst.processes, total);
		return;
	}
	if (a->o.openmetrics) {
		fprintf(a->out.f, "# HELP heartcheck_vulnerable_libraries OpenSSL "
		    "libraries proven vulnerable by running their own code.\n"
		    "# TYPE heartcheck_vulnerable_libraries gauge\n"
		    "heartcheck_vulnerable_libraries %u\n"
		    "# HELP heartcheck_libraries libssl libraries tested.\n"
		    "# TYPE heartcheck_libraries gauge\n"
		    "heartcheck_libraries %u\n"
		    "# HELP heartcheck_processes_need_restart Processes that "
		    "map a deleted, replaced or vulnerable libssl/libcrypto.\n"
		    "# TYPE heartcheck_processes_need_restart gauge\n"
		    "heartcheck_processes_need_restart %u\n"
		    "# HELP heartcheck_vulnerable_listeners Listening services "
		    "proven vulnerable over loopback.\n"
		    "# TYPE heartcheck_vulnerable_listeners gauge\n"
		    "heartcheck_vulnerable_listeners %u\n"
		    "# HELP heartcheck_vulnerable_packages Installed packages "
		    "older than the first fixed version.\n"
		    "# TYPE heartcheck_vulnerable_packages gauge\n"
		    "heartcheck_vulnerable_packages %u\n"
		    "# HELP heartcheck_last_run_timestamp_seconds When the "
		    "audit ran.\n"
		    "# TYPE heartcheck_last_run_timestamp_seconds gauge\n"
		    "heartcheck_last_run_timestamp_seconds %lld\n"
		    "# HELP heartcheck_run_duration_seconds How long the "
		    "audit took.\n"
		    "# TYPE heartcheck_run_duration_seconds gauge\n"
		    "heartcheck_run_duration_seconds %.3f\n"
		    "# EOF\n", a->libs_vuln, a->libs_total, a->procs_restart,
		    a->listeners_vuln, a->pkgs_vuln, (long long)time(NULL),
		    total);
		return;
	}
	fprintf(a->out.f, "\n%u libssl tested (%u vulnerable), %u of %u "
	    "processes to restart, %u TLS listeners (%u vulnerable), %u "
	    "vulnerable packages; %.2f s (processes %.3f s).\n",
	    a->libs_total, a->libs_vuln, a->procs_restart, a->pst.processes,
	    a->listeners_tls, a->listeners_vuln, a->pkgs_vuln, total,
	    a->pst.seconds);
	if (unf[0])
		fprintf(a->out.f, "Not finished before the deadline or budget%s."
		    "\n", unf + 14);
	if (a->procs_unreadable)
		fprintf(a->out.f, "%u process%s could not be read%s.\n",
		    a->procs_unreadable, a->procs_unreadable == 1 ? "" : "es",
		    geteuid() != 0 ?
		    ": run as root to see them" : ", even as root");
}

int cmd_local(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "nagios", no_argument, NULL, 'N' },
		{ "openmetrics", no_argument, NULL, 'M' },
		{ "no-libtest", no_argument, NULL, 'L' },
		{ "no-listeners", no_argument, NULL, 'l' },
		{ "no-packages", no_argument, NULL, 'P' },
		{ "no-processes", no_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "deadline", required_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "color", required_argument, NULL, 'C' },
		{ "root", required_argument, NULL, 'R' },
		{ "proc", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct audit *a;
	unsigned long v;
	int ch, ret = EXIT_USAGE, modes, out_inited = 0, e;
	double t0 = now_s();

	a = calloc(1, sizeof(*a));
	if (!a)
		return EXIT_UNTESTED;
	a->o.timeout_ms = DEFAULT_LIB_TIMEOUT_MS;
	a->o.root = "/";
	a->o.procroot = "/proc";
	a->o.color = -1;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "jqht:", lopts, NULL)) != -1) {
		switch (ch) {
		case 'j': a->o.json = 1; break;
		case 'N': a->o.nagios = 1; break;
		case 'M': a->o.openmetrics = 1; break;
		case 'L': a->o.no_libtest = 1; break;
		case 'l': a->o.no_listeners = 1; break;
		case 'P': a->o.no_packages = 1; break;
		case 'p': a->o.no_processes = 1; break;
		case 'q': a->o.quiet = 1; break;
		case 'R': a->o.root = optarg; break;
		case 'X': a->o.procroot = optarg; break;
		case 't':
			if (cmd_parse_uint(optarg, 100, 600000, &v) != 0) {
				fprintf(stderr, "heartcheck: --timeout takes "
				    "milliseconds, 100 to 600000\n");
				goto out;
			}
			a->o.timeout_ms = (unsigned)v;
			break;
		case 'D':
			if (cmd_parse_uint(optarg, 1, 86400, &v) != 0) {
				fprintf(stderr, "heartcheck: --deadline takes "
				    "seconds, 1 to 86400\n");
				goto out;
			}
			a->o.deadline_s = (unsigned)v;
			break;
		case 'C':
			if (cmd_parse_color(optarg, &a->o.color) != 0)
				goto out;
			break;
		case 'h':
			local_usage(stdout);
			ret = EXIT_CLEAN;
			goto out;
		default:
			cmd_getopt_error("local", argc, argv);
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "heartcheck local: unexpected argument \"%s\"\n"
		    "[hint] to probe servers: heartcheck scan %s\n",
		    out_esc(argv[optind]), out_esc(argv[optind]));
		goto out;
	}
	modes = a->o.json + a->o.nagios + a->o.openmetrics;
	if (modes > 1) {
		fprintf(stderr, "heartcheck local: choose one of --json, "
		    "--nagios, --openmetrics\n");
		goto out;
	}
	if (!a->o.deadline_s)
		a->o.deadline_s = a->o.nagios ? DEFAULT_NAGIOS_DEADLINE_S :
		    DEFAULT_DEADLINE_S;
	a->deadline_at = t0 + a->o.deadline_s;
	out_init(&a->out, stdout, a->o.json, a->o.color);
	out_inited = 1;
	a->out.quiet = a->o.quiet;
	a->rp = restart_plan_new();
	if (!a->rp) {
		ret = EXIT_UNTESTED;
		goto out;
	}
	if (!a->o.no_processes) {
		double tp = now_s();

		if (proc_scan(a->o.procroot, on_proc, a, &a->pst) < 0)
			fprintf(stderr, "heartcheck: cannot read %s\n",
			    out_esc(a->o.procroot));
		a->t_procs = now_s() - tp;
	}
	/* A write that failed stops the audit: its report cannot arrive. */
	audit_libraries(a);
	if (!a->o.no_processes && !out_failed(&a->out))
		audit_processes(a);
	if (!a->o.no_listeners && !out_failed(&a->out))
		audit_listeners(a);
	/* Reading the package database is quick and cannot hang (root's own
	 * files), so it runs unless the deadline is already gone. */
	if (!a->o.no_packages && !out_failed(&a->out) && left_ms(a) > 0)
		audit_packages(a);
	else if (!a->o.no_packages && !out_failed(&a->out))
		a->packages_skipped = 1;
	if (!out_failed(&a->out)) {
		print_advice(a);
		print_summary(a, now_s() - t0);
	}
	if (a->o.nagios) {
		if (a->listeners_vuln || a->procs_vuln_loaded)
			ret = 2;
		else if (a->procs_restart || a->libs_vuln || a->pkgs_vuln ||
		    a->libs_possibly)
			ret = 1;
		else if (a->procs_unreadable || unfinished(a))
			ret = 3;
		else
			ret = 0;
	} else if (a->libs_vuln || a->procs_restart || a->listeners_vuln ||
	    a->pkgs_vuln)
		ret = EXIT_VULNERABLE;
	else if (a->libs_untested || a->libs_possibly || a->procs_unreadable ||
	    unfinished(a))
		ret = EXIT_UNTESTED;
	else
		ret = EXIT_CLEAN;
out:
	/* Every byte must reach the reader: a failed write has its own exit
	 * code (UNKNOWN for a Nagios check), whatever was found, so that no
	 * empty or cut report is taken for a result. */
	if (out_inited && (e = out_close(&a->out)) != 0) {
		out_write_error(e);
		ret = a->o.nagios ? 3 : EXIT_OUTPUT;
	}
	if (a->rp)
		restart_plan_free(a->rp);
	lib_list_free(&a->libs);
	for (size_t i = 0; i < a->nprocs; i++) {
		free(a->procs[i]->libs);
		free(a->procs[i]);
	}
	free(a->procs);
	free(a->tested);
	free(a);
	return ret;
}
