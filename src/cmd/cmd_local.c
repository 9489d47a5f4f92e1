/*
 * heartcheck local: the host audit.
 */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_local(int argc, char **argv)
{
	fprintf(stderr, "heartcheck local: not available in this build\n");
	return EXIT_UNTESTED;
}
