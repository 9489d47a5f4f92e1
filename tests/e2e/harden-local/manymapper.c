/*
 * Test helper: dlopen()s every library named on the command line, in
 * order, writes "ready" to stdout, then sleeps until killed (at most 120 s).
 *
 *   manymapper LIBRARY...
 */
#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned secs = 120;
	int i;

	for (i = 1; i < argc; i++)
		if (dlopen(argv[i], RTLD_LAZY | RTLD_LOCAL) == NULL) {
			fprintf(stderr, "manymapper: %s\n", dlerror());
			return 1;
		}
	printf("ready\n");
	fflush(stdout);
	while (secs > 0)
		secs = sleep(secs);
	return 0;
}
