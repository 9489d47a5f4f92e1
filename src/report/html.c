/*
 * The HTML report (report/html.h).  Results are copied as they are read,
 * then written as one page.  Nothing from the input reaches the page
 * without html_escape; the markup itself is fixed strings here.
 */
#include "report/html.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "report/err.h"
#include "report/out.h"

/* Rows in the table of every result; more are counted, not listed. */
#define HTML_MAX_ALL_ROWS 20000
/* Distinct bars in the chart; the rest are added to "other". */
#define HTML_MAX_BARS 24

size_t html_escape(char *dst, size_t cap, const char *s, size_t len)
{
	char stack[512], *t = stack;
	size_t tn, i, o = 0;
	const char *rep;

	/* Controls and bytes that are not UTF-8 first, as in text output. */
	tn = out_escape(NULL, 0, s, len);
	if (tn + 1 > sizeof(stack) && (t = malloc(tn + 1)) == NULL) {
		/* Out of memory: nothing rather than something unsafe. */
		if (cap)
			dst[0] = '\0';
		return 0;
	}
	out_escape(t, tn + 1, s, len);
#define PUT(ch) \
	do { \
		if (o + 1 < cap) \
			dst[o] = (ch); \
		o++; \
	} while (0)
	for (i = 0; i < tn; i++) {
		switch (t[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			rep = NULL;
			break;
		}
		if (!rep) {
			PUT(t[i]);
			continue;
		}
		for (; *rep; rep++)
			PUT(*rep);
	}
#undef PUT
	if (cap) {
		size_t end = o < cap ? o : cap - 1, k = end;

		/* Cut short: never in the middle of a reference. */
		while (o >= cap && k > 0 && end - k < 8 && dst[k - 1] != ';' &&
		    dst[k - 1] != '&')
			k--;
		if (o >= cap && k > 0 && dst[k - 1] == '&')
			end = k - 1;
		dst[end] = '\0';
	}
	if (t != stack)
		free(t);
	return o;
}

void html_puts(FILE *f, const char *s)
{
	char stack[512], *b = stack;
	size_t len, need;

	if (!s)
		return;
	len = strlen(s);
	need = html_escape(NULL, 0, s, len) + 1;
	if (need > sizeof(stack) && (b = malloc(need)) == NULL)
		return;
	html_escape(b, need, s, len);
	fputs(b, f);
	if (b != stack)
		free(b);
}

/* One thing judged: an endpoint, listener, library, process or package. */
struct hrow {
	enum res_kind kind;
	enum diff_state state; /* BAD, GOOD or UNTESTED */
	char *what;
	char *verdict;
	char *reason;
	char *detail; /* version, strategy, bytes disclosed, ... */
	char *unit;
	long pid;
	unsigned long run; /* index in runs */
	unsigned long line;
};

struct hrestart {
	char *unit;
	unsigned processes;
	char *command;
	long pid;
	char *comm;
	char *cmdline;
};

struct hrun {
	char *file;
	unsigned long results, bad;
	long long mtime; /* 0: unknown */
	char *params; /* from its summary, or NULL */
	int has_scan, has_local;
};

struct html_report {
	struct hrow *rows;
	size_t nrows, caprows;
	struct hrestart *restarts;
	size_t nrestarts, caprestarts;
	struct hrun *runs;
	size_t nruns, capruns;
	char **errors; /* error results: "stage: message" */
	size_t nerrors, caperrors;
	int alloc_failed;
};

/* Grows *arr (of *n items, room for *cap) by one zeroed item. */
static void *push(struct html_report *r, void *arrp, size_t *n, size_t *cap,
    size_t size)
{
	void **arr = arrp;
	char *p;

	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		void *na = realloc(*arr, nc * size);

		if (!na) {
			r->alloc_failed = 1;
			return NULL;
		}
		*arr = na;
		*cap = nc;
	}
	p = (char *)*arr + *n * size;
	memset(p, 0, size);
	(*n)++;
	return p;
}

static char *dup(struct html_report *r, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	if ((d = strdup(s)) == NULL)
		r->alloc_failed = 1;
	return d;
}

static char *dupf(struct html_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *dupf(struct html_report *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		s = NULL;
		r->alloc_failed = 1;
	}
	va_end(ap);
	return s;
}

struct html_report *html_report_new(void)
{
	return calloc(1, sizeof(struct html_report));
}

