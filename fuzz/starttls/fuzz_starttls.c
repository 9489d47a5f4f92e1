/*
 * Every STARTTLS module against an arbitrary server.  Input:
 *   byte 0: which module (modulo the registry's size);
 *   byte 1: seeds the chunk sizes the server's bytes arrive in;
 *   byte 2: the host name variant (none, plain, hostile);
 *   the rest: what the server sends.
 * Each chunk is copied into a buffer of exactly its size, so ASan sees any
 * read past it.  Oracles: a module consumes no more than it is given, all
 * of it unless it answers "ready"; a refusal always says why, in
 * printable text; the bytes it sends stay within the room given; and the
 * whole run ends in a bounded number of steps.  The engine is then run
 * over the same bytes with the same module, and must end with a verdict.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/preamble.h"
#include "probe/probe.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static size_t nmodules(void)
{
	size_t n = 0;

	while (preambles[n])
		n++;
	return n;
}

static void check_why(const char *why, size_t cap)
{
	size_t i, n = strnlen(why, cap);

	CHECK(n > 0 && n < cap);
	for (i = 0; i < n; i++)
		CHECK((unsigned char)why[i] >= 0x20 &&
		    (unsigned char)why[i] < 0x7f);
}

static void run_module(const struct preamble *pre, const char *host,
    uint8_t seed, const uint8_t *d, size_t n)
{
	uint8_t sent[512];
	struct pre_out o = { sent, sizeof(sent), 0 };
	char why[160];
	void *ctx = malloc(pre->ctx_size);
	size_t at = 0, used, steps = 0, k;
	uint32_t x = seed * 2654435761u + 1;
	enum pre_res r;

	CHECK(ctx);
	memset(why, 0, sizeof(why));
	pre->init(ctx, host);
	r = pre->step(ctx, NULL, 0, &used, &o, why, sizeof(why));
	CHECK(o.len <= o.cap);
	while (r == PRE_MORE && at < n) {
		uint8_t *chunk;

		x = x * 1103515245u + 12345u;
		k = 1 + (x >> 16) % (seed & 1 ? 7 : 300);
		if (k > n - at)
			k = n - at;
		chunk = malloc(k);
		CHECK(chunk);
		memcpy(chunk, d + at, k);
		used = (size_t)-1;
		if (o.len > 256)
			o.len = 0;  /* as if sent */
		r = pre->step(ctx, chunk, k, &used, &o, why, sizeof(why));
		free(chunk);
		CHECK(used <= k);
		CHECK(r != PRE_MORE || used == k);
		CHECK(o.len <= o.cap);
		at += used;
		CHECK(++steps <= n + 1);
	}
	if (r == PRE_REFUSED || r == PRE_NOT_PROTO)
		check_why(why, sizeof(why));
	CHECK(pre->waiting(ctx) != NULL);
	free(ctx);
}

static void run_engine(const struct preamble *pre, const char *host,
    const uint8_t *d, size_t n)
{
	static uint8_t buf[PROBE_OUT_MIN];
	struct probe_cfg cfg;
	struct probe p;
	struct probe_out o;
	size_t at = 0, k;

	memset(&cfg, 0, sizeof(cfg));
	cfg.preamble = pre;
	cfg.host = host;
	probe_init(&p, &cfg, 7);
	memset(&o, 0, sizeof(o));
	o.buf = buf;
	o.cap = sizeof(buf);
	probe_on_connected(&p, &o);
	while (!probe_is_done(&p) && !probe_is_idle(&p) && at < n) {
		k = n - at < 97 ? n - at : 97;
		memset(&o, 0, sizeof(o));
		o.buf = buf;
		o.cap = sizeof(buf);
		probe_on_data(&p, d + at, k, &o);
		at += k;
	}
	if (!probe_is_done(&p) && !probe_is_idle(&p)) {
		memset(&o, 0, sizeof(o));
		o.buf = buf;
		o.cap = sizeof(buf);
		probe_on_timeout(&p, &o);
	}
	if (!probe_is_idle(&p))
		CHECK(probe_is_done(&p) && p.reason[0]);
	probe_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hosts[] = { NULL, "example.org",
		"a'b\"<c>&d", "" };
	const struct preamble *pre;
	const char *host;

	if (size < 3)
		return 0;
	pre = preambles[data[0] % nmodules()];
	host = hosts[data[2] % 4];
	run_module(pre, host, data[1], data + 3, size - 3);
	run_engine(pre, host, data + 3, size - 3);
	return 0;
}
