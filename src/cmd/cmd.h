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
int cmd_diff(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Parses --color WHEN: auto (-1), always (1), never (0).  Returns 0, or
 * -1 after saying on stderr what it takes. */
int cmd_parse_color(const char *arg, int *color);

/* After getopt_long (with opterr = 0) returned '?': names the option it
 * did not take on stderr, escaped, with a hint. */
void cmd_getopt_error(const char *cmd, int argc, char **argv);

/* Parses a whole number in [lo, hi]; returns 0 or -1. */
int cmd_parse_uint(const char *s, unsigned long lo, unsigned long hi,
    unsigned long *out);

#endif
