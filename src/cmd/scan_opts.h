/*
 * heartcheck scan's options: the command line parsed into a struct
 * scan_cmd, with every message, hint and exit code of a refusal.
 */
#ifndef HEARTCHECK_CMD_SCAN_OPTS_H
#define HEARTCHECK_CMD_SCAN_OPTS_H

#include <stdio.h>

#include "net/resume.h"
#include "net/scan.h"
#include "net/targets.h"
#include "report/sink.h"

#define DEFAULT_CONCURRENCY 1000
#define DEFAULT_TIMEOUT_MS 5000

/* Options that define the scan's endpoints and output: with --resume they
 * come from the resume file, and may not be given again (scan_cmd.space). */
enum { SPACE_TARGETS = 1, SPACE_OPT = 2 };

struct scan_cmd {
	struct scan_opts so; /* the driver's options */
	/* The scan's description (targets, ports, exclusions, shard, order,
	 * output format), as a resume file keeps it. */
	struct resume rs;
	/* --ports and --shard are checked against it as they are read. */
	struct tgt_set *set;
	const char *resume_from; /* --resume FILE, or NULL */
	const char *resume_file; /* --resume-file FILE, or NULL */
	const char *output; /* -o FILE, or NULL */
	const char *status_file; /* --status-file FILE, or NULL */
	unsigned long shard_n; /* N of --shard K/N, or 0 */
	const struct sink_ops *format; /* --format, or NULL: text or json */
	int json, color, quiet, have_seed;
	/* --tls-auth FILE[:DIR] and --tls-auth-digest: the key is read at
	 * the end of the parse into tls_auth (so.ovpn_auth points to it),
	 * wiped and freed by scan_cmd_free(). */
	const char *tls_auth_arg;
	const char *tls_auth_digest;
	struct ovpn_auth *tls_auth;
	int space; /* SPACE_* given */
};

/* Sets the defaults; set is the caller's. */
void scan_cmd_init(struct scan_cmd *c, struct tgt_set *set);

/* Parses argv (argv[0] is "scan"; "-iL" is rewritten in place).  Returns
 * -1 to go on and scan, or the exit code to end with, after the help text
 * or the refusal has been printed. */
int scan_opts_parse(struct scan_cmd *c, int argc, char **argv);

/* Reads --tls-auth's key file into c->tls_auth, for every OpenVPN
 * endpoint (--openvpn, --openvpn-tcp, openvpn://, openvpn+tcp://).
 * Returns -1, or the exit code after the refusal has been said
 * (cmd/scan_tlsauth.c). */
int scan_tls_auth_load(struct scan_cmd *c);

/* Frees what the parse allocated outside c->rs and c->set: the tls-auth
 * key, wiped first. */
void scan_cmd_free(struct scan_cmd *c);

/* Writes "usage: heartcheck scan ..." to f (cmd/scan_usage.c). */
void scan_usage(FILE *f);

/* Says msg (escaped) and the hint, if any, on stderr; returns EXIT_USAGE. */
int scan_fail_usage(const char *msg, const char *hint);

#endif
