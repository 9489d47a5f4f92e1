/*
 * The text sink, for people: one line per result, colour only on a
 * terminal, every untrusted string escaped (out_esc).
 */
#include <stdlib.h>
#include <string.h>

#include "report/err.h"
#include "report/sink.h"

struct text {
	unsigned unreadable_shown; /* unreadable processes seen */
	char **restarts; /* advice lines, held to the end */
	size_t nrestarts, cap;
	int restart_oom;
};

static int t_begin(struct sink *s)
{
	s->priv = calloc(1, sizeof(struct text));
	return s->priv ? HC_ERR_SUCCESS : HC_ERR_ALLOC_FAIL;
}

static void t_end(struct sink *s)
{
	struct text *t = s->priv;
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nrestarts; i++)
		free(t->restarts[i]);
	free(t->restarts);
	free(t);
}

static const char *grade_color(const struct out *o, enum res_grade g)
{
	return g == RES_BAD ? out_red(o) :
	    g == RES_GOOD   ? out_green(o) :
			      out_yellow(o);
}

/* ---- scan ---- */

static void t_endpoint(struct sink *s, const struct res_endpoint *r)
{
	struct out *o = s->out;

	if (s->quiet && r->grade != RES_UNSURE && !r->vulnerable)
		return;
	fprintf(o->f, "%s%-16s%s %-28s %-8s %s%s%s%s\n",
	    grade_color(o, r->grade), r->verdict, out_reset(o),
	    out_esc(r->target), r->version ? r->version : "-",
	    r->starttls ? "(STARTTLS " : "", out_esc(r->starttls),
	    r->starttls ? ") " : "", out_esc(r->reason));
	if (r->leaked_len) {
		fprintf(o->f, "    %zu bytes over-read, %u of them not ours:\n",
		    r->leaked_len, r->disclosed);
		out_hexdump(o->f, "    ", r->leaked, r->leaked_len);
	}
	fflush(o->f);
}

/* A summary's first line: "N what in S s: verdict count, ...". */
static void counts_line(struct out *o, uint64_t n, const char *what,
    double seconds, size_t nverdicts, const char *const *names,
    const uint64_t *counts)
{
	size_t v;

	fprintf(o->f, "\n%s%llu %s in %.2f s:%s", out_bold(o),
	    (unsigned long long)n, what, seconds, out_reset(o));
	for (v = 0; v < nverdicts; v++)
		if (counts[v])
			fprintf(o->f, " %s %llu,", names[v],
			    (unsigned long long)counts[v]);
	fputc('\n', o->f);
}

static void t_scan_summary(struct sink *s, const struct res_scan_summary *r)
{
	struct out *o = s->out;

	/* --quiet: findings only, no summary. */
	if (s->quiet)
		return;
	counts_line(o, r->endpoints, "endpoints", r->seconds, r->nverdicts,
	    r->verdict_names, r->verdict_counts);
	if (r->vulnerable)
		fprintf(o->f,
		    "%sVulnerable endpoints found.%s Upgrade OpenSSL "
		    "to 1.0.1g or later (or your distribution's fixed "
		    "package), restart every service that uses it "
		    "(`heartcheck local` names them), then revoke and reissue "
		    "their certificates and keys.\n",
		    out_red(o), out_reset(o));
	fflush(o->f);
}

/* ---- clients ---- */

static void t_client(struct sink *s, const struct res_client *r)
{
	struct out *o = s->out;
	char peer[64];

	if (s->quiet && r->grade != RES_UNSURE && !r->vulnerable)
		return;
	res_client_peer(r, peer, sizeof(peer));
	fprintf(o->f, "%s%-16s%s %-22s %-8s %s%s%s%s (%s%s, %.0f ms)\n",
	    grade_color(o, r->grade), r->verdict, out_reset(o), peer,
	    r->version ? r->version : "-", r->command ? "[" : "",
	    r->command ? out_esc(r->command) : "", r->command ? "] " : "",
	    out_esc(r->reason),
	    r->hello ? (r->heartbeat_ext ? "extension 15 offered" :
					   "no extension 15") :
		       "no ClientHello",
	    r->attempts > 1 ? ", several connections" : "", r->elapsed_ms);
	fflush(o->f);
}

