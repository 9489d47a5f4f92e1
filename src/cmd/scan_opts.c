/*
 * heartcheck scan's options (cmd/scan_opts.h).
 */
#include "cmd/scan_opts.h"

#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "probe/preamble.h"
#include "report/out.h"
#include "tls/tls.h"

int scan_fail_usage(const char *msg, const char *hint)
{
	fprintf(stderr, "heartcheck: %s\n", out_esc(msg));
	if (hint)
		fprintf(stderr, "[hint] %s\n", hint);
	return EXIT_USAGE;
}

/* Long options without a short letter. */
enum {
	OPT_STARTTLS = 256,
	OPT_XMPP_HOST,
	OPT_UDP,
	OPT_OPENVPN,
	OPT_OPENVPN_TCP,
	OPT_TLS_AUTH,
	OPT_TLS_AUTH_DIGEST,
	OPT_FORMAT
};

void scan_cmd_init(struct scan_cmd *c, struct tgt_set *set)
{
	memset(c, 0, sizeof(*c));
	c->so.concurrency = DEFAULT_CONCURRENCY;
	c->so.timeout_ms = DEFAULT_TIMEOUT_MS;
	c->so.max_version = TLS_V_TLS12;
	c->so.starttls = "auto";
	c->set = set;
	c->color = -1;
}

static int parse_version(const char *s, uint16_t *v)
{
	static const struct {
		const char *name;
		uint16_t v;
	} t[] = { { "tls1.2", TLS_V_TLS12 }, { "tls1.1", TLS_V_TLS11 },
		{ "tls1.0", TLS_V_TLS10 }, { "tls1", TLS_V_TLS10 },
		{ "ssl3", TLS_V_SSL3 } };
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(s, t[i].name)) {
			*v = t[i].v;
			return 0;
		}
	return -1;
}

/* The options that take a whole number, and what a bad one is told. */
static const struct cmd_num_opt num_opts[] = {
	{ 'd', 0, ULONG_MAX, "--seed takes a whole number" },
	{ 'c', 1, 100000, "--concurrency takes a number from 1 to 100000" },
	{ 't', 1, 3600000, "--timeout takes milliseconds, 1 to 3600000" },
	{ 'r', 1, 10000000, "--rate takes probes per second, 1 to 10000000" },
	{ 'L', 1, 65535 - 32, "--leak takes a byte count from 1 to 65503" },
};

/* One option; 0, or -1 when refused (said) or out of memory. */
static int scan_opt(struct scan_cmd *c, int ch, unsigned long v)
{
	char err[TGT_ERRMAX];
	struct resume *rs = &c->rs;

	switch (ch) {
	case 'p':
		/* Checked now, for the message; kept as typed. */
		if (tgt_set_ports(c->set, optarg, err) != 0) {
			fprintf(stderr, "heartcheck: %s\n", out_esc(err));
			return -1;
		}
		free(rs->ports);
		if (!(rs->ports = strdup(optarg)))
			return -1;
		c->space |= SPACE_OPT;
		break;
	case 'i':
		if (resume_push_file(&rs->inputs, &rs->ninputs, optarg))
			return -1;
		c->space |= SPACE_TARGETS;
		break;
	case 'S':
		c->shard_n =
		    strtoul(strchr(optarg, '/') ? strchr(optarg, '/') + 1 : "1",
			NULL, 10);
		if (tgt_set_shard(c->set, optarg, err) != 0) {
			fprintf(stderr,
			    "heartcheck: %s\n[hint] --shard "
			    "K/N with 1 <= K <= N, e.g. --shard 2/8\n",
			    out_esc(err));
			return -1;
		}
		free(rs->shard);
		if (!(rs->shard = strdup(optarg)))
			return -1;
		c->space |= SPACE_OPT;
		break;
	case 'x':
		if (resume_push(&rs->excludes, &rs->nexcludes, optarg))
			return -1;
		c->space |= SPACE_OPT;
		break;
	case 'X':
		if (resume_push_file(&rs->exclude_files, &rs->nexclude_files,
			optarg))
			return -1;
		c->space |= SPACE_OPT;
		break;
	case 'R':
		rs->include_reserved = 1;
		c->space |= SPACE_OPT;
		break;
	case 'm':
		rs->random = 1;
		c->space |= SPACE_OPT;
		break;
	case 'd':
		rs->random = 1;
		rs->seed = v;
		c->have_seed = 1;
		c->space |= SPACE_OPT;
		break;
	case 'o':
		c->output = optarg;
		c->space |= SPACE_OPT;
		break;
	case 'w':
		c->resume_file = optarg;
		break;
	case 'e':
		c->resume_from = optarg;
		break;
	case 's':
		c->status_file = optarg;
		break;
	case 'c':
		c->so.concurrency = (unsigned)v;
		break;
	case 't':
		c->so.timeout_ms = (unsigned)v;
		break;
	case 'r':
		c->so.rate = (double)v;
		break;
	case 'V':
		if (parse_version(optarg, &c->so.max_version) != 0) {
			fprintf(stderr,
			    "heartcheck: --max-version: \"%s\" is "
			    "not one of tls1.2, tls1.1, tls1.0, ssl3\n",
			    out_esc(optarg));
			return -1;
		}
		break;
	case 'n':
		c->so.no_sni = 1;
		break;
	case OPT_STARTTLS:
		if (strcmp(optarg, "auto") && strcmp(optarg, "none") &&
		    !preamble_find(optarg)) {
			char names[200];

			preamble_names(names, sizeof(names));
			fprintf(stderr,
			    "heartcheck: --starttls: \"%s\" is not "
			    "one of auto, none, %s\n",
			    out_esc(optarg), names);
			return -1;
		}
		c->so.starttls = optarg;
		break;
	case OPT_XMPP_HOST:
		c->so.xmpp_host = optarg;
		break;
	case OPT_UDP:
		c->so.udp = 1;
		break;
	case OPT_OPENVPN:
		c->so.udp = c->so.openvpn = 1;
		break;
	case OPT_OPENVPN_TCP:
		c->so.udp = 1;
		c->so.openvpn = 2;
		break;
	case OPT_TLS_AUTH:
		c->tls_auth_arg = optarg;
		break;
	case OPT_TLS_AUTH_DIGEST:
		c->tls_auth_digest = optarg;
		break;
	case 'L':
		c->so.leak = (uint16_t)v;
		break;
	case 'j':
		c->format = &sink_json_ops;
		c->json = 1;
		c->space |= SPACE_OPT;
		break;
	case OPT_FORMAT:
		if (!(c->format = cmd_parse_format(optarg, "scan", SINK_SCAN)))
			return -1;
		c->json = c->format == &sink_json_ops;
		c->space |= SPACE_OPT;
		break;
	case 'q':
		c->quiet = 1;
		break;
	case 'C':
		return cmd_parse_color(optarg, &c->color);
	case 'T':
		c->so.trace = 1;
		break;
	}
	return 0;
}

