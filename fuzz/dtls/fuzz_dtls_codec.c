/*
 * DTLS codecs on one arbitrary datagram: records, the handshake fragments
 * of each handshake record (reassembled into a small buffer, and parsed as
 * a HelloVerifyRequest when whole), heartbeat bodies through the reader.
 *
 * Oracles: each record and fragment lies inside what was given, offsets
 * only grow, reassembly never holds more than its buffer or the message,
 * and a parsed cookie lies inside its message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/dtls.h"
#include "tls/tls.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec_hdr h;
	const uint8_t *body;
	size_t off = 0, prev = 0;
	uint8_t rbuf[256];
	struct dtls_reasm ra;
	struct hb_plan plan;
	struct hb_reader hb;
	int r;

	dtls_reasm_init(&ra, rbuf, sizeof(rbuf));
	hb_plan_init(&plan, 7, 64, 32, 16);
	plan.dtls = 1;
	hb_reader_init(&hb, &plan);
	while ((r = dtls_rec_next(data, size, &off, &h, &body)) == 1) {
		CHECK(off > prev && off <= size);
		CHECK(body >= data && body + h.len == data + off);
		prev = off;
		if (h.type == TLS_CT_HANDSHAKE) {
			struct dtls_hs_hdr f;
			const uint8_t *frag;
			size_t fo = 0, fprev = 0;

			while (dtls_hs_next(body, h.len, &fo, &f, &frag) == 1) {
				CHECK(fo > fprev && fo <= h.len);
				CHECK(frag >= body && frag + f.frag_len <=
				    body + h.len);
				CHECK(f.frag_off + f.frag_len <= f.len);
				fprev = fo;
				if (dtls_reasm_add(&ra, &f, frag) == 1)
					CHECK(ra.len <= sizeof(rbuf));
				CHECK(ra.have <= ra.len && ra.len <= ra.cap);
				if (f.type == TLS_HS_HELLO_VERIFY_REQUEST &&
				    f.frag_off == 0 && f.frag_len == f.len) {
					const uint8_t *ck;
					uint8_t cl;
					uint16_t v;

					if (dtls_hvr_parse(frag, f.len, &v, &ck,
					    &cl) == 0)
						CHECK(ck + cl <= frag + f.len);
				}
			}
		} else if (h.type == TLS_CT_HEARTBEAT) {
			hb_reader_feed(&hb, body, h.len);
			hb_reader_record_end(&hb);
		}
	}
	CHECK(r == 0 || off == size);
	return 0;
}
