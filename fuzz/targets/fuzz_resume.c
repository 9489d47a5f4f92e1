/*
 * Feeds arbitrary bytes to the resume-file reader as a file.  What it
 * accepts must be written back and read again to the same fields; what it
 * refuses must come with a message.  An input whose first byte is even
 * gets the rest followed by its correct checksum line, so that the fuzzer
 * reaches the field parser instead of stopping at the checksum.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/resume.h"

static char in_path[64], out_path[64];

static void same(const char *a, const char *b)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct resume a, b;
	char err[RESUME_ERRMAX] = "";
	FILE *f;
	size_t i;

	if (!in_path[0]) {
		snprintf(in_path, sizeof(in_path), "/tmp/fuzz-resume-in.%ld", (long)getpid());
		snprintf(out_path, sizeof(out_path), "/tmp/fuzz-resume-out.%ld", (long)getpid());
	}
	if (!(f = fopen(in_path, "w")))
		abort();
	if (size > 0 && !(data[0] & 1)) {
		uint64_t h = UINT64_C(0xcbf29ce484222325);

		for (i = 1; i < size; i++) {
			h ^= data[i];
			h *= UINT64_C(0x100000001b3);
		}
		fwrite(data + 1, 1, size - 1, f);
		fprintf(f, "checksum %016llx\n", (unsigned long long)h);
	} else {
		fwrite(data, 1, size, f);
	}
	fclose(f);
	if (resume_read(in_path, &a, err) != 0) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	if (resume_write(out_path, &a, err) != 0 || resume_read(out_path, &b, err) != 0)
		abort();
	if (a.position != b.position || a.end != b.end || a.seed != b.seed ||
	    a.random != b.random || a.json != b.json || a.done != b.done ||
	    a.ntargets != b.ntargets || a.ninputs != b.ninputs ||
	    a.nexcludes != b.nexcludes || a.nexclude_files != b.nexclude_files ||
	    memcmp(a.verdicts, b.verdicts, sizeof(a.verdicts)) != 0)
		abort();
	same(a.shard, b.shard);
	same(a.ports, b.ports);
	same(a.output, b.output);
	for (i = 0; i < a.ntargets; i++)
		same(a.targets[i], b.targets[i]);
	for (i = 0; i < a.ninputs; i++) {
		same(a.inputs[i].path, b.inputs[i].path);
		if (a.inputs[i].hash != b.inputs[i].hash)
			abort();
	}
	resume_free(&a);
	resume_free(&b);
	return 0;
}
