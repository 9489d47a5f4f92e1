/*
 * Tests of the in-process library test.
 *
 * This binary is also its own helper: run as `test_libtest __libhost ...`
 * it enters libhost_main(), exactly as heartcheck does, so the tests can
 * pass "/proc/self/exe" as self_exe.
 *
 *   test_libtest pure   judgement and ELF pre-check, no processes;
 *   test_libtest run    real helpers against OpenSSL 3 and the fake
 *                       libraries named by LIBTEST_FAKE_* variables;
 *   test_libtest self   the same through the heartcheck binary named by
 *                       HEARTCHECK, which must dispatch __libhost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../hc_skip.h"

/* cmocka hands every test a state pointer these tests do not use. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "local/libtest.h"
#include "tls/heartbeat.h"

#define TIMEOUT_MS 5000

/* ---- helpers ---------------------------------------------------------- */

struct buf {
	uint8_t b[8192];
	size_t n;
};

static void put(struct buf *b, const void *d, size_t n)
{
	assert_true(b->n + n <= sizeof(b->b));
	memcpy(b->b + b->n, d, n);
	b->n += n;
}

static void put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* A heartbeat response record carrying payload_length = len, whose payload
 * is the plan's stream `which` for the first own bytes, then tail bytes. */
static void put_response(struct buf *b, const struct hb_plan *p, int which,
    size_t own, const uint8_t *tail, size_t tlen)
{
	size_t len = own + tlen, body = 3 + len + 16, i;
	uint8_t h[8] = { 24, 3, 3, (uint8_t)(body >> 8), (uint8_t)body, 2,
		(uint8_t)(len >> 8), (uint8_t)len };

	put(b, h, sizeof(h));
	for (i = 0; i < own; i++) {
		uint8_t v = hb_payload_byte(p, which, i);

		put(b, &v, 1);
	}
	if (tlen > 0)
		put(b, tail, tlen);
	for (i = 0; i < 16; i++) {
		uint8_t z = 0;

		put(b, &z, 1);
	}
}

static void put_alert(struct buf *b, uint8_t desc)
{
	uint8_t a[7] = { 21, 3, 3, 0, 2, 2, desc };

	put(b, a, sizeof(a));
}

static void init_plan(struct hb_plan *p)
{
	assert_int_equal(hb_plan_init(p, 0x1234567890abcdefULL, 64, 32, 16), 0);
}

static void judge(const struct hb_plan *p, const struct buf *b,
    struct libtest_result *r)
{
	memset(r, 0, sizeof(*r));
	(void)libtest_judge_reply(p, b->b, b->n, r);
}

/* ---- pure: judgement -------------------------------------------------- */

static void t_judge_vulnerable(void **state)
{
	struct hb_plan p;
	struct buf b = { .n = 0 };
	struct libtest_result r;
	uint8_t stale[16];
	size_t i;

	init_plan(&p);
	put_str(&b, "ok TLSv1_2_server_method\nOpenSSL 1.0.1f 6 Jan 2014\n");
	put_response(&b, &p, 0, 64, NULL, 0);
	for (i = 0; i < 16; i++)
		stale[i] = hb_payload_byte(&p, 0, 32 + i);
	put_response(&b, &p, 1, 32, stale, 16);
	put_alert(&b, 10);
	judge(&p, &b, &r);
	assert_int_equal(r.verdict, LIB_VULNERABLE);
	assert_int_equal(r.disclosed, 0);
	assert_string_equal(r.version, "OpenSSL 1.0.1f 6 Jan 2014");
}

