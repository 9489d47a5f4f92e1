/*
 * OpenVPN static key files (probe/ovpn_auth.h) from arbitrary bytes, and
 * tls-auth checking of arbitrary packets.
 *
 * Oracles: a refusal leaves the key all zero and says why in a NUL-ended
 * sentence; an accepted file's key signs a packet that the other key
 * direction checks, and that a flipped bit breaks; the input checked as a
 * packet never reads past its end (ASan) and fails unless it is signed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/ovpn_auth.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t key[OVPN_KEY_LEN], pkt[64 + 9 + OVPN_MAC_MAX + 8];
	struct ovpn_auth cli, srv;
	enum ovpn_digest md = (enum ovpn_digest)(size % 3);
	char why[160];
	size_t i;
	ssize_t n;

	memset(why, 'x', sizeof(why));
	if (ovpn_key_parse(data, size, key, why, sizeof(why)) != 0) {
		for (i = 0; i < sizeof(key); i++)
			CHECK(key[i] == 0);
		CHECK(memchr(why, '\0', sizeof(why)) != NULL && why[0]);
		memset(key, 0, sizeof(key));
		key[64] = 1;
	}
	ovpn_auth_init(&cli, key, OVPN_DIR_1, md);
	ovpn_auth_init(&srv, key, OVPN_DIR_0, md);
	/* The input as a received packet: arbitrary bytes are not signed,
	 * short of a 2^-160 chance. */
	CHECK(ovpn_auth_check(&srv, data, size) != 0);
	/* A packet of ours round-trips. */
	memset(pkt, 0, sizeof(pkt));
	for (i = 0; i < 9 + 20 && i < size; i++)
		pkt[i] = data[i];
	n = ovpn_auth_wrap(&cli, pkt, 29, sizeof(pkt), (uint32_t)size, 7);
	CHECK(n == (ssize_t)(29 + ovpn_auth_overhead(&cli)));
	CHECK(ovpn_auth_check(&srv, pkt, (size_t)n) == 0);
	pkt[size % (size_t)n] ^= 0x10;
	CHECK(ovpn_auth_check(&srv, pkt, (size_t)n) != 0);
	ovpn_auth_wipe(&cli);
	ovpn_auth_wipe(&srv);
	return 0;
}
