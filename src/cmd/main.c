/*
 * heartcheck: find Heartbleed on the network and on this host.
 * Argument dispatch only; the work is in the subcommands.
 */
#include <errno.h>
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
	    "  clients          test the TLS clients that connect to heartcheck\n"
	    "  help             this text; `heartcheck COMMAND --help` for a command\n"
	    "  version          print the version\n"
	    "\n"
	    "Exit status: 0 nothing vulnerable, 1 vulnerable found, 2 usage error,\n"
	    "3 some targets could not be tested, 4 the output could not be written\n"
	    "(standard output full or closed).  See heartcheck(1).\n");
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
	if (!strcmp(cmd, "clients"))
		return checked(cmd_clients(argc - 1, argv + 1));
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