static void t_judge_vulnerable_disclosing(void **state)
{
	struct hb_plan p;
	struct buf b = { .n = 0 };
	struct libtest_result r;
	uint8_t foreign[16];
	size_t i;

	init_plan(&p);
	put_str(&b, "ok TLSv1_2_server_method\nOpenSSL 1.0.1f\n");
	for (i = 0; i < 16; i++)
		foreign[i] = (uint8_t)(hb_payload_byte(&p, 0, 32 + i) ^ 0xff);
	put_response(&b, &p, 1, 32, foreign, 16);
	judge(&p, &b, &r);
	assert_int_equal(r.verdict, LIB_VULNERABLE);
	assert_int_equal(r.disclosed, 16);
}

static void t_judge_patched(void **state)
{
	struct hb_plan p;
	struct buf b = { .n = 0 };
	struct libtest_result r;

	init_plan(&p);
	put_str(&b, "ok TLSv1_2_server_method\nOpenSSL 1.0.1g 7 Apr 2014\n");
	put_response(&b, &p, 0, 64, NULL, 0);
	put_alert(&b, 10);
	judge(&p, &b, &r);
	assert_int_equal(r.verdict, LIB_PATCHED);
	assert_string_equal(lib_verdict_name(r.verdict), "patched");
}

static void t_judge_no_heartbeat(void **state)
{
	struct hb_plan p;
	struct buf b = { .n = 0 };
	struct libtest_result r;

	init_plan(&p);
	put_str(&b, "ok TLSv1_2_server_method\nOpenSSL 3.0.11 19 Sep 2023\n");
	put_alert(&b, 10);
	judge(&p, &b, &r);
	assert_int_equal(r.verdict, LIB_NO_HEARTBEAT);
	assert_non_null(strstr(r.reason, "alert 10"));
}

static void t_judge_silence_is_inconclusive(void **state)
{
	struct hb_plan p;
	struct buf b = { .n = 0 };
	struct libtest_result r;

	init_plan(&p);
	put_str(&b, "ok TLSv1_2_server_method\nOpenSSL 1.0.1f\n");
	judge(&p, &b, &r);
	assert_int_equal(r.verdict, LIB_INCONCLUSIVE);
	/* A different alert proves nothing either. */
	put_alert(&b, 40);
	judge(&p, &b, &r);
	assert_int_equal(r.verdict, LIB_INCONCLUSIVE);
}

static void t_judge_old_api(void **state)
{
	struct hb_plan p;
	struct buf b = { .n = 0 };
	struct libtest_result r;

	init_plan(&p);
	put_str(&b, "ok SSLv23_server_method\nOpenSSL 0.9.8zh 3 Dec 2015\n");
	judge(&p, &b, &r);
	assert_int_equal(r.verdict, LIB_NO_HEARTBEAT);
	assert_non_null(strstr(r.reason, "SSLv23_server_method"));
}

static void t_judge_lax_echo(void **state)
{
	struct hb_plan p;
	struct buf b = { .n = 0 };
	struct libtest_result r;

	init_plan(&p);
	put_str(&b, "ok TLSv1_2_server_method\nOpenSSL 1.0.1f\n");
	put_response(&b, &p, 1, 32, NULL, 0);
	judge(&p, &b, &r);
	assert_int_equal(r.verdict, LIB_INCONCLUSIVE);
	/* Silence is inconclusive too: the reason tells them apart. */
	assert_non_null(strstr(r.reason, "without its over-read"));
	/* After the sentinel's echo, a lax echo still proves nothing. */
	b.n = 0;
	put_str(&b, "ok TLSv1_2_server_method\nOpenSSL 1.0.1f\n");
	put_response(&b, &p, 0, 64, NULL, 0);
	put_response(&b, &p, 1, 32, NULL, 0);
	put_alert(&b, 10);
	judge(&p, &b, &r);
	assert_int_equal(r.verdict, LIB_INCONCLUSIVE);
	assert_non_null(strstr(r.reason, "without its over-read"));
}

