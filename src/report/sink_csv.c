/*
 * The CSV sink: RFC 4180, one header line and one row per result, for
 * spreadsheets (docs/formats.md).  Every kind shares one set of columns,
 * with "type" first; a column that does not apply to a kind is empty.
 * Summaries are not rows: a spreadsheet counts.
 *
 * Text fields come from servers and local users that may be hostile.  Each
 * is escaped as text output is (out_escape: controls and bytes that are not
 * UTF-8 become "\xNN"), so no field holds a line break; it is then quoted,
 * with its quotes doubled.  A field that a spreadsheet would take as a
 * formula (it starts with = + - or @) gets a leading apostrophe, as OWASP
 * advises against CSV injection; a tab or carriage return is already
 * "\x09" or "\x0d" by then.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report/err.h"
#include "report/sink.h"

enum col {
	C_TYPE,
	C_TARGET,
	C_NAME,
	C_IP,
	C_PORT,
	C_VERDICT,
	C_VULNERABLE,
	C_VERSION,
	C_REASON,
	C_HEARTBEAT_EXT,
	C_DISCLOSED,
	C_STRATEGY,
	C_STARTTLS,
	C_ELAPSED_MS,
	C_PATH,
	C_PID,
	C_COMM,
	C_UNIT,
	C_COMMAND,
	NCOL,
};

static const char *const col_name[NCOL] = {
	"type",
	"target",
	"name",
	"ip",
	"port",
	"verdict",
	"vulnerable",
	"version",
	"reason",
	"heartbeat_ext",
	"disclosed",
	"strategy",
	"starttls",
	"elapsed_ms",
	"path",
	"pid",
	"comm",
	"unit",
	"command",
};

/* One row: a text field (quoted, escaped) or a number we formatted. */
struct row {
	const char *text[NCOL];
	char num[NCOL][24];
};

struct csv {
	int header; /* the header line is written */
};

static int c_begin(struct sink *s)
{
	s->priv = calloc(1, sizeof(struct csv));
	return s->priv ? HC_ERR_SUCCESS : HC_ERR_ALLOC_FAIL;
}

static void c_end(struct sink *s)
{
	free(s->priv);
}

static void row_num(struct row *r, enum col c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->num[c], sizeof(r->num[c]), fmt, ap);
	va_end(ap);
}

static void row_bool(struct row *r, enum col c, int v)
{
	row_num(r, c, "%s", v ? "true" : "false");
}

/* Writes s as one quoted field: escaped, defused, quotes doubled. */
static void put_text(FILE *f, const char *s)
{
	const char *e = out_esc(s);

	if (!e[0])
		return;
	fputc('"', f);
	if (strchr("=+-@\t\r", e[0]))
		fputc('\'', f);
	for (;;) {
		const char *q = strchr(e, '"');

		if (!q) {
			fputs(e, f);
			break;
		}
		fwrite(e, 1, (size_t)(q - e) + 1, f);
		fputc('"', f);
		e = q + 1;
	}
	fputc('"', f);
}

static void header(struct sink *s)
{
	struct csv *c = s->priv;
	size_t i;

	if (c->header)
		return;
	c->header = 1;
	for (i = 0; i < NCOL; i++)
		fprintf(s->out->f, "%s%s", i ? "," : "", col_name[i]);
	fputs("\r\n", s->out->f);
}

static void row_write(struct sink *s, const struct row *r)
{
	FILE *f = s->out->f;
	size_t i;

	header(s);
	for (i = 0; i < NCOL; i++) {
		if (i)
			fputc(',', f);
		if (r->text[i])
			put_text(f, r->text[i]);
		else
			fputs(r->num[i], f);
	}
	fputs("\r\n", f);
	fflush(f);
}

/* What a probe of a server or a client has in common. */
static void probe_cols(struct row *w, const char *verdict, int vulnerable,
    const char *version, const char *reason, int heartbeat_ext,
    unsigned disclosed, const char *strategy, unsigned attempts,
    double elapsed_ms)
{
	w->text[C_VERDICT] = verdict;
	row_bool(w, C_VULNERABLE, vulnerable);
	w->text[C_VERSION] = version;
	w->text[C_REASON] = reason;
	row_bool(w, C_HEARTBEAT_EXT, heartbeat_ext);
	row_num(w, C_DISCLOSED, "%u", disclosed);
	if (attempts)
		w->text[C_STRATEGY] = strategy;
	row_num(w, C_ELAPSED_MS, "%.1f", elapsed_ms);
}

static void endpoint_row(struct row *w, const char *type,
    const struct res_endpoint *r)
{
	memset(w, 0, sizeof(*w));
	w->text[C_TYPE] = type;
	w->text[C_TARGET] = r->target;
	w->text[C_NAME] = r->name;
	w->text[C_IP] = r->ip;
	row_num(w, C_PORT, "%u", r->port);
	probe_cols(w, r->verdict, r->vulnerable, r->version, r->reason,
	    r->heartbeat_ext, r->disclosed, r->strategy, r->attempts,
	    r->elapsed_ms);
	w->text[C_STARTTLS] = r->starttls;
}

static void c_endpoint(struct sink *s, const struct res_endpoint *r)
{
	struct row w;

	endpoint_row(&w, "scan", r);
	row_write(s, &w);
}

