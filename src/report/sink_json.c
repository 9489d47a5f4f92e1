/*
 * The JSON Lines sink: one object per result, written and flushed as it
 * comes (docs/json-schema.md).
 */
#include <stdio.h>
#include <stdlib.h>

#include "report/sink.h"

static char *hex(const unsigned char *b, size_t n)
{
	static const char d[] = "0123456789abcdef";
	char *s = malloc(n * 2 + 1);
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < n; i++) {
		s[2 * i] = d[b[i] >> 4];
		s[2 * i + 1] = d[b[i] & 15];
	}
	s[2 * n] = '\0';
	return s;
}

/* What a probe of a server or a client ends with, in this order. */
struct probe_tail {
	int heartbeat_ext;
	unsigned disclosed;
	int alert;
	unsigned attempts;
	json_t *strategy; /* taken */
	unsigned nudges;
	json_t *starttls; /* taken; NULL: the kind has no such field */
	uint32_t bytes_sent, bytes_received;
	double elapsed_ms;
};

static void tail_json(json_t *j, const struct probe_tail *t)
{
	json_object_set_new(j, "heartbeat_ext", json_boolean(t->heartbeat_ext));
	json_object_set_new(j, "disclosed", json_integer(t->disclosed));
	json_object_set_new(j, "alert",
	    t->alert >= 0 ? json_integer(t->alert) : json_null());
	json_object_set_new(j, "attempts", json_integer(t->attempts));
	json_object_set_new(j, "strategy", t->strategy);
	json_object_set_new(j, "nudges", json_integer(t->nudges));
	if (t->starttls)
		json_object_set_new(j, "starttls", t->starttls);
	json_object_set_new(j, "bytes_sent", json_integer(t->bytes_sent));
	json_object_set_new(j, "bytes_received",
	    json_integer(t->bytes_received));
	json_object_set_new(j, "elapsed_ms",
	    json_real((double)(long long)(t->elapsed_ms * 10) / 10));
}

static json_t *endpoint_json(const char *type, const struct res_endpoint *r)
{
	json_t *j = json_object();

	if (!j)
		return NULL;
	json_object_set_new(j, "type", json_string(type));
	out_json_set_str(j, "target", r->target);
	if (r->name && r->name[0])
		out_json_set_str(j, "name", r->name);
	json_object_set_new(j, "ip",
	    r->ip && r->ip[0] ? json_string(r->ip) : json_null());
	json_object_set_new(j, "port", json_integer(r->port));
	if (r->transport)
		json_object_set_new(j, "transport", json_string(r->transport));
	json_object_set_new(j, "verdict", json_string(r->verdict));
	out_json_set_str(j, "reason", r->reason);
	json_object_set_new(j, "version",
	    r->version ? json_string(r->version) : json_null());
	{
		struct probe_tail t = { r->heartbeat_ext, r->disclosed,
			r->alert, r->attempts,
			r->strategy && r->attempts ? json_string(r->strategy) :
						     json_null(),
			r->nudges,
			r->starttls ? json_string(r->starttls) : json_null(),
			r->bytes_sent, r->bytes_received, r->elapsed_ms };

		tail_json(j, &t);
	}
	if (r->leaked_len) {
		char *h = hex(r->leaked, r->leaked_len);

		if (h)
			json_object_set_new(j, "leaked_hex", json_string(h));
		free(h);
	}
	return j;
}

static void j_endpoint(struct sink *s, const struct res_endpoint *r)
{
	out_json(s->out, endpoint_json("scan", r));
}

static void j_listener(struct sink *s, const struct res_listener *r)
{
	json_t *j = endpoint_json("listener", &r->ep);

	if (!j)
		return;
	json_object_set_new(j, "pid",
	    r->pid ? json_integer(r->pid) : json_null());
	out_json_set_str(j, "comm", r->comm);
	out_json_set_str(j, "unit", r->unit);
	out_json(s->out, j);
}

static void j_library(struct sink *s, const struct res_library *r)
{
	json_t *j = json_object(), *src = json_array();

	json_object_set_new(j, "type", json_string("library"));
	out_json_set_str(j, "path", r->path);
	out_json_set_str(j, "soname", r->soname);
	out_json_set_str(j, "version", r->version);
	json_object_set_new(j, "verdict", json_string(r->verdict));
	out_json_set_str(j, "reason", r->reason);
	json_object_set_new(j, "disclosed", json_integer(r->disclosed));
	if (r->libcrypto)
		out_json_set_str(j, "libcrypto", r->libcrypto);
	if (r->sources & RES_SRC_LDCACHE)
		json_array_append_new(src, json_string("ld.so.cache"));
	if (r->sources & RES_SRC_DIR)
		json_array_append_new(src, json_string("directory"));
	if (r->sources & RES_SRC_PROCESS)
		json_array_append_new(src, json_string("process"));
	json_object_set_new(j, "sources", src);
	out_json(s->out, j);
}

