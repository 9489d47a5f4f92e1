/*
 * Differential fuzzing of the heartbeat reader and the verdict rules
 * against the whole-buffer reference model in ../hb_model.h.
 *
 * The first input byte seeds the record boundaries (and, in its top two
 * bits, picks the plan); the rest is used twice:
 *   1. as heartbeat message bytes, cut into records at pseudo-random
 *      boundaries, each record fed to the streaming reader in pseudo-random
 *      chunks: every flag, the disclosed count, the message count and the
 *      bytes handed to the evidence hook must equal the model's;
 *   2. as a stream of TLS records through reply_scan: the summary, the
 *      return value, the verdict with and without the extension echoed and
 *      the reason must equal the model's.
 * The default plan is fixed, so seeds can hold real echoes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hb_model.h"
#include "probe/judge.h"
#include "tls/heartbeat.h"

#define FUZZ_NONCE 0x0123456789abcdefULL

static void die(const char *what, long got, long want)
{
	fprintf(stderr, "fuzz_heartbeat: %s: got %ld, model says %ld\n", what,
	    got, want);
	abort();
}

#define SAME(what, got, want) do { \
	if ((long)(got) != (long)(want)) \
		die(what, (long)(got), (long)(want)); \
} while (0)

struct seen {
	const uint8_t *lo, *hi;  /* the input */
	uint8_t *b;              /* bytes handed to the evidence hook */
	size_t n;
};

static void on_disclosed(void *ctx, size_t off, const uint8_t *b, size_t n)
{
	struct seen *s = ctx;

	(void)off;
	if (n == 0 || b < s->lo || b + n > s->hi)
		abort();
	s->b = realloc(s->b, s->n + n);
	if (s->b == NULL)
		abort();
	memcpy(s->b + s->n, b, n);
	s->n += n;
}

static void check_summary(const char *where, const struct reply_summary *got,
    const struct reply_summary *want)
{
	char w[64];

	snprintf(w, sizeof(w), "%s sentinel_echoed", where);
	SAME(w, got->sentinel_echoed, want->sentinel_echoed);
	snprintf(w, sizeof(w), "%s probe_echoed", where);
	SAME(w, got->probe_echoed, want->probe_echoed);
	snprintf(w, sizeof(w), "%s lax_echoed", where);
	SAME(w, got->lax_echoed, want->lax_echoed);
	snprintf(w, sizeof(w), "%s foreign", where);
	SAME(w, got->foreign, want->foreign);
	snprintf(w, sizeof(w), "%s disclosed", where);
	SAME(w, got->disclosed, want->disclosed);
}

