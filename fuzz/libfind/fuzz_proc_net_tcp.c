/* Fuzz target: /proc/net/tcp and tcp6 text parsing. */
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "local/listeners.h"

static void check(void *ctx, const struct listener *l)
{
	int *family = ctx;

	if (l->family != *family || l->pid != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int f4 = AF_INET, f6 = AF_INET6;

	(void)proc_net_tcp_parse((const char *)data, size, AF_INET, check, &f4);
	(void)proc_net_tcp_parse((const char *)data, size, AF_INET6, check, &f6);
	return 0;
}
