/*
 * The parent side of the library test: pre-check the file, run one helper
 * with a deadline, and judge its reply with the network engine's codecs.
 */
#include "local/libtest.h"
#include "local/libfind.h"
#include "local/safeopen.h"
#include "util/lines.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe/judge.h"
#include "tls/heartbeat.h"
#include "tls/tls.h"

/* More than any honest reply to that flight; the rest is drained unread. */
#define REPLY_MAX 65536
/* A libssl or libcrypto larger than this is not one we load. */
#define IMAGE_MAX (64u << 20)

const char *lib_verdict_name(enum lib_verdict v)
{
	switch (v) {
	case LIB_VULNERABLE:
		return "vulnerable";
	case LIB_PATCHED:
		return "patched";
	case LIB_NO_HEARTBEAT:
		return "no-heartbeat";
	case LIB_LOAD_FAILED:
		return "load-failed";
	case LIB_NOT_LIBRARY:
		return "not-a-library";
	case LIB_HELPER_CRASHED:
		return "helper-crashed";
	case LIB_TIMEOUT:
		return "timeout";
	case LIB_INCONCLUSIVE:
		return "inconclusive";
	case LIB_POSSIBLY_VULNERABLE:
		return "possibly-vulnerable";
	}
	return "unknown";
}

static void set_reason(struct libtest_result *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

static void set_text(char *dst, size_t cap, const uint8_t *b, size_t n)
{
	size_t i;

	if (n >= cap)
		n = cap - 1;
	/* Keep only printable bytes: these strings end up in reports. */
	for (i = 0; i < n; i++)
		dst[i] = (b[i] >= 0x20 && b[i] < 0x7f) ? (char)b[i] : '?';
	dst[n] = '\0';
}

static const char *machine_name(unsigned m)
{
	switch (m) {
	case EM_386:
		return "i386";
	case EM_X86_64:
		return "x86_64";
	case EM_ARM:
		return "arm";
	case EM_AARCH64:
		return "aarch64";
	case EM_PPC:
		return "ppc";
	case EM_PPC64:
		return "ppc64";
	case EM_S390:
		return "s390";
	case EM_MIPS:
		return "mips";
	case EM_RISCV:
		return "riscv";
	}
	return "another machine";
}

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__i386__)
#define HOST_MACHINE EM_386
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#elif defined(__arm__)
#define HOST_MACHINE EM_ARM
#elif defined(__powerpc64__)
#define HOST_MACHINE EM_PPC64
#elif defined(__s390__)
#define HOST_MACHINE EM_S390
#elif defined(__riscv)
#define HOST_MACHINE EM_RISCV
#endif
#define HOST_CLASS (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32)

int libtest_elf_check(const uint8_t *b, size_t n, enum lib_verdict *verdict,
    char *reason, size_t cap)
{
	unsigned type, machine;
	int le;

	if (n < EI_NIDENT || memcmp(b, ELFMAG, SELFMAG) != 0) {
		*verdict = LIB_NOT_LIBRARY;
		snprintf(reason, cap, "the file is not an ELF object");
		return 1;
	}
	if (b[EI_CLASS] != ELFCLASS32 && b[EI_CLASS] != ELFCLASS64) {
		*verdict = LIB_NOT_LIBRARY;
		snprintf(reason, cap, "the file has an unknown ELF class %u",
		    b[EI_CLASS]);
		return 1;
	}
	/* e_type and e_machine sit at the same offsets in both classes. */
	if (n < 20 ||
	    (b[EI_DATA] != ELFDATA2LSB && b[EI_DATA] != ELFDATA2MSB)) {
		*verdict = LIB_NOT_LIBRARY;
		snprintf(reason, cap, "the file has a truncated ELF header");
		return 1;
	}
	le = b[EI_DATA] == ELFDATA2LSB;
	type = le ? (unsigned)(b[16] | b[17] << 8) :
		    (unsigned)(b[16] << 8 | b[17]);
	machine = le ? (unsigned)(b[18] | b[19] << 8) :
		       (unsigned)(b[18] << 8 | b[19]);
	if (type != ET_DYN) {
		*verdict = LIB_NOT_LIBRARY;
		snprintf(reason, cap,
		    "the file is an ELF %s, not a shared "
		    "object",
		    type == ET_EXEC	? "executable" :
			type == ET_REL	? "relocatable object" :
			type == ET_CORE ? "core dump" :
					  "file of unknown type");
		return 1;
	}
#ifdef HOST_MACHINE
	if (machine != HOST_MACHINE || b[EI_CLASS] != HOST_CLASS) {
		*verdict = LIB_LOAD_FAILED;
		snprintf(reason, cap,
		    "the library is built for %s (%d-bit), "
		    "which this %s host cannot load",
		    machine_name(machine), b[EI_CLASS] == ELFCLASS64 ? 64 : 32,
		    machine_name(HOST_MACHINE));
		return 1;
	}
#else
	(void)machine;
	(void)machine_name;
#endif
	return 0;
}