void html_report_free(struct html_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nrows; i++) {
		free(r->rows[i].what);
		free(r->rows[i].verdict);
		free(r->rows[i].reason);
		free(r->rows[i].detail);
		free(r->rows[i].unit);
	}
	for (i = 0; i < r->nrestarts; i++) {
		free(r->restarts[i].unit);
		free(r->restarts[i].command);
		free(r->restarts[i].comm);
		free(r->restarts[i].cmdline);
	}
	for (i = 0; i < r->nruns; i++) {
		free(r->runs[i].file);
		free(r->runs[i].params);
	}
	for (i = 0; i < r->nerrors; i++)
		free(r->errors[i]);
	free(r->rows);
	free(r->restarts);
	free(r->runs);
	free(r->errors);
	free(r);
}

static struct hrun *cur_run(struct html_report *r, const char *file)
{
	struct hrun *run;

	if (r->nruns &&
	    (!file ||
		(r->runs[r->nruns - 1].file &&
		    !strcmp(r->runs[r->nruns - 1].file, file))))
		return &r->runs[r->nruns - 1];
	if ((run = push(r, &r->runs, &r->nruns, &r->capruns, sizeof(*run))) ==
	    NULL)
		return NULL;
	run->file = dup(r, file ? file : "(input)");
	return run;
}

static enum diff_state state_of(const char *verdict, enum res_grade g)
{
	if (verdict && !strcmp(verdict, "vulnerable"))
		return DIFF_S_BAD;
	return g == RES_GOOD ? DIFF_S_GOOD : DIFF_S_UNTESTED;
}

static char *endpoint_detail(struct html_report *r,
    const struct res_endpoint *e)
{
	return dupf(r, "%s, %s%s%s%u bytes disclosed, %u attempt%s%s",
	    e->version ? e->version : "no handshake",
	    e->strategy ? "strategy " : "", e->strategy ? e->strategy : "",
	    e->strategy ? ", " : "", e->disclosed, e->attempts,
	    e->attempts == 1 ? "" : "s",
	    e->heartbeat_ext ? ", heartbeat extension on" : "");
}

