/*
 * A calloc that fails for one size class, preloaded into heartcheck by
 * nomem.sh: calloc(1, N) with N between NOMEM_MIN and NOMEM_MAX bytes
 * returns NULL.  Those are the sizes of the scan's per-endpoint jobs (about
 * 1.3 KiB for TLS, 3.6 KiB for DTLS, about 24 KiB for OpenVPN with its send
 * and receive windows), so every probe fails to start while the rest of the
 * program runs.
 */
#include <stddef.h>

#define NOMEM_MIN 1200
#define NOMEM_MAX 60000

extern void *__libc_calloc(size_t n, size_t size);

void *calloc(size_t n, size_t size)
{
	if (n == 1 && size >= NOMEM_MIN && size <= NOMEM_MAX)
		return NULL;
	return __libc_calloc(n, size);
}
