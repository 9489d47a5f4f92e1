/*
 * TLS and DTLS record framing.  rec_stream de-frames a byte stream of any
 * split into records incrementally and keeps only the header: bodies are
 * handed on as they arrive, never buffered, so a 40 KiB certificate chain
 * costs nothing.
 */
#ifndef HEARTCHECK_TLS_RECORD_H
#define HEARTCHECK_TLS_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "tls/framer.h"

struct rec_hdr {
	uint8_t type;
	uint16_t version;
	uint16_t epoch; /* DTLS only */
	uint64_t seq; /* DTLS only: 48 bits */
	uint16_t len;
};

/* Parses one header from p.  Returns the header length (5 or 13) when it
 * is complete and plausible, 0 when more bytes are needed, -1 when the
 * bytes cannot be a record header (unknown type, wrong major version, or a
 * length over TLS_MAX_RECORD). */
int rec_hdr_parse(const uint8_t *p, size_t n, int dtls, struct rec_hdr *h);

/* Writes a 5-byte TLS record header; out must hold 5 bytes. */
void rec_hdr_write(uint8_t *out, uint8_t type, uint16_t version, uint16_t len);

enum rs_ev {
	RS_MORE, /* all input consumed, nothing more to report */
	RS_HEADER, /* a record header: see s->cur */
	RS_BODY, /* a chunk of the current record's body */
	RS_END, /* the current record is complete */
	RS_BAD, /* the stream is not TLS records */
};

struct rec_stream {
	struct framer fr;
	uint8_t dtls;
	uint8_t bad; /* not records: it stays so */
	uint8_t hdr[13];
	struct rec_hdr cur;
};

void rec_stream_init(struct rec_stream *s, int dtls);

/* Consumes input and reports one event.  *used is how many bytes of p were
 * consumed; for RS_BODY, *data and *dlen are the chunk (inside p).  Call
 * again with the rest of the input until RS_MORE.  After RS_BAD the stream
 * stays bad. */
enum rs_ev rec_stream_step(struct rec_stream *s, const uint8_t *p, size_t n,
    size_t *used, const uint8_t **data, size_t *dlen);

#endif