static void t_client_summary(struct sink *s, const struct res_client_summary *r)
{
	struct out *o = s->out;

	if (s->quiet)
		return;
	counts_line(o, r->clients, r->clients == 1 ? "client" : "clients",
	    r->seconds, r->nverdicts, r->verdict_names, r->verdict_counts);
	if (r->vulnerable)
		fprintf(o->f,
		    "%sVulnerable clients found.%s Upgrade the "
		    "OpenSSL they use to 1.0.1g or later and restart them; a "
		    "vulnerable client that talked to a hostile server may "
		    "have sent it any of its memory.\n",
		    out_red(o), out_reset(o));
	fflush(o->f);
}

/* ---- local audit ---- */

static void t_section_begin(struct sink *s, enum res_section sec)
{
	static const char *const title[] = {
		[RES_SEC_LIBRARIES] = "Libraries (each tested by running its "
				      "own code in a sandbox)",
		[RES_SEC_PROCESSES] = "Processes that still map an old or "
				      "vulnerable libssl",
		[RES_SEC_LISTENERS] = "Listening services: TCP, and UDP "
				      "with DTLS (probed over loopback)",
		[RES_SEC_PACKAGES] = "Packages",
	};

	fprintf(s->out->f, "%s%s%s\n", out_bold(s->out), title[sec],
	    out_reset(s->out));
}

static void t_section_end(struct sink *s, enum res_section sec,
    const struct res_local_summary *c, const char *failure)
{
	FILE *f = s->out->f;
	struct out *o = s->out;

	if (failure) {
		fprintf(f, "  %s\n", out_esc(failure));
		return;
	}
	switch (sec) {
	case RES_SEC_LIBRARIES:
		if (c->libraries == 0)
			fprintf(f, "  no libssl found\n");
		break;
	case RES_SEC_PROCESSES:
		if (c->processes_unreadable > 5)
			fprintf(f,
			    "  %s...%s and %u more unreadable "
			    "processes\n",
			    out_yellow(o), out_reset(o),
			    c->processes_unreadable - 5);
		if (c->processes_need_restart == 0)
			fprintf(f,
			    "  %snone%s among the processes read (%u "
			    "of %u read, %u map libssl or libcrypto)\n",
			    out_green(o), out_reset(o),
			    c->processes - c->processes_unreadable,
			    c->processes, c->processes_with_tls);
		break;
	case RES_SEC_LISTENERS:
		fprintf(f, "  %u listening sockets, %u speak TLS or DTLS",
		    c->listeners, c->listeners_tls);
		if (c->unfinished.listeners)
			fprintf(f, ", %u not finished",
			    c->unfinished.listeners);
		if (c->listeners_skipped)
			fprintf(f,
			    ", %u bound to non-loopback addresses not "
			    "probed (use heartcheck scan)",
			    c->listeners_skipped);
		fputc('\n', f);
		break;
	case RES_SEC_PACKAGES:
		if (c->packages == 0)
			fprintf(f, "  no OpenSSL package installed\n");
		else if (s->quiet && c->vulnerable_packages == 0)
			fprintf(f, "  no vulnerable package (%u checked)\n",
			    c->packages);
		break;
	}
}

static void t_library(struct sink *s, const struct res_library *r)
{
	struct out *o = s->out;

	if (s->quiet && r->grade == RES_GOOD)
		return;
	fprintf(o->f, "  %s%-20s%s %s\n      %s%s%s\n",
	    grade_color(o, r->grade), r->verdict, out_reset(o),
	    out_esc(r->path), r->version[0] ? out_esc(r->version) : "",
	    r->version[0] ? ": " : "", out_esc(r->reason));
	fflush(o->f);
}

