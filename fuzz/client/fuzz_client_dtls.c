/*
 * The reverse probe over DTLS (probe/dtlsclient.h) against an arbitrary
 * client.  Input:
 *   byte 0: configuration (bit 0: HelloVerifyRequest first; bit 1: end
 *           with the deadline rather than the last datagram);
 *   the rest: the client's datagrams, separated by the bytes ff fe fd fc.
 * Each datagram is copied into a buffer of exactly its size, so ASan sees
 * any read past it.
 *
 * Oracles: every answer is one datagram within DCLIENT_OUT_MIN made of
 * whole DTLS records; the engine ends with a verdict and a reason once
 * the deadline passes; and "vulnerable" is only ever said when the
 * client's bytes hold our probe's first payload bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/dtlsclient.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define SEP "\xff\xfe\xfd\xfc"
#define SEP_LEN 4

static void check_records(const uint8_t *b, size_t n)
{
	struct rec_hdr h;
	const uint8_t *body;
	size_t off = 0;
	int r;

	while ((r = dtls_rec_next(b, n, &off, &h, &body)) == 1)
		;
	CHECK(r == 0 && off == n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[DCLIENT_OUT_MIN];
	static struct dclient d;
	struct dclient_cfg cfg;
	struct probe_out o;
	const uint8_t *p, *end, *sep;
	uint8_t probe_head[8];
	int have_probe = 0, saw_probe = 0;

	if (size < 1)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.cookie = data[0] & 1;
	dclient_init(&d, &cfg, 0x1234);
	p = data + 1;
	end = data + size;
	while (p <= end && !dclient_is_done(&d)) {
		size_t n;
		uint8_t *dg;

		sep = memmem(p, (size_t)(end - p), SEP, SEP_LEN);
		n = (size_t)((sep ? sep : end) - p);
		dg = malloc(n ? n : 1);
		CHECK(dg);
		memcpy(dg, p, n);
		if (have_probe && memmem(dg, n, probe_head, 8))
			saw_probe = 1;
		memset(&o, 0, sizeof(o));
		o.buf = buf;
		o.cap = sizeof(buf);
		dclient_on_datagram(&d, dg, n, &o);
		free(dg);
		CHECK(o.len <= o.cap);
		check_records(o.buf, o.len);
		if (!have_probe && d.state == DCS_FLIGHT) {
			size_t i;

			for (i = 0; i < 8; i++)
				probe_head[i] = hb_payload_byte(&d.plan, 1, i);
			have_probe = 1;
		}
		if (!sep)
			break;
		p = sep + SEP_LEN;
	}
	if (!dclient_is_done(&d) || (data[0] & 2)) {
		dclient_on_timeout(&d);
	}
	CHECK(dclient_is_done(&d) && d.reason[0]);
	if (d.verdict == PV_VULNERABLE)
		CHECK(saw_probe);
	return 0;
}
