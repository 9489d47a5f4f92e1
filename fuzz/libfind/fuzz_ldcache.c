/* Fuzz target: ld.so.cache parsing must never read past the buffer. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "local/libfind.h"

static void check(void *ctx, const char *soname, const char *path)
{
	size_t *total = ctx;

	/* Touch every byte of both strings so ASan sees a bad pointer. */
	*total += strlen(soname) + strlen(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t total = 0;
	int a = ldcache_parse(data, size, check, &total);
	int b = ldcache_parse(data, size, NULL, NULL);

	/* Counting and reporting must agree. */
	if (a != b)
		__builtin_trap();
	return 0;
}
