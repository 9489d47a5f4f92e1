/*
 * The reply reader: the record loop shared by the network engine and the
 * local library test.  It de-frames TLS records from a byte stream of any
 * split, collects alerts, and feeds heartbeat bodies to a heartbeat reader;
 * handshake bodies go back to the caller, which walks or ignores them.
 * Pure code, no I/O.
 */
#ifndef HEARTCHECK_PROBE_READER_H
#define HEARTCHECK_PROBE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "tls/heartbeat.h"
#include "tls/record.h"

enum rr_ev {
	RR_MORE, /* all input consumed */
	RR_HANDSHAKE, /* *data, *dlen: a chunk of a handshake record's body */
	RR_HEARTBEAT, /* heartbeat bytes went to r->hb: check its results */
	RR_ALERT, /* a complete alert record: r->alert[0] level, [1] desc */
	RR_BAD, /* the stream is not TLS records; it stays bad */
};

struct reply_reader {
	struct rec_stream rs;
	struct hb_reader hb;
	uint8_t alert[2];
	uint8_t alert_have;
	uint8_t hb_bad; /* a malformed heartbeat message: read no more */
};

void rr_init(struct reply_reader *r, const struct hb_plan *p);

/* Consumes input up to the next event; *used is how much of b it took.
 * Call again with the rest until RR_MORE. */
enum rr_ev rr_step(struct reply_reader *r, const uint8_t *b, size_t n,
    size_t *used, const uint8_t **data, size_t *dlen);

#endif