/* Splits off one '\n'-terminated line.  Returns its length or -1. */
static ssize_t take_line(const uint8_t **b, size_t *n, const uint8_t **line)
{
	struct lines it;
	const char *l;
	size_t len;

	lines_init(&it, (const char *)*b, *n, LINES_ANY_LENGTH);
	if (lines_take(&it, &l, &len) != LINES_OK)
		return -1;
	*line = (const uint8_t *)l;
	*b = (const uint8_t *)it.p;
	*n = it.n;
	return (ssize_t)len;
}

static int starts(const uint8_t *l, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && memcmp(l, p, k) == 0;
}

/* Does the line equal s exactly? */
static int line_is(const uint8_t *l, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(l, s, n) == 0;
}

/* The helper's reply is untrusted: the library's code ran in that process
 * and may have written anything.  Only these fixed words are accepted, and
 * every sentence in the report is the parent's own. */
static const struct {
	const char *code, *reason;
} load_codes[] = {
	{ "musl",
	    "built against musl libc (an Alpine image?), which a glibc "
	    "process cannot load" },
	{ "arch", "built for another architecture" },
	{ "pie",
	    "an executable, not a library (statically linked? check its "
	    "version string instead)" },
	{ "undefined-symbol",
	    "the library could not be loaded: it needs a "
	    "symbol that nothing provides" },
	{ "missing-dependency",
	    "the library could not be loaded: a library "
	    "it needs was not found among the system's libraries" },
	{ "other", "the library could not be loaded" },
};

static const struct {
	const char *code, *reason;
} init_codes[] = {
	{ "ctx", "SSL_CTX_new returned NULL" },
	{ "ssl", "SSL_new returned NULL" },
	{ "bio", "BIO_new returned NULL" },
	{ "write", "BIO_write took less than asked" },
	{ "request", "the helper could not read the request" },
	{ "files", "the helper did not get the library files" },
	{ "drop", "the helper could not drop its privileges" },
	{ "limits", "the helper could not set its resource limits" },
	{ "sandbox", "the helper could not enter its sandbox" },
	{ "usage", "the helper was called the wrong way" },
};

/* Symbols the helper may name as missing (see resolve() in libhost.c). */
static const char *const symbol_names[] = {
	"SSL_library_init",
	"TLSv1_2_server_method",
	"BIO_s_mem",
	"SSL_CTX_new",
	"SSL_new",
	"BIO_new",
	"BIO_write",
	"BIO_read",
	"BIO_ctrl",
	"SSL_set_bio",
	"SSL_set_accept_state",
	"SSL_do_handshake",
};

static const char *const method_names[] = {
	"TLSv1_2_server_method",
	"TLS_server_method",
	"SSLv23_server_method",
	"TLSv1_server_method",
};

/* A version line is accepted only when it is, whole, an OpenSSL version
 * string: "OpenSSL x.y.z[ab][-suffix] [d Mon yyyy]". */
