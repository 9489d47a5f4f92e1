/*
 * The local audit (local/audit.h): orchestration, counts and the one
 * state policy.  Every finding goes to the sink as a result of the model
 * in report/result.h; nothing here chooses an output format.
 */
#include "local/audit.h"

#include <arpa/inet.h>
#include <errno.h>
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

#include "local/advisory.h"
#include "local/libfind.h"
#include "local/libtest.h"
#include "local/listeners.h"
#include "local/pkgdb.h"
#include "local/procmaps.h"
#include "local/units.h"
#include "net/scan.h"
#include "net/scanres.h"
#include "report/err.h"

/* One tested image: a file on disk or a process's mapped copy. */
struct tested {
	dev_t dev;
	ino_t ino;
	struct libtest_result r;
};

struct audit {
	const struct audit_opts *o;
	struct sink *s;
	struct res_local_summary c; /* the counts */
	struct proc_info **procs; /* trimmed copies: only nlibs entries */
	size_t nprocs, procs_cap;
	struct proc_scan_stats pst;
	struct lib_list libs;
	struct tested *tested;
	size_t ntested, tested_cap;
	struct restart_plan *rp;
	double deadline_at; /* now_s() time the audit must end by */
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
	snprintf(r->reason, sizeof(r->reason),
	    "not tested: the audit's "
	    "deadline (--deadline) passed first");
}

/* A part of the audit that could not run: said on standard error, a
 * result, and a count towards the exit code. */
static void audit_error(struct audit *a, const char *stage, int code,
    const char *msg)
{
	struct res_error e = { stage, code, msg };

	fprintf(stderr, "heartcheck: %s\n", out_esc(msg));
	a->c.errors++;
	sink_error(a->s, &e);
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
			goto oom;
		a->procs = v;
		a->procs_cap = cap;
	}
	if ((copy = malloc(sizeof(*copy))) == NULL)
		goto oom;
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
	return;
oom:
	/* Never lose a process without a word. */
	{
		char msg[160];

		snprintf(msg, sizeof(msg), "out of memory keeping pid %d (%s)",
		    (int)p->pid, p->comm);
		audit_error(a, "processes", HC_ERR_ALLOC_FAIL, msg);
	}
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
	    (crypto && crypto[0] &&
		openssl_version_scan_file(crypto, 64u << 20, ver,
		    sizeof(ver)) == 1))
		snprintf(r->version, sizeof(r->version), "%s", ver);
	if (r->version[0] && openssl_version_vulnerable(r->version)) {
		r->verdict = LIB_POSSIBLY_VULNERABLE;
		snprintf(r->reason, sizeof(r->reason),
		    "possibly vulnerable: "
		    "%s, and its version string is in the vulnerable range "
		    "(a version string is not proof)",
		    why);
	} else {
		r->verdict = LIB_INCONCLUSIVE;
		snprintf(r->reason, sizeof(r->reason),
		    "%s; version string "
		    "%s",
		    why,
		    r->version[0] ? "outside the vulnerable range" :
				    "not found");
	}
}

static void test_one(struct audit *a, const char *path, const char *crypto,
    struct libtest_result *r)
{
	long long left = left_ms(a);

	if (a->o->no_libtest) {
		judge_by_version(path, crypto, "not loaded (--no-libtest)", r);
		return;
	}
	if (left < 100) {
		deadline_result(r);
		return;
	}
	libtest_run("/proc/self/exe", path, crypto && crypto[0] ? crypto : NULL,
	    left < a->o->timeout_ms ? (int)left : (int)a->o->timeout_ms, r);
	if (r->verdict == LIB_LOAD_FAILED && !r->version[0]) {
		struct libtest_result v;

		judge_by_version(path, crypto, "", &v);
		memcpy(r->version, v.version, sizeof(r->version));
	}
}

static enum res_grade lib_grade(enum lib_verdict v)
{
	if (v == LIB_VULNERABLE || v == LIB_POSSIBLY_VULNERABLE)
		return RES_BAD;
	if (v == LIB_PATCHED || v == LIB_NO_HEARTBEAT)
		return RES_GOOD;
	return RES_UNSURE;
}

