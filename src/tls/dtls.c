/*
 * DTLS codecs.
 */
#include "tls/dtls.h"

#include <string.h>

#include "tls/rd.h"
#include "tls/tls.h"

void dtls_rec_hdr_write(uint8_t *out, uint8_t type, uint16_t version,
    uint16_t epoch, uint64_t seq, uint16_t len)
{
	int i;

	out[0] = type;
	wr_u16(out + 1, version);
	wr_u16(out + 3, epoch);
	for (i = 0; i < 6; i++)
		out[5 + i] = (uint8_t)(seq >> (8 * (5 - i)));
	wr_u16(out + 11, len);
}

int dtls_rec_next(const uint8_t *dg, size_t n, size_t *off, struct rec_hdr *h,
    const uint8_t **body)
{
	int r;

	if (*off >= n)
		return 0;
	r = rec_hdr_parse(dg + *off, n - *off, 1, h);
	if (r <= 0 || n - *off - DTLS_HDR_LEN < h->len) {
		*off = n;
		return -1;
	}
	*body = dg + *off + DTLS_HDR_LEN;
	*off += DTLS_HDR_LEN + (size_t)h->len;
	return 1;
}

int dtls_hs_next(const uint8_t *b, size_t n, size_t *off, struct dtls_hs_hdr *h,
    const uint8_t **frag)
{
	struct rd r;

	if (*off >= n)
		return 0;
	rd_init(&r, b + *off, n - *off);
	rd_u8(&r, &h->type);
	rd_u24(&r, &h->len);
	rd_u16(&r, &h->msg_seq);
	rd_u24(&r, &h->frag_off);
	rd_u24(&r, &h->frag_len);
	if (r.bad || h->frag_off > h->len ||
	    h->len - h->frag_off < h->frag_len ||
	    rd_ptr(&r, h->frag_len, frag) != 0) {
		*off = n;
		return -1;
	}
	*off += r.off;
	return 1;
}

int dtls_hvr_parse(const uint8_t *body, size_t len, uint16_t *version,
    const uint8_t **cookie, uint8_t *cookie_len)
{
	struct rd r, c;

	rd_init(&r, body, len);
	rd_u16(&r, version);
	if (rd_vec(&r, 1, &c) != 0 || c.len > DTLS_COOKIE_MAX)
		return -1;
	*cookie = c.p;
	*cookie_len = (uint8_t)c.len;
	/* DTLS 1.2 servers may send nothing more; anything more is junk. */
	return rd_left(&r) == 0 ? 0 : -1;
}

void dtls_reasm_init(struct dtls_reasm *r, uint8_t *buf, uint32_t cap)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->cap = cap;
}

int dtls_reasm_add(struct dtls_reasm *r, const struct dtls_hs_hdr *h,
    const uint8_t *frag)
{
	uint32_t end;

	if (!r->active) {
		if (h->len > r->cap)
			return -1;
		r->active = 1;
		r->type = h->type;
		r->msg_seq = h->msg_seq;
		r->len = h->len;
		r->have = 0;
	} else if (h->msg_seq != r->msg_seq) {
		return 0; /* another message: not ours to hold */
	} else if (h->type != r->type || h->len != r->len) {
		return -1;
	}
	if (h->frag_off > r->have)
		return 0; /* a gap: wait for a retransmission */
	end = h->frag_off + h->frag_len;
	if (end > r->have) {
		memcpy(r->buf + h->frag_off, frag, h->frag_len);
		r->have = end;
	}
	return r->have == r->len ? 1 : 0;
}

ssize_t dtls_hb_request_record(const struct hb_plan *p, int which, uint16_t ver,
    uint16_t epoch, uint64_t seq, uint16_t claim, size_t padlen, uint8_t *out,
    size_t cap)
{
	ssize_t n;

	if (cap < DTLS_HDR_LEN)
		return -1;
	/* The TLS record's 5-byte header ends where the DTLS one does, with
	 * the same length field: build it 8 bytes in, then write the rest
	 * of the DTLS header over the TLS one. */
	n = hb_request_record(p, which, ver, claim, padlen,
	    out + DTLS_HDR_LEN - TLS_HDR_LEN,
	    cap - (DTLS_HDR_LEN - TLS_HDR_LEN));
	if (n < 0)
		return -1;
	n -= TLS_HDR_LEN;
	dtls_rec_hdr_write(out, TLS_CT_HEARTBEAT, ver, epoch, seq, (uint16_t)n);
	return DTLS_HDR_LEN + n;
}

ssize_t dtls_hb_flight(const struct hb_plan *p, uint64_t probe_seq,
    uint8_t *out, size_t cap)
{
	ssize_t a, b;

	a = dtls_hb_request_record(p, 1, p->rec_ver, 0, probe_seq,
	    (uint16_t)(p->probe_len + p->k), 0, out, cap);
	if (a < 0)
		return -1;
	b = dtls_hb_request_record(p, 0, p->rec_ver, 0, p->dtls_seq,
	    p->sentinel_len, HB_MIN_PADDING, out + a, cap - (size_t)a);
	if (b < 0)
		return -1;
	return a + b;
}