static void t_judge_not_tls(void **state)
{
	struct hb_plan p;
	struct buf b = { .n = 0 };
	struct libtest_result r;

	init_plan(&p);
	put_str(&b, "ok TLSv1_2_server_method\n\nHTTP/1.1 400 Bad\r\n\r\n");
	judge(&p, &b, &r);
	assert_int_equal(r.verdict, LIB_INCONCLUSIVE);
	assert_non_null(strstr(r.reason, "not TLS"));
}

static void t_judge_framing(void **state)
{
	struct hb_plan p;
	struct buf b = { .n = 0 };
	struct libtest_result r;

	init_plan(&p);
	memset(&r, 0, sizeof(r));
	assert_int_equal(libtest_judge_reply(&p, b.b, 0, &r), -1);
	assert_int_equal(r.verdict, LIB_INCONCLUSIVE);
	put_str(&b, "ok TLSv1_2_server_method");
	judge(&p, &b, &r);
	assert_int_equal(r.verdict, LIB_INCONCLUSIVE);
	b.n = 0;
	put_str(&b, "garbage\n\n");
	assert_int_equal(libtest_judge_reply(&p, b.b, b.n, &r), -1);
	b.n = 0;
	put_str(&b, "load-failed musl\n");
	judge(&p, &b, &r);
	assert_int_equal(r.verdict, LIB_LOAD_FAILED);
	assert_non_null(strstr(r.reason, "musl"));
	b.n = 0;
	put_str(&b, "no-symbol SSL_do_handshake\n");
	judge(&p, &b, &r);
	assert_int_equal(r.verdict, LIB_LOAD_FAILED);
	assert_non_null(strstr(r.reason, "SSL_do_handshake"));
	b.n = 0;
	/* Control bytes from a hostile library never reach the report. */
	put_str(&b, "ok TLSv1_2_server_method\nevil\033[31m\n");
	judge(&p, &b, &r);
	assert_null(strchr(r.version, '\033'));
	assert_int_equal(r.verdict, LIB_INCONCLUSIVE);
}

/* The library's code runs in the helper and may write anything into the
 * reply: only the fixed words pass, and no free text reaches the report. */
static void t_judge_strict(void **state)
{
	static const char *const forged[] = {
		"load-failed: SECRET-TEXT\n",
		"load-failed SECRET-TEXT\n",
		"load-failed musl SECRET-TEXT\n",
		"no-symbol SECRET_TEXT\n",
		"no-symbol: SSL_new\n",
		"init-failed SECRET-TEXT\n",
		"init-failed: ctx\n",
		"ok SECRET-TEXT\nOpenSSL 1.0.1f\n",
		"ok TLSv1_2_server_method\nOpenSSL 1.0.1f SECRET-TEXT\n",
		"ok TLSv1_2_server_method\nSECRET-TEXT OpenSSL 1.0.1f\n",
		"ok TLSv1_2_server_method\nOpenSSL 1.0.1g 7 Apr 2014 "
		    "\x1b[2J patched /usr/lib/libssl.so.3\n",
	};
	struct hb_plan p;
	struct buf b;
	struct libtest_result r;
	size_t i;

	init_plan(&p);
	for (i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		b.n = 0;
		put_str(&b, forged[i]);
		memset(&r, 0, sizeof(r));
		assert_int_equal(libtest_judge_reply(&p, b.b, b.n, &r), -1);
		assert_int_equal(r.verdict, LIB_INCONCLUSIVE);
		assert_string_equal(r.version, "");
		assert_null(strstr(r.reason, "SECRET"));
		assert_null(strstr(r.reason, "patched"));
	}
}

static void t_verdict_names(void **state)
{
	assert_string_equal(lib_verdict_name(LIB_VULNERABLE), "vulnerable");
	assert_string_equal(lib_verdict_name(LIB_NO_HEARTBEAT), "no-heartbeat");
	assert_string_equal(lib_verdict_name(LIB_LOAD_FAILED), "load-failed");
	assert_string_equal(lib_verdict_name(LIB_NOT_LIBRARY), "not-a-library");
	assert_string_equal(lib_verdict_name(LIB_HELPER_CRASHED),
	    "helper-crashed");
	assert_string_equal(lib_verdict_name(LIB_TIMEOUT), "timeout");
	assert_string_equal(lib_verdict_name(LIB_INCONCLUSIVE), "inconclusive");
	assert_string_equal(lib_verdict_name((enum lib_verdict)99), "unknown");
}

