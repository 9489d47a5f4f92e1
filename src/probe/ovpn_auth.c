/*
 * OpenVPN's tls-auth (probe/ovpn_auth.h).  The HMAC comes from nettle
 * (see meson.build for why nettle and not OpenSSL's libcrypto).
 */
#include "probe/ovpn_auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha2.h>

#include "util/ascii.h"

#define SID_END 9 /* opcode byte and session id */

static const char head[] = "-----BEGIN OpenVPN Static key V1-----";
static const char foot[] = "-----END OpenVPN Static key V1-----";

/* The line [s, e) without trailing blanks and CR equals want. */
static int line_is(const uint8_t *s, const uint8_t *e, const char *want)
{
	size_t n = strlen(want);

	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return (size_t)(e - s) == n && memcmp(s, want, n) == 0;
}

/* Blank, or a '#' comment. */
static int line_ignorable(const uint8_t *s, const uint8_t *e)
{
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	return s == e || *s == '#';
}

int ovpn_key_parse(const uint8_t *b, size_t n, uint8_t key[OVPN_KEY_LEN],
    char *why, size_t cap)
{
	enum { BEFORE, DATA, AFTER } st = BEFORE;
	const uint8_t *s = b, *end = b + n;
	unsigned line = 0;
	size_t got = 0; /* hex digits */
	int hi = 0, v;

	memset(key, 0, OVPN_KEY_LEN);
	if (n > OVPN_KEY_FILE_MAX) {
		snprintf(why, cap,
		    "larger than %u bytes: not an OpenVPN static key file",
		    OVPN_KEY_FILE_MAX);
		goto fail;
	}
	if (memchr(b, '\0', n)) {
		snprintf(why, cap, "holds a NUL byte: not a text file");
		goto fail;
	}
	while (s < end) {
		const uint8_t *e = memchr(s, '\n', (size_t)(end - s));
		const uint8_t *q;

		if (!e)
			e = end;
		line++;
		switch (st) {
		case BEFORE:
			if (line_is(s, e, head))
				st = DATA;
			else if (!line_ignorable(s, e)) {
				snprintf(why, cap,
				    "line %u: text before the \"%s\" line",
				    line, head);
				goto fail;
			}
			break;
		case DATA:
			if (line_is(s, e, foot)) {
				st = AFTER;
				break;
			}
			for (q = s; q < e; q++) {
				if (*q == ' ' || *q == '\t' || *q == '\r')
					continue;
				if ((v = hex_value(*q)) < 0) {
					snprintf(why, cap,
					    "line %u: a character that is "
					    "not a hex digit in the key",
					    line);
					goto fail;
				}
				if (got / 2 >= OVPN_KEY_LEN) {
					snprintf(why, cap,
					    "more than %u key bytes: not a "
					    "2048-bit static key",
					    OVPN_KEY_LEN);
					goto fail;
				}
				if (got % 2 == 0)
					hi = v;
				else
					key[got / 2] = (uint8_t)(hi << 4 | v);
				got++;
			}
			break;
		case AFTER:
			if (!line_ignorable(s, e)) {
				snprintf(why, cap,
				    "line %u: text after the \"%s\" line", line,
				    foot);
				goto fail;
			}
			break;
		}
		s = e < end ? e + 1 : end;
	}
	if (st == BEFORE) {
		snprintf(why, cap, "no \"%s\" line", head);
		goto fail;
	}
	if (st == DATA) {
		snprintf(why, cap, "no \"%s\" line", foot);
		goto fail;
	}
	if (got != 2 * OVPN_KEY_LEN) {
		snprintf(why, cap,
		    "%zu key bytes%s, not %u: not a 2048-bit static key",
		    got / 2, got % 2 ? " and a half" : "", OVPN_KEY_LEN);
		goto fail;
	}
	hi = 0;
	return 0;
fail:
	hi = 0;
	explicit_bzero(key, OVPN_KEY_LEN);
	return -1;
}

static const struct {
	const char *name;
	const struct nettle_hash *hash;
} digests[] = {
	[OVPN_MD_SHA1] = { "SHA1", &nettle_sha1 },
	[OVPN_MD_SHA256] = { "SHA256", &nettle_sha256 },
	[OVPN_MD_SHA512] = { "SHA512", &nettle_sha512 },
};