static int version_ok(const uint8_t *v, size_t n)
{
	char got[OPENSSL_VERSION_MAX + 1];

	if (n == 0)
		return 1;
	if (n > OPENSSL_VERSION_MAX || memchr(v, 0, n) != NULL)
		return 0;
	if (openssl_version_find(v, n, got, sizeof(got)) != 1)
		return 0;
	return strlen(got) == n && memcmp(got, v, n) == 0;
}

static void reject(struct libtest_result *out)
{
	out->verdict = LIB_INCONCLUSIVE;
	out->version[0] = '\0';
	set_reason(out,
	    "the helper's reply is not in the fixed format (the "
	    "library may have written into it): nothing of it is kept");
}

int libtest_judge_reply(const struct hb_plan *plan, const uint8_t *b, size_t n,
    struct libtest_result *out)
{
	struct reply_summary s;
	const uint8_t *status, *ver, *method;
	ssize_t sl, vl;
	size_t ml, i;
	int old_api;

	out->version[0] = '\0';
	out->disclosed = 0;
	if ((sl = take_line(&b, &n, &status)) < 0) {
		out->verdict = LIB_INCONCLUSIVE;
		set_reason(out, "the helper ended without a status line");
		return -1;
	}
	if (starts(status, (size_t)sl, "load-failed ")) {
		for (i = 0; i < sizeof(load_codes) / sizeof(load_codes[0]); i++)
			if (line_is(status + 12, (size_t)sl - 12,
				load_codes[i].code)) {
				out->verdict = LIB_LOAD_FAILED;
				set_reason(out, "%s", load_codes[i].reason);
				return 0;
			}
		reject(out);
		return -1;
	}
	if (starts(status, (size_t)sl, "no-symbol ")) {
		for (i = 0; i < sizeof(symbol_names) / sizeof(symbol_names[0]);
		     i++)
			if (line_is(status + 10, (size_t)sl - 10,
				symbol_names[i])) {
				out->verdict = LIB_LOAD_FAILED;
				set_reason(out,
				    "the library lacks %s, so it is "
				    "not a libssl this test can drive",
				    symbol_names[i]);
				return 0;
			}
		reject(out);
		return -1;
	}
	if (starts(status, (size_t)sl, "init-failed ")) {
		for (i = 0; i < sizeof(init_codes) / sizeof(init_codes[0]); i++)
			if (line_is(status + 12, (size_t)sl - 12,
				init_codes[i].code)) {
				out->verdict = LIB_INCONCLUSIVE;
				set_reason(out,
				    "the library loaded but the test "
				    "could not run: %s",
				    init_codes[i].reason);
				return 0;
			}
		reject(out);
		return -1;
	}
	if (!starts(status, (size_t)sl, "ok ") ||
	    (vl = take_line(&b, &n, &ver)) < 0) {
		reject(out);
		return -1;
	}
	for (i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++)
		if (line_is(status + 3, (size_t)sl - 3, method_names[i]))
			break;
	if (i == sizeof(method_names) / sizeof(method_names[0]) ||
	    !version_ok(ver, (size_t)vl)) {
		reject(out);
		return -1;
	}
	method = status + 3;
	ml = (size_t)sl - 3;
	set_text(out->version, sizeof(out->version), ver, (size_t)vl);
	/* TLS 1.2 arrived in 1.0.1 together with heartbeats, so a library
	 * that lacks both TLS 1.2 methods predates heartbeat code. */
	old_api =
	    !(ml == 21 && memcmp(method, "TLSv1_2_server_method", 21) == 0) &&
	    !(ml == 17 && memcmp(method, "TLS_server_method", 17) == 0);

