/*
 * libFuzzer target for cgroup_unit and cgroup_container_hint.  The input
 * is the contents of a /proc/PID/cgroup file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "local/cgroup.h"

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
		const char *inner = strchr(unit, '/');

		n = strlen(unit);
		if (n == 0 || n >= sizeof(unit))
			abort();
		/* The unit is a path component of the input, or a user
		 * manager's "user@UID.service/NAME.service": both parts are. */
		if (inner) {
			if (strncmp(unit, "user@", 5) != 0 ||
			    memmem(buf, size, unit, (size_t)(inner - unit)) ==
			    NULL || memmem(buf, size, inner + 1,
			    strlen(inner + 1)) == NULL)
				abort();
		} else if (memmem(buf, size, unit, n) == NULL) {
			abort();
		}
		(void)unit_is_restartable(unit);
	}
	if (cgroup_container_hint(buf, size, hint, sizeof(hint)) == 0 &&
	    strlen(hint) >= sizeof(hint))
		abort();
	free(buf);
	return 0;
}