int html_report_add(struct html_report *r, const struct jsonl_item *it)
{
	struct hrun *run = cur_run(r, it->file);
	struct hrow *row = NULL;
	const struct res_endpoint *ep = NULL;

	if (!run)
		return HC_ERR_ALLOC_FAIL;
	run->results++;
	switch (it->kind) {
	case RES_K_SCAN:
	case RES_K_LISTENER:
	case RES_K_LIBRARY:
	case RES_K_PROCESS:
	case RES_K_PACKAGE:
		if ((row = push(r, &r->rows, &r->nrows, &r->caprows,
			 sizeof(*row))) == NULL)
			return HC_ERR_ALLOC_FAIL;
		row->kind = it->kind;
		row->run = (unsigned long)(run - r->runs);
		row->line = it->line;
		row->pid = -1;
		break;
	default:
		break;
	}
	switch (it->kind) {
	case RES_K_SCAN:
		ep = &it->u.scan;
		run->has_scan = 1;
		row->what = dup(r, ep->target);
		break;
	case RES_K_LISTENER:
		ep = &it->u.listener.ep;
		run->has_local = 1;
		row->unit = dup(r, it->u.listener.unit);
		row->pid = it->u.listener.pid;
		row->what = it->u.listener.comm ?
		    dupf(r, "%s (%s)", ep->target ? ep->target : "?",
			it->u.listener.comm) :
		    dup(r, ep->target);
		break;
	case RES_K_LIBRARY: {
		const struct res_library *l = &it->u.library;

		run->has_local = 1;
		row->what = dup(r, l->path);
		row->verdict = dup(r, l->verdict);
		row->reason = dup(r, l->reason);
		row->state = state_of(l->verdict, l->grade);
		row->detail = dupf(r, "%s%s%u bytes disclosed",
		    l->version && *l->version ? l->version : "",
		    l->version && *l->version ? ", " : "", l->disclosed);
		break;
	}
	case RES_K_PROCESS: {
		const struct res_process *p = &it->u.process;
		size_t i;
		char *libs = NULL, *nl;

		run->has_local = 1;
		row->what =
		    dupf(r, "pid %ld (%s)", p->pid, p->comm ? p->comm : "?");
		row->unit = dup(r, p->unit);
		row->pid = p->pid;
		if (p->restart > 0) {
			row->verdict = dup(r, "restart");
			row->state = DIFF_S_BAD;
		} else if (p->error && p->nlibs == 0) {
			row->verdict = dup(r, "unreadable");
			row->state = DIFF_S_UNTESTED;
		} else if (p->restart < 0) {
			row->verdict = dup(r, "unknown");
			row->state = DIFF_S_UNTESTED;
		} else {
			row->verdict = dup(r, "no-restart");
			row->state = DIFF_S_GOOD;
		}
		for (i = 0; i < p->nlibs; i++) {
			if (!p->libs[i].why || !*p->libs[i].why)
				continue;
			nl = dupf(r, "%s%s%s (%s)", libs ? libs : "",
			    libs ? ", " : "",
			    p->libs[i].path ? p->libs[i].path : "?",
			    p->libs[i].why);
			free(libs);
			libs = nl;
		}
		row->reason = libs ? libs : dup(r, p->error);
		row->detail = dup(r, p->cmdline);
		break;
	}
	case RES_K_PACKAGE: {
		const struct res_package *p = &it->u.package;

		run->has_local = 1;
		row->what = dupf(r, "%s %s%s%s", p->name ? p->name : "?",
		    p->version ? p->version : "", p->arch ? " " : "",
		    p->arch ? p->arch : "");
		row->verdict = dup(r, p->verdict);
		row->reason = dup(r, p->reason);
		row->state = state_of(p->verdict, p->grade);
		row->detail =
		    dupf(r, "%s%s%s%s", p->fixed_in ? "fixed in " : "",
			p->fixed_in ? p->fixed_in : "", p->advisory ? ", " : "",
			p->advisory ? p->advisory : "");
		break;
	}
	case RES_K_RESTART: {
		const struct res_restart *s = &it->u.restart;
		struct hrestart *h = push(r, &r->restarts, &r->nrestarts,
		    &r->caprestarts, sizeof(*h));

		if (!h)
			return HC_ERR_ALLOC_FAIL;
		h->unit = dup(r, s->unit);
		h->processes = s->processes;
		h->command = dup(r, s->command);
		h->pid = s->pid;
		h->comm = dup(r, s->comm);
		h->cmdline = dup(r, s->cmdline);
		break;
	}
	case RES_K_ERROR: {
		char **e =
		    push(r, &r->errors, &r->nerrors, &r->caperrors, sizeof(*e));

		if (!e)
			return HC_ERR_ALLOC_FAIL;
		*e = dupf(r, "%s%s%s",
		    it->u.error.stage ? it->u.error.stage : "",
		    it->u.error.stage ? ": " : "",
		    it->u.error.error ? it->u.error.error : "(no message)");
		break;
	}
	case RES_K_SUMMARY: {
		const struct res_scan_summary *s = &it->u.summary;
		char *p = dupf(r,
		    "scan of %llu endpoints in %.2f s, at most "
		    "%llu probes in flight",
		    (unsigned long long)s->endpoints, s->seconds,
		    (unsigned long long)s->peak_in_flight);

		run->has_scan = 1;
		free(run->params);
		run->params = p;
		break;
	}
	case RES_K_LOCAL_SUMMARY: {
		const struct res_local_summary *s = &it->u.local_summary;
		char *p = dupf(r,
		    "local audit in %.2f s: %u libraries, %u "
		    "processes, %u listeners, %u errors",
		    s->seconds.total, s->libraries, s->processes, s->listeners,
		    s->errors);

		run->has_local = 1;
		free(run->params);
		run->params = p;
		break;
	}
	case RES_K_UNKNOWN:
		break;
	}
	if (ep) {
		row->verdict = dup(r, ep->verdict);
		row->reason = dup(r, ep->reason);
		row->state = state_of(ep->verdict, ep->grade);
		row->detail = endpoint_detail(r, ep);
	}
	return r->alloc_failed ? HC_ERR_ALLOC_FAIL : HC_ERR_SUCCESS;
}

struct read_ctx {
	struct html_report *r;
	const char *path;
	void (*err)(void *ctx, int code, const char *msg);
	void (*also)(void *ctx, const struct jsonl_item *it);
	void *ctx;
};

static void read_result(void *ctx, const struct jsonl_item *it)
{
	struct read_ctx *c = ctx;

	(void)html_report_add(c->r, it);
	if (c->also)
		c->also(c->ctx, it);
}

static void read_error(void *ctx, int code, const char *msg)
{
	struct read_ctx *c = ctx;
	struct hrun *run = cur_run(c->r, c->path);

	if (run)
		run->bad++;
	if (c->err)
		c->err(c->ctx, code, msg);
}

int html_report_read_file(struct html_report *r, const char *path,
    void (*err)(void *ctx, int code, const char *msg),
    void (*also)(void *ctx, const struct jsonl_item *it), void *ctx)
{
	struct read_ctx c = { r, path, err, also, ctx };
	struct jsonl_cb cb = { read_result, read_error, &c };
	struct hrun *run;
	struct stat st;
	int ret;

	/* The run exists even when the file holds no result. */
	if ((run = cur_run(r, path)) == NULL)
		return HC_ERR_ALLOC_FAIL;
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0)
		run->mtime = (long long)st.st_mtime;
	ret = jsonl_read_file(path, &cb, NULL);
	return ret;
}

