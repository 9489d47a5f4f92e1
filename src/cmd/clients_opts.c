/*
 * heartcheck clients' options (cmd/clients_opts.h).
 */
#include "cmd/clients_opts.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <string.h>
#include <uv.h>

#include "cmd/cmd.h"
#include "probe/srvpreamble.h"
#include "report/out.h"

static void clients_usage(FILE *f)
{
	fprintf(f,
	    "usage: heartcheck clients [OPTIONS]\n"
	    "       heartcheck clients [OPTIONS] -- COMMAND [ARG...]\n"
	    "\n"
	    "Test TLS clients for Heartbleed (CVE-2014-0160).  heartcheck "
	    "plays a TLS\n"
	    "server: it answers the client's hello and sends a valid heartbeat "
	    "and an\n"
	    "over-length one before its certificate.  A vulnerable client "
	    "echoes the\n"
	    "over-length one with our own stale bytes: proof, with none of the "
	    "client's\n"
	    "memory disclosed.  The handshake never completes.\n"
	    "\n"
	    "Without a command it listens and reports on every client that "
	    "connects.\n"
	    "With one, it listens on a free loopback port, runs COMMAND with "
	    "every {}\n"
	    "in its arguments replaced by 127.0.0.1:PORT, {host} by 127.0.0.1 "
	    "and\n"
	    "{port} by PORT (no shell), reports on that client, and runs it "
	    "again\n"
	    "when a client that gives up on the first heartbeat needs another\n"
	    "strategy.  Examples:\n"
	    "  heartcheck clients -- curl -k https://{}/\n"
	    "  heartcheck clients --starttls imap -- curl -k --ssl-reqd "
	    "imap://{}/\n"
	    "  heartcheck clients --udp -- gnutls-cli --udp --insecure -p "
	    "{port} {host}\n"
	    "\n"
	    "Options:\n"
	    "  -l, --listen ADDR:PORT   where to listen (default %s);\n"
	    "                           [IPv6]:PORT, or :PORT for every IPv4 "
	    "address\n"
	    "  -n, --count N            stop after N results (default: until "
	    "Ctrl-C)\n"
	    "  -t, --timeout MS         budget per client connection; with a "
	    "command,\n"
	    "                           for the whole test (default %d)\n"
	    "      --strategy S         first strategy: flight (default), "
	    "large, valid\n"
	    "      --starttls PROTO     play the server side of PROTO's "
	    "plaintext part\n"
	    "                           first (smtp, imap, pop3, ftp), until "
	    "the client\n"
	    "                           asks for TLS\n"
	    "      --udp                DTLS clients over UDP (not with "
	    "--starttls)\n"
	    "      --cookie             with --udp: a HelloVerifyRequest "
	    "first\n"
	    "  -j, --json               JSON Lines on stdout "
	    "(docs/json-schema.md)\n"
	    "      --format NAME        text (default), json, csv "
	    "(docs/formats.md)\n"
	    "  -q, --quiet              text: print only vulnerable and "
	    "untested results\n"
	    "      --color WHEN         auto (default), always, never\n"
	    "      --trace              log every engine state change to "
	    "stderr\n"
	    "  -h, --help               this text\n"
	    "\n"
	    "Exit status: 0 nothing vulnerable, 1 a vulnerable client, 2 usage "
	    "error\n"
	    "(or the command cannot be run), 3 some client could not be tested "
	    "(and\n"
	    "none vulnerable), 4 the results could not be written.\n",
	    DEFAULT_LISTEN, DEFAULT_TIMEOUT_MS);
}

/* "IP:PORT", "[IPv6]:PORT" or ":PORT". */
static int parse_listen(const char *s, struct sockaddr_storage *a)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *h = s;
	unsigned long port;
	size_t hl;

	memset(a, 0, sizeof(*a));
	if (s[0] == '[') {
		const char *e = strchr(s, ']');

		if (!e || e[1] != ':')
			return -1;
		h = s + 1;
		hl = (size_t)(e - h);
		colon = e + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - s);
	}
	if (hl >= sizeof(host) ||
	    cmd_parse_uint(colon + 1, 0, 65535, &port) != 0)
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (hl == 0)
		snprintf(host, sizeof(host), "0.0.0.0");
	if (uv_ip4_addr(host, (int)port, (struct sockaddr_in *)a) == 0 &&
	    s[0] != '[')
		return 0;
	if (uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)a) == 0)
		return 0;
	return -1;
}

