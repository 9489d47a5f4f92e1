/*
 * The in-process library test: one libssl (and optionally its libcrypto)
 * is loaded into an exec'd, sandboxed helper, fed the same sentinel, probe
 * and fence flight the network engine sends, through memory BIOs, and the
 * library's answer is judged here with the project's own codecs.
 *
 * Loading a library runs its constructors, so the library's code never runs
 * in the caller's process: libtest_run() opens the images itself (never
 * blocking, regular files only), copies them into sealed anonymous files,
 * and forks and execs `SELF __libhost LIBSSL [LIBCRYPTO]` with them on fd 3
 * and 4; its main is libhost_main().  Before the library is loaded the
 * helper drops to an unprivileged user with no groups, sets rlimits and
 * no_new_privs, limits file access with Landlock where the kernel has it
 * (to the system's library directories; the images come as descriptors)
 * and enters seccomp, so the library's constructors run locked down too.
 * It gets an environment with nothing of ours in it, and is killed when it
 * overruns its deadline.
 *
 * Wire between the two, over one socketpair that is the helper's fd 0 and
 * fd 1: the parent sends the request bytes and shuts down its write side;
 * the helper answers with a status line ("ok METHOD", "load-failed CODE",
 * "no-symbol NAME", "init-failed CODE", each from a fixed list), a version
 * line, then the raw bytes the library wrote, up to EOF.  The library's
 * code runs in that process and can write anything there, so the parent
 * accepts only that fixed format: an unknown word rejects the whole reply,
 * the version must be an OpenSSL version string found in the files under
 * test, and every sentence of the report is the parent's own.
 */
#ifndef HEARTCHECK_LOCAL_LIBTEST_H
#define HEARTCHECK_LOCAL_LIBTEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum lib_verdict {
	LIB_VULNERABLE, /* the library's own code over-read (proof) */
	LIB_PATCHED, /* heartbeat code present, bounds checked */
	LIB_NO_HEARTBEAT, /* answered the heartbeat with alert 10: no heartbeat
			     code */
	LIB_LOAD_FAILED, /* dlopen/dlsym failed: reason says why */
	LIB_NOT_LIBRARY, /* not an ELF shared object */
	LIB_HELPER_CRASHED, /* the helper died by a signal: reason names it */
	LIB_TIMEOUT, /* the helper exceeded its deadline and was killed */
	LIB_INCONCLUSIVE, /* ran, but the answer proves nothing either way */
	LIB_POSSIBLY_VULNERABLE, /* not loaded, and its version string is in
				  * the vulnerable range: not proof */
};

/* "vulnerable", "patched", "no-heartbeat", "load-failed", "not-a-library",
 * "helper-crashed", "timeout", "inconclusive"; "unknown" otherwise. */
const char *lib_verdict_name(enum lib_verdict v);

struct libtest_result {
	enum lib_verdict verdict;
	char version[128]; /* SSLeay_version(0) / OpenSSL_version(0), or "" */
	char reason[256]; /* one human sentence */
	unsigned
	    disclosed; /* over-read bytes that were not ours (0 on OpenSSL) */
	int exit_status; /* raw wait status of the helper, -1 if none ran */
	dev_t dev; /* the libssl file actually opened; 0 when none */
	ino_t ino;
};

/*
 * Runs one helper process for one library pair and waits at most
 * timeout_ms (5000 when it is 0 or less).  self_exe is the binary whose argv[1]
 * == "__libhost" enters libhost_main() ("/proc/self/exe" is fine).  libcrypto
 * may be NULL, and then the one libssl's DT_NEEDED names is looked for beside
 * it and in the system's library directories (else libssl pulls in its own).  A
 * path that is not a regular file (a FIFO, a directory, a link loop) gets
 * LIB_NOT_LIBRARY without ever being waited on.  Never returns without
 * filling *out.
 * Returns 0, or -1 only when the helper could not be started (out is still
 * filled).
 */
int libtest_run(const char *self_exe, const char *libssl, const char *libcrypto,
    int timeout_ms, struct libtest_result *out);

/*
 * Pure pre-check of a candidate file's first bytes, so that files which are
 * not shared objects for this machine never reach a helper.  Returns 0 when
 * the helper should try it; otherwise fills verdict (LIB_NOT_LIBRARY or
 * LIB_LOAD_FAILED) and reason and returns 1.
 */
int libtest_elf_check(const uint8_t *b, size_t n, enum lib_verdict *verdict,
    char *reason, size_t cap);

/*
 * Pure judgement of a helper's reply (status line, version line, raw TLS
 * bytes) to the flight built from the same plan nonce.  Fills verdict,
 * version, reason and disclosed; leaves exit_status alone.  Returns 0, or
 * -1 when the reply is not framed as the helper frames it (verdict is then
 * LIB_INCONCLUSIVE).
 */
struct hb_plan;
int libtest_judge_reply(const struct hb_plan *plan, const uint8_t *b, size_t n,
    struct libtest_result *out);

/* The helper's main: `heartcheck __libhost LIBSSL [LIBCRYPTO]`.  argv may
 * be the program's whole argv or start at "__libhost".  It normally ends
 * with _exit() so that nothing of the loaded library runs at exit; the
 * return value is an exit code for the rare early returns. */
int libhost_main(int argc, char **argv);

#endif
