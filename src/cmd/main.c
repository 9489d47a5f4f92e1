/*
 * heartcheck: find Heartbleed on the network and on this host.
 * Argument dispatch only; the work is in the subcommands.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "local/libtest.h"
#include "report/out.h"

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: heartcheck [COMMAND] [OPTIONS]\n"
	    "\n"
	    "Commands:\n"
	    "  local            audit this host: OpenSSL libraries on disk, processes\n"
	    "                   to restart, listening services, packages (default)\n"
	    "  scan TARGET...   probe TLS servers for Heartbleed without making them\n"
	    "                   disclose memory\n"
	    "  diff OLD NEW     compare two runs' JSON Lines: fixed, still vulnerable, ...\n"
	    "  report FILE...   one self-contained HTML report of JSON Lines results\n"
	    "  help             this text; `heartcheck COMMAND --help` for a command\n"
	    "  version          print the version\n"
	    "\n"
	    "Exit status: 0 nothing vulnerable, 1 vulnerable found, 2 usage error,\n"
	    "3 some targets could not be tested, 4 the output could not be written\n"
	    "(standard output full or closed).  See heartcheck(1).\n");
}

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
	const char *arg = optind > 0 && optind - 1 < argc ? argv[optind - 1] :
	    "";

	/* getopt's own message would echo the argument raw. */
	fprintf(stderr, "heartcheck %s: unknown option, or an option "
	    "without its value: \"%s\"\n[hint] heartcheck %s --help\n", cmd,
	    out_esc(arg), cmd);
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
		fprintf(stderr, "heartcheck: --color takes auto, always or "
		    "never\n");
		return -1;
	}
	return 0;
}

/* What went to stdout directly (help, version) must have arrived too. */
static int checked(int ret)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		out_write_error(errno ? errno : EIO);
		return EXIT_OUTPUT;
	}
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "local";

	/* The sandboxed library host is entered before anything else runs. */
	if (argc > 1 && strcmp(argv[1], "__libhost") == 0)
		return libhost_main(argc - 1, argv + 1);
	/* A peer that resets while we write must cost a result, not the
	 * process. */
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			return checked(EXIT_CLEAN);
		}
		if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
			printf("heartcheck %s\n", HEARTCHECK_VERSION);
			return checked(EXIT_CLEAN);
		}
		/* Options without a command belong to the default command. */
		return checked(cmd_local(argc, argv));
	}
	if (!strcmp(cmd, "scan"))
		return checked(cmd_scan(argc - 1, argv + 1));
	if (!strcmp(cmd, "diff"))
		return checked(cmd_diff(argc - 1, argv + 1));
	if (!strcmp(cmd, "report"))
		return checked(cmd_report(argc - 1, argv + 1));
	if (!strcmp(cmd, "local"))
		return checked(cmd_local(argc > 1 ? argc - 1 : 1,
		    argc > 1 ? argv + 1 : argv));
	if (!strcmp(cmd, "help")) {
		usage(stdout);
		return checked(EXIT_CLEAN);
	}
	if (!strcmp(cmd, "version")) {
		printf("heartcheck %s\n", HEARTCHECK_VERSION);
		return checked(EXIT_CLEAN);
	}
	fprintf(stderr, "heartcheck: unknown command \"%s\"\n"
	    "[hint] heartcheck scan HOST[:PORT]   or   heartcheck --help\n",
	    out_esc(cmd));
	return checked(EXIT_USAGE);
}