int scan_opts_parse(struct scan_cmd *c, int argc, char **argv)
{
	/* One line per option; its letter is handled in scan_opt. */
	static const struct option lopts[] = {
		{ "ports", required_argument, NULL, 'p' },
		{ "input", required_argument, NULL, 'i' },
		{ "shard", required_argument, NULL, 'S' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'r' },
		{ "max-version", required_argument, NULL, 'V' },
		{ "no-sni", no_argument, NULL, 'n' },
		{ "starttls", required_argument, NULL, OPT_STARTTLS },
		{ "xmpp-host", required_argument, NULL, OPT_XMPP_HOST },
		{ "udp", no_argument, NULL, OPT_UDP },
		{ "dtls", no_argument, NULL, OPT_UDP },
		{ "openvpn", no_argument, NULL, OPT_OPENVPN },
		{ "openvpn-tcp", no_argument, NULL, OPT_OPENVPN_TCP },
		{ "tls-auth", required_argument, NULL, OPT_TLS_AUTH },
		{ "tls-auth-digest", required_argument, NULL,
		    OPT_TLS_AUTH_DIGEST },
		{ "leak", required_argument, NULL, 'L' },
		{ "json", no_argument, NULL, 'j' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "color", required_argument, NULL, 'C' },
		{ "trace", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "exclude-file", required_argument, NULL, 'X' },
		{ "include-reserved", no_argument, NULL, 'R' },
		{ "random", no_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 'd' },
		{ "resume-file", required_argument, NULL, 'w' },
		{ "resume", required_argument, NULL, 'e' },
		{ "status-file", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v = 0;
	int i, ch;

	/* nmap users type -iL; getopt cannot spell it, so rewrite it. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-iL"))
			argv[i] = (char *)"--input";
	}
	optind = 1;
	opterr = 0;
	while (
	    (ch = getopt_long(argc, argv, "p:c:t:jqho:", lopts, NULL)) != -1) {
		if (ch == 'h') {
			scan_usage(stdout);
			return EXIT_CLEAN;
		}
		if (ch == '?' || ch == ':') {
			cmd_getopt_error("scan", argc, argv);
			return EXIT_USAGE;
		}
		if (cmd_num_arg(num_opts,
			sizeof(num_opts) / sizeof(num_opts[0]), ch, optarg,
			&v) != 0 ||
		    scan_opt(c, ch, v) != 0)
			return EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		if (resume_push(&c->rs.targets, &c->rs.ntargets, argv[i]))
			return EXIT_USAGE;
		c->space |= SPACE_TARGETS;
	}
	if ((c->tls_auth_arg || c->tls_auth_digest) &&
	    (ch = scan_tls_auth_load(c)) >= 0)
		return ch;
	return -1;
}