	if (reply_scan(plan, b, n, &s) != 0) {
		out->verdict = LIB_INCONCLUSIVE;
		set_reason(out,
		    "the library wrote %zu bytes that are not TLS "
		    "records",
		    n);
		return 0;
	}
	switch (reply_judge(&s, 0)) {
	case HBV_VULNERABLE:
		out->verdict = LIB_VULNERABLE;
		out->disclosed = s.disclosed;
		if (s.disclosed == 0)
			set_reason(out,
			    "the library's own heartbeat code "
			    "over-read its record: the probe came back with "
			    "our stale sentinel bytes (0 bytes disclosed)");
		else
			set_reason(out,
			    "the library's own heartbeat code "
			    "over-read its record and returned %u bytes that "
			    "were not ours",
			    s.disclosed);
		break;
	case HBV_PATCHED:
		out->verdict = LIB_PATCHED;
		set_reason(out,
		    "the library echoed the valid heartbeat and "
		    "dropped the over-length one: its bounds check is in "
		    "place");
		break;
	case HBV_NO_HEARTBEAT:
		if (s.alert_desc == TLS_AD_UNEXPECTED_MESSAGE) {
			out->verdict = LIB_NO_HEARTBEAT;
			set_reason(out,
			    "the library answered the first "
			    "heartbeat with alert 10 (unexpected_message): it "
			    "has no heartbeat code");
		} else if (old_api) {
			char m[32];

			set_text(m, sizeof(m), method, ml);
			out->verdict = LIB_NO_HEARTBEAT;
			set_reason(out,
			    "the library has no TLS 1.2 server "
			    "method (tested with %s), so it predates 1.0.1, "
			    "where heartbeats began",
			    m);
		} else if (n == 0) {
			out->verdict = LIB_INCONCLUSIVE;
			set_reason(out,
			    "the library wrote nothing in answer "
			    "to the heartbeats");
		} else {
			out->verdict = LIB_INCONCLUSIVE;
			if (s.alert_desc >= 0)
				set_reason(out,
				    "no heartbeat echo, and alert "
				    "%d rather than unexpected_message",
				    s.alert_desc);
			else
				set_reason(out,
				    "no heartbeat echo and no "
				    "alert in %zu bytes",
				    n);
		}
		break;
	case HBV_INCONCLUSIVE:
		out->verdict = LIB_INCONCLUSIVE;
		if (s.lax_echoed)
			set_reason(out,
			    "the probe came back without its "
			    "over-read: the padding check is missing, but no "
			    "over-read is proven");
		else
			set_reason(out,
			    "a heartbeat response matched no "
			    "request we sent; nothing proven");
		break;
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sig_text(int sig, char *buf, size_t cap)
{
	const char *ab = sigabbrev_np(sig);

	if (ab != NULL)
		snprintf(buf, cap, "SIG%s", ab);
	else
		snprintf(buf, cap, "signal %d", sig);
}

/* The helper's environment: nothing of ours (LD_PRELOAD, LD_LIBRARY_PATH,
 * OPENSSL_CONF ...) may change what it loads or how the library behaves;
 * only sanitizer settings pass, for test builds.  Built before fork(). */
static void helper_env(char **env, size_t cap)
{
	extern char **environ;
	static const char *const keep[] = { "ASAN_OPTIONS=", "UBSAN_OPTIONS=",
		"LSAN_OPTIONS=" };
	size_t n = 0, i, k;

	for (i = 0; environ != NULL && environ[i] != NULL && n + 1 < cap; i++)
		for (k = 0; k < sizeof(keep) / sizeof(keep[0]); k++)
			if (strncmp(environ[i], keep[k], strlen(keep[k])) == 0)
				env[n++] = environ[i];
	env[n] = NULL;
}

/* The child side of fork(): only async-signal-safe calls until exec.  The
 * helper gets the socket as fd 0 and 1, /dev/null as 2, the libssl image
 * as 3 and the libcrypto image (if any) as 4, and nothing else. */
static void exec_helper(int sock, int lib_fd, int crypto_fd,
    const char *self_exe, char *const argv[], char *const envp[])
{
	int null_fd, s, l, c = -1;

	/* Its own process group, so a deadline kills anything it spawned. */
	(void)setpgid(0, 0);
	/* Fresh copies above every target first: dup2() onto the same number
	 * would keep close-on-exec set, and a source may sit on a target. */
	if ((s = fcntl(sock, F_DUPFD, 10)) < 0 ||
	    (l = fcntl(lib_fd, F_DUPFD, 10)) < 0 ||
	    (crypto_fd >= 0 && (c = fcntl(crypto_fd, F_DUPFD, 10)) < 0))
		_exit(127);
	if (dup2(s, 0) < 0 || dup2(s, 1) < 0 || dup2(l, 3) < 0 ||
	    (c >= 0 && dup2(c, 4) < 0))
		_exit(127);
	null_fd = open("/dev/null", O_RDWR);
	if (null_fd < 0 || dup2(null_fd, 2) < 0)
		_exit(127);
	/* Nothing of the parent's leaks into the helper beyond these. */
	(void)close_range(c >= 0 ? 5 : 4, ~0U, 0);
	execve(self_exe, argv, envp);
	_exit(127);
}

/*
 * Opens one image for the helper: safely (a FIFO or a device is refused,
 * never waited on), read whole with a bound, and copied into a sealed
 * anonymous file.  The helper, which runs as an unprivileged user, loads
 * that copy through /proc/self/fd: exactly the bytes checked here, whoever
 * may read the original, and whatever is swapped in at its path later.
 * Returns the fd to pass, or -1 with the verdict and reason filled.
 */
static int open_image(const char *path, const char *what, uint8_t **img,
    size_t *n, struct stat *st, struct libtest_result *out)
{
	char why[160];
	int fd, mfd, trunc = 0;
	size_t off;

	*img = NULL;
	*n = 0;
	if ((fd = safe_open_regular(AT_FDCWD, path, 0, st)) < 0) {
		int e = errno;

		if (e == SAFE_ENOTREG || e == ELOOP) {
			out->verdict = LIB_NOT_LIBRARY;
			set_reason(out, "the %s is %s", what,
			    safe_open_why(e, st, why, sizeof(why)));
		} else {
			out->verdict = LIB_LOAD_FAILED;
			set_reason(out, "the %s could not be opened: %s", what,
			    strerror(e));
		}
		return -1;
	}
	if (safe_read_fd(fd, IMAGE_MAX, img, n, &trunc) != 0 || trunc) {
		out->verdict = LIB_LOAD_FAILED;
		set_reason(out,
		    trunc ? "the %s is larger than 64 MiB" :
			    "the %s could not be read",
		    what);
		close(fd);
		free(*img);
		*img = NULL;
		return -1;
	}
	mfd = memfd_create("heartcheck-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0) {
		/* No memfd: the original, rewound (the helper's user must
		 * then be able to read it). */
		(void)lseek(fd, 0, SEEK_SET);
		return fd;
	}
	close(fd);
	for (off = 0; off < *n;) {
		ssize_t w = write(mfd, *img + off, *n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			out->verdict = LIB_INCONCLUSIVE;
			set_reason(out,
			    "the %s could not be copied for the "
			    "helper: %s",
			    what, strerror(errno));
			close(mfd);
			return -1;
		}
		off += (size_t)w;
	}
	(void)fcntl(mfd, F_ADD_SEALS,
	    F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	(void)lseek(mfd, 0, SEEK_SET);
	return mfd;
}

/* The libcrypto that libssl's DT_NEEDED names, found beside it or in the
 * system's library directories, the way libfind_pair() looks. */
static int find_crypto(const char *libssl, const uint8_t *img, size_t n,
    char *out, size_t cap);

struct first_needed {
	char name[128];
};

static void need_crypto(void *ctx, const char *needed)
{
	struct first_needed *f = ctx;

	if (f->name[0] == '\0' && strncmp(needed, "libcrypto", 9) == 0 &&
	    strchr(needed, '/') == NULL && strlen(needed) < sizeof(f->name))
		memcpy(f->name, needed, strlen(needed) + 1);
}

static int find_crypto(const char *libssl, const uint8_t *img, size_t n,
    char *out, size_t cap)
{
	static const char *const dirs[] = {
#if defined(__x86_64__)
		"/lib/x86_64-linux-gnu",
		"/usr/lib/x86_64-linux-gnu",
#elif defined(__aarch64__)
		"/lib/aarch64-linux-gnu",
		"/usr/lib/aarch64-linux-gnu",
#endif
		"/lib64",
		"/usr/lib64",
		"/lib",
		"/usr/lib",
		NULL,
	};
	struct first_needed f;
	const char *slash = strrchr(libssl, '/');
	struct stat st;
	size_t i;
	int k;

	memset(&f, 0, sizeof(f));
	if (elf_needed(img, n, need_crypto, &f) <= 0 || f.name[0] == '\0')
		return -1;
	/* Beside it, unless "beside" is /proc/PID/map_files. */
	if (slash != NULL && strstr(libssl, "/map_files/") == NULL) {
		k = snprintf(out, cap, "%.*s/%s", (int)(slash - libssl), libssl,
		    f.name);
		if (k > 0 && (size_t)k < cap && stat(out, &st) == 0 &&
		    S_ISREG(st.st_mode))
			return 0;
	}
	for (i = 0; dirs[i] != NULL; i++) {
		k = snprintf(out, cap, "%s/%s", dirs[i], f.name);
		if (k > 0 && (size_t)k < cap && stat(out, &st) == 0 &&
		    S_ISREG(st.st_mode))
			return 0;
	}
	return -1;
}

/* Reads the helper's reply until EOF or the deadline.  Returns 0 at EOF,
 * 1 at the deadline. */
static int read_reply(int fd, long long deadline, uint8_t *buf, size_t cap,
    size_t *len)
{
	uint8_t sink[4096];

	*len = 0;
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;
		int pr;

		if (left <= 0)
			return 1;
		pr = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
		if (pr < 0 && errno != EINTR)
			return 0;
		if (pr <= 0)
			continue;
		if (*len < cap)
			r = read(fd, buf + *len, cap - *len);
		else
			r = read(fd, sink, sizeof(sink));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return 0;
		if (*len < cap)
			*len += (size_t)r;
	}
}

/* Waits for pid until the deadline.  Returns 0 when reaped, 1 at the
 * deadline. */
static int reap(pid_t pid, long long deadline, int *status)
{
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);
		struct timespec ts = { 0, 2 * 1000 * 1000 };

		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return 0;
		if (now_ms() >= deadline)
			return 1;
		nanosleep(&ts, NULL);
	}
}

