/*
 * heartcheck local: the host audit.  Wiring only: options, the choice of
 * sink and the exit code.  The audit itself is local/audit.c, the formats
 * are report/sink_*.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "local/audit.h"
#include "report/err.h"
#include "report/out.h"
#include "report/sink.h"

#define DEFAULT_LIB_TIMEOUT_MS 5000
/* The whole audit's deadline, in seconds: check_nrpe gives a check 10 s. */
#define DEFAULT_DEADLINE_S 600
#define DEFAULT_NAGIOS_DEADLINE_S 9

static void local_usage(FILE *f)
{
	fprintf(f,
	    "usage: heartcheck [local] [OPTIONS]\n"
	    "\n"
	    "Audit this host for Heartbleed: test every OpenSSL library on "
	    "disk and in\n"
	    "memory by running its own code in a sandbox, name every process "
	    "and\n"
	    "service that must be restarted, probe the listening TCP services "
	    "over\n"
	    "loopback, and check installed packages against the "
	    "distributions'\n"
	    "advisories.  Run as root to see every process and mapped image.\n"
	    "\n"
	    "Options:\n"
	    "  -j, --json           JSON Lines on stdout "
	    "(docs/json-schema.md)\n"
	    "      --nagios         one Nagios plugin status line with "
	    "perfdata\n"
	    "      --openmetrics    metrics for node_exporter's textfile "
	    "collector\n"
	    "      --format NAME    text (default), json, nagios, "
	    "openmetrics,\n"
	    "                       nmap-xml (the listeners), csv "
	    "(docs/formats.md)\n"
	    "      --no-libtest     do not load libraries (version strings "
	    "only)\n"
	    "      --no-listeners   do not probe listening services\n"
	    "      --no-packages    do not read the package database\n"
	    "      --no-processes   do not read process maps\n"
	    "      --timeout MS     deadline per library test, and for all "
	    "listener\n"
	    "                       probes together (default %d)\n"
	    "      --deadline S     the whole audit ends within S seconds "
	    "(default\n"
	    "                       %d, with --nagios %d); what it could not "
	    "finish\n"
	    "                       is reported as not finished\n"
	    "  -q, --quiet          text: findings only\n"
	    "      --color WHEN     auto (default), always, never\n"
	    "  -h, --help           this text\n"
	    "\n"
	    "Exit status: 0 nothing vulnerable and nothing to restart, 1 "
	    "something\n"
	    "vulnerable or a process to restart, 2 usage error, 3 some things "
	    "could\n"
	    "not be tested, 4 the report could not be written (standard output "
	    "full\n"
	    "or closed).  With --nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 "
	    "UNKNOWN (also\n"
	    "when the status line could not be written).\n",
	    DEFAULT_LIB_TIMEOUT_MS, DEFAULT_DEADLINE_S,
	    DEFAULT_NAGIOS_DEADLINE_S);
}

int cmd_local(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "nagios", no_argument, NULL, 'N' },
		{ "openmetrics", no_argument, NULL, 'M' },
		{ "format", required_argument, NULL, 'F' },
		{ "no-libtest", no_argument, NULL, 'L' },
		{ "no-listeners", no_argument, NULL, 'l' },
		{ "no-packages", no_argument, NULL, 'P' },
		{ "no-processes", no_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "deadline", required_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "color", required_argument, NULL, 'C' },
		{ "root", required_argument, NULL, 'R' },
		{ "proc", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct audit_opts o;
	struct res_local_summary sum;
	struct out out;
	struct sink sink;
	const struct sink_ops *format = &sink_text_ops;
	unsigned long v;
	int ch, ret = EXIT_USAGE, modes = 0, out_inited = 0, sink_opened = 0;
	int e, nagios = 0, quiet = 0, color = -1;

	memset(&o, 0, sizeof(o));
	o.timeout_ms = DEFAULT_LIB_TIMEOUT_MS;
	o.root = "/";
	o.procroot = "/proc";
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "jqht:", lopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			format = &sink_json_ops;
			modes++;
			break;
		case 'N':
			format = &sink_nagios_ops;
			modes++;
			break;
		case 'M':
			format = &sink_openmetrics_ops;
			modes++;
			break;
		case 'F':
			if (!(format = cmd_parse_format(optarg, "local",
				  SINK_LOCAL)))
				goto out;
			modes++;
			break;
		case 'L':
			o.no_libtest = 1;
			break;
		case 'l':
			o.no_listeners = 1;
			break;
		case 'P':
			o.no_packages = 1;
			break;
		case 'p':
			o.no_processes = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'R':
			o.root = optarg;
			break;
		case 'X':
			o.procroot = optarg;
			break;
		case 't':
			if (cmd_parse_uint(optarg, 100, 600000, &v) != 0) {
				fprintf(stderr,
				    "heartcheck: --timeout takes "
				    "milliseconds, 100 to 600000\n");
				goto out;
			}
			o.timeout_ms = (unsigned)v;
			break;
		case 'D':
			if (cmd_parse_uint(optarg, 1, 86400, &v) != 0) {
				fprintf(stderr,
				    "heartcheck: --deadline takes "
				    "seconds, 1 to 86400\n");
				goto out;
			}
			o.deadline_s = (unsigned)v;
			break;
		case 'C':
			if (cmd_parse_color(optarg, &color) != 0)
				goto out;
			break;
		case 'h':
			local_usage(stdout);
			ret = EXIT_CLEAN;
			goto out;
		default:
			cmd_getopt_error("local", argc, argv);
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
		    "heartcheck local: unexpected argument \"%s\"\n"
		    "[hint] to probe servers: heartcheck scan %s\n",
		    out_esc(argv[optind]), out_esc(argv[optind]));
		goto out;
	}
	if (modes > 1) {
		fprintf(stderr,
		    "heartcheck local: choose one of --json, "
		    "--nagios, --openmetrics, --format\n");
		goto out;
	}
	nagios = format == &sink_nagios_ops;
	if (!o.deadline_s)
		o.deadline_s =
		    nagios ? DEFAULT_NAGIOS_DEADLINE_S : DEFAULT_DEADLINE_S;
	out_init(&out, stdout, format != &sink_text_ops, color);
	out_inited = 1;
	ret = nagios ? 3 : EXIT_UNTESTED;
	if ((e = sink_open(&sink, format, &out, quiet)) != 0)
		goto fail;
	sink_opened = 1;
	if ((e = audit_run(&o, &sink, &sum)) != 0)
		goto fail;
	ret = audit_exit_code(&sum, nagios);
	goto out;
fail:
	fprintf(stderr, "heartcheck: %s\n", hc_strerror(e));
out:
	if (sink_opened)
		sink_close(&sink);
	/* Every byte must reach the reader: a failed write has its own exit
	 * code (UNKNOWN for a Nagios check), whatever was found, so that no
	 * empty or cut report is taken for a result. */
	if (out_inited && (e = out_close(&out)) != 0) {
		out_write_error(e);
		ret = nagios ? 3 : EXIT_OUTPUT;
	}
	return ret;
}
