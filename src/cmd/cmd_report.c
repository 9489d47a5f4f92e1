/*
 * heartcheck report RESULTS.jsonl...: one self-contained HTML page of
 * results (report/html.c), to standard output or, atomically, to -o FILE.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "report/diff.h"
#include "report/err.h"
#include "report/html.h"
#include "report/out.h"

static void report_usage(FILE *f)
{
	fprintf(f,
	    "usage: heartcheck report RESULTS.jsonl... [OPTIONS]\n"
	    "\n"
	    "Write one self-contained HTML page (inline CSS and SVG, no "
	    "script, no\n"
	    "network fetch) from the JSON Lines of `heartcheck scan --json` "
	    "and\n"
	    "`heartcheck local --json` (\"-\" reads standard input): summary "
	    "counts\n"
	    "and a chart, the vulnerable things first with their proof, the "
	    "services\n"
	    "to restart, what was not tested and why, and the runs' "
	    "parameters.\n"
	    "\n"
	    "Options:\n"
	    "  -o, --output FILE    write FILE (through a temporary file and "
	    "a\n"
	    "                       rename, so it is never seen half written)\n"
	    "                       instead of standard output\n"
	    "  -t, --title TEXT     the page title (default \"Heartbleed "
	    "report\")\n"
	    "  -b, --before OLD     an earlier run's JSON Lines: add the "
	    "before/after\n"
	    "                       comparison of heartcheck diff\n"
	    "  -h, --help           this text\n"
	    "\n"
	    "Exit status: 0 written, 2 usage error or an input that cannot be\n"
	    "opened, 3 written but some input lines could not be read, 4 the "
	    "report\n"
	    "could not be written.\n");
}

static void on_bad_line(void *ctx, int code, const char *msg)
{
	(void)ctx;
	(void)code;
	fprintf(stderr, "heartcheck report: %s\n", out_esc(msg));
}

/* Each result of the new run, for the comparison with --before. */
static void to_diff(void *ctx, const struct jsonl_item *it)
{
	(void)diff_add(ctx, 1, it);
}

/* Writes the page to path through a temporary file in the same directory
 * and a rename.  Returns 0 or an errno value. */
static int write_atomic(const char *path, const struct html_report *r,
    const char *title, const struct diff *before, long long now)
{
	char *tmp = NULL;
	FILE *f = NULL;
	mode_t um;
	int fd, e = 0;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return ENOMEM;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		e = errno;
		free(tmp);
		return e;
	}
	um = umask(0);
	umask(um);
	(void)fchmod(fd, 0666 & ~um);
	if ((f = fdopen(fd, "w")) == NULL) {
		e = errno;
		close(fd);
		goto fail;
	}
	errno = 0;
	if (html_report_write(f, r, title, before, now) != 0 ||
	    fflush(f) != 0) {
		e = errno ? errno : EIO;
		fclose(f);
		goto fail;
	}
	if (fsync(fd) != 0) {
		e = errno;
		fclose(f);
		goto fail;
	}
	if (fclose(f) != 0) {
		e = errno ? errno : EIO;
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		e = errno;
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	return e ? e : EIO;
}

int cmd_report(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "title", required_argument, NULL, 't' },
		{ "before", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct html_report *r = NULL;
	struct diff d;
	const char *output = NULL, *title = NULL, *beforef = NULL;
	int ch, i, e, ret = EXIT_USAGE, stdin_used = 0, have_diff = 0;
	long long now = (long long)time(NULL);

	diff_init(&d);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "o:t:b:h", lopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			output = optarg;
			break;
		case 't':
			title = optarg;
			break;
		case 'b':
			beforef = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return EXIT_CLEAN;
		default:
			cmd_getopt_error("report", argc, argv);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr,
		    "heartcheck report: no results file\n[hint] "
		    "heartcheck scan --json HOSTS > scan.jsonl; heartcheck "
		    "report scan.jsonl -o report.html\n");
		return EXIT_USAGE;
	}
	if (output && (!*output || !strcmp(output, "-")))
		output = NULL;
	for (i = optind; i < argc; i++)
		stdin_used += !strcmp(argv[i], "-");
	if (beforef)
		stdin_used += !strcmp(beforef, "-");
	if (stdin_used > 1) {
		fprintf(stderr,
		    "heartcheck report: only one input can be "
		    "standard input\n");
		return EXIT_USAGE;
	}
	if ((r = html_report_new()) == NULL) {
		fprintf(stderr, "heartcheck report: %s\n",
		    hc_strerror(HC_ERR_ALLOC_FAIL));
		return EXIT_UNTESTED;
	}
	if (beforef) {
		e = diff_read_file(&d, 0, beforef, on_bad_line, NULL);
		if (e == HC_ERR_NOT_FOUND ||
		    (e == HC_ERR_SYSTEM && d.results[0] == 0)) {
			fprintf(stderr,
			    "heartcheck report: cannot read \"%s\": "
			    "%s\n",
			    out_esc(beforef), hc_strerror(e));
			goto out;
		}
		have_diff = 1;
	}
	for (i = optind; i < argc; i++) {
		struct stat st;

		/* A directory opens, and reads as an error: say so first. */
		if (strcmp(argv[i], "-") != 0 && stat(argv[i], &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			fprintf(stderr,
			    "heartcheck report: \"%s\" is a "
			    "directory\n",
			    out_esc(argv[i]));
			goto out;
		}
		e = html_report_read_file(r, argv[i], on_bad_line,
		    have_diff ? to_diff : NULL, &d);
		if (e == HC_ERR_NOT_FOUND || e == HC_ERR_SYSTEM) {
			fprintf(stderr,
			    "heartcheck report: cannot read \"%s\": "
			    "%s\n",
			    out_esc(argv[i]), hc_strerror(e));
			goto out;
		}
	}
	if (have_diff && diff_finish(&d) != 0) {
		fprintf(stderr, "heartcheck report: %s\n",
		    hc_strerror(HC_ERR_ALLOC_FAIL));
		ret = EXIT_UNTESTED;
		goto out;
	}
	ret = html_report_bad_lines(r) || d.bad_lines[0] ? EXIT_UNTESTED :
							   EXIT_CLEAN;
	if (output) {
		if ((e = write_atomic(output, r, title, have_diff ? &d : NULL,
			 now)) != 0) {
			fprintf(stderr,
			    "heartcheck report: cannot write "
			    "\"%s\": %s\n",
			    out_esc(output), strerror(e));
			ret = EXIT_OUTPUT;
		}
	} else {
		errno = 0;
		if (html_report_write(stdout, r, title, have_diff ? &d : NULL,
			now) != 0) {
			out_write_error(errno ? errno : EIO);
			ret = EXIT_OUTPUT;
		}
	}
out:
	html_report_free(r);
	diff_free(&d);
	return ret;
}
