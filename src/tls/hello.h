/*
 * ClientHello builder and ServerHello parser.
 *
 * The hello must satisfy today's servers as well as 2014's (docs/probe.md §8:
 * a 2014-style ClientHello is refused): it carries signature_algorithms,
 * supported_groups, ec_point_formats and AEAD suites, with RSA key exchange
 * first so that a server need not sign anything for us.
 */
#ifndef HEARTCHECK_TLS_HELLO_H
#define HEARTCHECK_TLS_HELLO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct client_hello_opts {
	uint16_t version; /* highest version offered, e.g. 0x0303 */
	const char *sni; /* host name, or NULL */
	int heartbeat; /* offer extension 15 (peer_allowed_to_send) */
	uint8_t random[32];
	/* pad_len > 0 adds an extension of a reserved (GREASE) type as the
	 * last one, holding pad_byte(pad_ctx, i) for i < pad_len: our own
	 * bytes at known offsets of the server's read buffer. */
	uint16_t pad_len;
	uint8_t (*pad_byte)(const void *ctx, size_t i);
	const void *pad_ctx;
	/* DTLS (RFC 6347): version is DTLS_V_12 or DTLS_V_10.  The hello gets
	 * a 13-byte record header (record version DTLS 1.0, epoch 0,
	 * record_seq), a 12-byte handshake header (message_seq, the message
	 * in one fragment), and the cookie after the session id.  The same
	 * suites and extensions as TLS, less the RC4 suites DTLS forbids. */
	int dtls;
	uint16_t message_seq;
	uint64_t record_seq;
	const uint8_t *cookie;
	uint8_t cookie_len;
};

/* The reserved extension type of the pad; servers ignore it (RFC 8701). */
#define TLS_EXT_PAD_GREASE 0x3a3a

/* Writes the ClientHello as one complete TLS record.  Returns its length,
 * or -1 if cap is too small or the SNI is not a valid host name. */
ssize_t client_hello_build(const struct client_hello_opts *o, uint8_t *out,
    size_t cap);

struct server_hello {
	uint16_t version;
	uint16_t cipher;
	uint8_t compression;
	uint8_t heartbeat_ext; /* extension 15 echoed */
	uint8_t heartbeat_mode; /* its mode byte */
	uint8_t sni_ack;
	uint16_t selected_version; /* from supported_versions, or 0 */
};

/* Parses a ServerHello message body (without the 4-byte handshake header).
 * Returns 0, or -1 when the body is malformed. */
int server_hello_parse(const uint8_t *body, size_t len,
    struct server_hello *out);

#endif