static void j_process(struct sink *s, const struct res_process *r)
{
	json_t *j = json_object(), *libs = json_array();
	size_t i;

	json_object_set_new(j, "type", json_string("process"));
	json_object_set_new(j, "pid", json_integer(r->pid));
	json_object_set_new(j, "uid", json_integer(r->uid));
	out_json_set_str(j, "comm", r->comm);
	out_json_set_str(j, "cmdline", r->cmdline);
	out_json_set_str(j, "unit", r->unit);
	if (r->container)
		out_json_set_str(j, "container", r->container);
	/* Unknown (null) when some of its images were not examined. */
	json_object_set_new(j, "restart",
	    r->restart > 0     ? json_true() :
		r->restart < 0 ? json_null() :
				 json_false());
	if (r->error)
		out_json_set_str(j, "error", r->error);
	for (i = 0; i < r->nlibs; i++) {
		json_t *l = json_object();

		out_json_set_str(l, "path", r->libs[i].path);
		json_object_set_new(l, "why", json_string(r->libs[i].why));
		json_array_append_new(libs, l);
	}
	json_object_set_new(j, "libraries", libs);
	out_json(s->out, j);
}

static void j_package(struct sink *s, const struct res_package *r)
{
	json_t *j = json_object();

	json_object_set_new(j, "type", json_string("package"));
	out_json_set_str(j, "name", r->name);
	out_json_set_str(j, "version", r->version);
	out_json_set_str(j, "arch", r->arch);
	json_object_set_new(j, "verdict", json_string(r->verdict));
	out_json_set_str(j, "fixed_in", r->fixed_in);
	out_json_set_str(j, "advisory", r->advisory);
	json_object_set_new(j, "confirmed", json_boolean(r->confirmed));
	out_json_set_str(j, "reason", r->reason);
	out_json(s->out, j);
}

static void j_restart(struct sink *s, const struct res_restart *r)
{
	json_t *j = json_object();

	json_object_set_new(j, "type", json_string("restart"));
	if (r->unit) {
		out_json_set_str(j, "unit", r->unit);
		json_object_set_new(j, "processes", json_integer(r->processes));
	} else {
		json_object_set_new(j, "pid", json_integer(r->pid));
		out_json_set_str(j, "comm", r->comm);
		out_json_set_str(j, "cmdline", r->cmdline);
	}
	out_json_set_str(j, "command", r->command);
	out_json(s->out, j);
}

static void j_error(struct sink *s, const struct res_error *r)
{
	json_t *j = json_object();

	json_object_set_new(j, "type", json_string("error"));
	out_json_set_str(j, "error", r->error);
	if (r->stage)
		json_object_set_new(j, "stage", json_string(r->stage));
	out_json(s->out, j);
}

/* A summary's common part: how many of what, by verdict, and the time. */
static json_t *summary_json(const char *what, uint64_t n, size_t nverdicts,
    const char *const *names, const uint64_t *counts, double seconds)
{
	json_t *j = json_object(), *c = json_object();
	size_t v;

	json_object_set_new(j, "type", json_string("summary"));
	json_object_set_new(j, what, json_integer((json_int_t)n));
	for (v = 0; v < nverdicts; v++)
		json_object_set_new(c, names[v],
		    json_integer((json_int_t)counts[v]));
	json_object_set_new(j, "verdicts", c);
	json_object_set_new(j, "seconds", json_real(seconds));
	return j;
}

static void j_scan_summary(struct sink *s, const struct res_scan_summary *r)
{
	json_t *j = summary_json("endpoints", r->endpoints, r->nverdicts,
	    r->verdict_names, r->verdict_counts, r->seconds);

	json_object_set_new(j, "peak_in_flight",
	    json_integer((json_int_t)r->peak_in_flight));
	out_json(s->out, j);
}

static json_t *hello_json(const struct res_client_hello *h)
{
	json_t *j = json_object(), *vs = json_array();
	size_t i;

	json_object_set_new(j, "version", json_string(h->version));
	for (i = 0; i < h->nversions; i++)
		json_array_append_new(vs, json_string(h->versions[i]));
	json_object_set_new(j, "versions", vs);
	json_object_set_new(j, "suites", json_integer(h->suites));
	json_object_set_new(j, "heartbeat", json_boolean(h->heartbeat));
	json_object_set_new(j, "heartbeat_mode",
	    h->heartbeat ? json_integer(h->heartbeat_mode) : json_null());
	if (h->sni && h->sni[0])
		out_json_set_str(j, "sni", h->sni);
	else
		json_object_set_new(j, "sni", json_null());
	return j;
}

