/*
 * Subcommands.  Each takes the arguments after its own name (argv[0] is
 * the command name) and returns the process exit code:
 *   0 nothing vulnerable, 1 vulnerable found, 2 usage, 3 untestable,
 *   4 the output could not be written (standard output full or closed).
 */
#ifndef HEARTCHECK_CMD_CMD_H
#define HEARTCHECK_CMD_CMD_H

enum {
	EXIT_CLEAN = 0,
	EXIT_VULNERABLE = 1,
	EXIT_USAGE = 2,
	EXIT_UNTESTED = 3,
	EXIT_OUTPUT = 4,
};

int cmd_scan(int argc, char **argv);
int cmd_local(int argc, char **argv);
int cmd_clients(int argc, char **argv);

/* The argument helpers, which every command uses. */
#include "cmd/args.h"

#endif