unsigned long html_report_bad_lines(const struct html_report *r)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < r->nruns; i++)
		n += r->runs[i].bad;
	return n;
}

/* ---- writing ---- */

static const char css[] =
    "*{box-sizing:border-box}"
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;"
    "color:#1b1b1b;background:#fff;margin:0 auto;padding:1em;"
    "max-width:72em}"
    "h1{font-size:1.6em;margin:.2em 0;overflow-wrap:anywhere}"
    "h2{font-size:1.25em;margin:1.6em 0 .5em;border-bottom:2px solid #ddd;"
    "padding-bottom:.2em}"
    ".meta{color:#555;font-size:.9em}"
    ".cards{display:flex;flex-wrap:wrap;gap:.6em;margin:.8em 0}"
    ".card{flex:1 1 7.5em;border:1px solid #ccc;border-radius:6px;"
    "padding:.5em .8em}"
    ".card b{display:block;font-size:1.8em}"
    ".bad{color:#b71c1c}.good{color:#1b5e20}.unsure{color:#6d4c00}"
    ".card.bad{border-color:#b71c1c;background:#fdecea}"
    ".card.good{border-color:#1b5e20;background:#edf7ed}"
    ".card.unsure{border-color:#b28704;background:#fff8e1}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;width:100%;font-size:.92em}"
    "th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;"
    "vertical-align:top;overflow-wrap:anywhere}"
    "th{background:#f3f3f3;overflow-wrap:normal}"
    /* Keywords never break inside a word; the address or path is at
     * least wide enough for an IPv4 endpoint. */
    ".res td:nth-child(1),.res td:nth-child(3),.cmp td:nth-child(1),"
    ".cmp td:nth-child(3){white-space:nowrap;overflow-wrap:normal}"
    ".res td:nth-child(2),.cmp td:nth-child(2){min-width:10.5em}"
    "tr.bad td:first-child{border-left:4px solid #b71c1c}"
    "tr.unsure td:first-child{border-left:4px solid #b28704}"
    "tr.good td:first-child{border-left:4px solid #1b5e20}"
    "pre{background:#f6f6f6;border:1px solid #ddd;padding:.6em;"
    "overflow-x:auto;white-space:pre-wrap}"
    "svg{max-width:100%;height:auto}"
    "svg text{font:12px sans-serif}"
    ".filter input{margin-left:.8em}"
    "#f-bad:checked~.scroll tr.good,#f-bad:checked~.scroll tr.unsure,"
    "#f-unsure:checked~.scroll tr.bad,#f-unsure:checked~.scroll tr.good,"
    "#f-good:checked~.scroll tr.bad,#f-good:checked~.scroll tr.unsure"
    "{display:none}"
    /* A phone: each row a block, its keywords on the first line; the
     * chart's labels kept legible as the chart shrinks. */
    "@media (max-width:40em){body{padding:.5em;font-size:14px}"
    ".hide-narrow{display:none}svg text{font-size:19px}"
    ".card{flex-basis:9em}"
    ".scroll table,.scroll tbody,.scroll tr{display:block}"
    ".scroll thead{display:none}"
    ".scroll tr{border:1px solid #ddd;border-left:4px solid #ddd;"
    "margin:0 0 .5em;padding:.3em .5em}"
    ".scroll tr.bad{border-left-color:#b71c1c}"
    ".scroll tr.unsure{border-left-color:#b28704}"
    ".scroll tr.good{border-left-color:#1b5e20}"
    ".scroll td,.scroll tr[class] td{display:block;border:0;"
    "padding:.1em 0}"
    ".scroll tr[class] td.hide-narrow{display:none}"
    ".scroll .res td:nth-child(-n+3),.scroll .cmp td:nth-child(-n+3)"
    "{display:inline-block;margin-right:.7em;font-weight:600;"
    "max-width:100%;min-width:0}"
    ".runs td::before{color:#555;font-size:.85em}"
    ".runs td:nth-child(1)::before{content:'file: '}"
    ".runs td:nth-child(2)::before{content:'written: '}"
    ".runs td:nth-child(3)::before{content:'what ran: '}"
    ".runs td:nth-child(4)::before{content:'results: '}"
    ".runs td:nth-child(5)::before{content:'unreadable lines: '}}"
    "@media print{body{max-width:none;font-size:11pt}"
    ".card,tr{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    ".filter input,.filter label,.filter>.meta{display:none}"
    ".scroll{overflow:visible}h2{break-after:avoid}"
    "tr{break-inside:avoid}.card{break-inside:avoid}"
    "a{color:inherit;text-decoration:none}}";