static void j_client(struct sink *s, const struct res_client *r)
{
	json_t *j = json_object();
	char peer[64], suite[8];
	int has_ip = r->ip && r->ip[0];
	struct probe_tail t = { r->heartbeat_ext, r->disclosed, r->alert,
		r->attempts, json_string(r->strategy), r->nudges, NULL,
		r->bytes_sent, r->bytes_received, r->elapsed_ms };

	res_client_peer(r, peer, sizeof(peer));
	snprintf(suite, sizeof(suite), "0x%04x", r->suite);
	json_object_set_new(j, "type", json_string("client"));
	json_object_set_new(j, "peer", json_string(peer));
	json_object_set_new(j, "ip", has_ip ? json_string(r->ip) : json_null());
	json_object_set_new(j, "port",
	    has_ip ? json_integer(r->port) : json_null());
	if (r->command) {
		out_json_set_str(j, "command", r->command);
		json_object_set_new(j, "runs", json_integer(r->runs));
		json_object_set_new(j, "command_status",
		    r->command_status >= 0 ? json_integer(r->command_status) :
					     json_null());
		json_object_set_new(j, "command_signal",
		    r->command_signal ? json_integer(r->command_signal) :
					json_null());
	}
	json_object_set_new(j, "verdict", json_string(r->verdict));
	out_json_set_str(j, "reason", r->reason);
	json_object_set_new(j, "client_hello",
	    r->hello ? hello_json(r->hello) : json_null());
	json_object_set_new(j, "version",
	    r->version ? json_string(r->version) : json_null());
	json_object_set_new(j, "suite",
	    r->suite ? json_string(suite) : json_null());
	tail_json(j, &t);
	out_json(s->out, j);
}

static void j_client_summary(struct sink *s, const struct res_client_summary *r)
{
	out_json(s->out,
	    summary_json("clients", r->clients, r->nverdicts, r->verdict_names,
		r->verdict_counts, r->seconds));
}

#define SET_U(obj, key, v) json_object_set_new(obj, key, json_integer(v))

static void j_local_summary(struct sink *s, const struct res_local_summary *r)
{
	json_t *j = json_object(), *t = json_object(), *u = json_object();

	json_object_set_new(j, "type", json_string("local-summary"));
	SET_U(j, "libraries", r->libraries);
	SET_U(j, "vulnerable_libraries", r->vulnerable_libraries);
	SET_U(j, "possibly_vulnerable_libraries",
	    r->possibly_vulnerable_libraries);
	SET_U(j, "untested_libraries", r->untested_libraries);
	SET_U(j, "processes", r->processes);
	SET_U(j, "processes_need_restart", r->processes_need_restart);
	SET_U(j, "processes_unreadable", r->processes_unreadable);
	SET_U(j, "listeners", r->listeners);
	SET_U(j, "vulnerable_listeners", r->vulnerable_listeners);
	SET_U(j, "vulnerable_packages", r->vulnerable_packages);
	SET_U(u, "libraries", r->unfinished.libraries);
	SET_U(u, "processes", r->unfinished.processes);
	SET_U(u, "listeners", r->unfinished.listeners);
	SET_U(u, "packages", r->unfinished.packages);
	json_object_set_new(j, "unfinished", u);
	SET_U(j, "errors", r->errors);
	json_object_set_new(t, "processes", json_real(r->seconds.processes));
	json_object_set_new(t, "libraries", json_real(r->seconds.libraries));
	json_object_set_new(t, "listeners", json_real(r->seconds.listeners));
	json_object_set_new(t, "packages", json_real(r->seconds.packages));
	json_object_set_new(t, "total", json_real(r->seconds.total));
	json_object_set_new(j, "seconds", t);
	out_json(s->out, j);
}

const struct sink_ops sink_json_ops = {
	.name = "json",
	.commands = SINK_SCAN | SINK_LOCAL | SINK_CLIENTS,
	.endpoint = j_endpoint,
	.listener = j_listener,
	.library = j_library,
	.process = j_process,
	.package = j_package,
	.restart = j_restart,
	.error = j_error,
	.scan_summary = j_scan_summary,
	.local_summary = j_local_summary,
	.client = j_client,
	.client_summary = j_client_summary,
};
