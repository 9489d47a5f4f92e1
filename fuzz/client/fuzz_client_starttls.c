/*
 * The server-side STARTTLS preambles (probe/srvpreamble.h) against an
 * arbitrary client.  Input:
 *   byte 0: which module (modulo the registry's size);
 *   byte 1: seeds the chunk sizes the client's bytes arrive in;
 *   the rest: what the client sends.
 * Each chunk is copied into a buffer of exactly its size, so ASan sees any
 * read past it.  Oracles: the greeting is queued on connect; a module
 * consumes no more than it is given, all of it unless it answers "ready";
 * it answers within SRVPRE_MAX_CMDS lines; a refusal always says why, in
 * printable text; what it sends stays within the room given and is CRLF
 * text; what it waits for is always said.  The reverse probe engine is
 * then run over the same bytes behind the same module and must end with a
 * verdict and a reason.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/client.h"
#include "probe/srvpreamble.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static size_t nmodules(void)
{
	size_t n = 0;

	while (srv_preambles[n])
		n++;
	return n;
}

static void check_text(const char *s, size_t n, int lines)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		CHECK((c >= 0x20 && c < 0x7f) ||
		    (lines && (c == '\r' || c == '\n')));
	}
}

/* One chunk of the client's bytes, in a buffer of exactly its size. */
static enum pre_res feed(const struct preamble *pre, void *ctx,
    const uint8_t *d, size_t k, size_t *used, struct pre_out *o, char *why,
    size_t cap)
{
	uint8_t *chunk = malloc(k);
	enum pre_res r;

	CHECK(chunk);
	memcpy(chunk, d, k);
	*used = (size_t)-1;
	r = pre->step(ctx, chunk, k, used, o, why, cap);
	free(chunk);
	CHECK(*used <= k);
	CHECK(r != PRE_MORE || *used == k);
	CHECK(o->len <= o->cap);
	return r;
}

static void run_module(const struct preamble *pre, uint8_t seed,
    const uint8_t *d, size_t n)
{
	/* Chunk sizes, cycled from the seed on. */
	static const size_t sizes[] = { 1, 2, 3, 5, 8, 13, 64, 512 };
	uint8_t sent[1024];
	struct pre_out o = { sent, sizeof(sent), 0 };
	char why[160] = "";
	void *ctx = malloc(pre->ctx_size);
	size_t at = 0, used, step = seed, k, lines = 0;
	enum pre_res r;

	CHECK(ctx);
	pre->init(ctx, NULL);
	r = pre->step(ctx, NULL, 0, &used, &o, why, sizeof(why));
	CHECK(r == PRE_MORE && o.len > 0);
	for (; r == PRE_MORE && at < n; at += used) {
		k = sizes[step++ % 8];
		check_text((const char *)sent, o.len, 1);
		o.len = 0; /* as if sent */
		r = feed(pre, ctx, d + at, k < n - at ? k : n - at, &used, &o,
		    why, sizeof(why));
		for (k = 0; k < used; k++)
			lines += d[at + k] == '\n';
	}
	CHECK(lines <= SRVPRE_MAX_CMDS);
	if (r == PRE_REFUSED || r == PRE_NOT_PROTO) {
		size_t wn = strnlen(why, sizeof(why));

		CHECK(wn > 0 && wn < sizeof(why));
		check_text(why, wn, 0);
	}
	if (r == PRE_READY)
		CHECK(o.len > 0 && at > 0 && d[at - 1] == '\n');
	CHECK(pre->waiting(ctx) != NULL);
	free(ctx);
}

static void run_engine(const struct preamble *pre, const uint8_t *d,
    size_t n)
{
	static uint8_t buf[CLIENT_OUT_MIN];
	struct srvpre_conn sp;
	struct client_cfg cfg;
	struct client_probe e;
	struct probe_out o;
	size_t at = 0, k;

	CHECK(srvpre_bind(&sp, pre) == 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.preamble = &sp.cp;
	client_init(&e, &cfg, 7);
	memset(&o, 0, sizeof(o));
	o.buf = buf;
	o.cap = sizeof(buf);
	client_on_connected(&e, &o);
	CHECK(o.len > 0);
	while (!client_is_done(&e) && at < n) {
		k = n - at < 97 ? n - at : 97;
		memset(&o, 0, sizeof(o));
		o.buf = buf;
		o.cap = sizeof(buf);
		client_on_data(&e, d + at, k, &o);
		CHECK(o.len <= o.cap);
		at += k;
	}
	if (!client_is_done(&e)) {
		memset(&o, 0, sizeof(o));
		o.buf = buf;
		o.cap = sizeof(buf);
		client_on_closed(&e, 0, &o);
	}
	if (!client_is_done(&e)) {
		memset(&o, 0, sizeof(o));
		o.buf = buf;
		o.cap = sizeof(buf);
		client_on_timeout(&e, &o);
	}
	CHECK(client_is_done(&e) && e.reason[0]);
	client_free(&e);
	srvpre_free(&sp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct preamble *pre;

	if (size < 2)
		return 0;
	pre = srv_preambles[data[0] % nmodules()];
	run_module(pre, data[1], data + 2, size - 2);
	run_engine(pre, data + 2, size - 2);
	return 0;
}
