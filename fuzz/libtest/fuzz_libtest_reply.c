/*
 * Fuzzes the parent's judgement of a helper's reply and the ELF pre-check:
 * both read bytes that a hostile library controls.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "local/libtest.h"
#include "tls/heartbeat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct libtest_result r;
	struct hb_plan plan;
	enum lib_verdict v;
	char why[256];

	/* The seed corpus was made with this nonce, so echoes can match. */
	if (hb_plan_init(&plan, 0x1234567890abcdefULL, 64, 32, 16) != 0)
		return 0;
	memset(&r, 0, sizeof(r));
	(void)libtest_judge_reply(&plan, data, size, &r);
	if (memchr(r.version, '\0', sizeof(r.version)) == NULL ||
	    memchr(r.reason, '\0', sizeof(r.reason)) == NULL)
		__builtin_trap();
	(void)libtest_elf_check(data, size, &v, why, sizeof(why));
	return 0;
}
