/* Fuzz target: ELF dynamic-section and header parsing. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "local/libfind.h"

static void check(void *ctx, const char *needed)
{
	size_t *total = ctx;

	*total += strlen(needed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t total = 0;
	char so[128];
	int musl = -1;
	int n = elf_needed(data, size, check, &total);
	enum elf_class c = elf_sniff(data, size, &musl);

	if (musl != 0 && musl != 1)
		__builtin_trap();
	/* Whatever lists DT_NEEDED passed the header checks of the sniff. */
	if (n >= 0 && (c == ELF_NOT_ELF))
		__builtin_trap();
	if (elf_soname(data, size, so, sizeof(so)) == 1 &&
	    strlen(so) >= sizeof(so))
		__builtin_trap();
	return 0;
}
