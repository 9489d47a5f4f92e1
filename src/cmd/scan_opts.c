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
#include "local/safeopen.h"
#include "probe/ovpn_auth.h"
#include "probe/preamble.h"
#include "report/out.h"
#include "tls/tls.h"

void scan_usage(FILE *f)
{
	fprintf(f,
	    "usage: heartcheck scan [OPTIONS] TARGET...\n"
	    "\n"
	    "Probe TLS servers for Heartbleed (CVE-2014-0160).  The probe "
	    "proves an\n"
	    "over-read with the server's own stale copy of our bytes, so a "
	    "vulnerable\n"
	    "server discloses none of its memory, and every TLS stack answers "
	    "at once.\n"
	    "\n"
	    "Targets: host, host:port, 192.0.2.1, [2001:db8::1]:443, "
	    "192.0.2.0/24,\n"
	    "192.0.2.1-20, 192.0.2.1-192.0.2.9.  A host name is probed on "
	    "every address\n"
	    "it resolves to, with SNI.\n"
	    "\n"
	    "Options:\n"
	    "  -p, --ports LIST         ports for targets without one (default "
	    "443),\n"
	    "                           e.g. 443,8443,9000-9010\n"
	    "  -iL, --input FILE        read targets from FILE, one per line "
	    "(- = stdin)\n"
	    "      --shard K/N          scan only shard K of N (deterministic, "
	    "disjoint)\n"
	    "      --exclude LIST       never probe these (target syntax, "
	    "comma-separated;\n"
	    "                           may be repeated)\n"
	    "      --exclude-file FILE  never probe the targets listed in "
	    "FILE\n"
	    "      --include-reserved   scan 0.0.0.0/8, 224.0.0.0/4, "
	    "240.0.0.0/4 and\n"
	    "                           ff00::/8 too (refused by default)\n"
	    "      --random             visit the endpoints in a pseudo-random "
	    "order\n"
	    "      --seed N             the order's seed (implies --random)\n"
	    "  -o, --output FILE        write results to FILE (a resumed scan "
	    "appends)\n"
	    "      --resume-file FILE   on SIGINT or SIGTERM, finish the "
	    "probes in flight\n"
	    "                           and write where the scan stopped to "
	    "FILE\n"
	    "      --resume FILE        continue the scan stopped in FILE\n"
	    "      --status-file FILE   rewrite FILE with the progress in JSON "
	    "every 2 s\n"
	    "  -c, --concurrency N      probes in flight at once (default %d)\n"
	    "  -t, --timeout MS         budget per endpoint, all connections "
	    "(default %d)\n"
	    "      --rate N             start at most N probes per second\n"
	    "      --max-version V      first version offered: tls1.2 "
	    "(default),\n"
	    "                           tls1.1, tls1.0, ssl3\n"
	    "      --no-sni             never send SNI\n"
	    "      --starttls PROTO     plaintext dialogue before TLS: auto "
	    "(default:\n"
	    "                           by well-known port), none, smtp, lmtp, "
	    "imap,\n"
	    "                           pop3, ftp, xmpp, xmpp-server, ldap, "
	    "postgres,\n"
	    "                           mysql, nntp, sieve, irc, telnet, rdp\n"
	    "      --xmpp-host NAME     XMPP stream to= (default: the target's "
	    "name)\n"
	    "      --udp, --dtls        probe DTLS over UDP instead of TLS "
	    "over TCP\n"
	    "      --openvpn            probe TLS inside OpenVPN's control "
	    "channel (UDP)\n"
	    "      --openvpn-tcp        the same over TCP\n"
	    "      --tls-auth FILE[:DIR]  OpenVPN: sign the control channel "
	    "with the\n"
	    "                           static key FILE, key direction DIR "
	    "(0 or 1;\n"
	    "                           a client usually takes 1)\n"
	    "      --tls-auth-digest MD  SHA1 (default), SHA256 or SHA512, "
	    "as the\n"
	    "                           server's auth directive\n"
	    "      --leak BYTES         EVIDENCE MODE: claim BYTES past the "
	    "payload as\n"
	    "                           the 2014 exploit did and hexdump what "
	    "comes back.\n"
	    "                           This makes a vulnerable server "
	    "disclose memory.\n"
	    "  -j, --json               JSON Lines on stdout "
	    "(docs/json-schema.md)\n"
	    "  -q, --quiet              text: print only vulnerable and "
	    "untested results\n"
	    "      --color WHEN         auto (default), always, never\n"
	    "      --trace              log every probe state change to "
	    "stderr\n"
	    "  -h, --help               this text\n"
	    "\n"
	    "Exit status: 0 nothing vulnerable, 1 vulnerable found, 2 usage "
	    "error,\n"
	    "3 some targets could not be tested (and none vulnerable), 4 the "
	    "results\n"
	    "could not be written (standard output full or closed; the scan "
	    "stops);\n"
	    "130 or 143 stopped by SIGINT or SIGTERM before the end.\n",
	    DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS);
}

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
	OPT_TLS_AUTH_DIGEST
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
		c->json = 1;
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