static const char *kind_label(enum res_kind k)
{
	switch (k) {
	case RES_K_SCAN:
		return "endpoint";
	case RES_K_LISTENER:
		return "listener";
	case RES_K_LIBRARY:
		return "library";
	case RES_K_PROCESS:
		return "process";
	case RES_K_PACKAGE:
		return "package";
	default:
		return "other";
	}
}

static const char *state_class(enum diff_state s)
{
	return s == DIFF_S_BAD ? "bad" : s == DIFF_S_GOOD ? "good" : "unsure";
}

static void row_td(FILE *f, const struct html_report *r, const struct hrow *w,
    int detail, int where)
{
	fprintf(f, "<tr class=\"%s\"><td>%s</td><td>", state_class(w->state),
	    kind_label(w->kind));
	html_puts(f, w->what);
	if (w->unit) {
		fputs("<br><small>", f);
		html_puts(f, w->unit);
		fputs("</small>", f);
	}
	fprintf(f, "</td><td class=\"%s\">", state_class(w->state));
	html_puts(f, w->verdict ? w->verdict : "(none)");
	fputs("</td><td>", f);
	html_puts(f, w->reason);
	fputs("</td>", f);
	if (detail) {
		fputs("<td class=\"hide-narrow\">", f);
		html_puts(f, w->detail);
		fputs("</td>", f);
	}
	if (where) {
		fputs("<td class=\"hide-narrow\">", f);
		html_puts(f, r->runs[w->run].file);
		fprintf(f, ":%lu</td>", w->line);
	}
	fputs("</tr>\n", f);
}

static void table_head(FILE *f, const char *caption, int detail, int where)
{
	fputs("<div class=\"scroll\"><table class=\"res\">", f);
	if (caption)
		fprintf(f, "<caption class=\"meta\">%s</caption>", caption);
	fputs("<thead><tr><th>kind</th><th>what</th><th>verdict</th>"
	      "<th>why</th>",
	    f);
	if (detail)
		fputs("<th class=\"hide-narrow\">details</th>", f);
	if (where)
		fputs("<th class=\"hide-narrow\">source</th>", f);
	fputs("</tr></thead><tbody>\n", f);
}

static void table_end(FILE *f)
{
	fputs("</tbody></table></div>\n", f);
}

struct bar {
	enum res_kind kind;
	const char *verdict;
	enum diff_state state;
	unsigned long n;
};

static void chart(FILE *f, const struct html_report *r)
{
	struct bar bars[HTML_MAX_BARS + 1];
	size_t nb = 0, i, k;
	unsigned long max = 1, other = 0;
	const int lw = 230, bw = 330, bh = 22;

	for (i = 0; i < r->nrows; i++) {
		const struct hrow *w = &r->rows[i];
		const char *v = w->verdict ? w->verdict : "(none)";

		for (k = 0; k < nb; k++)
			if (bars[k].kind == w->kind &&
			    !strcmp(bars[k].verdict, v))
				break;
		if (k == nb) {
			if (nb == HTML_MAX_BARS) {
				other++;
				continue;
			}
			bars[nb].kind = w->kind;
			bars[nb].verdict = v;
			bars[nb].state = w->state;
			bars[nb].n = 0;
			nb++;
		}
		bars[k].n++;
	}
	if (other) {
		bars[nb].kind = RES_K_UNKNOWN;
		bars[nb].verdict = "other verdicts";
		bars[nb].state = DIFF_S_UNTESTED;
		bars[nb].n = other;
		nb++;
	}
	if (nb == 0) {
		fputs("<p>No results to chart.</p>\n", f);
		return;
	}
	for (k = 0; k < nb; k++)
		if (bars[k].n > max)
			max = bars[k].n;
	fprintf(f,
	    "<svg role=\"img\" aria-label=\"results by verdict\" "
	    "width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\">\n",
	    lw + bw + 70, nb * bh + 4, lw + bw + 70, nb * bh + 4);
	for (k = 0; k < nb; k++) {
		unsigned long w = bars[k].n * (unsigned long)bw / max;
		const char *fill = bars[k].state == DIFF_S_BAD ? "#c62828" :
		    bars[k].state == DIFF_S_GOOD	       ? "#2e7d32" :
								 "#b28704";

		if (w == 0)
			w = 1;
		fprintf(f, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\">%s ",
		    lw - 6, k * bh + 16, kind_label(bars[k].kind));
		html_puts(f, bars[k].verdict);
		fprintf(f,
		    "</text><rect x=\"%d\" y=\"%zu\" width=\"%lu\" "
		    "height=\"%d\" fill=\"%s\"></rect><text x=\"%lu\" "
		    "y=\"%zu\">%lu</text>\n",
		    lw, k * bh + 3, w, bh - 6, fill, lw + w + 6, k * bh + 16,
		    bars[k].n);
	}
	fputs("</svg>\n", f);
}

