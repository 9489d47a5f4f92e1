/*
 * Argument helpers shared by the subcommands.  See args.h.
 */
#include "cmd/args.h"
#include "report/out.h"
#include "report/sink.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_parse_uint(const char *s, unsigned long lo, unsigned long hi,
    unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

void cmd_getopt_error(const char *cmd, int argc, char **argv)
{
	const char *arg =
	    optind > 0 && optind - 1 < argc ? argv[optind - 1] : "";

	/* getopt's own message would echo the argument raw. */
	fprintf(stderr,
	    "heartcheck %s: unknown option, or an option "
	    "without its value: \"%s\"\n[hint] heartcheck %s --help\n",
	    cmd, out_esc(arg), cmd);
}

int cmd_parse_color(const char *arg, int *color)
{
	if (!strcmp(arg, "auto"))
		*color = -1;
	else if (!strcmp(arg, "always"))
		*color = 1;
	else if (!strcmp(arg, "never"))
		*color = 0;
	else {
		fprintf(stderr,
		    "heartcheck: --color takes auto, always or "
		    "never\n");
		return -1;
	}
	return 0;
}

int cmd_num_arg(const struct cmd_num_opt *t, size_t n, int ch, const char *arg,
    unsigned long *v)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i].ch != ch)
			continue;
		if (cmd_parse_uint(arg, t[i].lo, t[i].hi, v) == 0)
			return 0;
		fprintf(stderr, "heartcheck: %s\n", t[i].msg);
		return -1;
	}
	return 0;
}

const struct sink_ops *cmd_parse_format(const char *arg, const char *cmd,
    unsigned command)
{
	const struct sink_ops *ops = sink_find(arg);
	char names[200];

	if (ops && (ops->commands & command))
		return ops;
	sink_names(command, names, sizeof(names));
	fprintf(stderr, "heartcheck %s: --format: \"%s\" is not one of %s\n",
	    cmd, out_esc(arg), names);
	return NULL;
}
