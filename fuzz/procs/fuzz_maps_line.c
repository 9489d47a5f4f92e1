/*
 * libFuzzer target for maps_parse_line and maps_is_tls_library.  The
 * input is one maps line; every field the parser reports must lie inside
 * it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "local/procmaps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct map_line ml;
	char *line;

	/* A private copy makes ASan catch any read past the end. */
	if ((line = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	if (maps_parse_line(line, size, &ml) == 0) {
		if (ml.path < line || ml.path > line + size ||
		    ml.path_len > (size_t)(line + size - ml.path))
			abort();
		if (ml.end < ml.start || strlen(ml.perms) != 4)
			abort();
		(void)maps_is_tls_library(ml.path, ml.path_len);
	}
	(void)maps_is_tls_library(line, size);
	free(line);
	return 0;
}
