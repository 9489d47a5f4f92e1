/*
 * The diff engine: two runs of heartcheck (JSON Lines read back by
 * report/jsonl_read.h) compared thing by thing.  Each endpoint, listener,
 * library, process (or service) and package is matched by its identity
 * and classified by how its state moved: fixed, still vulnerable, newly
 * vulnerable, now tested, newly untested, gone, new or unchanged.
 * Used by heartcheck diff and by heartcheck report --before.
 *
 * Identities (docs/json-schema.md, "heartcheck diff"):
 *   scan       target and ip
 *   listener   ip and port
 *   library    path
 *   process    its unit when it has one (a restarted service has new pids;
 *              all processes of a unit are one thing, in its worst state),
 *              else pid and start_time when present, else pid and comm
 *   package    name and arch (the version changes with an upgrade)
 * Results of other types (restart, error, summaries, types this version
 * does not know) are counted, not compared.
 */
#ifndef HEARTCHECK_REPORT_DIFF_H
#define HEARTCHECK_REPORT_DIFF_H

#include <stddef.h>

#include "report/jsonl_read.h"

/* The state of one thing in one run. */
enum diff_state {
	DIFF_S_ABSENT,
	DIFF_S_GOOD, /* tested: patched, no-heartbeat, no restart */
	DIFF_S_UNTESTED, /* not tested, or not proven either way */
	DIFF_S_BAD, /* vulnerable, or needs a restart */
};

/* How it moved, in the order reports list them (worst first). */
enum diff_class {
	DIFF_NEWLY_VULNERABLE, /* bad now; good, untested or absent before */
	DIFF_STILL_VULNERABLE, /* bad before and now */
	DIFF_NEWLY_UNTESTED, /* tested before (good or bad), untested now */
	DIFF_FIXED, /* bad before; good now, or a process (or a
		     * library or package) that is gone */
	DIFF_NOW_TESTED, /* untested before, good now */
	DIFF_GONE, /* only in the old run (not bad, or an
		    * endpoint or listener) */
	DIFF_NEW, /* only in the new run, and not bad */
	DIFF_UNCHANGED, /* the same state in both */
	DIFF_NCLASS,
};

enum diff_kind {
	DIFF_K_SCAN,
	DIFF_K_LISTENER,
	DIFF_K_LIBRARY,
	DIFF_K_PROCESS,
	DIFF_K_PACKAGE,
};

/* One thing in one run.  Strings are owned by the diff. */
struct diff_side {
	enum diff_state state;
	char *verdict; /* the verdict keyword; for a process
			* "restart", "no-restart", "unknown" or
			* "unreadable" */
	char *reason; /* or NULL */
	char *file; /* where it was read */
	unsigned long line;
	unsigned count; /* results merged into it (a unit's
			 * processes, a repeated endpoint) */
};

struct diff_entry {
	enum diff_kind kind;
	enum diff_class cls;
	char *key; /* the identity, for matching and sorting */
	/* Identity fields for people and JSON; NULL when not part of it. */
	char *target, *ip, *path, *unit, *comm, *name, *arch;
	long port; /* -1: none */
	long pid; /* -1: none */
	struct diff_side old, new;
};

struct diff {
	struct diff_entry *e;
	size_t n, cap;
	int finished;
	unsigned long counts[DIFF_NCLASS];
	/* Per side (0 old, 1 new): results read, of them not compared, and
	 * lines that could not be read. */
	unsigned long results[2], ignored[2], bad_lines[2];
	int alloc_failed;
};

void diff_init(struct diff *d);
void diff_free(struct diff *d);

/* Adds one result read from the old (side 0) or new (side 1) run.  Returns
 * 0, or HC_ERR_ALLOC_FAIL. */
int diff_add(struct diff *d, int side, const struct jsonl_item *it);

/* Counts a line of side that could not be read (jsonl_cb.error). */
void diff_bad_line(struct diff *d, int side);

/* Reads the JSON Lines file at path ("-": standard input) into side; each
 * bad line goes to err (may be NULL) as "FILE:LINE: why" and the rest is
 * still read.  Returns jsonl_read_file's code. */
int diff_read_file(struct diff *d, int side, const char *path,
    void (*err)(void *ctx, int code, const char *msg), void *ctx);

/* Matches both runs and classifies every thing; sorts d->e by class (worst
 * first), kind and identity.  Returns 0 or HC_ERR_ALLOC_FAIL. */
int diff_finish(struct diff *d);

/* "fixed", "still-vulnerable", ... (JSON) and "still vulnerable" (text). */
const char *diff_class_name(enum diff_class c);
const char *diff_class_text(enum diff_class c);
/* "scan", "listener", "library", "process", "package". */
const char *diff_kind_name(enum diff_kind k);
/* The thing for people, unescaped: "127.0.0.1:443", "nginx.service
 * (nginx)", "pid 42 (curl)"; in buf. */
const char *diff_label(const struct diff_entry *e, char *buf, size_t cap);

/* After diff_finish: 1 when something is still or newly vulnerable (or a
 * process still needs a restart), else 3 when something is newly untested
 * or a line could not be read, else 0. */
int diff_exit_code(const struct diff *d);

/* The one-line summary, without a newline: "3 fixed, 1 still vulnerable,
 * 0 newly vulnerable, 2 newly untested, 5 gone, 0 now tested, 1 new, 7
 * unchanged" and, when lines could not be read, "; 2 input lines
 * unreadable". */
void diff_summary_line(const struct diff *d, char *buf, size_t cap);

#endif
