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
	size_t take;
	int r;

	*used = 0;
	*data = NULL;
	*dlen = 0;
	if (s->have == 0xff)
		return RS_BAD;
	if (s->in_body) {
		if (s->left == 0) {
			s->in_body = 0;
			return RS_END;
		}
		if (n == 0)
			return RS_MORE;
		take = n < s->left ? n : s->left;
		s->left -= (uint16_t)take;
		*used = take;
		*data = p;
		*dlen = take;
		return RS_BODY;
	}
	if (n == 0)
		return RS_MORE;
	take = need - s->have;
	if (take > n)
		take = n;
	memcpy(s->hdr + s->have, p, take);
	s->have += (uint8_t)take;
	*used = take;
	r = rec_hdr_parse(s->hdr, s->have, s->dtls, &s->cur);
	if (r < 0) {
		s->have = 0xff;
		return RS_BAD;
	}
	if (r == 0)
		return RS_MORE;
	s->have = 0;
	s->in_body = 1;
	s->left = s->cur.len;
	return RS_HEADER;
}
