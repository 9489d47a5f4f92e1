/*
 * The table of sinks and the dispatch to them.
 */
#include "report/sink.h"

#include <stdio.h>
#include <string.h>

#include "report/err.h"

const struct sink_ops *const sink_table[] = {
	&sink_text_ops,
	&sink_json_ops,
	&sink_nagios_ops,
	&sink_openmetrics_ops,
	&sink_nmapxml_ops,
	&sink_csv_ops,
	NULL,
};

const struct sink_ops *sink_find(const char *name)
{
	size_t i;

	for (i = 0; sink_table[i]; i++)
		if (!strcmp(sink_table[i]->name, name))
			return sink_table[i];
	return NULL;
}

void sink_names(unsigned command, char *buf, size_t cap)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; sink_table[i]; i++)
		if ((sink_table[i]->commands & command) && n < cap)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s",
			    n ? ", " : "", sink_table[i]->name);
}

int sink_open(struct sink *s, const struct sink_ops *ops, struct out *out,
    int quiet)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->out = out;
	s->quiet = quiet;
	return ops->begin ? ops->begin(s) : HC_ERR_SUCCESS;
}

void sink_close(struct sink *s)
{
	if (s->ops && s->ops->end)
		s->ops->end(s);
	s->priv = NULL;
}

unsigned res_unfinished(const struct res_local_summary *s)
{
	return s->unfinished.libraries + s->unfinished.processes +
	    s->unfinished.listeners + s->unfinished.packages;
}

void res_client_peer(const struct res_client *r, char *buf, size_t cap)
{
	if (r->ip && r->ip[0])
		snprintf(buf, cap, strchr(r->ip, ':') ? "[%s]:%u" : "%s:%u",
		    r->ip, r->port);
	else
		snprintf(buf, cap, "-");
}

void res_unfinished_text(const struct res_local_summary *c, char *buf,
    size_t cap)
{
	size_t n = 0;
	int first = 1;

	buf[0] = '\0';
#define PART(cnt, one, many) \
	if ((cnt) && n < cap) { \
		n += (size_t)snprintf(buf + n, cap - n, "%s %u %s", \
		    first ? "" : ",", (cnt), (cnt) == 1 ? (one) : (many)); \
		first = 0; \
	}
	PART(c->unfinished.libraries, "library", "libraries")
	PART(c->unfinished.processes, "process", "processes")
	PART(c->unfinished.listeners, "listener", "listeners")
	PART(c->unfinished.packages, "package check", "package checks")
#undef PART
}

void sink_section_begin(struct sink *s, enum res_section sec)
{
	if (s->ops->section_begin)
		s->ops->section_begin(s, sec);
}

void sink_section_end(struct sink *s, enum res_section sec,
    const struct res_local_summary *sofar, const char *failure)
{
	if (s->ops->section_end)
		s->ops->section_end(s, sec, sofar, failure);
}

#define DISPATCH(kind, type) \
	void sink_##kind(struct sink *s, const struct type *r) \
	{ \
		if (s->ops->kind) \
			s->ops->kind(s, r); \
	}
DISPATCH(endpoint, res_endpoint)
DISPATCH(listener, res_listener)
DISPATCH(library, res_library)
DISPATCH(process, res_process)
DISPATCH(package, res_package)
DISPATCH(restart, res_restart)
DISPATCH(error, res_error)
DISPATCH(scan_summary, res_scan_summary)
DISPATCH(local_summary, res_local_summary)
DISPATCH(client, res_client)
DISPATCH(client_summary, res_client_summary)
#undef DISPATCH
