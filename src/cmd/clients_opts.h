/*
 * heartcheck clients' options: the command line parsed into a struct
 * clients_cmd, with every message, hint and exit code of a refusal.
 */
#ifndef HEARTCHECK_CMD_CLIENTS_OPTS_H
#define HEARTCHECK_CMD_CLIENTS_OPTS_H

#include <stdio.h>

#include "net/listen.h"
#include "report/sink.h"

#define DEFAULT_LISTEN "127.0.0.1:4433"
#define DEFAULT_TIMEOUT_MS 10000

struct clients_cmd {
	struct listen_opts lo; /* the listener's options */
	const char *listen_at; /* --listen as given */
	const char *cmd_name; /* argv[0] of the command, or NULL */
	const struct sink_ops *format; /* -j, --format; text by default */
	int color, quiet;
};

/* Parses argv (argv[0] is "clients") into *c.  Returns -1 to go on, or
 * the exit code to end with, after the help text or the refusal has been
 * printed. */
int clients_opts_parse(struct clients_cmd *c, int argc, char **argv);

#endif
