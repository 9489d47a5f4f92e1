/*
 * heartcheck diff OLD.jsonl NEW.jsonl: what changed between two runs.
 * Wiring and output only; matching and classes are report/diff.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "report/diff.h"
#include "report/err.h"
#include "report/out.h"

static void diff_usage(FILE *f)
{
	fprintf(f,
	    "usage: heartcheck diff OLD.jsonl NEW.jsonl [OPTIONS]\n"
	    "\n"
	    "Compare two runs of `heartcheck scan --json` or `heartcheck local "
	    "--json`\n"
	    "(\"-\" reads standard input): per endpoint, listener, library, "
	    "process\n"
	    "(a service by its unit) and package, say what is fixed, still "
	    "vulnerable,\n"
	    "newly vulnerable, newly untested, now tested, gone or new.  A bad "
	    "or cut\n"
	    "line is named FILE:LINE on stderr and the rest is still "
	    "compared.\n"
	    "\n"
	    "Options:\n"
	    "  -j, --json           JSON Lines: one \"diff\" object per change "
	    "and a\n"
	    "                       \"diff-summary\" (docs/json-schema.md)\n"
	    "  -s, --summary        only the one-line summary (for CI)\n"
	    "  -a, --all            list unchanged things too\n"
	    "      --color WHEN     auto (default), always, never\n"
	    "  -h, --help           this text\n"
	    "\n"
	    "Exit status: 0 nothing vulnerable and nothing newly untested, 1 "
	    "something\n"
	    "still or newly vulnerable (or still to restart), 2 usage error or "
	    "an input\n"
	    "that cannot be opened, 3 something newly untested or an input "
	    "line that\n"
	    "could not be read (and nothing vulnerable), 4 the output could "
	    "not be\n"
	    "written.\n");
}

static void on_bad_line(void *ctx, int code, const char *msg)
{
	(void)ctx;
	(void)code;
	fprintf(stderr, "heartcheck diff: %s\n", out_esc(msg));
}

static void set_opt_str(json_t *o, const char *k, const char *v)
{
	if (v)
		out_json_set_str(o, k, v);
	else
		json_object_set_new(o, k, json_null());
}

static json_t *side_json(const struct diff_side *s)
{
	json_t *o;

	if (s->state == DIFF_S_ABSENT)
		return json_null();
	o = json_object();
	set_opt_str(o, "verdict", s->verdict);
	set_opt_str(o, "reason", s->reason);
	set_opt_str(o, "file", s->file);
	json_object_set_new(o, "line", json_integer((json_int_t)s->line));
	json_object_set_new(o, "count", json_integer(s->count));
	return o;
}

static void entry_json(struct out *out, const struct diff_entry *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "type", json_string("diff"));
	json_object_set_new(o, "class", json_string(diff_class_name(e->cls)));
	json_object_set_new(o, "kind", json_string(diff_kind_name(e->kind)));
	switch (e->kind) {
	case DIFF_K_SCAN:
	case DIFF_K_LISTENER:
		set_opt_str(o, "target", e->target);
		set_opt_str(o, "ip", e->ip);
		json_object_set_new(o, "port", json_integer(e->port));
		if (e->kind == DIFF_K_LISTENER) {
			set_opt_str(o, "unit", e->unit);
			set_opt_str(o, "comm", e->comm);
		}
		break;
	case DIFF_K_LIBRARY:
		set_opt_str(o, "path", e->path);
		break;
	case DIFF_K_PROCESS:
		set_opt_str(o, "unit", e->unit);
		set_opt_str(o, "comm", e->comm);
		json_object_set_new(o, "pid",
		    e->pid >= 0 ? json_integer(e->pid) : json_null());
		break;
	case DIFF_K_PACKAGE:
		set_opt_str(o, "name", e->name);
		set_opt_str(o, "arch", e->arch);
		break;
	}
	json_object_set_new(o, "old", side_json(&e->old));
	json_object_set_new(o, "new", side_json(&e->new));
	out_json(out, o);
}

static json_t *run_json(const struct diff *d, int side, const char *file)
{
	json_t *o = json_object();

	out_json_set_str(o, "file", file);
	json_object_set_new(o, "results",
	    json_integer((json_int_t)d->results[side]));
	json_object_set_new(o, "ignored",
	    json_integer((json_int_t)d->ignored[side]));
	json_object_set_new(o, "bad_lines",
	    json_integer((json_int_t)d->bad_lines[side]));
	return o;
}

static void summary_json(struct out *out, const struct diff *d,
    const char *oldf, const char *newf)
{
	json_t *o = json_object();
	char key[32];
	int c;
	char *p;

	json_object_set_new(o, "type", json_string("diff-summary"));
	for (c = 0; c < DIFF_NCLASS; c++) {
		snprintf(key, sizeof(key), "%s", diff_class_name(c));
		for (p = key; *p; p++)
			if (*p == '-')
				*p = '_';
		json_object_set_new(o, key,
		    json_integer((json_int_t)d->counts[c]));
	}
	/* "new" is a class: the runs are old_run and new_run. */
	json_object_set_new(o, "old_run", run_json(d, 0, oldf));
	json_object_set_new(o, "new_run", run_json(d, 1, newf));
	json_object_set_new(o, "exit", json_integer(diff_exit_code(d)));
	out_json(out, o);
}

