/*
 * heartcheck: find Heartbleed on the network and on this host.
 * Argument dispatch only; the work is in the subcommands, one line each in
 * cmd_table.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "local/libtest.h"
#include "report/out.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

/* The commands, in the order the usage text lists them; the first is the
 * default.  The summary's lines after the first are indented to match. */
static const struct cmd_entry {
	const char *name; /* as typed */
	const char *usage; /* the name with its arguments, for usage */
	const char *summary;
	int (*run)(int argc, char **argv);
} cmd_table[] = {
	{ "local", "local",
	    "audit this host: OpenSSL libraries on disk, "
	    "processes\nto restart, listening services, packages (default)",
	    cmd_local },
	{ "scan", "scan TARGET...",
	    "probe TLS servers for Heartbleed without "
	    "making them\ndisclose memory",
	    cmd_scan },
	{ "clients", "clients",
	    "test the TLS clients that connect to "
	    "heartcheck",
	    cmd_clients },
	{ "diff", "diff OLD NEW",
	    "compare two runs' JSON Lines: fixed, still "
	    "vulnerable, ...",
	    cmd_diff },
	{ "report", "report FILE...",
	    "one self-contained HTML report of JSON "
	    "Lines results",
	    cmd_report },
	{ "help", "help",
	    "this text; `heartcheck COMMAND --help` for a "
	    "command",
	    cmd_help },
	{ "version", "version", "print the version", cmd_version },
};
#define NCMDS (sizeof(cmd_table) / sizeof(cmd_table[0]))

static void usage(FILE *f)
{
	size_t i;
	const char *s, *nl;

	fprintf(f, "usage: heartcheck [COMMAND] [OPTIONS]\n\nCommands:\n");
	for (i = 0; i < NCMDS; i++) {
		fprintf(f, "  %-16s ", cmd_table[i].usage);
		for (s = cmd_table[i].summary; (nl = strchr(s, '\n'));
		     s = nl + 1)
			fprintf(f, "%.*s\n%19s", (int)(nl - s), s, "");
		fprintf(f, "%s\n", s);
	}
	fprintf(f,
	    "\n"
	    "Exit status: 0 nothing vulnerable, 1 vulnerable found, 2 usage "
	    "error,\n"
	    "3 some targets could not be tested, 4 the output could not be "
	    "written\n"
	    "(standard output full or closed).  See heartcheck(1).\n");
}

static int cmd_help(int argc, char **argv)
{
	usage(stdout);
	return EXIT_CLEAN;
}

static int cmd_version(int argc, char **argv)
{
	printf("heartcheck %s\n", HEARTCHECK_VERSION);
	return EXIT_CLEAN;
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
	size_t i;

	/* The sandboxed library host is entered before anything else runs. */
	if (argc > 1 && strcmp(argv[1], "__libhost") == 0)
		return libhost_main(argc - 1, argv + 1);
	/* A peer that resets while we write must cost a result, not the
	 * process. */
	signal(SIGPIPE, SIG_IGN);
	/* No command: the default one sees every argument (argv[0] stands
	 * for its name). */
	if (argc < 2)
		return checked(cmd_table[0].run(argc, argv));
	if (argv[1][0] == '-') {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
			return checked(cmd_help(argc, argv));
		if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))
			return checked(cmd_version(argc, argv));
		/* Options without a command belong to the default command. */
		return checked(cmd_table[0].run(argc, argv));
	}
	for (i = 0; i < NCMDS; i++)
		if (!strcmp(argv[1], cmd_table[i].name))
			return checked(cmd_table[i].run(argc - 1, argv + 1));
	fprintf(stderr,
	    "heartcheck: unknown command \"%s\"\n"
	    "[hint] heartcheck scan HOST[:PORT]   or   heartcheck --help\n",
	    out_esc(argv[1]));
	return checked(EXIT_USAGE);
}