static void count_lib(struct audit *a, const struct libtest_result *r)
{
	a->c.libraries++;
	if (r->verdict == LIB_VULNERABLE)
		a->c.vulnerable_libraries++;
	else if (r->verdict == LIB_POSSIBLY_VULNERABLE)
		a->c.possibly_vulnerable_libraries++;
	/* A file that is no library is an answer, not a gap. */
	else if (lib_grade(r->verdict) != RES_GOOD &&
	    r->verdict != LIB_NOT_LIBRARY)
		a->c.untested_libraries++;
}

static void emit_library(struct audit *a, const struct lib_cand *c,
    const struct libtest_result *r)
{
	struct res_library l;

	count_lib(a, r);
	memset(&l, 0, sizeof(l));
	l.path = c->path;
	l.soname = c->soname;
	l.version = r->version;
	l.verdict = lib_verdict_name(r->verdict);
	l.grade = lib_grade(r->verdict);
	l.reason = r->reason;
	l.disclosed = r->disclosed;
	l.libcrypto = c->crypto_path[0] ? c->crypto_path : NULL;
	l.sources = (c->sources & LS_LDCACHE ? RES_SRC_LDCACHE : 0) |
	    (c->sources & LS_DIR ? RES_SRC_DIR : 0) |
	    (c->sources & LS_PROCESS ? RES_SRC_PROCESS : 0);
	sink_library(a->s, &l);
}