static const char *class_color(const struct out *o, enum diff_class c)
{
	switch (c) {
	case DIFF_NEWLY_VULNERABLE:
	case DIFF_STILL_VULNERABLE:
		return out_red(o);
	case DIFF_NEWLY_UNTESTED:
		return out_yellow(o);
	case DIFF_FIXED:
	case DIFF_NOW_TESTED:
		return out_green(o);
	default:
		return "";
	}
}

static void entry_text(struct out *out, const struct diff_entry *e)
{
	char label[1024];
	const struct diff_side *why;
	const char *col = class_color(out, e->cls);

	fprintf(out->f, "%s%-16s%s %-8s %s  %s -> %s\n", col,
	    diff_class_text(e->cls), *col ? out_reset(out) : "",
	    diff_kind_name(e->kind),
	    out_esc(diff_label(e, label, sizeof(label))),
	    e->old.state == DIFF_S_ABSENT ? "(none)" : out_esc(e->old.verdict),
	    e->new.state == DIFF_S_ABSENT ? "(gone)" : out_esc(e->new.verdict));
	/* Why it is bad or untested now. */
	why = e->new.state != DIFF_S_ABSENT ? &e->new : &e->old;
	if ((e->cls == DIFF_NEWLY_VULNERABLE || e->cls == DIFF_NEWLY_UNTESTED ||
		e->cls == DIFF_STILL_VULNERABLE) &&
	    why->reason && *why->reason)
		fprintf(out->f, "%17s%s\n", "", out_esc(why->reason));
}

int cmd_diff(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "summary", no_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'a' },
		{ "color", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct diff d;
	struct out out;
	const char *files[2];
	char line[512];
	int ch, json = 0, summary = 0, all = 0, color = -1, i, e;
	int ret = EXIT_USAGE;
	size_t k;

	diff_init(&d);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "jsah", lopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 's':
			summary = 1;
			break;
		case 'a':
			all = 1;
			break;
		case 'C':
			if (cmd_parse_color(optarg, &color) != 0)
				return EXIT_USAGE;
			break;
		case 'h':
			diff_usage(stdout);
			return EXIT_CLEAN;
		default:
			cmd_getopt_error("diff", argc, argv);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr,
		    "heartcheck diff: %s\n[hint] heartcheck diff "
		    "OLD.jsonl NEW.jsonl   (from heartcheck scan --json or "
		    "heartcheck local --json)\n",
		    argc - optind < 2 ? "two result files are needed" :
					"too many arguments");
		return EXIT_USAGE;
	}
	files[0] = argv[optind];
	files[1] = argv[optind + 1];
	if (!strcmp(files[0], "-") && !strcmp(files[1], "-")) {
		fprintf(stderr,
		    "heartcheck diff: only one of the files can be "
		    "standard input\n");
		return EXIT_USAGE;
	}
	for (i = 0; i < 2; i++) {
		e = diff_read_file(&d, i, files[i], on_bad_line, NULL);
		if (e == HC_ERR_NOT_FOUND ||
		    (e == HC_ERR_SYSTEM && d.results[i] == 0 &&
			d.bad_lines[i] == 0)) {
			fprintf(stderr,
			    "heartcheck diff: cannot read \"%s\": "
			    "%s\n",
			    out_esc(files[i]), hc_strerror(e));
			goto out;
		}
	}
	if ((e = diff_finish(&d)) != 0) {
		fprintf(stderr, "heartcheck diff: %s\n", hc_strerror(e));
		ret = EXIT_UNTESTED;
		goto out;
	}
	ret = diff_exit_code(&d);
	out_init(&out, stdout, json, color);
	if (json) {
		for (k = 0; k < d.n && !summary; k++)
			if (all || d.e[k].cls != DIFF_UNCHANGED)
				entry_json(&out, &d.e[k]);
		summary_json(&out, &d, files[0], files[1]);
	} else {
		for (k = 0; k < d.n && !summary; k++)
			if (all || d.e[k].cls != DIFF_UNCHANGED)
				entry_text(&out, &d.e[k]);
		diff_summary_line(&d, line, sizeof(line));
		fprintf(out.f, "%sheartcheck diff: %s\n",
		    !summary && d.n && (all || d.n > d.counts[DIFF_UNCHANGED]) ?
			"\n" :
			"",
		    line);
	}
	if ((e = out_close(&out)) != 0) {
		out_write_error(e);
		ret = EXIT_OUTPUT;
	}
out:
	diff_free(&d);
	return ret;
}