/* The reason names what decided the verdict. */
static void check_reason(const struct reply_summary *s, int ext)
{
	char why[300];
	const char *want;

	reply_reason(s, ext, why, sizeof(why));
	if (why[0] == '\0' || strlen(why) >= sizeof(why) - 1)
		abort();
	switch (hbm_verdict(s, ext)) {
	case HBV_VULNERABLE:
		want = s->disclosed == 0 ? "(0 bytes of server memory" :
		    "bytes of server memory";
		break;
	case HBV_INCONCLUSIVE:
		want = s->lax_echoed && !s->foreign ? "without its over-read" :
		    "matches no request";
		break;
	case HBV_PATCHED:
		want = s->sentinel_echoed ? "valid heartbeat echoed" :
		    "refused before the handshake";
		break;
	default:
		want = "no heartbeat extension";
		break;
	}
	if (strstr(why, want) == NULL) {
		fprintf(stderr, "fuzz_heartbeat: reason \"%s\" lacks \"%s\"\n",
		    why, want);
		abort();
	}
	if (hbm_verdict(s, ext) == HBV_VULNERABLE && s->disclosed > 0) {
		char num[32];

		snprintf(num, sizeof(num), " %u bytes", s->disclosed);
		if (strstr(why, num) == NULL)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hb_plan p;
	struct hb_reader r;
	struct reply_summary s, ms;
	struct hbm_in in;
	struct hbm_out mo;
	struct seen seen;
	const uint8_t *b;
	size_t n, off = 0;
	uint32_t x;
	int bad = 0, rc, mrc, ext;

	if (size < 1)
		return 0;
	/* Mostly the seeds' plan; sometimes a --leak plan whose over-read
	 * runs past our stale bytes, or one that claims nothing extra. */
	switch (data[0] >> 6) {
	case 2:
		if (hb_plan_init(&p, FUZZ_NONCE, 16, 8, 40) != 0)
			abort();
		break;
	case 3:
		if (hb_plan_init(&p, FUZZ_NONCE, 64, 32, data[0] & 1 ? 0 : 4) != 0)
			abort();
		break;
	default:
		if (hb_plan_init(&p, FUZZ_NONCE, 64, 32, 16) != 0)
			abort();
	}
	b = data + 1;
	n = size - 1;

	/* 1. The reader on message bytes, records and chunks at random. */
	hb_reader_init(&r, &p);
	memset(&seen, 0, sizeof(seen));
	seen.lo = b;
	seen.hi = b + n;
	r.on_disclosed = on_disclosed;
	r.ctx = &seen;
	memset(&in, 0, sizeof(in));
	x = data[0] * 2246822519u + 7;
	while (off < n && !bad && in.nrec < HBM_MAX_RECS - 1) {
		size_t rec, done = 0;

		x = x * 1103515245u + 12345u;
		/* Mostly whole messages, sometimes tiny pieces, sometimes
		 * empty records. */
		rec = (x >> 16) & 1 ? 83 : (x >> 17) % 70;
		if (rec > n - off)
			rec = n - off;
		while (done < rec && !bad) {
			size_t c;

			x = x * 1103515245u + 12345u;
			c = (x >> 20) & 3 ? rec - done : 1 + (x >> 22) % (rec - done);
			if (hb_reader_feed(&r, b + off + done, c) != 0)
				bad = 1;
			done += c;
		}
		hb_reader_record_end(&r);
		hbm_in_add(&in, b + off, rec);
		off += rec;
	}
	memset(&mo, 0, sizeof(mo));
	hbm_run(&p, &in, &mo);
	SAME("reader malformed", bad, mo.malformed);
	SAME("reader sentinel_echoed", r.sentinel_echoed, mo.sentinel);
	SAME("reader probe_echoed", r.probe_echoed, mo.probe);
	SAME("reader lax_echoed", r.lax_echoed, mo.lax);
	SAME("reader foreign", r.foreign, mo.foreign);
	SAME("reader requests_seen", r.requests_seen, mo.requests);
	SAME("reader disclosed", r.disclosed, mo.disclosed);
	SAME("reader messages", r.messages, mo.messages);
	SAME("evidence bytes", seen.n, mo.tail_n);
	if (seen.n && memcmp(seen.b, mo.tail, seen.n) != 0)
		abort();
	reply_from_reader(&r, &s);
	hbm_summary(&mo, &ms);
	check_summary("reader", &s, &ms);
	for (ext = 0; ext <= 1; ext++) {
		SAME("reader verdict", reply_judge(&s, ext),
		    hbm_verdict(&ms, ext));
		check_reason(&s, ext);
	}
	free(seen.b);
	free(mo.tail);
	hbm_in_free(&in);

	/* 2. The same bytes as a stream of TLS records. */
	rc = reply_scan(&p, b, n, &s);
	mrc = hbm_scan(&p, b, n, &ms, &mo);
	free(mo.tail);
	SAME("reply_scan return", rc, mrc);
	SAME("reply_scan not_tls", s.not_tls, ms.not_tls);
	SAME("reply_scan alert_desc", s.alert_desc, ms.alert_desc);
	check_summary("reply_scan", &s, &ms);
	for (ext = 0; ext <= 1; ext++) {
		SAME("verdict", reply_judge(&s, ext), hbm_verdict(&ms, ext));
		check_reason(&s, ext);
	}
	return 0;
}
