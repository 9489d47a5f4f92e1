/*
 * Heartbeat (RFC 6520) codec: the sentinel/probe/fence flight and a
 * streaming reader that judges the replies.  Pure code, no I/O.
 *
 * The flight (FACTS.md item 5) is three records in one write:
 *   sentinel: a valid request, S payload bytes plus 16 bytes of padding;
 *   probe:    P payload bytes, no padding, payload_length = P + k, so it
 *             claims k bytes past the end of its own record;
 *   fence:    a 1-byte application_data record whose fatal alert flushes
 *             the server's handshake write buffer.
 * A server that over-reads echoes the probe with k extra bytes; on OpenSSL
 * those are the stale sentinel payload bytes P..P+k-1, so the proof
 * discloses nothing.
 *
 * Payload bytes are derived from a per-probe nonce, so nothing is stored per
 * probe and replies are compared as they stream in.
 */
#ifndef HEARTCHECK_TLS_HEARTBEAT_H
#define HEARTCHECK_TLS_HEARTBEAT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HB_REQUEST 1
#define HB_RESPONSE 2
#define HB_MIN_PADDING 16
#define HB_PADDING_BYTE 0x50

struct hb_plan {
	uint64_t nonce;
	uint16_t sentinel_len; /* S: sentinel payload bytes */
	uint16_t probe_len;    /* P: probe payload bytes */
	uint16_t k;            /* bytes claimed past the probe record */
};

/* Fills a plan.  The default plan keeps probe_len + k <= sentinel_len so
 * the over-read lands inside the stale sentinel; --leak plans claim more,
 * and the bytes past the sentinel are then server memory.  Returns 0, or -1
 * when the sizes cannot be framed (probe_len + k > 65535, empty probe). */
int hb_plan_init(struct hb_plan *p, uint64_t nonce, uint16_t sentinel_len,
    uint16_t probe_len, uint16_t k);

/* Byte i of the sentinel (which = 0) or probe (which = 1) payload. */
uint8_t hb_payload_byte(const struct hb_plan *p, int which, size_t i);

/* Writes one heartbeat request record: a 5-byte TLS header with record
 * version ver, type 1, payload_length = claim, the plan's payload bytes
 * for `which`, then padlen padding bytes.  Returns its length, or -1 if
 * cap is too small. */
ssize_t hb_request_record(const struct hb_plan *p, int which, uint16_t ver,
    uint16_t claim, size_t padlen, uint8_t *out, size_t cap);

/* Writes the whole TLS flight (sentinel, probe, fence) with record version
 * ver.  With fence = 0 the application_data record is left out.  Returns
 * its length or -1. */
ssize_t hb_flight_tls(const struct hb_plan *p, uint16_t ver, int fence,
    uint8_t *out, size_t cap);

/* The expected byte at offset off (off < k) of the probe echo's over-read
 * tail when the server read only our own stale bytes: the sentinel's
 * payload, then its padding.  Returns -1 where no byte of ours lies. */
int hb_expected_tail(const struct hb_plan *p, size_t off);

/*
 * Streaming reader of heartbeat message bytes: feed it the bodies of
 * type-24 records in order, and call hb_reader_record_end() at each record
 * boundary.  A message spans records when it is longer than one record
 * (FACTS.md item 6); reassembly follows payload_length, not records.
 */
struct hb_reader {
	const struct hb_plan *plan;
	uint8_t hdr[3];
	uint8_t hdr_have;
	uint8_t in_padding;
	uint16_t len;         /* payload_length of the current message */
	uint32_t off;         /* payload bytes consumed of the current message */
	uint32_t pad_have;    /* padding bytes consumed */
	/* Per-message comparison state. */
	uint8_t match_sentinel; /* every byte so far equals the sentinel */
	uint8_t match_probe;    /* the first P bytes equal the probe */
	uint32_t tail_known;    /* over-read bytes where ours would lie */
	uint32_t tail_mism;     /* ... of which differ from ours */
	uint32_t tail_unknown;  /* over-read bytes past anything of ours */
	/* Results. */
	uint8_t sentinel_echoed;
	uint8_t probe_echoed;   /* probe echoed with its k over-read bytes */
	uint8_t lax_echoed;     /* probe payload echoed without the over-read */
	uint8_t foreign;        /* a response that matches neither request */
	uint8_t requests_seen;  /* the peer sent us a heartbeat request */
	uint32_t disclosed;     /* over-read bytes that were not ours */
	uint32_t messages;
	/* Optional: called with the over-read tail of a probe echo as it
	 * streams in, for --leak's hexdump.  off is the offset in the tail.
	 * A probe whose first bytes turn out not to be ours may already have
	 * delivered nothing: the tail follows the probe payload. */
	void (*on_disclosed)(void *ctx, size_t off, const uint8_t *b, size_t n);
	void *ctx;
};

void hb_reader_init(struct hb_reader *r, const struct hb_plan *p);
/* Consumes n bytes of type-24 record body.  Returns 0, or -1 on a
 * malformed message (unknown type). */
int hb_reader_feed(struct hb_reader *r, const uint8_t *b, size_t n);
/* Marks the end of a type-24 record. */
void hb_reader_record_end(struct hb_reader *r);

#endif
