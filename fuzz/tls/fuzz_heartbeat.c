/*
 * The heartbeat reader with record boundaries chosen by the input, and
 * reply_scan over the same bytes as TLS records.  The first input byte
 * seeds the record lengths; the rest is heartbeat message bytes.  The plan
 * is fixed, so seeds can hold real echoes.
 *
 * Oracle: the reader may only report the probe's echo when the probe's 32
 * payload bytes are in the input, and may only count as disclosed bytes it
 * was given.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/judge.h"
#include "tls/heartbeat.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

#define FUZZ_NONCE 0x0123456789abcdefULL

struct seen {
	const uint8_t *lo, *hi;  /* the input */
	size_t n;                /* bytes reported as disclosed */
};

static void on_disclosed(void *ctx, size_t off, const uint8_t *b, size_t n)
{
	struct seen *s = ctx;

	(void)off;
	CHECK(n > 0);
	/* The reported bytes lie inside what the reader was given. */
	CHECK(b >= s->lo && b + n <= s->hi);
	s->n += n;
}

static int has_probe(const struct hb_plan *p, const uint8_t *b, size_t n)
{
	uint8_t want[64];
	size_t i;

	for (i = 0; i < p->probe_len; i++)
		want[i] = hb_payload_byte(p, 1, i);
	return memmem(b, n, want, p->probe_len) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hb_plan p;
	struct hb_reader r;
	struct reply_summary s;
	const uint8_t *b;
	size_t n, off = 0;
	struct seen seen;
	uint32_t x;
	int bad = 0;

	if (size < 1)
		return 0;
	CHECK(hb_plan_init(&p, FUZZ_NONCE, 64, 32, 16) == 0);
	hb_reader_init(&r, &p);
	seen.lo = data;
	seen.hi = data + size;
	seen.n = 0;
	r.on_disclosed = on_disclosed;
	r.ctx = &seen;
	x = data[0] * 2246822519u + 7;
	b = data + 1;
	n = size - 1;
	while (off < n && !bad) {
		size_t rec;

		x = x * 1103515245u + 12345u;
		/* Mostly whole messages, sometimes tiny pieces. */
		rec = (x >> 16) & 1 ? 83 : 1 + (x >> 17) % 70;
		if (rec > n - off)
			rec = n - off;
		if (hb_reader_feed(&r, b + off, rec) != 0)
			bad = 1;
		hb_reader_record_end(&r);
		off += rec;
	}
	if (r.probe_echoed)
		CHECK(has_probe(&p, b, n));
	CHECK(r.disclosed <= seen.n);
	CHECK(r.disclosed <= n);

	/* The same bytes as a stream of TLS records. */
	if (reply_scan(&p, b, n, &s) == 0)
		CHECK(!s.not_tls);
	if (s.probe_echoed) {
		CHECK(reply_judge(&s, 0) == HBV_VULNERABLE);
		CHECK(s.disclosed <= n);
	}
	{
		char why[200];

		reply_reason(&s, data[0] & 1, why, sizeof(why));
		CHECK(why[0] != '\0' && strlen(why) < sizeof(why));
	}
	return 0;
}
