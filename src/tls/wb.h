/*
 * The checked writer beside the bounded reader (rd.h): builders append
 * through it, and once out of room it stops writing and remembers so,
 * instead of overflowing.  Length fields are reserved first and filled in
 * when their contents are written.
 */
#ifndef HEARTCHECK_TLS_WB_H
#define HEARTCHECK_TLS_WB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tls/rd.h"

struct wb {
	uint8_t *p;
	size_t cap, n;
	int bad; /* out of room: nothing more was written */
};

static inline void wb_put(struct wb *w, const void *b, size_t n)
{
	if (w->bad || w->cap - w->n < n) {
		w->bad = 1;
		return;
	}
	if (n > 0)
		memcpy(w->p + w->n, b, n);
	w->n += n;
}

static inline void wb_u8(struct wb *w, uint8_t v)
{
	wb_put(w, &v, 1);
}

static inline void wb_u16(struct wb *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	wb_put(w, b, 2);
}

static inline void wb_u24(struct wb *w, uint32_t v)
{
	uint8_t b[3] = { (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	wb_put(w, b, 3);
}

/* Reserves a length field of lenbytes (2 or 3) and returns its offset. */
static inline size_t wb_open_len(struct wb *w, int lenbytes)
{
	static const uint8_t zero[3];
	size_t at = w->n;

	wb_put(w, zero, (size_t)lenbytes);
	return at;
}

/* Fills the length field at `at` with what was written after it. */
static inline void wb_close_len(struct wb *w, size_t at, int lenbytes)
{
	size_t len = w->n - at - (size_t)lenbytes;

	if (w->bad)
		return;
	if (lenbytes == 3)
		wr_u24(w->p + at, (uint32_t)len);
	else
		wr_u16(w->p + at, (uint16_t)len);
}

#endif
