/*
 * ServerHello parsing of arbitrary bodies, and the ClientHello builder with
 * an input-chosen name and capacity.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/hello.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct server_hello sh;
	struct client_hello_opts o;
	uint8_t *copy, *out;
	char name[300];
	size_t nlen, cap;
	ssize_t n;

	/* An exact-size copy, so any read past the end is caught. */
	copy = malloc(size ? size : 1);
	CHECK(copy != NULL);
	memcpy(copy, data, size);
	if (server_hello_parse(copy, size, &sh) == 0)
		CHECK(size >= 38);
	free(copy);

	if (size < 3)
		return 0;
	memset(&o, 0, sizeof(o));
	o.version = (uint16_t)(0x0300 + (data[0] & 3));
	o.heartbeat = data[0] >> 7;
	cap = (size_t)data[1] * 4 + (data[2] & 3);
	nlen = size - 3 < sizeof(name) - 1 ? size - 3 : sizeof(name) - 1;
	memcpy(name, data + 3, nlen);
	name[nlen] = '\0';
	o.sni = (data[0] & 4) ? name : NULL;
	out = malloc(cap ? cap : 1);
	CHECK(out != NULL);
	n = client_hello_build(&o, out, cap);
	CHECK(n == -1 || (n > 0 && (size_t)n <= cap));
	if (n > 9) {
		/* Lengths agree with what was written. */
		CHECK(out[0] == 22);
		CHECK((size_t)(out[3] << 8 | out[4]) == (size_t)n - 5);
		CHECK(((size_t)out[6] << 16 | (size_t)out[7] << 8 | out[8]) ==
		    (size_t)n - 9);
	}
	free(out);
	return 0;
}
