/*
 * Byte builders for the TLS and probe unit tests: a growable buffer, TLS
 * records, handshake messages, ServerHello bodies and heartbeat responses.
 * They are written independently of src/tls so that a test compares the
 * codecs against a second, simple reading of the protocol.
 */
#ifndef HEARTCHECK_TESTS_TLS_BUILD_H
#define HEARTCHECK_TESTS_TLS_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct bb {
	uint8_t *p;
	size_t n;
	size_t cap;
};

static inline void bb_reserve(struct bb *b, size_t more)
{
	size_t want = b->n + more;

	if (want <= b->cap)
		return;
	if (want < 256)
		want = 256;
	if (want < b->cap * 2)
		want = b->cap * 2;
	b->p = realloc(b->p, want);
	if (b->p == NULL)
		abort();
	b->cap = want;
}

static inline void bb_put(struct bb *b, const void *d, size_t n)
{
	bb_reserve(b, n);
	if (n)
		memcpy(b->p + b->n, d, n);
	b->n += n;
}

static inline void bb_u8(struct bb *b, unsigned v)
{
	uint8_t x = (uint8_t)v;

	bb_put(b, &x, 1);
}

static inline void bb_u16(struct bb *b, unsigned v)
{
	bb_u8(b, v >> 8);
	bb_u8(b, v);
}

static inline void bb_u24(struct bb *b, unsigned long v)
{
	bb_u8(b, (unsigned)(v >> 16));
	bb_u8(b, (unsigned)(v >> 8));
	bb_u8(b, (unsigned)v);
}

static inline void bb_fill(struct bb *b, uint8_t c, size_t n)
{
	bb_reserve(b, n);
	memset(b->p + b->n, c, n);
	b->n += n;
}

static inline void bb_free(struct bb *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

/* One TLS record: 5-byte header, then the body. */
static inline void bb_record(struct bb *b, uint8_t type, uint16_t ver,
    const uint8_t *body, size_t len)
{
	bb_u8(b, type);
	bb_u16(b, ver);
	bb_u16(b, (unsigned)len);
	bb_put(b, body, len);
}

/* One handshake message: type, 24-bit length, body. */
static inline void bb_hs(struct bb *b, uint8_t type, const uint8_t *body,
    size_t len)
{
	bb_u8(b, type);
	bb_u24(b, len);
	bb_put(b, body, len);
}

/* A ServerHello body.  ext15 < 0 leaves the extension block out
 * entirely; 0 sends an extension block without extension 15; 1 or 2 echoes
 * extension 15 with that mode. */
static inline void bb_server_hello(struct bb *b, uint16_t ver, int ext15)
{
	size_t i;

	bb_u16(b, ver);
	for (i = 0; i < 32; i++)
		bb_u8(b, 0xa0 + i);
	bb_u8(b, 32);
	for (i = 0; i < 32; i++)
		bb_u8(b, 0x10 + i);
	bb_u16(b, 0x009c);
	bb_u8(b, 0);
	if (ext15 < 0)
		return;
	/* renegotiation_info (5 bytes) and, optionally, heartbeat (5). */
	bb_u16(b, ext15 ? 10 : 5);
	bb_u16(b, 0xff01);
	bb_u16(b, 1);
	bb_u8(b, 0);
	if (ext15) {
		bb_u16(b, 15);
		bb_u16(b, 1);
		bb_u8(b, (unsigned)ext15);
	}
}

/* The handshake bytes of a server's first flight: ServerHello,
 * a certificate message of cert_len bytes, ServerHelloDone. */
static inline void bb_server_flight_msgs(struct bb *b, uint16_t ver, int ext15,
    size_t cert_len)
{
	struct bb sh = { 0 }, cert = { 0 };
	size_t i;

	bb_server_hello(&sh, ver, ext15);
	bb_hs(b, 2, sh.p, sh.n);
	if (cert_len >= 6) {
		/* certificate_list holding one certificate of filler. */
		bb_u24(&cert, cert_len - 3);
		bb_u24(&cert, cert_len - 6);
		for (i = 6; i < cert_len; i++)
			bb_u8(&cert, (unsigned)(i * 7));
		bb_hs(b, 11, cert.p, cert.n);
	}
	bb_hs(b, 14, NULL, 0);
	bb_free(&sh);
	bb_free(&cert);
}

/* Frames handshake bytes into records of at most maxrec body bytes. */
static inline void bb_frame(struct bb *b, uint8_t type, uint16_t ver,
    const uint8_t *p, size_t n, size_t maxrec)
{
	while (n > 0) {
		size_t take = n < maxrec ? n : maxrec;

		bb_record(b, type, ver, p, take);
		p += take;
		n -= take;
	}
}

/* A heartbeat message (type 2 response unless told) whose payload is
 * given, with padlen bytes of padding. */
static inline void bb_hb_msg(struct bb *b, uint8_t type, uint16_t claim,
    const uint8_t *payload, size_t plen, size_t padlen)
{
	bb_u8(b, type);
	bb_u16(b, claim);
	bb_put(b, payload, plen);
	bb_fill(b, 0xcc, padlen);
}

#endif
