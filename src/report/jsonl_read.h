/*
 * A reader for heartcheck's JSON Lines (docs/json-schema.md), for commands
 * that read a report back (heartcheck diff): each line is parsed into the
 * result model (result.h).  A bad or truncated line is an error named
 * FILE:LINE, and the lines after it are still read.
 */
#ifndef HEARTCHECK_REPORT_JSONL_READ_H
#define HEARTCHECK_REPORT_JSONL_READ_H

#include <stdio.h>

#include "report/result.h"

enum res_kind {
	RES_K_UNKNOWN, /* a type this version does not know */
	RES_K_SCAN,
	RES_K_LISTENER,
	RES_K_LIBRARY,
	RES_K_PROCESS,
	RES_K_PACKAGE,
	RES_K_RESTART,
	RES_K_ERROR,
	RES_K_SUMMARY,
	RES_K_LOCAL_SUMMARY,
};

/* One result read.  Strings point into the parsed line and are valid only
 * during the callback; they are the JSON strings as written, except that a
 * string that was not UTF-8 (it has a FIELD_b64 sibling) is read as the
 * exact bytes FIELD_b64 holds, unless they hold a NUL byte. */
struct jsonl_item {
	enum res_kind kind;
	const char *type; /* the "type" field as read */
	const char *file;
	unsigned long line;
	union {
		struct res_endpoint scan;
		struct res_listener listener;
		struct res_library library;
		struct res_process process;
		struct res_package package;
		struct res_restart restart;
		struct res_error error;
		struct res_scan_summary summary;
		struct res_local_summary local_summary;
	} u;
};

struct jsonl_cb {
	/* Each result, in file order. */
	void (*result)(void *ctx, const struct jsonl_item *it);
	/* Each line that could not be read: code is HC_ERR_PARSE (not a JSON
	 * object, or no "type"), HC_ERR_TRUNCATED (a last line cut short) or
	 * HC_ERR_ALLOC_FAIL; msg is "FILE:LINE: why". */
	void (*error)(void *ctx, int code, const char *msg);
	void *ctx;
};

struct jsonl_stats {
	unsigned long lines, results, errors;
};

/* Reads f (named name in messages) to its end.  Returns 0 when every line
 * was read, the HC_ERR_* code of the first bad line otherwise, or
 * HC_ERR_SYSTEM when f could not be read.  st may be NULL. */
int jsonl_read(FILE *f, const char *name, const struct jsonl_cb *cb,
    struct jsonl_stats *st);

/* jsonl_read on the file at path ("-": standard input). */
int jsonl_read_file(const char *path, const struct jsonl_cb *cb,
    struct jsonl_stats *st);

#endif
