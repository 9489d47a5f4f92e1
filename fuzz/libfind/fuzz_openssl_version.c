/* Fuzz target: the "OpenSSL x.y.z date" matcher. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "local/libfind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[OPENSSL_VERSION_MAX + 1], small[8];

	if (openssl_version_find(data, size, out, sizeof(out)) == 1) {
		/* A match starts with the marker and fits the documented bound. */
		if (strncmp(out, "OpenSSL ", 8) != 0 ||
		    strlen(out) >= OPENSSL_VERSION_MAX)
			__builtin_trap();
		if (openssl_version_find(data, size, small, sizeof(small)) != 1 ||
		    strlen(small) != sizeof(small) - 1)
			__builtin_trap();
	}
	return 0;
}
