/*
 * The library helper: `heartcheck __libhost LIBSSL [LIBCRYPTO]`, with the
 * library images already open on fd 3 (libssl) and fd 4 (libcrypto).
 *
 * It stays dumb on purpose.  It drops to an unprivileged user, locks
 * itself down, loads the library from the descriptors it was given (never
 * by path), pushes the request bytes through the library's server side
 * over memory BIOs and returns whatever came out; the parent builds the
 * request and judges the answer, and trusts nothing of it beyond a fixed
 * format.  Symbols are looked up by name with fallbacks, so one helper
 * copes with the OpenSSL 0.9.8 to 3.x ABIs without their headers.
 */
#include "local/libtest.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local/sandbox.h"

/* Largest request and reply the helper moves; the flight is a few hundred
 * bytes and a vulnerable reply stays under 64 KiB. */
#define REQ_MAX 65536
#define OUT_MAX 262144

/* BIO_ctrl commands, stable since SSLeay. */
#define HC_BIO_CTRL_FLUSH 11
#define HC_BIO_CTRL_PENDING 10

typedef void *(*fn_void_t)(void);
typedef int (*fn_init_t)(void);
typedef int (*fn_init3_t)(uint64_t, const void *);
typedef const char *(*fn_version_t)(int);
typedef void *(*fn_ctx_new_t)(const void *);
typedef void *(*fn_ssl_new_t)(void *);
typedef void *(*fn_bio_new_t)(const void *);
typedef int (*fn_bio_rw_t)(void *, void *, int);
typedef long (*fn_bio_ctrl_t)(void *, int, long, void *);
typedef size_t (*fn_bio_pending_t)(void *);
typedef void (*fn_set_bio_t)(void *, void *, void *);
typedef void (*fn_ssl_t)(void *);
typedef int (*fn_ssl_int_t)(void *);
typedef void *(*fn_get_bio_t)(const void *);

struct api {
	fn_init_t library_init;
	fn_init3_t init_ssl;
	fn_version_t version;
	fn_void_t method;
	const char *method_name;
	fn_ctx_new_t ctx_new;
	fn_ssl_new_t ssl_new;
	fn_void_t bio_s_mem;
	fn_bio_new_t bio_new;
	fn_bio_rw_t bio_write;
	fn_bio_rw_t bio_read;
	fn_bio_ctrl_t bio_ctrl;
	fn_bio_pending_t bio_pending; /* optional: BIO_ctrl does the same */
	fn_set_bio_t set_bio;
	fn_ssl_t set_accept_state;
	fn_ssl_int_t do_handshake;
	fn_get_bio_t get_wbio; /* optional: lets us flush the buffering BIO */
};