int ovpn_digest_parse(const char *s, enum ovpn_digest *md)
{
	size_t i;

	for (i = 0; i < sizeof(digests) / sizeof(digests[0]); i++)
		if (strcasecmp(s, digests[i].name) == 0) {
			*md = (enum ovpn_digest)i;
			return 0;
		}
	return -1;
}

const char *ovpn_digest_name(enum ovpn_digest md)
{
	return md <= OVPN_MD_SHA512 ? digests[md].name : "?";
}

void ovpn_auth_init(struct ovpn_auth *a, const uint8_t key[OVPN_KEY_LEN],
    enum ovpn_keydir dir, enum ovpn_digest md)
{
	/* Each of the two keys: a 64-byte cipher half, then the HMAC half. */
	const uint8_t *hmac0 = key + 64, *hmac1 = key + 128 + 64;

	memset(a, 0, sizeof(*a));
	a->md = (uint8_t)md;
	a->mac_len = (uint8_t)digests[md].hash->digest_size;
	memcpy(a->out_key, dir == OVPN_DIR_1 ? hmac1 : hmac0, a->mac_len);
	memcpy(a->in_key, dir == OVPN_DIR_0 ? hmac1 : hmac0, a->mac_len);
}

void ovpn_auth_wipe(struct ovpn_auth *a)
{
	explicit_bzero(a, sizeof(*a));
}

size_t ovpn_auth_overhead(const struct ovpn_auth *a)
{
	return (size_t)a->mac_len + 8;
}

/* The HMAC of the replay fields rp[0..8), then the opcode and session id
 * hdr[0..9), then rest[0..n), keyed with key. */
static void mac(const struct ovpn_auth *a, const uint8_t *key,
    const uint8_t *rp, const uint8_t *hdr, const uint8_t *rest, size_t n,
    uint8_t *out)
{
	/* SHA-512's context is the largest of the three. */
	struct sha512_ctx outer, inner, state;
	const struct nettle_hash *h = digests[a->md].hash;

	hmac_set_key(&outer, &inner, &state, h, a->mac_len, key);
	hmac_update(&state, h, 8, rp);
	hmac_update(&state, h, SID_END, hdr);
	hmac_update(&state, h, n, rest);
	hmac_digest(&outer, &inner, &state, h, a->mac_len, out);
	/* The contexts hold the key's inner and outer pads. */
	explicit_bzero(&outer, sizeof(outer));
	explicit_bzero(&inner, sizeof(inner));
	explicit_bzero(&state, sizeof(state));
}

ssize_t ovpn_auth_wrap(const struct ovpn_auth *a, uint8_t *pkt, size_t n,
    size_t cap, uint32_t pid, uint32_t net_time)
{
	size_t add = ovpn_auth_overhead(a);
	uint8_t *rp;

	if (n < SID_END || n + add > cap)
		return -1;
	memmove(pkt + SID_END + add, pkt + SID_END, n - SID_END);
	rp = pkt + SID_END + a->mac_len;
	rp[0] = (uint8_t)(pid >> 24);
	rp[1] = (uint8_t)(pid >> 16);
	rp[2] = (uint8_t)(pid >> 8);
	rp[3] = (uint8_t)pid;
	rp[4] = (uint8_t)(net_time >> 24);
	rp[5] = (uint8_t)(net_time >> 16);
	rp[6] = (uint8_t)(net_time >> 8);
	rp[7] = (uint8_t)net_time;
	mac(a, a->out_key, rp, pkt, rp + 8, n - SID_END, pkt + SID_END);
	return (ssize_t)(n + add);
}

int ovpn_auth_check(const struct ovpn_auth *a, const uint8_t *b, size_t n)
{
	size_t add = ovpn_auth_overhead(a);
	uint8_t want[OVPN_MAC_MAX];
	int ok;

	if (n < SID_END + add)
		return -1;
	mac(a, a->in_key, b + SID_END + a->mac_len, b, b + SID_END + add,
	    n - SID_END - add, want);
	ok = memeql_sec(want, b + SID_END, a->mac_len);
	explicit_bzero(want, sizeof(want));
	return ok ? 0 : -2;
}
