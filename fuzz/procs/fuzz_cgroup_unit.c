/*
 * libFuzzer target for cgroup_unit and cgroup_container_hint.  The input
 * is the contents of a /proc/PID/cgroup file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "local/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char unit[64], hint[32];
	char *buf;
	size_t n;

	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	/* Small output buffers exercise the "does not fit" paths. */
	if (cgroup_unit(buf, size, unit, sizeof(unit)) == 0) {
		n = strlen(unit);
		if (n == 0 || n >= sizeof(unit) || memmem(buf, size, unit, n) ==
		    NULL)
			abort();
		(void)unit_is_restartable(unit);
	}
	if (cgroup_container_hint(buf, size, hint, sizeof(hint)) == 0 &&
	    strlen(hint) >= sizeof(hint))
		abort();
	free(buf);
	return 0;
}
