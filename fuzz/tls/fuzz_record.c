/*
 * Record framing and the handshake walker over arbitrary splits.  The
 * first input byte picks the chunk sizes and TLS or DTLS; the rest is the
 * peer's byte stream.  The stream must report every body byte exactly
 * once, inside the input, and never more than the header's length.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/handshake.h"
#include "tls/record.h"
#include "tls/tls.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void walk_handshake(struct hs_walker *w, const uint8_t *p, size_t n)
{
	const size_t n0 = n;
	size_t guard = 0;

	for (;;) {
		size_t used, dlen;
		const uint8_t *data;
		enum hw_ev ev = hs_walker_step(w, p, n, &used, &data, &dlen);

		CHECK(used <= n);
		CHECK(++guard <= 4 * n0 + 8);
		if (ev == HW_MORE) {
			CHECK(used == n);
			return;
		}
		if (ev == HW_BODY)
			CHECK(data == p && dlen == used && dlen > 0);
		p += used;
		n -= used;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec_stream s;
	struct hs_walker w;
	struct rec_hdr h;
	uint32_t x;
	size_t off = 1, body_total = 0, cur_body = 0, guard = 0;
	int dtls, in_rec = 0, maxbits;

	if (size < 1)
		return 0;
	dtls = data[0] & 1;
	maxbits = (data[0] >> 1) & 15;
	x = data[0] * 2654435761u + 1;
	rec_stream_init(&s, dtls);
	hs_walker_init(&w);
	/* A header parse on the raw prefix agrees with the stream's rules. */
	if (rec_hdr_parse(data + 1, size - 1, dtls, &h) > 0)
		CHECK(h.len <= TLS_MAX_RECORD);
	while (off <= size) {
		size_t chunk, n;
		const uint8_t *p;

		x = x * 1103515245u + 12345u;
		chunk = maxbits ? 1 + (x >> 8) % (1u << maxbits) : size - off;
		if (chunk > size - off)
			chunk = size - off;
		p = data + off;
		n = chunk;
		for (;;) {
			size_t used, dlen;
			const uint8_t *d;
			enum rs_ev ev = rec_stream_step(&s, p, n, &used, &d,
			    &dlen);

			CHECK(used <= n);
			CHECK(++guard <= 4 * size + 64);
			if (ev == RS_MORE) {
				CHECK(used == n);
				break;
			}
			if (ev == RS_BAD) {
				/* It stays bad. */
				CHECK(rec_stream_step(&s, p, n, &used, &d,
				    &dlen) == RS_BAD && used == 0);
				return 0;
			}
			if (ev == RS_HEADER) {
				CHECK(!in_rec);
				CHECK(s.cur.len <= TLS_MAX_RECORD);
				CHECK(s.cur.type >= 20 && s.cur.type <= 24);
				in_rec = 1;
				cur_body = 0;
			} else if (ev == RS_BODY) {
				CHECK(in_rec);
				CHECK(d == p && dlen == used && dlen > 0);
				cur_body += dlen;
				body_total += dlen;
				CHECK(cur_body <= s.cur.len);
				if (s.cur.type == TLS_CT_HANDSHAKE)
					walk_handshake(&w, d, dlen);
			} else {
				CHECK(ev == RS_END);
				CHECK(in_rec && cur_body == s.cur.len);
				in_rec = 0;
			}
			p += used;
			n -= used;
		}
		off += chunk;
		if (off == size)
			break;
	}
	CHECK(body_total < size);
	return 0;
}