/* ---- pure: ELF pre-check ---------------------------------------------- */

static void elf_header(uint8_t *h, uint8_t cls, uint16_t type,
    uint16_t machine)
{
	memset(h, 0, 64);
	memcpy(h, ELFMAG, SELFMAG);
	h[EI_CLASS] = cls;
	h[EI_DATA] = ELFDATA2LSB;
	h[EI_VERSION] = EV_CURRENT;
	h[16] = (uint8_t)type;
	h[17] = (uint8_t)(type >> 8);
	h[18] = (uint8_t)machine;
	h[19] = (uint8_t)(machine >> 8);
}

static void t_elf_check(void **state)
{
	uint8_t h[64];
	enum lib_verdict v = LIB_INCONCLUSIVE;
	char why[256];

	assert_int_equal(libtest_elf_check((const uint8_t *)"hello", 5, &v, why,
	    sizeof(why)), 1);
	assert_int_equal(v, LIB_NOT_LIBRARY);
	assert_int_equal(libtest_elf_check(h, 0, &v, why, sizeof(why)), 1);
	elf_header(h, ELFCLASS64, ET_EXEC, EM_X86_64);
	assert_int_equal(libtest_elf_check(h, 64, &v, why, sizeof(why)), 1);
	assert_int_equal(v, LIB_NOT_LIBRARY);
	assert_non_null(strstr(why, "executable"));
	elf_header(h, ELFCLASS64, ET_DYN, EM_AARCH64);
#if defined(__x86_64__)
	assert_int_equal(libtest_elf_check(h, 64, &v, why, sizeof(why)), 1);
	assert_int_equal(v, LIB_LOAD_FAILED);
	assert_non_null(strstr(why, "aarch64"));
	elf_header(h, ELFCLASS32, ET_DYN, EM_386);
	assert_int_equal(libtest_elf_check(h, 64, &v, why, sizeof(why)), 1);
	assert_int_equal(v, LIB_LOAD_FAILED);
	elf_header(h, ELFCLASS64, ET_DYN, EM_X86_64);
	assert_int_equal(libtest_elf_check(h, 64, &v, why, sizeof(why)), 0);
	/* A truncated header is not a library. */
	assert_int_equal(libtest_elf_check(h, 18, &v, why, sizeof(why)), 1);
	assert_int_equal(v, LIB_NOT_LIBRARY);
#endif
}

/* ---- run: real helpers ------------------------------------------------ */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void show(const char *what, const struct libtest_result *r)
{
	print_message("%s: %s (%s) version \"%s\" status 0x%x\n", what,
	    lib_verdict_name(r->verdict), r->reason, r->version,
	    (unsigned)r->exit_status);
}

/* Path of a library named by ldconfig -p, or 0 when there is none. */
static int find_lib(const char *soname, char *path, size_t cap)
{
	char line[512], want[128];
	FILE *f = popen("ldconfig -p 2>/dev/null || /sbin/ldconfig -p", "r");
	int found = 0;

	if (f == NULL)
		return 0;
	snprintf(want, sizeof(want), "\t%s ", soname);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *arrow = strstr(line, "=> ");

		if (found || strncmp(line, want, strlen(want)) != 0 ||
		    arrow == NULL || strstr(line, "x86-64") == NULL)
			continue;
		snprintf(path, cap, "%s", arrow + 3);
		path[strcspn(path, "\n")] = '\0';
		found = 1;
	}
	pclose(f);
	return found;
}

