/*
 * Sinks: where results go.  A producer (the scan's result hook, the local
 * audit) hands each result of the model (result.h) to a sink and never
 * chooses a format itself.  A sink is a const struct of callbacks, one per
 * result kind plus begin and end, like zmap's output modules; a callback
 * left NULL ignores that kind.  Every sink writes through struct out
 * (out.h): the asynchronous writer, the escaping and the JSON strings.
 *
 * Adding a format is one file with its sink_ops and one line in
 * sink_table (sink.c).
 */
#ifndef HEARTCHECK_REPORT_SINK_H
#define HEARTCHECK_REPORT_SINK_H

#include "report/out.h"
#include "report/result.h"

struct sink;

/* The commands that offer a sink (sink_ops.commands). */
enum {
	SINK_SCAN = 1,
	SINK_LOCAL = 2,
	SINK_CLIENTS = 4,
};

struct sink_ops {
	const char *name; /* "text", "json", "nagios", "nmap-xml", ... */
	unsigned commands; /* SINK_* that take it as --format NAME */
	/* One whole document (a header, a closer): a resumed scan cannot
	 * append to it. */
	int document;
	/* Sets up s->priv; returns 0 or an HC_ERR_* code. */
	int (*begin)(struct sink *s);
	/* Writes what is still held and frees s->priv. */
	void (*end)(struct sink *s);

	/* A part of the local audit starts, or ends with the counts so far;
	 * failure says why it could not run (NULL when it ran). */
	void (*section_begin)(struct sink *s, enum res_section sec);
	void (*section_end)(struct sink *s, enum res_section sec,
	    const struct res_local_summary *sofar, const char *failure);

	void (*endpoint)(struct sink *s, const struct res_endpoint *r);
	void (*listener)(struct sink *s, const struct res_listener *r);
	void (*library)(struct sink *s, const struct res_library *r);
	void (*process)(struct sink *s, const struct res_process *r);
	void (*package)(struct sink *s, const struct res_package *r);
	void (*restart)(struct sink *s, const struct res_restart *r);
	void (*error)(struct sink *s, const struct res_error *r);
	void (*scan_summary)(struct sink *s, const struct res_scan_summary *r);
	void (
	    *local_summary)(struct sink *s, const struct res_local_summary *r);
	void (*client)(struct sink *s, const struct res_client *r);
	void (*client_summary)(struct sink *s,
	    const struct res_client_summary *r);
};

struct sink {
	const struct sink_ops *ops;
	struct out *out;
	int quiet; /* text: findings only */
	void *priv; /* the sink's own state */
};

/* The registered sinks, NULL-terminated. */
extern const struct sink_ops *const sink_table[];

extern const struct sink_ops sink_text_ops;
extern const struct sink_ops sink_json_ops;
extern const struct sink_ops sink_nagios_ops;
extern const struct sink_ops sink_openmetrics_ops;
extern const struct sink_ops sink_nmapxml_ops;
extern const struct sink_ops sink_csv_ops;

/* The sink named name, or NULL. */
const struct sink_ops *sink_find(const char *name);

/* The names of the sinks that command (SINK_*) offers, as "a, b, c". */
void sink_names(unsigned command, char *buf, size_t cap);

/* Sets s up to write through out and calls begin.  Returns 0 or an
 * HC_ERR_* code. */
int sink_open(struct sink *s, const struct sink_ops *ops, struct out *out,
    int quiet);
/* Calls end. */
void sink_close(struct sink *s);

/* Dispatch: each calls the sink's callback when it has one. */
void sink_section_begin(struct sink *s, enum res_section sec);
void sink_section_end(struct sink *s, enum res_section sec,
    const struct res_local_summary *sofar, const char *failure);
void sink_endpoint(struct sink *s, const struct res_endpoint *r);
void sink_listener(struct sink *s, const struct res_listener *r);
void sink_library(struct sink *s, const struct res_library *r);
void sink_process(struct sink *s, const struct res_process *r);
void sink_package(struct sink *s, const struct res_package *r);
void sink_restart(struct sink *s, const struct res_restart *r);
void sink_error(struct sink *s, const struct res_error *r);
void sink_scan_summary(struct sink *s, const struct res_scan_summary *r);
void sink_local_summary(struct sink *s, const struct res_local_summary *r);
void sink_client(struct sink *s, const struct res_client *r);
void sink_client_summary(struct sink *s, const struct res_client_summary *r);

#endif
