/*
 * The server side of the hello, for testing TLS clients: a ClientHello
 * parser and the builders of a ServerHello, a Certificate and a
 * ServerHelloDone.  Pure code, no I/O; every length read from the client is
 * checked (tls/rd.h).
 *
 * heartcheck never completes a handshake with a client: the heartbeats
 * follow the ServerHello (docs/probe.md §7), and the client's answers come
 * before it would need our key.  The certificate is therefore a fixed,
 * well-formed self-signed one whose private key was thrown away.
 */
#ifndef HEARTCHECK_TLS_SRVHELLO_H
#define HEARTCHECK_TLS_SRVHELLO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Suites kept from a ClientHello (the rest are counted only). */
#define CH_SUITES_MAX 64
/* Versions kept from supported_versions. */
#define CH_VERSIONS_MAX 8

struct client_hello_info {
	uint16_t version; /* client_version (legacy_version) */
	uint16_t n_suites; /* suites offered, all of them */
	uint16_t suites[CH_SUITES_MAX];
	uint8_t n_versions; /* supported_versions entries kept */
	uint16_t versions[CH_VERSIONS_MAX];
	uint8_t has_exts; /* an extensions block was present */
	uint8_t heartbeat_ext; /* extension 15 offered */
	uint8_t heartbeat_mode; /* its mode byte (1 = peer may send) */
	uint8_t reneg; /* renegotiation_info or the SCSV */
	uint8_t ec_point_formats;
	uint8_t null_comp; /* null compression offered */
	uint8_t sid_len;
	uint8_t sid[32];
	char sni[256]; /* first host_name, "" when none; raw
			* bytes up to a NUL, print escaped */
};

/* Parses a ClientHello message body (without the 4-byte handshake
 * header).  Returns 0, or -1 when it is malformed. */
int client_hello_parse(const uint8_t *body, size_t len,
    struct client_hello_info *out);

/* The highest TLS version (SSLv3 .. TLS 1.2) both sides speak: the
 * client's legacy version, capped at TLS 1.2; 0 when below SSLv3 or not
 * major version 3. */
uint16_t server_pick_version(const struct client_hello_info *ch);

/* A suite the client offered that suits version v: RSA key exchange first
 * (the client then needs nothing signed), then ECDHE/DHE with RSA, then
 * any other TLS 1.2-or-lower suite.  Returns 0 when none. */
uint16_t server_pick_suite(const struct client_hello_info *ch, uint16_t v);

struct server_hello_opts {
	uint16_t version;
	uint16_t cipher;
	uint8_t random[32];
	uint8_t sid_len; /* a fresh session id of our own */
	uint8_t sid[32];
	int heartbeat; /* echo extension 15, mode 1 */
	int reneg; /* empty renegotiation_info */
	int ec_point_formats; /* uncompressed only */
	/* pad_len > 0 adds a GREASE extension as the last one holding
	 * pad_byte(pad_ctx, i): our own bytes at known offsets of the
	 * client's read buffer. */
	uint16_t pad_len;
	uint8_t (*pad_byte)(const void *ctx, size_t i);
	const void *pad_ctx;
};

/* Writes the ServerHello as one complete TLS record with record version
 * o->version.  Returns its length, or -1 if cap is too small. */
ssize_t server_hello_build(const struct server_hello_opts *o, uint8_t *out,
    size_t cap);

/* Writes a Certificate record (the fixed certificate) and a
 * ServerHelloDone record with record version ver.  Returns the length, or
 * -1 if cap is too small. */
ssize_t server_cert_done_build(uint16_t ver, uint8_t *out, size_t cap);

/* The DER of the fixed certificate. */
const uint8_t *server_cert_der(size_t *len);

#endif
