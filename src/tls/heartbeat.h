/*
 * Heartbeat (RFC 6520) codec: the sentinel/probe/fence flight and a
 * streaming reader that judges the replies.  Pure code, no I/O.
 *
 * The flight (docs/probe.md §3) is three records in one write:
 *   sentinel: a valid request, S payload bytes plus 16 bytes of padding;
 *   probe:    P payload bytes, no padding, payload_length = P + k, so it
 *             claims k bytes past the end of its own record;
 *   fence:    an application_data record whose fatal alert flushes the
 *             server's handshake write buffer.  Its body is at least
 *             k - 5 bytes, so a server with read-ahead over-reads into
 *             our fence and not into its own memory (docs/probe.md).
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
	uint16_t sentinel_len; /* S: sentinel payload bytes, 0 = none */
	uint16_t probe_len; /* P: probe payload bytes, 0 = none */
	uint16_t k; /* bytes claimed past the probe record */
	uint16_t fence_len; /* fence body bytes; 0 = a 1-byte zero fence */
	uint16_t rec_ver; /* record version of the flight */
	uint16_t pad_at; /* record offset of the hello's first pad byte */
	uint16_t pad_len; /* pad bytes in the hello; 0 = no padded hello */
	/* DTLS (HB_TAIL_NEXT_DTLS): the sentinel record follows the probe in
	 * one datagram; its header carries epoch 0 and this sequence number. */
	uint8_t dtls;
	uint64_t dtls_seq;
};

/* The standard flight (docs/probe.md §3): sizes observed to work on real
 * 1.0.1f and 1.0.1g.  k = 16 stays inside the stale sentinel; the fence's
 * 16-byte body covers the k - 5 bytes a read-ahead server reads past the
 * probe (§4.1). */
#define HB_SENTINEL_LEN 64
#define HB_PROBE_LEN 32
#define HB_PROBE_K 16
#define HB_FENCE_LEN 16

/* The standard flight's plan, claiming k bytes past the probe (HB_PROBE_K,
 * or --leak's count).  Returns 0, or -1 as hb_plan_init. */
int hb_plan_flight(struct hb_plan *p, uint64_t nonce, uint16_t k);

/* Fills a plan.  The default plan keeps probe_len + k <= sentinel_len so
 * the over-read lands inside the stale sentinel; --leak plans claim more,
 * and the bytes past the sentinel are then server memory.  Either request
 * may be left out (length 0): a lone probe follows a padded hello, a lone
 * sentinel checks that valid heartbeats are answered.  Returns 0, or -1
 * when the sizes cannot be framed (probe_len + k > 65535, a claim without a
 * probe, no request at all).  Other fields start at 0. */
int hb_plan_init(struct hb_plan *p, uint64_t nonce, uint16_t sentinel_len,
    uint16_t probe_len, uint16_t k);

/*
 * Where the over-read can find our own bytes.  A server reads each record
 * into one buffer, so the k bytes past the probe record are one of:
 *   HB_TAIL_STALE:  the stale sentinel at the same offset (no read-ahead,
 *                   the sentinel was the longer record read just before);
 *   HB_TAIL_FOLLOW: the fence record that followed the probe in the same
 *                   read (read-ahead: nginx), when its body is >= k - 5;
 *   HB_TAIL_HELLO:  the stale padded ClientHello (a probe sent as the first
 *                   record after the hello, for programs that give up on
 *                   the first heartbeat);
 *   HB_TAIL_NEXT_DTLS: DTLS reads a whole datagram at once, and the probe
 *                   goes first: the bytes past it are our sentinel record,
 *                   its 13-byte header (plan->dtls_seq) and then its body.
 * An echo whose tail matches any one of them disclosed nothing.
 */
enum hb_tail_model {
	HB_TAIL_STALE,
	HB_TAIL_FOLLOW,
	HB_TAIL_HELLO,
	HB_TAIL_NEXT_DTLS,
	HB_TAIL_MODELS
};

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

/* Byte i of the fence body (which = 3) and of the hello pad (which = 2)
 * come from the same nonce: hb_payload_byte(p, 3, i), (p, 2, i). */

/* The expected byte at offset off of the probe echo's over-read tail under
 * model m, or -1 where that model has no byte of ours. */
int hb_expected_tail(const struct hb_plan *p, enum hb_tail_model m, size_t off);

/* Writes one application_data record of n body bytes (the fence's bytes
 * when n = p->fence_len; a 1-byte nudge otherwise).  Returns its length or
 * -1. */
ssize_t hb_appdata_record(const struct hb_plan *p, uint16_t ver, size_t n,
    uint8_t *out, size_t cap);

/*
 * Streaming reader of heartbeat message bytes: feed it the bodies of
 * type-24 records in order, and call hb_reader_record_end() at each record
 * boundary.  A message spans records when it is longer than one record
 * (docs/probe.md §2); reassembly follows payload_length, not records.
 */
struct hb_reader {
	const struct hb_plan *plan;
	uint8_t hdr[3];
	uint8_t hdr_have;
	uint8_t in_padding;
	uint16_t len; /* payload_length of the current message */
	uint32_t off; /* payload bytes consumed of the current message */
	uint32_t pad_have; /* padding bytes consumed */
	/* Per-message comparison state. */
	uint8_t match_sentinel; /* every byte so far equals the sentinel */
	uint8_t match_probe; /* the first P bytes equal the probe */
	uint32_t tail_len; /* over-read bytes so far */
	/* Per tail model: bytes where ours would lie, and how many differ. */
	uint32_t tail_known[HB_TAIL_MODELS];
	uint32_t tail_mism[HB_TAIL_MODELS];
	/* Results. */
	uint8_t sentinel_echoed;
	uint8_t probe_echoed; /* probe echoed with its k over-read bytes */
	uint8_t lax_echoed; /* probe payload echoed without the over-read */
	uint8_t foreign; /* a response that matches neither request */
	uint8_t requests_seen; /* the peer sent us a heartbeat request */
	uint32_t disclosed; /* over-read bytes that were not ours */
	uint8_t proof_model; /* enum hb_tail_model that explained the
			      * probe echo best */
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
