/*
 * Incremental handshake-message walker.  Handshake messages may share a
 * record or span several (docs/probe.md §2); the walker turns the bodies of
 * handshake records into "message start", "body chunk" and "message end"
 * events and keeps only the 4-byte message header.
 */
#ifndef HEARTCHECK_TLS_HANDSHAKE_H
#define HEARTCHECK_TLS_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include "tls/framer.h"

enum hw_ev {
	HW_MORE, /* all input consumed */
	HW_START, /* a message header: see w->type, w->len */
	HW_BODY, /* a chunk of the current message body */
	HW_END, /* the current message is complete */
};

struct hs_walker {
	struct framer fr;
	uint8_t type;
	uint8_t hdr[4];
	uint32_t len; /* body length from the header (24 bits) */
};

void hs_walker_init(struct hs_walker *w);
/* As rec_stream_step: consume from p, report one event. */
enum hw_ev hs_walker_step(struct hs_walker *w, const uint8_t *p, size_t n,
    size_t *used, const uint8_t **data, size_t *dlen);

#endif