static void c_listener(struct sink *s, const struct res_listener *r)
{
	struct row w;

	endpoint_row(&w, "listener", &r->ep);
	if (r->pid)
		row_num(&w, C_PID, "%ld", r->pid);
	w.text[C_COMM] = r->comm;
	w.text[C_UNIT] = r->unit;
	row_write(s, &w);
}

static void c_library(struct sink *s, const struct res_library *r)
{
	struct row w;

	memset(&w, 0, sizeof(w));
	w.text[C_TYPE] = "library";
	w.text[C_PATH] = r->path;
	w.text[C_NAME] = r->soname;
	w.text[C_VERSION] = r->version;
	w.text[C_VERDICT] = r->verdict;
	row_bool(&w, C_VULNERABLE, !strcmp(r->verdict, "vulnerable"));
	w.text[C_REASON] = r->reason;
	row_num(&w, C_DISCLOSED, "%u", r->disclosed);
	row_write(s, &w);
}

/* A process's verdict, in the words of text output. */
static const char *process_verdict(const struct res_process *p)
{
	if (p->restart > 0)
		return "restart";
	if (p->unreadable)
		return "unreadable";
	if (p->restart < 0)
		return "not-examined";
	return "ok";
}

static void c_process(struct sink *s, const struct res_process *p)
{
	struct row w;
	char *libs = NULL;
	size_t n = 0, i;
	FILE *m;

	memset(&w, 0, sizeof(w));
	w.text[C_TYPE] = "process";
	row_num(&w, C_PID, "%ld", p->pid);
	w.text[C_COMM] = p->comm;
	w.text[C_UNIT] = p->unit;
	w.text[C_COMMAND] = p->cmdline;
	w.text[C_VERDICT] = process_verdict(p);
	row_bool(&w, C_VULNERABLE, p->vulnerable);
	w.text[C_REASON] = p->error;
	/* The libraries it maps, "PATH (WHY); ...", in one field. */
	if ((m = open_memstream(&libs, &n)) != NULL) {
		for (i = 0; i < p->nlibs; i++)
			fprintf(m, "%s%s%s%s%s", i ? "; " : "",
			    p->libs[i].path ? p->libs[i].path : "",
			    p->libs[i].why[0] ? " (" : "", p->libs[i].why,
			    p->libs[i].why[0] ? ")" : "");
		fclose(m);
	}
	w.text[C_PATH] = libs;
	row_write(s, &w);
	free(libs);
}

static void c_package(struct sink *s, const struct res_package *r)
{
	struct row w;

	memset(&w, 0, sizeof(w));
	w.text[C_TYPE] = "package";
	w.text[C_NAME] = r->name;
	w.text[C_VERSION] = r->version;
	w.text[C_VERDICT] = r->verdict;
	row_bool(&w, C_VULNERABLE, !strcmp(r->verdict, "vulnerable"));
	w.text[C_REASON] = r->reason;
	row_write(s, &w);
}

static void c_restart(struct sink *s, const struct res_restart *r)
{
	struct row w;

	memset(&w, 0, sizeof(w));
	w.text[C_TYPE] = "restart";
	if (r->unit) {
		w.text[C_UNIT] = r->unit;
		w.text[C_COMMAND] = r->command;
	} else {
		row_num(&w, C_PID, "%ld", r->pid);
		w.text[C_COMM] = r->comm;
		w.text[C_COMMAND] = r->cmdline;
		w.text[C_REASON] = r->why;
	}
	row_write(s, &w);
}

static void c_error(struct sink *s, const struct res_error *r)
{
	struct row w;

	memset(&w, 0, sizeof(w));
	w.text[C_TYPE] = "error";
	w.text[C_TARGET] = r->stage;
	w.text[C_REASON] = r->error;
	row_write(s, &w);
}

static void c_client(struct sink *s, const struct res_client *r)
{
	struct row w;
	char peer[64];

	memset(&w, 0, sizeof(w));
	res_client_peer(r, peer, sizeof(peer));
	w.text[C_TYPE] = "client";
	if (r->ip && r->ip[0]) {
		w.text[C_TARGET] = peer;
		w.text[C_IP] = r->ip;
		row_num(&w, C_PORT, "%u", r->port);
	}
	probe_cols(&w, r->verdict, r->vulnerable, r->version, r->reason,
	    r->heartbeat_ext, r->disclosed, r->strategy, r->attempts,
	    r->elapsed_ms);
	w.text[C_COMMAND] = r->command;
	row_write(s, &w);
}

/* A run with no result still gets its header line. */
static void c_scan_summary(struct sink *s, const struct res_scan_summary *r)
{
	header(s);
}

static void c_local_summary(struct sink *s, const struct res_local_summary *r)
{
	header(s);
}

static void c_client_summary(struct sink *s, const struct res_client_summary *r)
{
	header(s);
}

const struct sink_ops sink_csv_ops = {
	.name = "csv",
	.commands = SINK_SCAN | SINK_LOCAL | SINK_CLIENTS,
	.document = 1,
	.begin = c_begin,
	.end = c_end,
	.endpoint = c_endpoint,
	.listener = c_listener,
	.library = c_library,
	.process = c_process,
	.package = c_package,
	.restart = c_restart,
	.error = c_error,
	.scan_summary = c_scan_summary,
	.local_summary = c_local_summary,
	.client = c_client,
	.client_summary = c_client_summary,
};
