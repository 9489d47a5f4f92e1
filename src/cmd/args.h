/*
 * Argument helpers shared by the subcommands: numbers, --color, and what to
 * say when getopt_long refused an option.
 */
#ifndef HEARTCHECK_CMD_ARGS_H
#define HEARTCHECK_CMD_ARGS_H

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