static void t_run_openssl3(void **state)
{
	char ssl[256], crypto[256];
	struct libtest_result r;

	if (!find_lib("libssl.so.3", ssl, sizeof(ssl)) ||
	    !find_lib("libcrypto.so.3", crypto, sizeof(crypto)))
		hc_skip("no libssl.so.3 and libcrypto.so.3 on this machine");
	assert_int_equal(libtest_run("/proc/self/exe", ssl, crypto, TIMEOUT_MS,
	    &r), 0);
	show("openssl3", &r);
	assert_int_equal(r.verdict, LIB_NO_HEARTBEAT);
	assert_int_equal(strncmp(r.version, "OpenSSL 3", 9), 0);
	assert_true(WIFEXITED(r.exit_status));
	/* libssl alone pulls in its own libcrypto. */
	assert_int_equal(libtest_run("/proc/self/exe", ssl, NULL, TIMEOUT_MS,
	    &r), 0);
	assert_int_equal(r.verdict, LIB_NO_HEARTBEAT);
}

/* Runs the fake library named by env var, or skips when it is unset. */
static void run_fake(const char *env, struct libtest_result *r, int timeout)
{
	const char *path = getenv(env);

	if (path == NULL || *path == '\0')
		hc_skip("%s is not set (the fake libraries were not built)", env);
	assert_int_equal(libtest_run("/proc/self/exe", path, NULL, timeout, r),
	    0);
	show(env, r);
}

static void t_run_fake_vuln(void **state)
{
	struct libtest_result r;

	run_fake("LIBTEST_FAKE_VULN", &r, TIMEOUT_MS);
	assert_int_equal(r.verdict, LIB_VULNERABLE);
	assert_int_equal(r.disclosed, 0);
	assert_string_equal(r.version, "OpenSSL 1.0.1f 6 Jan 2014");
}

static void t_run_fake_fixed(void **state)
{
	struct libtest_result r;

	run_fake("LIBTEST_FAKE_FIXED", &r, TIMEOUT_MS);
	assert_int_equal(r.verdict, LIB_PATCHED);
	/* The version string still says 1.0.1f: only running it tells. */
	assert_string_equal(r.version, "OpenSSL 1.0.1f 6 Jan 2014");
}

static void t_run_fake_nohb(void **state)
{
	struct libtest_result r;

	run_fake("LIBTEST_FAKE_NOHB", &r, TIMEOUT_MS);
	assert_int_equal(r.verdict, LIB_NO_HEARTBEAT);
}

static void t_run_fake_lax(void **state)
{
	struct libtest_result r;

	/* A lax but safe check (no padding check) still refuses a probe that
	 * claims past its own record, so it cannot fake the proof. */
	run_fake("LIBTEST_FAKE_LAX", &r, TIMEOUT_MS);
	assert_int_equal(r.verdict, LIB_PATCHED);
}

static void t_run_fake_abort(void **state)
{
	struct libtest_result r;

	run_fake("LIBTEST_FAKE_ABORT", &r, TIMEOUT_MS);
	assert_int_equal(r.verdict, LIB_HELPER_CRASHED);
	assert_non_null(strstr(r.reason, "SIGABRT"));
	assert_true(WIFSIGNALED(r.exit_status));
	assert_int_equal(WTERMSIG(r.exit_status), SIGABRT);
	/* It got far enough to say what it is. */
	assert_string_equal(r.version, "OpenSSL 1.0.1f 6 Jan 2014");
}

static void t_run_fake_loop(void **state)
{
	struct libtest_result r;
	long long t0 = now_ms(), took;

	run_fake("LIBTEST_FAKE_LOOP", &r, 1500);
	took = now_ms() - t0;
	assert_int_equal(r.verdict, LIB_TIMEOUT);
	assert_true(took >= 1400);
	assert_true(took < 4000);
	assert_true(WIFSIGNALED(r.exit_status));
	assert_int_equal(WTERMSIG(r.exit_status), SIGKILL);
}

