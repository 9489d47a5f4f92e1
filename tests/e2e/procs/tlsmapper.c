/*
 * Test helper: dlopen()s the library named on the command line, writes
 * "ready" to stdout, then sleeps until killed (at most the given number
 * of seconds, so a forgotten helper cannot outlive the test run).
 *
 *   tlsmapper LIBRARY [SECONDS]
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	unsigned secs = 120;
	void *h;

	if (argc < 2) {
		fprintf(stderr, "usage: tlsmapper LIBRARY [SECONDS]\n");
		return 2;
	}
	if (argc > 2)
		secs = (unsigned)strtoul(argv[2], NULL, 10);
	/* RTLD_LAZY keeps constructors the only code that runs. */
	if ((h = dlopen(argv[1], RTLD_LAZY | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "tlsmapper: %s\n", dlerror());
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (secs > 0)
		secs = sleep(secs);
	return 0;
}
