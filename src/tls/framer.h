/*
 * Header-then-body de-framing, shared by the record stream (record.h) and
 * the handshake-message walker (handshake.h): collect a fixed-size header
 * across any split of the input, then hand the body on in chunks as it
 * arrives, never buffered.  The caller owns the header buffer, parses it,
 * and starts the body with the length it read.
 */
#ifndef HEARTCHECK_TLS_FRAMER_H
#define HEARTCHECK_TLS_FRAMER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum fr_ev {
	FR_MORE, /* all input consumed */
	FR_HDR, /* header bytes collected: hdr[0 .. f->have) */
	FR_BODY, /* *data, *dlen: a chunk of the body */
	FR_END, /* the body is complete */
};

struct framer {
	uint8_t have; /* header bytes collected */
	uint8_t in_body;
	uint32_t left; /* body bytes still to come */
};

/* One event.  hdr holds need bytes; after FR_HDR with f->have == need the
 * caller parses hdr and calls framer_body(). */
static inline enum fr_ev framer_step(struct framer *f, uint8_t *hdr,
    size_t need, const uint8_t *p, size_t n, size_t *used, const uint8_t **data,
    size_t *dlen)
{
	size_t take;

	*used = 0;
	*data = NULL;
	*dlen = 0;
	if (f->in_body) {
		if (f->left == 0) {
			f->in_body = 0;
			return FR_END;
		}
		if (n == 0)
			return FR_MORE;
		take = n < f->left ? n : f->left;
		f->left -= (uint32_t)take;
		*used = take;
		*data = p;
		*dlen = take;
		return FR_BODY;
	}
	if (n == 0)
		return FR_MORE;
	take = need - f->have;
	if (take > n)
		take = n;
	memcpy(hdr + f->have, p, take);
	f->have += (uint8_t)take;
	*used = take;
	return FR_HDR;
}

/* The header is parsed: a body of len bytes follows. */
static inline void framer_body(struct framer *f, uint32_t len)
{
	f->have = 0;
	f->in_body = 1;
	f->left = len;
}

#endif
