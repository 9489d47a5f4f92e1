/*
 * Argument helpers shared by the subcommands: numbers, --color, and what to
 * say when getopt_long refused an option.
 */
#ifndef HEARTCHECK_CMD_ARGS_H
#define HEARTCHECK_CMD_ARGS_H

#include <stddef.h>

/* Parses --color WHEN: auto (-1), always (1), never (0).  Returns 0, or
 * -1 after saying on stderr what it takes. */
int cmd_parse_color(const char *arg, int *color);

struct sink_ops;

/* Parses --format NAME for the command cmd, which offers the sinks whose
 * commands have the bit command (SINK_*, report/sink.h).  Returns the sink,
 * or NULL after saying on stderr which names cmd takes. */
const struct sink_ops *cmd_parse_format(const char *arg, const char *cmd,
    unsigned command);

/* After getopt_long (with opterr = 0) returned '?': names the option it
 * did not take on stderr, escaped, with a hint. */
void cmd_getopt_error(const char *cmd, int argc, char **argv);

/* Parses a whole number in [lo, hi]; returns 0 or -1. */
int cmd_parse_uint(const char *s, unsigned long lo, unsigned long hi,
    unsigned long *out);

/* An option that takes a whole number in [lo, hi], and what a bad value
 * is told ("--rate takes ..."). */
struct cmd_num_opt {
	int ch; /* getopt_long's value for the option */
	unsigned long lo, hi;
	const char *msg;
};

/* When ch is in t (n entries), parses arg into *v, or says t's message on
 * stderr and returns -1; returns 0 otherwise. */
int cmd_num_arg(const struct cmd_num_opt *t, size_t n, int ch, const char *arg,
    unsigned long *v);

#endif
