/*
 * A bounded reader over untrusted bytes.  Every getter checks the remaining
 * length first and returns -1 instead of reading past the end; after a
 * failed read the reader stays failed, so a parser may test once at the end.
 */
#ifndef HEARTCHECK_TLS_RD_H
#define HEARTCHECK_TLS_RD_H

#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	int bad;
};

static inline void rd_init(struct rd *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->bad = 0;
}

static inline size_t rd_left(const struct rd *r)
{
	return r->bad ? 0 : r->len - r->off;
}

static inline int rd_need(struct rd *r, size_t n)
{
	if (r->bad || r->len - r->off < n) {
		r->bad = 1;
		return -1;
	}
	return 0;
}

static inline int rd_u8(struct rd *r, uint8_t *v)
{
	if (rd_need(r, 1) != 0)
		return -1;
	*v = r->p[r->off++];
	return 0;
}

static inline int rd_u16(struct rd *r, uint16_t *v)
{
	if (rd_need(r, 2) != 0)
		return -1;
	*v = (uint16_t)(r->p[r->off] << 8 | r->p[r->off + 1]);
	r->off += 2;
	return 0;
}

static inline int rd_u24(struct rd *r, uint32_t *v)
{
	if (rd_need(r, 3) != 0)
		return -1;
	*v = (uint32_t)r->p[r->off] << 16 | (uint32_t)r->p[r->off + 1] << 8 |
	    r->p[r->off + 2];
	r->off += 3;
	return 0;
}

/* Points *v at the next n bytes without copying. */
static inline int rd_ptr(struct rd *r, size_t n, const uint8_t **v)
{
	if (rd_need(r, n) != 0)
		return -1;
	*v = r->p + r->off;
	r->off += n;
	return 0;
}

static inline int rd_skip(struct rd *r, size_t n)
{
	if (rd_need(r, n) != 0)
		return -1;
	r->off += n;
	return 0;
}

/* A sub-reader over a vector with a length prefix of lenbytes (1, 2, 3). */
static inline int rd_vec(struct rd *r, int lenbytes, struct rd *sub)
{
	uint32_t n = 0;
	uint8_t b8;
	uint16_t b16;
	const uint8_t *p;

	if (lenbytes == 1) {
		if (rd_u8(r, &b8) != 0)
			return -1;
		n = b8;
	} else if (lenbytes == 2) {
		if (rd_u16(r, &b16) != 0)
			return -1;
		n = b16;
	} else if (rd_u24(r, &n) != 0) {
		return -1;
	}
	if (rd_ptr(r, n, &p) != 0)
		return -1;
	rd_init(sub, p, n);
	return 0;
}

/* Big-endian writers for builders that have already checked capacity. */
static inline uint8_t *wr_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static inline uint8_t *wr_u24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
	return p + 3;
}

#endif