int libtest_run(const char *self_exe, const char *libssl, const char *libcrypto,
    int timeout_ms, struct libtest_result *out)
{
	static const char helper_cmd[] = "__libhost";
	uint8_t req[512];
	uint8_t *reply = NULL, *img = NULL, *cimg = NULL;
	char *argv[5], *envp[4], cpath[4096];
	struct hb_plan plan;
	struct stat st, cst;
	uint64_t nonce = 0;
	long long deadline;
	ssize_t reqlen;
	size_t len = 0, imgn = 0, cimgn = 0;
	int sv[2] = { -1, -1 };
	int fd = -1, cfd = -1, status = 0, timed_out, rc = 0;
	pid_t pid = -1;

	memset(out, 0, sizeof(*out));
	out->verdict = LIB_INCONCLUSIVE;
	out->exit_status = -1;
	deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 5000);

	if ((fd = open_image(libssl, "library", &img, &imgn, &st, out)) < 0)
		goto out;
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	/* Files that are not shared objects for this machine never reach a
	 * helper: the answer is already known. */
	if (libtest_elf_check(img, imgn, &out->verdict, out->reason,
		sizeof(out->reason)) != 0)
		goto out;
	out->verdict = LIB_INCONCLUSIVE;
	/* The helper may open nothing by a name a user could swap, so the
	 * libcrypto that libssl needs is opened here too. */
	if (libcrypto == NULL &&
	    find_crypto(libssl, img, imgn, cpath, sizeof(cpath)) == 0) {
		/* Our own guess: when it cannot be used, libssl pulls in
		 * its own from the system's directories. */
		if ((cfd = open_image(cpath, "libcrypto", &cimg, &cimgn, &cst,
			 out)) >= 0)
			libcrypto = cpath;
		out->verdict = LIB_INCONCLUSIVE;
		out->reason[0] = '\0';
	} else if (libcrypto != NULL &&
	    (cfd = open_image(libcrypto, "libcrypto", &cimg, &cimgn, &cst,
		 out)) < 0) {
		goto out;
	}

	if (getrandom(&nonce, sizeof(nonce), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(nonce))
		nonce = (uint64_t)now_ms() ^ ((uint64_t)getpid() << 32);
	/* The scan's own flight: the over-read stays inside the stale
	 * sentinel, so a vulnerable library discloses nothing. */
	if (hb_plan_flight(&plan, nonce, HB_PROBE_K) != 0 ||
	    (reqlen = hb_flight_tls(&plan, TLS_V_TLS12, 1, req, sizeof(req))) <
		0) {
		set_reason(out, "the heartbeat flight could not be built");
		goto out;
	}
	if ((reply = malloc(REPLY_MAX)) == NULL) {
		set_reason(out, "out of memory");
		goto out;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		set_reason(out, "socketpair failed: %s", strerror(errno));
		rc = -1;
		goto out;
	}
	argv[0] = (char *)self_exe;
	argv[1] = (char *)helper_cmd;
	argv[2] = (char *)libssl;
	argv[3] = (char *)libcrypto;
	argv[4] = NULL;
	helper_env(envp, sizeof(envp) / sizeof(envp[0]));
	if ((pid = fork()) < 0) {
		set_reason(out, "fork failed: %s", strerror(errno));
		rc = -1;
		goto out;
	}
	if (pid == 0)
		exec_helper(sv[1], fd, cfd, self_exe, argv, envp);
	close(sv[1]);
	sv[1] = -1;
	/* The request is a few hundred bytes and fits the socket buffer, so
	 * this send does not block; MSG_NOSIGNAL because the helper may have
	 * died already. */
	(void)send(sv[0], req, (size_t)reqlen, MSG_NOSIGNAL);
	(void)shutdown(sv[0], SHUT_WR);

	timed_out = read_reply(sv[0], deadline, reply, REPLY_MAX, &len);
	if (!timed_out)
		timed_out = reap(pid, deadline, &status);
	if (timed_out) {
		(void)kill(-pid, SIGKILL);
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, &status, 0);
		out->exit_status = status;
		pid = -1;
		/* Keep the version if the helper got that far. */
		(void)libtest_judge_reply(&plan, reply, len, out);
		out->disclosed = 0;
		out->verdict = LIB_TIMEOUT;
		set_reason(out,
		    "the helper did not finish within %d ms and was "
		    "killed",
		    timeout_ms);
		goto version;
	}
	out->exit_status = status;
	pid = -1;
	if (WIFSIGNALED(status)) {
		char sig[32];

		sig_text(WTERMSIG(status), sig, sizeof(sig));
		/* Keep the version if the helper got that far. */
		(void)libtest_judge_reply(&plan, reply, len, out);
		out->verdict = LIB_HELPER_CRASHED;
		out->disclosed = 0;
		set_reason(out,
		    "the helper died by %s while running the "
		    "library",
		    sig);
		goto version;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && len == 0) {
		set_reason(out, "the helper %s could not be started", self_exe);
		rc = -1;
		goto out;
	}
	(void)libtest_judge_reply(&plan, reply, len, out);
version:
	/* A version is reported only when it is in the files under test:
	 * the library's code chose the line, and must not be able to put
	 * anything else into the report. */
	if (out->version[0] != '\0' &&
	    memmem(img, imgn, out->version, strlen(out->version)) == NULL &&
	    (cimg == NULL ||
		memmem(cimg, cimgn, out->version, strlen(out->version)) ==
		    NULL))
		out->version[0] = '\0';
out:
	if (pid > 0) {
		(void)kill(-pid, SIGKILL);
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, &status, 0);
	}
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (fd >= 0)
		close(fd);
	if (cfd >= 0)
		close(cfd);
	free(img);
	free(cimg);
	free(reply);
	return rc;
}
