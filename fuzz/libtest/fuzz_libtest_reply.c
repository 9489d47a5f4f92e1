/*
 * Fuzzes the parent's judgement of a helper's reply and the ELF pre-check:
 * both read bytes that a hostile library controls.
 *
 * Oracle: the verdict, the disclosed count and the gist of the reason must
 * be what the helper's framing (status line, version line, raw TLS bytes)
 * and the reference model of the heartbeat rules (../hb_model.h) say.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hb_model.h"
#include "local/libtest.h"
#include "tls/heartbeat.h"

static void expect(int ok, const char *what, const struct libtest_result *r)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_libtest_reply: %s (verdict %s, disclosed %u, "
	    "reason \"%s\")\n", what, lib_verdict_name(r->verdict),
	    r->disclosed, r->reason);
	abort();
}

static int has_prefix(const uint8_t *l, size_t n, const char *p)
{
	return n >= strlen(p) && memcmp(l, p, strlen(p)) == 0;
}

/* The model's reading of a reply; returns the expected return value. */
static int model(const struct hb_plan *plan, const uint8_t *b, size_t n,
    const struct libtest_result *r)
{
	const uint8_t *nl, *status, *ver;
	size_t sl, vl, ml;
	struct reply_summary s;
	struct hbm_out o;
	int old_api;

	if ((nl = memchr(b, '\n', n)) == NULL) {
		expect(r->verdict == LIB_INCONCLUSIVE, "no status line", r);
		return -1;
	}
	status = b;
	sl = (size_t)(nl - b);
	n -= sl + 1;
	b += sl + 1;
	/* Anything outside the fixed format is rejected whole: nothing of
	 * the helper's text may reach the report. */
	if (strstr(r->reason, "not in the fixed format") != NULL) {
		expect(r->verdict == LIB_INCONCLUSIVE && r->version[0] == '\0',
		    "a rejected reply keeps nothing", r);
		/* A well-formed status with an empty version line is never
		 * rejected: the rejection cannot swallow good replies. */
		nl = memchr(b, '\n', n);
		expect(!(nl == b && (has_prefix(status, sl,
		    "ok TLSv1_2_server_method") && sl == 24)),
		    "a well-formed reply rejected", r);
		return -1;
	}
	if (has_prefix(status, sl, "load-failed ") ||
	    has_prefix(status, sl, "no-symbol ")) {
		expect(r->verdict == LIB_LOAD_FAILED, "load failure", r);
		return 0;
	}
	if (has_prefix(status, sl, "init-failed ")) {
		expect(r->verdict == LIB_INCONCLUSIVE &&
		    strstr(r->reason, "could not run") != NULL, "init failure",
		    r);
		return 0;
	}
	if (!has_prefix(status, sl, "ok ") ||
	    (nl = memchr(b, '\n', n)) == NULL) {
		expect(r->verdict == LIB_INCONCLUSIVE, "bad framing", r);
		return -1;
	}
	ver = b;
	vl = (size_t)(nl - b);
	n -= vl + 1;
	b += vl + 1;
	/* An accepted version line is kept exactly: it was checked to be an
	 * OpenSSL version string, with nothing added. */
	expect(strlen(r->version) == vl && memcmp(r->version, ver, vl) == 0,
	    "version text", r);
	ml = sl - 3;
	old_api = !(ml == 21 && memcmp(status + 3, "TLSv1_2_server_method",
	    21) == 0) && !(ml == 17 && memcmp(status + 3, "TLS_server_method",
	    17) == 0);

	if (hbm_scan(plan, b, n, &s, &o) != 0) {
		free(o.tail);
		expect(r->verdict == LIB_INCONCLUSIVE &&
		    strstr(r->reason, "not TLS") != NULL, "not TLS records", r);
		return 0;
	}
	free(o.tail);
	switch (hbm_verdict(&s, 0)) {
	case HBV_VULNERABLE:
		expect(r->verdict == LIB_VULNERABLE, "vulnerable", r);
		expect(r->disclosed == s.disclosed, "disclosed count", r);
		break;
	case HBV_PATCHED:
		expect(r->verdict == LIB_PATCHED, "patched", r);
		break;
	case HBV_INCONCLUSIVE:
		expect(r->verdict == LIB_INCONCLUSIVE, "inconclusive", r);
		expect(strstr(r->reason, s.lax_echoed ? "without its over-read" :
		    "matched no request") != NULL, "inconclusive reason", r);
		break;
	case HBV_NO_HEARTBEAT:
		if (s.alert_desc == 10)
			expect(r->verdict == LIB_NO_HEARTBEAT &&
			    strstr(r->reason, "alert 10") != NULL,
			    "alert 10: no heartbeat", r);
		else if (old_api)
			expect(r->verdict == LIB_NO_HEARTBEAT &&
			    strstr(r->reason, "no TLS 1.2") != NULL,
			    "old API: no heartbeat", r);
		else
			expect(r->verdict == LIB_INCONCLUSIVE,
			    "no echo: inconclusive", r);
		break;
	}
	if (r->verdict != LIB_VULNERABLE)
		expect(r->disclosed == 0, "disclosed without proof", r);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct libtest_result r;
	struct hb_plan plan;
	enum lib_verdict v;
	char why[256];
	int rc;

	/* The seed corpus was made with this nonce, so echoes can match. */
	if (hb_plan_init(&plan, 0x1234567890abcdefULL, 64, 32, 16) != 0)
		return 0;
	memset(&r, 0, sizeof(r));
	r.verdict = (enum lib_verdict)-1;
	rc = libtest_judge_reply(&plan, data, size, &r);
	if (memchr(r.version, '\0', sizeof(r.version)) == NULL ||
	    memchr(r.reason, '\0', sizeof(r.reason)) == NULL)
		__builtin_trap();
	expect(r.reason[0] != '\0', "no reason", &r);
	expect(rc == model(&plan, data, size, &r), "return value", &r);
	if (libtest_elf_check(data, size, &v, why, sizeof(why)) != 0)
		expect((v == LIB_NOT_LIBRARY || v == LIB_LOAD_FAILED) &&
		    why[0] != '\0', "ELF pre-check verdict", &r);
	return 0;
}