/* Writes all of b to fd; the parent reads until EOF. */
static int write_all(int fd, const void *b, size_t n)
{
	const uint8_t *p = b;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes one line, with any newline inside it flattened, since the parent
 * reads the first two lines as the frame. */
static void put_line(int fd, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	size_t i, n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	n = strlen(line);
	for (i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	(void)write_all(fd, line, n);
}

/* First symbol found among names, or NULL; *which names it. */
static void *sym_any(void *h, const char *const *names, const char **which)
{
	void *p = NULL;

	for (; *names != NULL; names++) {
		if ((p = dlsym(h, *names)) != NULL) {
			if (which != NULL)
				*which = *names;
			break;
		}
	}
	return p;
}

/* Resolves the API; returns NULL or the name of the first missing symbol. */
static const char *resolve(void *h, struct api *a)
{
	static const char *const init_names[] = { "SSL_library_init",
		"OpenSSL_add_ssl_algorithms", NULL };
	static const char *const init3_names[] = { "OPENSSL_init_ssl", NULL };
	static const char *const ver_names[] = { "SSLeay_version",
		"OpenSSL_version", NULL };
	/* TLSv1_2 first: SSLv23 rejects a heartbeat as the first record and
	 * TLS 1.0/1.1 methods ignore unknown record types.  The last two are
	 * only there so that pre-1.0.1 libraries still answer something. */
	static const char *const method_names[] = { "TLSv1_2_server_method",
		"TLS_server_method", "SSLv23_server_method",
		"TLSv1_server_method", NULL };
	static const char *const mem_names[] = { "BIO_s_mem", NULL };
	static const char *const pend_names[] = { "BIO_ctrl_pending", NULL };
	static const char *const wbio_names[] = { "SSL_get_wbio", NULL };
	const char *none = NULL;

	a->library_init = (fn_init_t)sym_any(h, init_names, NULL);
	a->init_ssl = (fn_init3_t)sym_any(h, init3_names, NULL);
	if (a->library_init == NULL && a->init_ssl == NULL)
		return "SSL_library_init";
	a->version = (fn_version_t)sym_any(h, ver_names, NULL);
	if ((a->method = (fn_void_t)sym_any(h, method_names,
		 &a->method_name)) == NULL)
		return "TLSv1_2_server_method";
	if ((a->bio_s_mem = (fn_void_t)sym_any(h, mem_names, &none)) == NULL)
		return "BIO_s_mem";
	a->bio_pending = (fn_bio_pending_t)sym_any(h, pend_names, NULL);
	a->get_wbio = (fn_get_bio_t)sym_any(h, wbio_names, NULL);
#define NEED(field, name, type) \
	do { \
		if ((a->field = (type)dlsym(h, name)) == NULL) \
			return name; \
	} while (0)
	NEED(ctx_new, "SSL_CTX_new", fn_ctx_new_t);
	NEED(ssl_new, "SSL_new", fn_ssl_new_t);
	NEED(bio_new, "BIO_new", fn_bio_new_t);
	NEED(bio_write, "BIO_write", fn_bio_rw_t);
	NEED(bio_read, "BIO_read", fn_bio_rw_t);
	NEED(bio_ctrl, "BIO_ctrl", fn_bio_ctrl_t);
	NEED(set_bio, "SSL_set_bio", fn_set_bio_t);
	NEED(set_accept_state, "SSL_set_accept_state", fn_ssl_t);
	NEED(do_handshake, "SSL_do_handshake", fn_ssl_int_t);
#undef NEED
	return NULL;
}

static size_t pending(const struct api *a, void *bio)
{
	long n;

	if (a->bio_pending != NULL)
		return a->bio_pending(bio);
	n = a->bio_ctrl(bio, HC_BIO_CTRL_PENDING, 0, NULL);
	return n > 0 ? (size_t)n : 0;
}

/* Reads the whole request from fd 0, up to cap bytes. */
static ssize_t read_request(uint8_t *b, size_t cap)
{
	size_t n = 0;

	while (n < cap) {
		ssize_t r = read(0, b + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

/* Runs the request through the library and sends back what it wrote. */
static int run_test(const struct api *a, int out_fd, const uint8_t *req,
    size_t reqlen)
{
	static uint8_t obuf[OUT_MAX];
	void *ctx, *ssl, *rbio, *wbio;
	const char *ver;
	size_t left, olen = 0;
	int i, n;

	if (a->init_ssl != NULL)
		a->init_ssl(0, NULL);
	else
		a->library_init();
	if ((ctx = a->ctx_new(a->method())) == NULL) {
		put_line(out_fd, "init-failed ctx");
		return 1;
	}
	if ((ssl = a->ssl_new(ctx)) == NULL) {
		put_line(out_fd, "init-failed ssl");
		return 1;
	}
	rbio = a->bio_new(a->bio_s_mem());
	wbio = a->bio_new(a->bio_s_mem());
	if (rbio == NULL || wbio == NULL) {
		put_line(out_fd, "init-failed bio");
		return 1;
	}
	a->set_bio(ssl, rbio, wbio);
	a->set_accept_state(ssl);
	if (reqlen > 0 &&
	    a->bio_write(rbio, (void *)req, (int)reqlen) != (int)reqlen) {
		put_line(out_fd, "init-failed write");
		return 1;
	}
	ver = a->version != NULL ? a->version(0) : NULL;
	put_line(out_fd, "ok %s", a->method_name);
	put_line(out_fd, "%s", ver != NULL ? ver : "");
	/* One call normally consumes every record; call again while input
	 * remains and the last call made progress. */
	left = pending(a, rbio);
	for (i = 0; i < 4; i++) {
		size_t now;

		(void)a->do_handshake(ssl);
		now = pending(a, rbio);
		if (now == 0 || now >= left)
			break;
		left = now;
	}
	/* During the handshake a 4 KiB buffering BIO sits on top of ours;
	 * flush it so that small answers are not held back. */
	if (a->get_wbio != NULL) {
		void *top = a->get_wbio(ssl);

		if (top != NULL && top != wbio)
			(void)a->bio_ctrl(top, HC_BIO_CTRL_FLUSH, 0, NULL);
	}
	while (olen < sizeof(obuf) &&
	    (n = a->bio_read(wbio, obuf + olen, (int)(sizeof(obuf) - olen))) >
		0)
		olen += (size_t)n;
	return write_all(out_fd, obuf, olen) == 0 ? 0 : 1;
}

/* The fixed code for a dlerror() text: the parent accepts nothing else. */
static const char *load_code(const char *err)
{
	if (err == NULL)
		return "other";
	if (strstr(err, "musl") != NULL)
		return "musl";
	if (strstr(err, "wrong ELF class") != NULL ||
	    strstr(err, "machine") != NULL)
		return "arch";
	if (strstr(err, "position-independent executable") != NULL)
		return "pie";
	if (strstr(err, "undefined symbol") != NULL)
		return "undefined-symbol";
	if (strstr(err, "cannot open shared object") != NULL)
		return "missing-dependency";
	return "other";
}

/* Where the loader may still look for a library's own dependencies once
 * Landlock is on: the system's library directories and its cache. */
static const char *const system_lib_paths[] = {
	"/etc/ld.so.cache",
	"/lib",
	"/lib64",
	"/lib32",
	"/libx32",
	"/usr/lib",
	"/usr/lib64",
	"/usr/lib32",
	"/usr/libx32",
	NULL,
};

int libhost_main(int argc, char **argv)
{
	static uint8_t req[REQ_MAX];
	const struct sandbox_limits lim = {
		.as_bytes = (rlim_t)512 << 20,
		.cpu_seconds = 20,
		.nofile = 64,
	};
	struct api a;
	struct stat st;
	void *hc = NULL, *hs;
	const char *missing;
	ssize_t reqlen;
	int out_fd, r, base, nlibs, i;

	memset(&a, 0, sizeof(a));
	/* Keep the reply channel on a private fd above the library fds and
	 * point stdout at stderr (/dev/null), so that a library printing to
	 * stdout cannot forge the frame. */
	if ((out_fd = fcntl(1, F_DUPFD_CLOEXEC, 5)) < 0 || dup2(2, 1) < 0)
		_exit(3);
	/* Accept the whole argv or one that starts at "__libhost". */
	base = argc > 0 && strcmp(argv[0], "__libhost") == 0 ? 1 : 2;
	nlibs = argc - base;
	if (nlibs < 1 || nlibs > 2) {
		put_line(out_fd, "init-failed usage");
		_exit(2);
	}
	/* The parent opened the images; nothing is opened here by a name
	 * that a user could swap. */
	for (i = 0; i < nlibs; i++)
		if (fstat(3 + i, &st) != 0 || !S_ISREG(st.st_mode)) {
			put_line(out_fd, "init-failed files");
			_exit(1);
		}
	/* Before any code of the library runs: no root, no groups ... */
	if (sandbox_drop_privileges() != 0) {
		put_line(out_fd, "init-failed drop");
		_exit(1);
	}
	if (sandbox_limit(&lim) != 0) {
		put_line(out_fd, "init-failed limits");
		_exit(1);
	}
	/* ... no files but the system's libraries (where the kernel has
	 * Landlock; without it the unprivileged user's rights are the
	 * bound) ... */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    sandbox_landlock(system_lib_paths) < 0) {
		put_line(out_fd, "init-failed sandbox");
		_exit(1);
	}
	/* ... and a seccomp allow-list.  Lock down before dlopen(): loading
	 * runs the library's constructors, which are as untrusted as the rest
	 * of its code.  The filter still lets the loader open files read-only
	 * and map them. */
	if (sandbox_lock() != 0) {
		put_line(out_fd, "init-failed sandbox");
		_exit(1);
	}
	/* libcrypto goes first and global, so libssl binds to this copy and
	 * not to whichever one its own DT_NEEDED finds. */
	if (nlibs == 2 &&
	    (hc = dlopen("/proc/self/fd/4", RTLD_NOW | RTLD_GLOBAL)) == NULL) {
		put_line(out_fd, "load-failed %s", load_code(dlerror()));
		_exit(0);
	}
	if ((hs = dlopen("/proc/self/fd/3", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		put_line(out_fd, "load-failed %s", load_code(dlerror()));
		_exit(0);
	}
	if ((missing = resolve(hs, &a)) != NULL) {
		put_line(out_fd, "no-symbol %s", missing);
		_exit(0);
	}
	(void)hc;
	if ((reqlen = read_request(req, sizeof(req))) < 0) {
		put_line(out_fd, "init-failed request");
		_exit(1);
	}
	r = run_test(&a, out_fd, req, (size_t)reqlen);
	/* _exit: the library's destructors and atexit handlers have no
	 * business running, and the sandbox would refuse some of them. */
	_exit(r);
}