static const char tls_auth_hint[] =
    "--tls-auth FILE[:0|1] with an OpenVPN static key file, as made by "
    "openvpn --genkey secret FILE";

/* Reads --tls-auth's key file into c->tls_auth.  Returns -1, or the exit
 * code after the refusal has been said. */
static int load_tls_auth(struct scan_cmd *c)
{
	enum ovpn_keydir dir = OVPN_DIR_NONE;
	enum ovpn_digest md = OVPN_MD_SHA1;
	uint8_t key[OVPN_KEY_LEN], *buf = NULL;
	char *path = NULL, *colon, msg[300], why[160];
	struct stat st;
	size_t n = 0;
	int fd = -1, trunc = 0, r, ret = EXIT_USAGE;

	if (!c->so.openvpn)
		return scan_fail_usage("--tls-auth and --tls-auth-digest are "
				       "for OpenVPN's control channel",
		    "add --openvpn (UDP) or --openvpn-tcp");
	if (!c->tls_auth_arg)
		return scan_fail_usage("--tls-auth-digest without --tls-auth",
		    tls_auth_hint);
	if (c->tls_auth_digest && ovpn_digest_parse(c->tls_auth_digest, &md)) {
		snprintf(msg, sizeof(msg),
		    "--tls-auth-digest: \"%s\" is not one of SHA1, SHA256, "
		    "SHA512",
		    c->tls_auth_digest);
		return scan_fail_usage(msg, NULL);
	}
	if (!(path = strdup(c->tls_auth_arg)))
		return scan_fail_usage("out of memory", NULL);
	/* FILE:0 and FILE:1 name the direction; a colon followed by
	 * anything but digits is part of the file's name. */
	if ((colon = strrchr(path, ':')) && colon[1] &&
	    strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		if (strcmp(colon + 1, "0") && strcmp(colon + 1, "1")) {
			ret = scan_fail_usage("--tls-auth: the key direction "
					      "is 0 or 1",
			    tls_auth_hint);
			goto out;
		}
		dir = colon[1] == '0' ? OVPN_DIR_0 : OVPN_DIR_1;
		*colon = '\0';
	}
	if ((fd = safe_open_regular(AT_FDCWD, path, 0, &st)) < 0) {
		snprintf(msg, sizeof(msg), "--tls-auth %s: %s", path,
		    safe_open_why(errno, &st, why, sizeof(why)));
		ret = scan_fail_usage(msg, tls_auth_hint);
		goto out;
	}
	if (safe_read_fd(fd, OVPN_KEY_FILE_MAX, &buf, &n, &trunc) != 0) {
		snprintf(msg, sizeof(msg), "--tls-auth %s: %s", path,
		    strerror(errno));
		ret = scan_fail_usage(msg, NULL);
		goto out;
	}
	r = trunc ? -1 : ovpn_key_parse(buf, n, key, why, sizeof(why));
	if (trunc)
		snprintf(why, sizeof(why),
		    "larger than an OpenVPN static key "
		    "file");
	if (r != 0) {
		snprintf(msg, sizeof(msg), "--tls-auth %s: %s", path, why);
		ret = scan_fail_usage(msg, tls_auth_hint);
		goto out;
	}
	if (!(c->tls_auth = malloc(sizeof(*c->tls_auth)))) {
		ret = scan_fail_usage("out of memory", NULL);
		goto out;
	}
	ovpn_auth_init(c->tls_auth, key, dir, md);
	c->so.ovpn_auth = c->tls_auth;
	ret = -1;
out:
	explicit_bzero(key, sizeof(key));
	if (buf) {
		explicit_bzero(buf, n);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

void scan_cmd_free(struct scan_cmd *c)
{
	if (c->tls_auth) {
		ovpn_auth_wipe(c->tls_auth);
		free(c->tls_auth);
		c->tls_auth = NULL;
		c->so.ovpn_auth = NULL;
	}
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
	    (ch = load_tls_auth(c)) >= 0)
		return ch;
	return -1;
}