static void t_process(struct sink *s, const struct res_process *p)
{
	struct text *t = s->priv;
	struct out *o = s->out;
	size_t i;

	if (p->unreadable || (p->dropped && p->restart <= 0))
		t->unreadable_shown++;
	if (p->restart <= 0 && !p->unreadable && !p->dropped)
		return;
	if (p->dropped && p->restart <= 0) {
		fprintf(o->f, "  %s%-20s%s pid %ld %s: %s\n", out_yellow(o),
		    "not-examined", out_reset(o), p->pid, out_esc(p->comm),
		    out_esc(p->error));
		return;
	}
	if (p->unreadable) {
		/* Without root most processes are unreadable: name a few,
		 * count the rest. */
		if (t->unreadable_shown <= 5)
			fprintf(o->f, "  %s%-20s%s pid %ld %s: %s\n",
			    out_yellow(o), "unreadable", out_reset(o), p->pid,
			    out_esc(p->comm), out_esc(p->error));
		return;
	}
	fprintf(o->f, "  %s%-20s%s pid %ld %s%s%s%s\n",
	    p->vulnerable ? out_red(o) : out_yellow(o), "restart", out_reset(o),
	    p->pid, out_esc(p->comm), p->unit ? " (" : "", out_esc(p->unit),
	    p->unit ? ")" : "");
	for (i = 0; i < p->nlibs; i++)
		if (p->libs[i].why[0])
			fprintf(o->f, "      %s: %s\n",
			    out_esc(p->libs[i].path), p->libs[i].why);
	if (p->dropped)
		fprintf(o->f, "      and %s\n", out_esc(p->error));
	fflush(o->f);
}

static void t_listener(struct sink *s, const struct res_listener *r)
{
	struct out *o = s->out;
	int tls = r->ep.grade != RES_UNSURE;

	if ((!tls && s->quiet) || r->no_service)
		return;
	fprintf(o->f, "  %s%-20s%s %-24s %s%s%s%s%s %s%s%s%s\n",
	    r->ep.vulnerable ? out_red(o) :
		tls	     ? out_green(o) :
			       out_yellow(o),
	    r->ep.verdict, out_reset(o), out_esc(r->ep.target),
	    r->comm ? "(" : "", out_esc(r->comm), r->unit ? ", " : "",
	    out_esc(r->unit), r->comm ? ")" : "",
	    r->ep.starttls ? "(STARTTLS " : "", out_esc(r->ep.starttls),
	    r->ep.starttls ? ") " : "", out_esc(r->ep.reason));
	fflush(o->f);
}

static void t_package(struct sink *s, const struct res_package *r)
{
	struct out *o = s->out;

	if (s->quiet && r->grade != RES_BAD)
		return;
	fprintf(o->f, "  %s%-20s%s %s %s: %s\n", grade_color(o, r->grade),
	    r->verdict, out_reset(o), out_esc(r->name), out_esc(r->version),
	    out_esc(r->reason));
}

/* A restart is advice: held until the summary says what to do. */
static void t_restart(struct sink *s, const struct res_restart *r)
{
	struct text *t = s->priv;
	char line[1600];

	if (r->unit)
		snprintf(line, sizeof(line), "%s    # %u process%s",
		    out_esc(r->command), r->processes,
		    r->processes == 1 ? "" : "es");
	else
		snprintf(line, sizeof(line),
		    "restart pid %ld (%s): %s    # "
		    "%s%s%s",
		    r->pid, out_esc(r->comm),
		    r->cmdline && r->cmdline[0] ? out_esc(r->cmdline) : "?",
		    r->why, r->where ? ", in " : "", out_esc(r->where));
	if (t->nrestarts == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		char **v = realloc(t->restarts, cap * sizeof(*v));

		if (!v) {
			t->restart_oom = 1;
			return;
		}
		t->restarts = v;
		t->cap = cap;
	}
	if ((t->restarts[t->nrestarts] = strdup(line)) == NULL) {
		t->restart_oom = 1;
		return;
	}
	t->nrestarts++;
}