static void audit_libraries(struct audit *a)
{
	size_t i, j;
	double t0 = now_s();

	libfind_scan_system(&a->libs, a->o->root);
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
				    a->o->procroot, (int)a->procs[i]->pid,
				    l->path);
			else
				snprintf(path, sizeof(path), "%s", l->path);
			libfind_add(&a->libs, path, LS_PROCESS);
		}
	}
	libfind_pair(&a->libs);
	sink_section_begin(a->s, RES_SEC_LIBRARIES);
	for (i = 0; i < a->libs.n; i++) {
		const struct lib_cand *c = &a->libs.v[i];
		struct libtest_result r;

		if (c->notlib[0]) {
			/* Named like a library, but none: say so. */
			memset(&r, 0, sizeof(r));
			r.exit_status = -1;
			r.verdict = LIB_NOT_LIBRARY;
			snprintf(r.reason, sizeof(r.reason), "%s", c->notlib);
			emit_library(a, c, &r);
			continue;
		}
		if (c->kind != LK_SSL)
			continue;
		if (c->elf == ELF_EXEC)
			judge_by_version(c->path, NULL,
			    "a static executable "
			    "cannot be loaded",
			    &r);
		else if (c->musl)
			judge_by_version(c->path, c->crypto_path,
			    "built "
			    "against musl, which a glibc helper cannot load",
			    &r);
		else if (c->elf == ELF_OTHER_MACHINE)
			judge_by_version(c->path, c->crypto_path,
			    "built for "
			    "another machine",
			    &r);
		else
			test_one(a, c->path, c->crypto_path, &r);
		if (r.verdict == LIB_TIMEOUT && left_ms(a) < 100)
			a->c.unfinished.libraries++;
		/* Remember the verdict only for the file that was really
		 * tested: the path may name another file by now (a FIFO
		 * swapped in), and then the mapped image is tested on its
		 * own.  A version-string verdict reads the candidate itself. */
		if (r.ino == 0 &&
		    (a->o->no_libtest || c->elf == ELF_EXEC || c->musl ||
			c->elf == ELF_OTHER_MACHINE)) {
			r.dev = c->dev;
			r.ino = c->ino;
		}
		if (r.dev == c->dev && r.ino == c->ino)
			tested_add(a, r.dev, r.ino, &r);
		emit_library(a, c, &r);
	}
	sink_section_end(a->s, RES_SEC_LIBRARIES, &a->c, NULL);
	a->c.seconds.libraries = now_s() - t0;
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
 * really runs, not the file that replaced it. */
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
	if (proc_lib_map_file(a->o->procroot, p->pid, l, img, sizeof(img)) != 0)
		return NULL;
	if (access(img, R_OK) != 0) {
		memset(&r, 0, sizeof(r));
		r.verdict = LIB_LOAD_FAILED;
		r.exit_status = -1;
		snprintf(r.reason, sizeof(r.reason),
		    "the mapped image cannot "
		    "be opened through %.180s (run as root)",
		    img);
	} else {
		c = proc_crypto(p, l);
		cimg[0] = '\0';
		if (c)
			proc_lib_map_file(a->o->procroot, p->pid, c, cimg,
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

static void emit_process(struct audit *a, const struct proc_info *p,
    unsigned why_all)
{
	struct res_process r;
	struct res_proc_lib *libs = NULL;
	char(*why)[64] = NULL;
	int i;

	memset(&r, 0, sizeof(r));
	if (p->nlibs > 0) {
		libs = calloc((size_t)p->nlibs, sizeof(*libs));
		why = calloc((size_t)p->nlibs, sizeof(*why));
	}
	for (i = 0; libs && why && i < p->nlibs; i++) {
		libs[i].path = p->libs[i].path;
		libs[i].why =
		    restart_why_str(p->libs[i].why, why[i], sizeof(why[i]));
		r.nlibs++;
	}
	r.libs = libs;
	r.pid = p->pid;
	r.uid = p->uid;
	r.comm = p->comm;
	r.cmdline = p->cmdline;
	r.unit = p->unit[0] ? p->unit : NULL;
	r.container = p->container[0] ? p->container : NULL;
	r.restart = why_all ? 1 : p->libs_dropped ? -1 : 0;
	r.vulnerable = (why_all & WHY_VULNERABLE) != 0;
	r.unreadable = p->unreadable;
	r.dropped = p->libs_dropped;
	r.error = p->unreadable || p->libs_dropped ? p->errmsg : NULL;
	sink_process(a->s, &r);
	free(libs);
	free(why);
}

static void audit_processes(struct audit *a)
{
	size_t i;
	int k;

	sink_section_begin(a->s, RES_SEC_PROCESSES);
	for (i = 0; i < a->nprocs; i++) {
		struct proc_info *p = a->procs[i];
		unsigned why_all = 0;

		if (p->unreadable) {
			a->c.processes_unreadable++;
			emit_process(a, p, 0);
			continue;
		}
		for (k = 0; k < p->nlibs; k++) {
			const struct libtest_result *r =
			    image_verdict(a, p, &p->libs[k]);

			if (r && r->verdict == LIB_VULNERABLE)
				p->libs[k].why |= WHY_VULNERABLE;
			if (r && r->verdict == LIB_TIMEOUT &&
			    left_ms(a) < 100 && !p->libs_dropped) {
				/* Cut short: never "no restart". */
				p->libs_dropped = 1;
				snprintf(p->errmsg, sizeof(p->errmsg),
				    "not "
				    "examined: the audit's deadline passed");
				a->c.unfinished.processes++;
			}
			why_all |= p->libs[k].why;
		}
		if (why_all) {
			a->c.processes_need_restart++;
			if (why_all & WHY_VULNERABLE)
				a->c.processes_vulnerable_loaded++;
			restart_plan_add(a->rp, p);
		}
		/* Images it could not list: never "no restart". */
		if (p->libs_dropped && !why_all)
			a->c.processes_unreadable++;
		emit_process(a, p, why_all);
	}
	sink_section_end(a->s, RES_SEC_PROCESSES, &a->c, NULL);
}

/* ---- listening services ---- */

/* One endpoint handed to the scan, and whether its result came. */
struct lprobe {
	char spec[96];
	char ip[INET6_ADDRSTRLEN];
	uint16_t port;
	int udp;
	int done;
};

/* UDP ports where DTLS or OpenVPN is found without the owner mapping a
 * shared libssl (appliances link OpenSSL statically): VPN gateways on 443,
 * OpenVPN, RD Gateway, the usual DTLS test port, TURN and CoAP. */
static const uint16_t dtls_ports[] = { 443, 1194, 3391, 4433, 5349, 5684 };

/* A probe's result for a UDP socket: the scan labels them with their
 * door (dtls://, openvpn://). */
static int result_is_udp(const struct scan_result *r)
{
	return !strncmp(r->target, "dtls://", 7) ||
	    !strncmp(r->target, "openvpn://", 10);
}

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
		if (c->ls[i].udp == result_is_udp(r) &&
		    c->ls[i].port == r->port &&
		    (c->ls[i].family == AF_INET6) ==
			(strchr(r->ip, ':') != NULL))
			return &c->ls[i];
	return NULL;
}

/* The systemd unit of a listener's owner: the one proc_scan parsed when
 * it kept that process, else read for it alone. */
static void unit_of(const struct audit *a, pid_t pid, char *unit, size_t cap)
{
	size_t i;

	unit[0] = '\0';
	if (pid <= 0)
		return;
	for (i = 0; i < a->nprocs; i++)
		if (a->procs[i]->pid == pid) {
			snprintf(unit, cap, "%s", a->procs[i]->unit);
			return;
		}
	proc_unit(a->o->procroot, pid, unit, cap);
}

static void report_listener(struct lctx *c, const struct scan_result *r)
{
	struct audit *a = c->a;
	const struct listener *l = listener_for(c, r);
	struct res_listener rl;
	char unit[256], vb[16];

	unit_of(a, l ? l->pid : 0, unit, sizeof(unit));
	if (!probe_verdict_untested(r->verdict))
		a->c.listeners_tls++;
	if (r->verdict == PV_VULNERABLE)
		a->c.vulnerable_listeners++;
	/* Out of budget, in the scan or at the audit's deadline: either way
	 * the listener was not finished. */
	if (r->verdict == PV_TIMEOUT)
		a->c.unfinished.listeners++;
	scanres_endpoint(r, &rl.ep, vb, sizeof(vb));
	rl.pid = l ? l->pid : 0;
	rl.comm = l && l->comm[0] ? l->comm : NULL;
	rl.unit = unit[0] ? unit : NULL;
	rl.no_service = scanres_no_service(r->verdict);
	sink_listener(a->s, &rl);
}

/* Output that backs up holds new listener probes; output that fails ends
 * them. */
static int on_listener_busy(void *ctx)
{
	struct lctx *c = ctx;

	return out_busy(c->a->s->out);
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
		    c->probes[i].udp == result_is_udp(r) &&
		    !strcmp(c->probes[i].ip, r->ip)) {
			c->probes[i].done = 1;
			break;
		}
	if (!strncmp(r->target, "dtls://", 7) && r->verdict == PV_TIMEOUT) {
		/* UDP has no refusal: a socket that never answers a DTLS
		 * hello, resent until the deadline, is not a DTLS service.
		 * (A silent OpenVPN port stays a timeout: its reason says
		 * it may want a tls-auth key.) */
		struct scan_result q = *r;

		q.verdict = PV_NOT_TLS;
		q.reason = "no answer to a DTLS ClientHello, sent again until "
			   "the deadline: not a DTLS service";
		report_listener(c, &q);
	} else {
		report_listener(c, r);
	}
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

/*
 * A UDP socket is probed with DTLS (or OpenVPN) when its owner maps
 * libssl or libcrypto, or when it sits on a port where DTLS is usual.
 * Other UDP services (DNS, NTP, DHCP, ...) are left alone: they cannot
 * answer a hello, and their silence would only cost the deadline.
 */
static int udp_worth_probing(const struct audit *a, const struct listener *l)
{
	size_t i;

	for (i = 0; i < sizeof(dtls_ports) / sizeof(dtls_ports[0]); i++)
		if (l->port == dtls_ports[i])
			return 1;
	for (i = 0; l->pid > 0 && i < a->nprocs; i++)
		if (a->procs[i]->pid == l->pid)
			return a->procs[i]->nlibs > 0;
	return 0;
}

static void audit_listeners(struct audit *a)
{
	/* Static: a scan thread still running at the budget keeps using it
	 * until the process exits. */
	static struct lctx c;
	static char why[160];
	struct tgt_set *set;
	struct rlimit rl;
	char spec[96], ip[INET6_ADDRSTRLEN], err[TGT_ERRMAX];
	size_t i;
	double t0 = now_s();
	long long budget;
	pthread_t th;
	int running = 0;

	memset(&c, 0, sizeof(c));
	c.a = a;
	pthread_mutex_init(&c.mu, NULL);
	pthread_cond_init(&c.cv, NULL);
	sink_section_begin(a->s, RES_SEC_LISTENERS);
	if (listeners_scan(a->o->procroot, &c.ls, &c.n) < 0) {
		snprintf(why, sizeof(why), "cannot read %.100s/net/tcp",
		    a->o->procroot);
		audit_error(a, "listeners", HC_ERR_SYSTEM, why);
		sink_section_end(a->s, RES_SEC_LISTENERS, &a->c, why);
		a->c.seconds.listeners = now_s() - t0;
		return;
	}
	set = tgt_set_new();
	c.probes = calloc(c.n ? c.n : 1, sizeof(*c.probes));
	if (!set || !c.probes)
		audit_error(a, "listeners", HC_ERR_ALLOC_FAIL,
		    "out of memory: listeners not probed");
	for (i = 0; set && c.probes && i < c.n; i++) {
		const struct listener *l = &c.ls[i];
		uint8_t lo[16] = { 0 };
		const uint8_t *addr = l->addr;

		if (l->udp && !udp_worth_probing(a, l))
			continue;
		a->c.listeners++;
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
			a->c.listeners_skipped++;
			continue;
		}
		inet_ntop(l->family, addr, ip, sizeof(ip));
		snprintf(spec, sizeof(spec),
		    l->family == AF_INET6 ? "%s[%s]:%u" : "%s%s:%u",
		    !l->udp ? "" :
			l->port == 1194 || !strcmp(l->comm, "openvpn") ?
			      "openvpn://" :
			      "dtls://",
		    ip, l->port);
		if (tgt_set_add(set, spec, err) == 0) {
			struct lprobe *p = &c.probes[c.nprobes++];

			snprintf(p->spec, sizeof(p->spec), "%s", spec);
			snprintf(p->ip, sizeof(p->ip), "%s", ip);
			p->port = l->port;
			p->udp = l->udp;
		} else {
			/* A listener that cannot be probed is said. */
			audit_error(a, "listeners", HC_ERR_INVALID, err);
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
	if (budget > a->o->timeout_ms)
		budget = a->o->timeout_ms;
	if (set && c.nprobes && budget < 100) {
		snprintf(why, sizeof(why),
		    "not probed: the audit's deadline "
		    "(--deadline) passed first");
		report_unfinished(&c, why);
	} else if (set && c.nprobes) {
		struct timespec until;
		double end = now_s() + (double)budget / 1000;

		c.set = set;
		c.so.concurrency = c.nprobes < 64 ? 64 :
		    c.nprobes > 4096		  ? 4096 :
						    (unsigned)c.nprobes;
		c.so.timeout_ms =
		    a->o->timeout_ms < 3000 ? a->o->timeout_ms : 3000;
		if (c.so.timeout_ms > budget)
			c.so.timeout_ms = (unsigned)budget;
		/* A mail or directory server speaks TLS after its own
		 * plaintext dialogue: chosen by the well-known port. */
		c.so.starttls = "auto";
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
		snprintf(why, sizeof(why),
		    "not finished within %lld ms (the "
		    "listener budget: --timeout, or what was left of "
		    "--deadline)",
		    budget);
		report_unfinished(&c, why);
	}
	sink_section_end(a->s, RES_SEC_LISTENERS, &a->c, NULL);
	if (!running) {
		tgt_set_free(set);
		free(c.ls);
		free(c.probes);
		c.ls = NULL;
		c.probes = NULL;
	}
	a->c.seconds.listeners = now_s() - t0;
}

/* ---- packages ---- */

static void on_package(void *ctx, const struct pkg_finding *f)
{
	struct audit *a = ctx;
	struct res_package r;

	a->c.packages++;
	if (f->verdict == PKG_VULNERABLE)
		a->c.vulnerable_packages++;
	memset(&r, 0, sizeof(r));
	r.name = f->name;
	r.version = f->version;
	r.arch = f->arch;
	r.verdict = pkg_verdict_name(f->verdict);
	r.grade = f->verdict == PKG_VULNERABLE ? RES_BAD :
	    f->verdict == PKG_UNKNOWN	       ? RES_UNSURE :
						 RES_GOOD;
	r.fixed_in = f->fixed_in[0] ? f->fixed_in : NULL;
	r.advisory = f->advisory[0] ? f->advisory : NULL;
	r.confirmed = f->confirmed;
	r.reason = f->reason;
	sink_package(a->s, &r);
}

static void audit_packages(struct audit *a)
{
	struct os_release os;
	char err[256] = "";
	double t0 = now_s();

	sink_section_begin(a->s, RES_SEC_PACKAGES);
	memset(&os, 0, sizeof(os));
	os_release_load(a->o->root, &os);
	/* No package database is no error: many hosts have none. */
	if (pkgdb_scan(a->o->root, &os, on_package, a, err, sizeof(err)) < 0)
		sink_section_end(a->s, RES_SEC_PACKAGES, &a->c,
		    err[0] ? err : "no package database found");
	else
		sink_section_end(a->s, RES_SEC_PACKAGES, &a->c, NULL);
	a->c.seconds.packages = now_s() - t0;
}

/* ---- advice and summary ---- */

static void emit_restarts(struct audit *a)
{
	const char **names;
	const unsigned *counts;
	const struct restart_loose *loose;
	size_t nu, nl, i;
	char cmd[600], why[64];

	nu = restart_plan_units(a->rp, &names, &counts);
	nl = restart_plan_loose(a->rp, &loose);
	for (i = 0; i < nu; i++) {
		struct res_restart r = { 0 };

		if (unit_restart_command(names[i], cmd, sizeof(cmd)) != 0)
			continue;
		r.unit = names[i];
		r.processes = counts[i];
		r.command = cmd;
		sink_restart(a->s, &r);
	}
	for (i = 0; i < nl; i++) {
		const struct restart_loose *l = &loose[i];
		struct res_restart r = { 0 };

		r.pid = l->pid;
		r.comm = l->comm;
		r.cmdline = l->cmdline;
		r.why = restart_why_str(l->why, why, sizeof(why));
		r.where = l->container[0] ? l->container :
		    l->unit[0]		  ? l->unit :
					    NULL;
		sink_restart(a->s, &r);
	}
}

enum res_state audit_state(const struct res_local_summary *c)
{
	/* CRITICAL: vulnerable code is running and reachable now. */
	if (c->processes_vulnerable_loaded || c->vulnerable_listeners)
		return RES_CRITICAL;
	if (c->processes_need_restart || c->vulnerable_libraries ||
	    c->vulnerable_packages || c->possibly_vulnerable_libraries)
		return RES_WARNING;
	if (c->processes_unreadable || res_unfinished(c) || c->errors)
		return RES_UNKNOWN;
	return RES_OK;
}

int audit_exit_code(const struct res_local_summary *c, int nagios)
{
	if (nagios)
		return (int)audit_state(c);
	/* Proof, or something to restart. */
	if (c->vulnerable_libraries || c->processes_need_restart ||
	    c->vulnerable_listeners || c->vulnerable_packages)
		return 1;
	/* A version string is no proof: "possibly" is not tested. */
	if (c->untested_libraries || c->possibly_vulnerable_libraries ||
	    c->processes_unreadable || res_unfinished(c) || c->errors)
		return 3;
	return 0;
}

int audit_run(const struct audit_opts *o, struct sink *s,
    struct res_local_summary *sum)
{
	struct audit *a;
	double t0 = now_s();
	int r, ret = HC_ERR_SUCCESS;
	size_t i;

	memset(sum, 0, sizeof(*sum));
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return HC_ERR_ALLOC_FAIL;
	a->o = o;
	a->s = s;
	a->deadline_at = t0 + o->deadline_s;
	if ((a->rp = restart_plan_new()) == NULL) {
		ret = HC_ERR_ALLOC_FAIL;
		goto out;
	}
	if (!o->no_processes &&
	    (r = proc_scan(o->procroot, on_proc, a, &a->pst)) < 0) {
		char msg[200];

		snprintf(msg, sizeof(msg), "cannot read %.100s: %s",
		    o->procroot, strerror(-r));
		audit_error(a, "processes", hc_err_from_errno(-r), msg);
	}
	a->c.processes = a->pst.processes;
	a->c.processes_with_tls = a->pst.with_tls;
	a->c.seconds.processes = a->pst.seconds;
	/* A write that failed stops the audit: its report cannot arrive. */
	audit_libraries(a);
	if (!o->no_processes && !out_failed(s->out))
		audit_processes(a);
	if (!o->no_listeners && !out_failed(s->out))
		audit_listeners(a);
	/* Reading the package database is quick and cannot hang (root's own
	 * files), so it runs unless the deadline is already gone. */
	if (!o->no_packages && !out_failed(s->out) && left_ms(a) > 0)
		audit_packages(a);
	else if (!o->no_packages && !out_failed(s->out))
		a->c.unfinished.packages = 1;
	a->c.seconds.total = now_s() - t0;
	a->c.state = audit_state(&a->c);
	a->c.root = geteuid() == 0;
	if (!out_failed(s->out)) {
		emit_restarts(a);
		sink_local_summary(s, &a->c);
	}
	*sum = a->c;
out:
	if (a->rp)
		restart_plan_free(a->rp);
	lib_list_free(&a->libs);
	for (i = 0; i < a->nprocs; i++) {
		free(a->procs[i]->libs);
		free(a->procs[i]);
	}
	free(a->procs);
	free(a->tested);
	free(a);
	return ret;
}
