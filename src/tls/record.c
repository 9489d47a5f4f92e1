/*
 * Record framing.
 */
#include "tls/record.h"

#include <string.h>

#include "tls/rd.h"
#include "tls/tls.h"

int rec_hdr_parse(const uint8_t *p, size_t n, int dtls, struct rec_hdr *h)
{
	size_t need = dtls ? DTLS_HDR_LEN : TLS_HDR_LEN;
	struct rd r;
	uint16_t e;

	/* Judge the first bytes as soon as they arrive, so a non-TLS peer
	 * is recognised without waiting for a full header. */
	if (n >= 1 && (p[0] < TLS_CT_CCS || p[0] > TLS_CT_HEARTBEAT))
		return -1;
	if (n >= 2 && p[1] != (dtls ? 0xfe : 0x03))
		return -1;
	if (n < need)
		return 0;
	rd_init(&r, p, n);
	memset(h, 0, sizeof(*h));
	rd_u8(&r, &h->type);
	rd_u16(&r, &h->version);
	if (dtls) {
		const uint8_t *q;
		int i;

		rd_u16(&r, &e);
		h->epoch = e;
		if (rd_ptr(&r, 6, &q) == 0)
			for (i = 0; i < 6; i++)
				h->seq = h->seq << 8 | q[i];
	}
	rd_u16(&r, &h->len);
	if (r.bad || h->len > TLS_MAX_RECORD)
		return -1;
	return (int)need;
}

void rec_hdr_write(uint8_t *out, uint8_t type, uint16_t version, uint16_t len)
{
	out[0] = type;
	wr_u16(out + 1, version);
	wr_u16(out + 3, len);
}

void rec_stream_init(struct rec_stream *s, int dtls)
{
	memset(s, 0, sizeof(*s));
	s->dtls = (uint8_t)(dtls != 0);
}

enum rs_ev rec_stream_step(struct rec_stream *s, const uint8_t *p, size_t n,
    size_t *used, const uint8_t **data, size_t *dlen)
{
	size_t need = s->dtls ? DTLS_HDR_LEN : TLS_HDR_LEN;
	int r;

	*used = 0;
	*data = NULL;
	*dlen = 0;
	if (s->bad)
		return RS_BAD;
	switch (framer_step(&s->fr, s->hdr, need, p, n, used, data, dlen)) {
	case FR_MORE:
		return RS_MORE;
	case FR_BODY:
		return RS_BODY;
	case FR_END:
		return RS_END;
	case FR_HDR:
		break;
	}
	/* A partial header is checked as it arrives: garbage is named at
	 * its first byte, not after a whole header's worth. */
	r = rec_hdr_parse(s->hdr, s->fr.have, s->dtls, &s->cur);
	if (r < 0) {
		s->bad = 1;
		return RS_BAD;
	}
	if (r == 0)
		return RS_MORE;
	framer_body(&s->fr, s->cur.len);
	return RS_HEADER;
}
