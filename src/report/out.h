/*
 * The output stream: every sink (report/sink.h) writes through here.
 * Text for people (colour only on a terminal) and JSON Lines (one object
 * per result, flushed as it is written, schema in docs/json-schema.md).
 */
#ifndef HEARTCHECK_REPORT_OUT_H
#define HEARTCHECK_REPORT_OUT_H

#include <stdio.h>

#include <jansson.h>

struct writer;

struct out {
	FILE *f; /* write here: a stream into the writer, or raw */
	FILE *raw; /* the stream given to out_init */
	struct writer *w;
	int json;
	int color;
};

/* Results queued beyond this many bytes make out_busy() hold new probes. */
#define OUT_HOLD_BYTES (64 * 1024)

/* Sets up a sink on f; colour follows isatty and NO_COLOR unless forced
 * (color: -1 auto, 0 never, 1 always).  Output goes through an
 * asynchronous writer (report/writer.h), so printing never blocks on a slow
 * reader; out_close() waits for it. */
void out_init(struct out *o, FILE *f, int json, int color);

/* Flushes, waits until every byte is written and stops the writer.
 * Returns 0, or the errno of the first failed write. */
int out_close(struct out *o);

/* The errno of the first failed write so far, or 0. */
int out_failed(struct out *o);

/* For scan_hooks.busy: -1 when a write failed (stop the scan), 1 when more
 * than OUT_HOLD_BYTES wait to be written (start no new probe), else 0. */
int out_busy(struct out *o);

/* Writes s to standard error in order with the output, without blocking;
 * with droppable, not at all while output waits to be written (a progress
 * line that a stalled terminal would only queue up). */
void out_stderr(struct out *o, const char *s, int droppable);

/* Says on stderr that the output could not be written, and why. */
void out_write_error(int err);

/*
 * Escaping for text output.  Every string from an untrusted source (process
 * names and command lines, paths, unit names, server bytes, targets and
 * arguments echoed in messages) is printed through here: C0 controls, DEL,
 * the C1 controls U+0080..U+009F, bytes that are not valid UTF-8 and the
 * backslash itself become "\xNN" ("\\" for a backslash); valid UTF-8
 * text is kept.  out_escape writes at most cap bytes including the NUL and
 * returns the length the whole escaped text needs.
 */
size_t out_escape(char *dst, size_t cap, const char *s, size_t len);
/* out_escape into one of 8 rotating buffers, for use as printf arguments:
 * valid until the 8th call after it.  NULL prints as "". */
const char *out_esc(const char *s);

/*
 * JSON strings from untrusted sources: valid UTF-8 is set as it is; text
 * that is not valid UTF-8 is set with each invalid byte written as the
 * four characters "\xNN", and a sibling KEY_b64 holds the exact bytes in
 * base64 (docs/json-schema.md).  The field is never dropped.
 */
void out_json_set_str(json_t *obj, const char *key, const char *s);

/* Writes one JSON object as a line and flushes; takes ownership of obj. */
void out_json(struct out *o, json_t *obj);

/* Colour helpers for text lines: return "" when colour is off. */
const char *out_red(const struct out *o);
const char *out_green(const struct out *o);
const char *out_yellow(const struct out *o);
const char *out_bold(const struct out *o);
const char *out_reset(const struct out *o);

/* Writes a classic 16-bytes-per-line hexdump of b, each line prefixed. */
void out_hexdump(FILE *f, const char *prefix, const unsigned char *b, size_t n);

#endif
