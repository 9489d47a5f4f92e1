/*
 * OpenVPN's tls-auth: the static key file and the HMAC on every control
 * packet (docs/dtls.md, "OpenVPN").
 *
 * A static key file holds 2048 bits in hex between "-----BEGIN OpenVPN
 * Static key V1-----" and "-----END OpenVPN Static key V1-----": two keys
 * of 128 bytes, each a 64-byte cipher half and a 64-byte HMAC half.
 * tls-auth uses only the HMAC halves, the first digest-size bytes of each.
 * With key direction 0 a side signs with key 0 and checks with key 1, with
 * direction 1 the other way round, and without a direction both sides sign
 * and check with key 0.
 *
 * On the wire a tls-auth control packet is the plain packet with three
 * fields put after the session id: the HMAC, a replay packet id (4) and a
 * time in seconds (4).  The HMAC covers the replay id and time, then the
 * opcode byte and session id, then the rest of the plain packet.
 *
 * The key material lives only in struct ovpn_auth; ovpn_auth_wipe() clears
 * it, and nothing here prints it.
 */
#ifndef HEARTCHECK_PROBE_OVPN_AUTH_H
#define HEARTCHECK_PROBE_OVPN_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define OVPN_KEY_LEN 256 /* 2048 bits */
#define OVPN_KEY_FILE_MAX 16384 /* a real file has about 650 bytes */
#define OVPN_MAC_MAX 64

enum ovpn_digest { OVPN_MD_SHA1, OVPN_MD_SHA256, OVPN_MD_SHA512 };

/* Key direction: as OpenVPN's tls-auth FILE [0|1]. */
enum ovpn_keydir { OVPN_DIR_NONE = -1, OVPN_DIR_0 = 0, OVPN_DIR_1 = 1 };

struct ovpn_auth {
	uint8_t md; /* enum ovpn_digest */
	uint8_t mac_len; /* the digest's size: 20, 32 or 64 */
	uint8_t out_key[OVPN_MAC_MAX]; /* signs what we send */
	uint8_t in_key[OVPN_MAC_MAX]; /* checks what the server sends */
};

/*
 * Parses a static key file's bytes into key.  Strict: only blank lines and
 * '#' comments around the BEGIN and END lines, only hex digits and blanks
 * between them, exactly 256 bytes.  Returns 0, or -1 with a sentence in
 * why (it never quotes key bytes).  key is cleared on failure.
 */
int ovpn_key_parse(const uint8_t *b, size_t n, uint8_t key[OVPN_KEY_LEN],
    char *why, size_t cap);

/* "SHA1", "SHA256", "SHA512" (any case).  Returns 0, or -1. */
int ovpn_digest_parse(const char *s, enum ovpn_digest *md);
const char *ovpn_digest_name(enum ovpn_digest md);

/* Takes the HMAC halves of key for a client with direction dir. */
void ovpn_auth_init(struct ovpn_auth *a, const uint8_t key[OVPN_KEY_LEN],
    enum ovpn_keydir dir, enum ovpn_digest md);
void ovpn_auth_wipe(struct ovpn_auth *a);

/* Bytes tls-auth adds to a packet: the HMAC, the replay id and time. */
size_t ovpn_auth_overhead(const struct ovpn_auth *a);

/*
 * Signs the plain packet pkt[0..n) (opcode, session id, the rest) in
 * place: moves the rest up and puts HMAC, pid and net_time after the
 * session id.  Returns the new length, or -1 if cap is too small or the
 * packet is shorter than an opcode and session id.
 */
ssize_t ovpn_auth_wrap(const struct ovpn_auth *a, uint8_t *pkt, size_t n,
    size_t cap, uint32_t pid, uint32_t net_time);

/*
 * Checks a received packet's HMAC with the incoming key, in constant time.
 * Returns 0 when it verifies, -1 when the packet is too short to hold the
 * tls-auth fields, -2 when the HMAC is wrong.
 */
int ovpn_auth_check(const struct ovpn_auth *a, const uint8_t *b, size_t n);

#endif