static void fmt_time(char *buf, size_t cap, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm) ||
	    strftime(buf, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, cap, "unknown");
}

/* The services to restart: restart results grouped by unit, with their
 * commands; without restart results, processes that need one. */
static void restarts(FILE *f, const struct html_report *r)
{
	size_t i, loose = 0, units = 0, procs = 0;

	for (i = 0; i < r->nrestarts; i++)
		if (r->restarts[i].command)
			units++;
		else
			loose++;
	for (i = 0; i < r->nrows; i++)
		if (r->rows[i].kind == RES_K_PROCESS &&
		    r->rows[i].state == DIFF_S_BAD)
			procs++;
	if (!units && !loose && !procs)
		return;
	fputs("<h2 id=\"restart\">Services to restart</h2>\n", f);
	fputs("<p>These processes still run a deleted, replaced or vulnerable "
	      "OpenSSL image: the fix on disk does not reach them until they "
	      "restart.</p>\n",
	    f);
	if (units) {
		fputs("<pre>", f);
		for (i = 0; i < r->nrestarts; i++)
			if (r->restarts[i].command) {
				html_puts(f, r->restarts[i].command);
				fprintf(f, "    # %u process%s\n",
				    r->restarts[i].processes,
				    r->restarts[i].processes == 1 ? "" : "es");
			}
		fputs("</pre>\n", f);
	}
	if (loose) {
		fputs("<p>Outside any restartable unit (restart or end them "
		      "by hand):</p><ul>\n",
		    f);
		for (i = 0; i < r->nrestarts; i++) {
			const struct hrestart *h = &r->restarts[i];

			if (h->command)
				continue;
			fprintf(f, "<li>pid %ld <b>", h->pid);
			html_puts(f, h->comm);
			fputs("</b> <code>", f);
			html_puts(f, h->cmdline);
			fputs("</code></li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	if (procs && !units) {
		/* No restart results (only the processes were kept): the
		 * system services among them, one line per unit. */
		size_t j, k, n, shown = 0;

		for (i = 0; i < r->nrows; i++) {
			const struct hrow *w = &r->rows[i];
			const char *u = w->unit;

			if (w->kind != RES_K_PROCESS ||
			    w->state != DIFF_S_BAD || !u || strchr(u, '/') ||
			    strlen(u) <= 8 ||
			    strcmp(u + strlen(u) - 8, ".service") != 0)
				continue;
			for (j = 0; j < i; j++)
				if (r->rows[j].kind == RES_K_PROCESS &&
				    r->rows[j].state == DIFF_S_BAD &&
				    r->rows[j].unit &&
				    !strcmp(r->rows[j].unit, u))
					break;
			if (j < i)
				continue; /* its unit is listed */
			for (k = i, n = 0; k < r->nrows; k++)
				n += r->rows[k].kind == RES_K_PROCESS &&
				    r->rows[k].state == DIFF_S_BAD &&
				    r->rows[k].unit &&
				    !strcmp(r->rows[k].unit, u);
			fputs(shown++ ? "" : "<pre>", f);
			fputs("systemctl restart ", f);
			html_puts(f, u);
			fprintf(f, "    # %zu process%s\n", n,
			    n == 1 ? "" : "es");
		}
		if (shown)
			fputs("</pre>\n", f);
	}
	if (procs) {
		table_head(f, "processes that need a restart", 1, 0);
		for (i = 0; i < r->nrows; i++)
			if (r->rows[i].kind == RES_K_PROCESS &&
			    r->rows[i].state == DIFF_S_BAD)
				row_td(f, r, &r->rows[i], 1, 0);
		table_end(f);
	}
}

static void side_cell(FILE *f, const struct diff_side *s, const char *none)
{
	fputs("<b>", f);
	if (s->state == DIFF_S_ABSENT)
		fputs(none, f);
	else
		html_puts(f, s->verdict);
	fputs("</b>", f);
}

static void before_after(FILE *f, const struct diff *d)
{
	static const char *const cls_css[DIFF_NCLASS] = {
		"bad",
		"bad",
		"unsure",
		"good",
		"good",
		"",
		"",
		"",
	};
	char label[1024];
	size_t i, listed = 0;
	int c;

	fputs("<h2 id=\"compare\">Before and after</h2>\n<div class=\"cards\">",
	    f);
	for (c = 0; c < DIFF_NCLASS; c++)
		fprintf(f, "<div class=\"card %s\"><b>%lu</b>%s</div>",
		    d->counts[c] ? cls_css[c] : "", d->counts[c],
		    diff_class_text(c));
	fputs("</div>\n", f);
	fputs("<div class=\"scroll\"><table class=\"cmp\"><thead><tr>"
	      "<th>kind</th><th>what</th><th>change</th><th>before &rarr; "
	      "after</th></tr>"
	      "</thead><tbody>\n",
	    f);
	for (i = 0; i < d->n; i++) {
		const struct diff_entry *e = &d->e[i];
		const struct diff_side *why =
		    e->new.state != DIFF_S_ABSENT ? &e->new : &e->old;

		if (e->cls == DIFF_UNCHANGED)
			continue;
		listed++;
		fprintf(f, "<tr class=\"%s\"><td>%s</td><td>",
		    *cls_css[e->cls] ? cls_css[e->cls] : "unsure",
		    diff_kind_name(e->kind));
		html_puts(f, diff_label(e, label, sizeof(label)));
		fprintf(f, "</td><td class=\"%s\">%s</td>", cls_css[e->cls],
		    diff_class_text(e->cls));
		fputs("<td>", f);
		side_cell(f, &e->old, "(none)");
		fputs(" &rarr; ", f);
		side_cell(f, &e->new, "(gone)");
		if (why->reason && *why->reason) {
			fputs("<br><small>", f);
			html_puts(f, why->reason);
			fputs("</small>", f);
		}
		fputs("</td></tr>\n", f);
	}
	if (!listed)
		fputs("<tr><td colspan=\"4\">Nothing changed.</td></tr>\n", f);
	table_end(f);
}

int html_report_write(FILE *f, const struct html_report *r, const char *title,
    const struct diff *before, long long now)
{
	unsigned long bad = 0, good = 0, unsure = 0, restart = 0;
	size_t i;
	char t[64];
	int any;

	for (i = 0; i < r->nrows; i++) {
		if (r->rows[i].kind == RES_K_PROCESS) {
			restart += r->rows[i].state == DIFF_S_BAD;
			unsure += r->rows[i].state == DIFF_S_UNTESTED;
			continue;
		}
		bad += r->rows[i].state == DIFF_S_BAD;
		good += r->rows[i].state == DIFF_S_GOOD;
		unsure += r->rows[i].state == DIFF_S_UNTESTED;
	}
	if (!title || !*title)
		title = "Heartbleed report";
	fputs(
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">"
	    /* Nothing may be fetched, and no script runs. */
	    "<meta http-equiv=\"Content-Security-Policy\" "
	    "content=\"default-src "
	    "'none'; style-src 'unsafe-inline'; img-src data:\">"
	    "<meta name=\"generator\" content=\"heartcheck " HEARTCHECK_VERSION
	    "\"><title>",
	    f);
	html_puts(f, title);
	fprintf(f, "</title><style>%s</style></head>\n<body>\n<h1>", css);
	html_puts(f, title);
	fputs("</h1>\n<p class=\"meta\">", f);
	if (now > 0) {
		fmt_time(t, sizeof(t), now);
		fprintf(f, "Generated %s by heartcheck %s from ", t,
		    HEARTCHECK_VERSION);
	} else {
		fprintf(f, "Generated by heartcheck %s from ",
		    HEARTCHECK_VERSION);
	}
	for (i = 0; i < r->nruns; i++) {
		fputs(i ? ", " : "", f);
		fputs("<code>", f);
		html_puts(f, r->runs[i].file);
		fputs("</code>", f);
	}
	if (!r->nruns)
		fputs("no input", f);
	fputs(".</p>\n", f);

	/* Summary. */
	fputs("<h2 id=\"summary\">Summary</h2>\n<div class=\"cards\">", f);
	fprintf(f, "<div class=\"card %s\"><b>%lu</b>vulnerable</div>",
	    bad ? "bad" : "good", bad);
	fprintf(f,
	    "<div class=\"card %s\"><b>%lu</b>processes to restart"
	    "</div>",
	    restart ? "bad" : "good", restart);
	fprintf(f, "<div class=\"card %s\"><b>%lu</b>not tested</div>",
	    unsure ? "unsure" : "good", unsure);
	fprintf(f, "<div class=\"card good\"><b>%lu</b>tested safe</div>",
	    good);
	fputs("</div>\n", f);
	if (bad || restart)
		fputs("<p class=\"bad\"><b>Action needed.</b> Vulnerable "
		      "services may have disclosed memory: after fixing them, "
		      "replace their certificates and keys and revoke the old "
		      "ones.</p>\n",
		    f);
	else if (r->nrows)
		fputs("<p>Nothing was proven vulnerable.</p>\n", f);
	chart(f, r);

	/* The vulnerable things first, with their proof. */
	fputs("<h2 id=\"vulnerable\">Vulnerable</h2>\n", f);
	any = 0;
	for (i = 0; i < r->nrows; i++)
		if (r->rows[i].state == DIFF_S_BAD &&
		    r->rows[i].kind != RES_K_PROCESS) {
			if (!any++)
				table_head(f, NULL, 1, 1);
			row_td(f, r, &r->rows[i], 1, 1);
		}
	if (any)
		table_end(f);
	else
		fputs("<p>None.</p>\n", f);

	restarts(f, r);

	if (before)
		before_after(f, before);

	/* What was not tested, and why. */
	fputs("<h2 id=\"untested\">Not tested</h2>\n", f);
	any = 0;
	for (i = 0; i < r->nrows; i++)
		if (r->rows[i].state == DIFF_S_UNTESTED) {
			if (!any++)
				table_head(f, NULL, 0, 1);
			row_td(f, r, &r->rows[i], 0, 1);
		}
	if (any)
		table_end(f);
	if (r->nerrors) {
		fputs("<p>Parts that could not run:</p><ul>\n", f);
		for (i = 0; i < r->nerrors; i++) {
			fputs("<li>", f);
			html_puts(f, r->errors[i]);
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	if (!any && !r->nerrors)
		fputs("<p>Everything found was tested.</p>\n", f);

	/* Every result, worst first, with a filter that needs no script:
	 * radio buttons and CSS. */
	fputs("<h2 id=\"all\">All results</h2>\n", f);
	if (r->nrows) {
		static const enum diff_state order[] = { DIFF_S_BAD,
			DIFF_S_UNTESTED, DIFF_S_GOOD };
		size_t k, shown = 0;

		fputs("<div class=\"filter\"><span class=\"meta\">Show: "
		      "</span><input type=\"radio\" name=\"f\" id=\"f-all\" "
		      "checked><label for=\"f-all\">all</label> "
		      "<input type=\"radio\" name=\"f\" id=\"f-bad\"><label "
		      "for=\"f-bad\">vulnerable</label> <input type=\"radio\" "
		      "name=\"f\" id=\"f-unsure\"><label for=\"f-unsure\">not "
		      "tested</label> <input type=\"radio\" name=\"f\" "
		      "id=\"f-good\"><label for=\"f-good\">safe</label>\n",
		    f);
		table_head(f, NULL, 1, 0);
		for (k = 0; k < 3; k++)
			for (i = 0; i < r->nrows && shown < HTML_MAX_ALL_ROWS;
			     i++)
				if (r->rows[i].state == order[k]) {
					row_td(f, r, &r->rows[i], 1, 0);
					shown++;
				}
		table_end(f);
		fputs("</div>\n", f);
		if (r->nrows > HTML_MAX_ALL_ROWS)
			fprintf(f,
			    "<p>%zu more results are not listed; "
			    "the counts above include them.</p>\n",
			    r->nrows - HTML_MAX_ALL_ROWS);
	} else {
		fputs("<p>None.</p>\n", f);
	}

	/* The runs. */
	fputs("<h2 id=\"runs\">Runs</h2>\n<div class=\"scroll\">"
	      "<table "
	      "class=\"runs\"><thead><tr><th>file</th><th>written</th><th>what "
	      "ran</th>"
	      "<th>results</th><th>unreadable lines</th></tr></thead><tbody>\n",
	    f);
	for (i = 0; i < r->nruns; i++) {
		const struct hrun *u = &r->runs[i];

		fmt_time(t, sizeof(t), u->mtime);
		fputs("<tr><td><code>", f);
		html_puts(f, u->file);
		fprintf(f, "</code></td><td>%s</td><td>", t);
		if (u->params)
			html_puts(f, u->params);
		else
			fputs(u->has_scan    ? "scan" :
				u->has_local ? "local audit" :
					       "",
			    f);
		fprintf(f, "</td><td>%lu</td><td class=\"%s\">%lu</td></tr>\n",
		    u->results, u->bad ? "unsure" : "", u->bad);
	}
	fputs("</tbody></table></div>\n", f);
	if (before)
		fprintf(f,
		    "<p class=\"meta\">Compared with an earlier run: "
		    "%lu results read, %lu unreadable lines.</p>\n",
		    before->results[0], before->bad_lines[0]);
	if (r->alloc_failed)
		fputs("<p class=\"bad\">Out of memory: some results are "
		      "missing from this report.</p>\n",
		    f);
	fputs("</body></html>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return HC_ERR_OUTPUT;
	return HC_ERR_SUCCESS;
}