/* The options that take a whole number, and what a bad one is told. */
static const struct cmd_num_opt num_opts[] = {
	{ 'n', 1, 100000000, "--count takes a number from 1 to 100000000" },
	{ 't', 1, 3600000, "--timeout takes milliseconds, 1 to 3600000" },
};

int clients_opts_parse(struct clients_cmd *c, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "strategy", required_argument, NULL, 'S' },
		{ "starttls", required_argument, NULL, 's' },
		{ "udp", no_argument, NULL, 'u' },
		{ "cookie", no_argument, NULL, 'K' },
		{ "json", no_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "color", required_argument, NULL, 'C' },
		{ "trace", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int ch;

	memset(c, 0, sizeof(*c));
	c->lo.timeout_ms = DEFAULT_TIMEOUT_MS;
	c->listen_at = DEFAULT_LISTEN;
	c->color = -1;
	c->format = &sink_text_ops;
	optind = 1;
	opterr = 0;
	/* "+": the command's own options are not ours. */
	while (
	    (ch = getopt_long(argc, argv, "+l:n:t:jqh", lopts, NULL)) != -1) {
		if (cmd_num_arg(num_opts,
			sizeof(num_opts) / sizeof(num_opts[0]), ch, optarg,
			&v) != 0)
			return EXIT_USAGE;
		switch (ch) {
		case 'l':
			c->listen_at = optarg;
			break;
		case 'n':
			c->lo.count = (unsigned)v;
			break;
		case 't':
			c->lo.timeout_ms = (unsigned)v;
			break;
		case 'S':
			if (client_strategy_parse(optarg,
				&c->lo.first_strategy) != 0) {
				fprintf(stderr,
				    "heartcheck: --strategy takes "
				    "flight, large or valid\n");
				return EXIT_USAGE;
			}
			break;
		case 's':
			c->lo.starttls = srv_preamble_find(optarg);
			if (!c->lo.starttls) {
				char names[64];

				srv_preamble_names(names, sizeof(names));
				fprintf(stderr,
				    "heartcheck: --starttls takes one of: "
				    "%s\n",
				    names);
				return EXIT_USAGE;
			}
			break;
		case 'u':
			c->lo.udp = 1;
			break;
		case 'K':
			c->lo.dtls_cookie = 1;
			break;
		case 'j':
			c->format = &sink_json_ops;
			break;
		case 'F':
			if (!(c->format = cmd_parse_format(optarg, "clients",
				  SINK_CLIENTS)))
				return EXIT_USAGE;
			break;
		case 'q':
			c->quiet = 1;
			break;
		case 'C':
			if (cmd_parse_color(optarg, &c->color) != 0)
				return EXIT_USAGE;
			break;
		case 'T':
			c->lo.trace = 1;
			break;
		case 'h':
			clients_usage(stdout);
			return EXIT_CLEAN;
		default:
			cmd_getopt_error("clients", argc, argv);
			return EXIT_USAGE;
		}
	}
	if (c->lo.udp && c->lo.starttls) {
		fprintf(stderr,
		    "heartcheck: --udp and --starttls cannot go together: "
		    "there is no STARTTLS over DTLS\n[hint] heartcheck "
		    "clients --udp -- gnutls-cli --udp --insecure -p {port} "
		    "{host}\n");
		return EXIT_USAGE;
	}
	if (c->lo.dtls_cookie && !c->lo.udp) {
		fprintf(stderr, "heartcheck: --cookie needs --udp\n");
		return EXIT_USAGE;
	}
	if (optind < argc) {
		c->lo.cmd = argv + optind;
		c->cmd_name = argv[optind];
		c->lo.count = 1;
	} else if (parse_listen(c->listen_at, &c->lo.addr) != 0) {
		fprintf(stderr,
		    "heartcheck: --listen: \"%s\" is not "
		    "ADDR:PORT\n[hint] --listen 127.0.0.1:4433, "
		    "--listen [::1]:4433 or --listen :4433\n",
		    out_esc(c->listen_at));
		return EXIT_USAGE;
	}
	return -1;
}