static void advice(struct sink *s, const struct res_local_summary *c)
{
	struct text *t = s->priv;
	struct out *o = s->out;
	FILE *f = o->f;
	int step = 0;
	size_t i;

	fprintf(f, "\n%sWhat to do%s\n", out_bold(o), out_reset(o));
	if (c->vulnerable_libraries || c->vulnerable_packages ||
	    c->possibly_vulnerable_libraries)
		fprintf(f,
		    "  %d. Upgrade OpenSSL to 1.0.1g or later, or to "
		    "your distribution's fixed package.\n",
		    ++step);
	if (c->vulnerable_listeners && !c->processes_vulnerable_loaded)
		fprintf(f,
		    "  %d. Find the OpenSSL of each vulnerable "
		    "listener above: a static build, or one inside a "
		    "container, is not among this host's libraries.  Upgrade "
		    "it.\n",
		    ++step);
	if (t->nrestarts || t->restart_oom) {
		fprintf(f, "  %d. Restart what still maps the old library:\n",
		    ++step);
		for (i = 0; i < t->nrestarts; i++)
			fprintf(f, "%s\n", t->restarts[i]);
		if (t->restart_oom)
			fprintf(f,
			    "(out of memory: more to restart, see the "
			    "processes above)\n");
	} else if (c->vulnerable_listeners) {
		fprintf(f,
		    "  %d. Restart the services behind the vulnerable "
		    "listeners.\n",
		    ++step);
	}
	if (c->vulnerable_libraries || c->vulnerable_listeners ||
	    c->processes_vulnerable_loaded)
		fprintf(f,
		    "  %d. Revoke and reissue the certificates and keys "
		    "of every service that ran the vulnerable library, and "
		    "change the passwords it handled.\n",
		    ++step);
	if (c->processes_unreadable && !c->root)
		fprintf(f,
		    "  %d. Run as root: %u process%s could not be read "
		    "and may still map an old library.\n"
		    "     [hint] sudo heartcheck local\n",
		    ++step, c->processes_unreadable,
		    c->processes_unreadable == 1 ? "" : "es");
	else if (c->processes_unreadable)
		/* Even root is refused by another PID namespace's init or a
		 * security module: say so instead of asking for root. */
		fprintf(f,
		    "  %d. Check the %u process%s that could not be "
		    "read even as root (listed above): they may still map an "
		    "old library.\n",
		    ++step, c->processes_unreadable,
		    c->processes_unreadable == 1 ? "" : "es");
	if (step)
		fprintf(f, "  %d. Run heartcheck again to verify.\n", ++step);
	else
		fprintf(f,
		    "  %sNothing: no vulnerable library, nothing to "
		    "restart.%s\n",
		    out_green(o), out_reset(o));
}

static void t_local_summary(struct sink *s, const struct res_local_summary *c)
{
	FILE *f = s->out->f;
	char unf[160];

	advice(s, c);
	fprintf(f,
	    "\n%u libssl tested (%u vulnerable), %u of %u processes to "
	    "restart, %u TLS listeners (%u vulnerable), %u vulnerable "
	    "packages; %.2f s (processes %.3f s).\n",
	    c->libraries, c->vulnerable_libraries, c->processes_need_restart,
	    c->processes, c->listeners_tls, c->vulnerable_listeners,
	    c->vulnerable_packages, c->seconds.total, c->seconds.processes);
	res_unfinished_text(c, unf, sizeof(unf));
	if (unf[0])
		fprintf(f, "Not finished before the deadline or budget:%s.\n",
		    unf);
	if (c->processes_unreadable)
		fprintf(f, "%u process%s could not be read%s.\n",
		    c->processes_unreadable,
		    c->processes_unreadable == 1 ? "" : "es",
		    !c->root ? ": run as root to see them" : ", even as root");
	if (c->errors)
		fprintf(f,
		    "%u part%s of the audit could not run (see "
		    "above).\n",
		    c->errors, c->errors == 1 ? "" : "s");
}

const struct sink_ops sink_text_ops = {
	.name = "text",
	.commands = SINK_SCAN | SINK_LOCAL | SINK_CLIENTS,
	.begin = t_begin,
	.end = t_end,
	.section_begin = t_section_begin,
	.section_end = t_section_end,
	.endpoint = t_endpoint,
	.listener = t_listener,
	.library = t_library,
	.process = t_process,
	.package = t_package,
	.restart = t_restart,
	.scan_summary = t_scan_summary,
	.local_summary = t_local_summary,
	.client = t_client,
	.client_summary = t_client_summary,
};
