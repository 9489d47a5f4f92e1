/*
 * The HTML report (heartcheck report): results read back from JSON Lines,
 * written as one self-contained page for people who act on them: summary
 * counts and an inline SVG chart, the vulnerable things first with their
 * proof, the services to restart, what was not tested and why, the
 * before/after comparison of two runs (report/diff.h), and the runs'
 * parameters.  Inline CSS, no script, no fetch of anything.
 *
 * Every string from the input is escaped through html_escape: it comes from
 * servers and local users that may be hostile.
 */
#ifndef HEARTCHECK_REPORT_HTML_H
#define HEARTCHECK_REPORT_HTML_H

#include <stdio.h>

#include "report/diff.h"
#include "report/jsonl_read.h"

/*
 * Escapes len bytes of s for HTML text and attribute values: first as
 * out_escape does for text (controls, DEL, C1 controls and bytes that are
 * not UTF-8 become "\xNN", a backslash "\\"), then '&', '<', '>', '"' and
 * '\'' become character references.  The result never holds any of those
 * five characters except as the start of a reference.  Writes at most cap
 * bytes including the NUL and returns the length the whole result needs.
 */
size_t html_escape(char *dst, size_t cap, const char *s, size_t len);

/* Writes s escaped to f; NULL writes nothing. */
void html_puts(FILE *f, const char *s);

struct html_report;

struct html_report *html_report_new(void);
void html_report_free(struct html_report *r);

/* Adds one result, copied.  Returns 0 or HC_ERR_ALLOC_FAIL. */
int html_report_add(struct html_report *r, const struct jsonl_item *it);

/* Reads a JSON Lines file of results ("-": standard input); each line that
 * cannot be read goes to err as "FILE:LINE: why", is counted and shown in
 * the report, and the rest is still read.  Each result read also goes to
 * also, when not NULL (the diff of --before).  Returns jsonl_read_file's
 * code. */
int html_report_read_file(struct html_report *r, const char *path,
    void (*err)(void *ctx, int code, const char *msg),
    void (*also)(void *ctx, const struct jsonl_item *it), void *ctx);

/* Lines that could not be read, over every file so far. */
unsigned long html_report_bad_lines(const struct html_report *r);

/* Writes the page to f.  title may be NULL; before, when not NULL, is a
 * finished diff (an earlier run against these results) shown as the
 * before/after comparison.  now is the time printed as generated (0:
 * none).  Returns 0, or HC_ERR_OUTPUT when f could not be written. */
int html_report_write(FILE *f, const struct html_report *r, const char *title,
    const struct diff *before, long long now);

#endif
