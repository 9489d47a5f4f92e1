/*
 * DTLS codecs (RFC 6347): records inside one datagram, handshake-message
 * fragments, the HelloVerifyRequest, and heartbeat records with the 13-byte
 * DTLS header.  Pure code over (pointer, length), bounded, no I/O.
 *
 * A datagram holds whole records; a record of type handshake holds whole
 * fragments, each with a 12-byte header.  The probe reassembles only the
 * small messages it reads (HelloVerifyRequest, ServerHello) and only from
 * fragments that extend what it already has; the rest (Certificate) is
 * walked past, never stored.
 */
#ifndef HEARTCHECK_TLS_DTLS_H
#define HEARTCHECK_TLS_DTLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tls/heartbeat.h"
#include "tls/record.h"

#define DTLS_HS_HDR_LEN 12
#define DTLS_COOKIE_MAX 255

/* Writes a 13-byte DTLS record header. */
void dtls_rec_hdr_write(uint8_t *out, uint8_t type, uint16_t version,
    uint16_t epoch, uint64_t seq, uint16_t len);

/*
 * The next record of a datagram.  *off is where to read (start at 0) and
 * moves past the record.  Returns 1 with *h and *body (inside dg) set, 0
 * at the end of the datagram, -1 when the bytes at *off are not a DTLS
 * record or the record runs past the datagram (the rest is then dropped,
 * as DTLS drops a bad datagram's remainder).
 */
int dtls_rec_next(const uint8_t *dg, size_t n, size_t *off, struct rec_hdr *h,
    const uint8_t **body);

struct dtls_hs_hdr {
	uint8_t type;
	uint32_t len; /* the whole message body */
	uint16_t msg_seq;
	uint32_t frag_off;
	uint32_t frag_len;
};

/*
 * The next handshake fragment of a handshake record body.  As
 * dtls_rec_next: 1 with *h and *frag set, 0 at the end, -1 when the
 * header is truncated, the fragment runs past the record, or
 * frag_off + frag_len > len.
 */
int dtls_hs_next(const uint8_t *b, size_t n, size_t *off, struct dtls_hs_hdr *h,
    const uint8_t **frag);

/* Parses a HelloVerifyRequest body (whole message): server_version and
 * the cookie (pointing into body).  Returns 0 or -1. */
int dtls_hvr_parse(const uint8_t *body, size_t len, uint16_t *version,
    const uint8_t **cookie, uint8_t *cookie_len);

/*
 * Reassembly of one message into a caller's buffer, from fragments that
 * start at or before what is already held (in order, overlaps allowed, as
 * retransmissions bring them).  A fragment past a gap is dropped: the
 * server retransmits, and the next copy fills the gap in order.
 */
struct dtls_reasm {
	uint8_t *buf;
	uint32_t cap;
	uint8_t active;
	uint8_t type;
	uint16_t msg_seq;
	uint32_t len;
	uint32_t have; /* contiguous bytes from offset 0 */
};

void dtls_reasm_init(struct dtls_reasm *r, uint8_t *buf, uint32_t cap);
/* Returns 1 when the message is complete (r->buf, r->len), 0 when more
 * is needed or the fragment was dropped, -1 when the message is larger
 * than cap or the fragment disagrees with the message begun (another type
 * or length for the same message_seq). */
int dtls_reasm_add(struct dtls_reasm *r, const struct dtls_hs_hdr *h,
    const uint8_t *frag);

/*
 * Heartbeat request record with the DTLS header: as hb_request_record,
 * with epoch and 48-bit sequence number.  Returns its length or -1.
 */
ssize_t dtls_hb_request_record(const struct hb_plan *p, int which, uint16_t ver,
    uint16_t epoch, uint64_t seq, uint16_t claim, size_t padlen, uint8_t *out,
    size_t cap);

/*
 * The DTLS flight, one datagram: the probe first (sequence probe_seq),
 * then the sentinel (p->dtls_seq), both with record version p->rec_ver and
 * epoch 0.  The probe's over-read is then the first k bytes of the
 * sentinel record (HB_TAIL_NEXT_DTLS).  Returns its length or -1.
 */
ssize_t dtls_hb_flight(const struct hb_plan *p, uint64_t probe_seq,
    uint8_t *out, size_t cap);

#endif
