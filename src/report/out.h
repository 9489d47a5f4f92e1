/*
 * Output sinks: text for people (colour only on a terminal) and JSON Lines
 * (one object per result, flushed as it is written, schema in
 * docs/json-schema.md).  Every command writes through here.
 */
#ifndef HEARTCHECK_REPORT_OUT_H
#define HEARTCHECK_REPORT_OUT_H

#include <stdio.h>

#include <jansson.h>

#include "net/scan.h"

struct out {
	FILE *f;
	int json;
	int color;
	int quiet;      /* text: only vulnerable and untested results */
};

/* Sets up a sink on f; colour follows isatty and NO_COLOR unless forced
 * (color: -1 auto, 0 never, 1 always). */
void out_init(struct out *o, FILE *f, int json, int color);

void out_scan_result(struct out *o, const struct scan_result *r);
/* The JSON object of one scan result ("type": "scan"), for callers that
 * add fields of their own before out_json(); NULL when out of memory. */
json_t *out_scan_json(const struct scan_result *r);
void out_scan_summary(struct out *o, const struct scan_stats *st,
    double seconds);

/* Writes one JSON object as a line and flushes; takes ownership of obj. */
void out_json(struct out *o, json_t *obj);

/* Colour helpers for text lines: return "" when colour is off. */
const char *out_red(const struct out *o);
const char *out_green(const struct out *o);
const char *out_yellow(const struct out *o);
const char *out_bold(const struct out *o);
const char *out_reset(const struct out *o);

/* Writes a classic 16-bytes-per-line hexdump of b, each line prefixed. */
void out_hexdump(FILE *f, const char *prefix, const unsigned char *b,
    size_t n);

#endif