static void t_run_fake_undef(void **state)
{
	struct libtest_result r;

	run_fake("LIBTEST_FAKE_UNDEF", &r, TIMEOUT_MS);
	assert_int_equal(r.verdict, LIB_LOAD_FAILED);
	assert_non_null(strstr(r.reason, "needs a symbol"));
}

static void t_run_fake_empty(void **state)
{
	struct libtest_result r;

	run_fake("LIBTEST_FAKE_EMPTY", &r, TIMEOUT_MS);
	assert_int_equal(r.verdict, LIB_LOAD_FAILED);
	assert_non_null(strstr(r.reason, "SSL_library_init"));
}

/* Writes bytes to a fresh temporary file and returns its path. */
static void temp_file(char *path, size_t cap, const void *b, size_t n)
{
	int fd;

	snprintf(path, cap, "%s/hc-libtest-XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, n), (ssize_t)n);
	close(fd);
}

static void t_run_text_file(void **state)
{
	static const char text[] = "this is not a library\n";
	char path[256];
	struct libtest_result r;

	temp_file(path, sizeof(path), text, sizeof(text) - 1);
	assert_int_equal(libtest_run("/proc/self/exe", path, NULL, TIMEOUT_MS,
	    &r), 0);
	unlink(path);
	assert_int_equal(r.verdict, LIB_NOT_LIBRARY);
	assert_int_equal(r.exit_status, -1);
}

static void t_run_foreign_elf(void **state)
{
	uint8_t h[64];
	char path[256];
	struct libtest_result r;

	elf_header(h, ELFCLASS64, ET_DYN,
#if defined(__aarch64__)
	    EM_X86_64
#else
	    EM_AARCH64
#endif
	);
	temp_file(path, sizeof(path), h, sizeof(h));
	assert_int_equal(libtest_run("/proc/self/exe", path, NULL, TIMEOUT_MS,
	    &r), 0);
	unlink(path);
	assert_int_equal(r.verdict, LIB_LOAD_FAILED);
	assert_non_null(strstr(r.reason, "cannot load"));
}

static void t_run_missing_file(void **state)
{
	struct libtest_result r;

	assert_int_equal(libtest_run("/proc/self/exe",
	    "/nonexistent/libssl.so.1.0.0", NULL, TIMEOUT_MS, &r), 0);
	assert_int_equal(r.verdict, LIB_LOAD_FAILED);
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A FIFO where a library should be is refused at once, never waited on;
 * so is a directory. */
static void t_run_fifo(void **state)
{
	char dir[] = "/tmp/hc-libtest-fifo-XXXXXX", fifo[64];
	struct libtest_result r;
	long long t0;

	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/libssl.so.1.0.0", dir);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	t0 = mono_ms();
	assert_int_equal(libtest_run("/proc/self/exe", fifo, NULL, TIMEOUT_MS,
	    &r), 0);
	assert_true(mono_ms() - t0 < 1000);
	assert_int_equal(r.verdict, LIB_NOT_LIBRARY);
	assert_non_null(strstr(r.reason, "FIFO"));
	assert_int_equal(libtest_run("/proc/self/exe", dir, NULL, TIMEOUT_MS,
	    &r), 0);
	assert_int_equal(r.verdict, LIB_NOT_LIBRARY);
	assert_non_null(strstr(r.reason, "directory"));
	unlink(fifo);
	rmdir(dir);
}

static void t_run_bad_helper(void **state)
{
	char ssl[256];
	struct libtest_result r;

	if (!find_lib("libssl.so.3", ssl, sizeof(ssl)))
		hc_skip("no libssl.so.3 on this machine");
	assert_int_equal(libtest_run("/nonexistent/heartcheck", ssl, NULL,
	    TIMEOUT_MS, &r), -1);
	assert_int_equal(r.verdict, LIB_INCONCLUSIVE);
	assert_non_null(strstr(r.reason, "could not be started"));
}

/* ---- self: through the heartcheck binary ----------------------------- */

static const char *heartcheck_exe(void)
{
	const char *p = getenv("HEARTCHECK");

	if (p == NULL || *p == '\0')
		hc_skip("HEARTCHECK is not set");
	return p;
}

static void t_hc_openssl3(void **state)
{
	const char *exe = heartcheck_exe();
	char ssl[256], crypto[256];
	struct libtest_result r;

	if (!find_lib("libssl.so.3", ssl, sizeof(ssl)) ||
	    !find_lib("libcrypto.so.3", crypto, sizeof(crypto)))
		hc_skip("no libssl.so.3 and libcrypto.so.3 on this machine");
	assert_int_equal(libtest_run(exe, ssl, crypto, TIMEOUT_MS, &r), 0);
	show("heartcheck openssl3", &r);
	assert_int_equal(r.verdict, LIB_NO_HEARTBEAT);
	assert_int_equal(strncmp(r.version, "OpenSSL 3", 9), 0);
}

static void t_hc_fake_vuln(void **state)
{
	const char *exe = heartcheck_exe();
	const char *lib = getenv("LIBTEST_FAKE_VULN");
	struct libtest_result r;

	if (lib == NULL || *lib == '\0')
		hc_skip("LIBTEST_FAKE_VULN is not set (the fake libraries were not built)");
	assert_int_equal(libtest_run(exe, lib, NULL, TIMEOUT_MS, &r), 0);
	show("heartcheck vuln", &r);
	assert_int_equal(r.verdict, LIB_VULNERABLE);
	assert_int_equal(r.disclosed, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(t_judge_vulnerable),
		cmocka_unit_test(t_judge_vulnerable_disclosing),
		cmocka_unit_test(t_judge_patched),
		cmocka_unit_test(t_judge_no_heartbeat),
		cmocka_unit_test(t_judge_silence_is_inconclusive),
		cmocka_unit_test(t_judge_old_api),
		cmocka_unit_test(t_judge_lax_echo),
		cmocka_unit_test(t_judge_not_tls),
		cmocka_unit_test(t_judge_framing),
		cmocka_unit_test(t_judge_strict),
		cmocka_unit_test(t_verdict_names),
		cmocka_unit_test(t_elf_check),
	};
	const struct CMUnitTest run[] = {
		cmocka_unit_test(t_run_openssl3),
		cmocka_unit_test(t_run_fake_vuln),
		cmocka_unit_test(t_run_fake_fixed),
		cmocka_unit_test(t_run_fake_nohb),
		cmocka_unit_test(t_run_fake_lax),
		cmocka_unit_test(t_run_fake_abort),
		cmocka_unit_test(t_run_fake_loop),
		cmocka_unit_test(t_run_fake_undef),
		cmocka_unit_test(t_run_fake_empty),
		cmocka_unit_test(t_run_text_file),
		cmocka_unit_test(t_run_foreign_elf),
		cmocka_unit_test(t_run_missing_file),
		cmocka_unit_test(t_run_fifo),
		cmocka_unit_test(t_run_bad_helper),
	};

	const struct CMUnitTest self[] = {
		cmocka_unit_test(t_hc_openssl3),
		cmocka_unit_test(t_hc_fake_vuln),
	};

	/* The helper entry point, as in heartcheck's own main. */
	if (argc > 1 && strcmp(argv[1], "__libhost") == 0)
		return libhost_main(argc, argv);
	if (argc > 1 && strcmp(argv[1], "run") == 0)
		return hc_run_group_tests_name("libtest-run", run, NULL,
		    NULL);
	if (argc > 1 && strcmp(argv[1], "self") == 0)
		return hc_run_group_tests_name("libtest-self", self, NULL,
		    NULL);
	return hc_run_group_tests_name("libtest-pure", pure, NULL, NULL);
}
