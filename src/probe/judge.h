/*
 * The verdict rules of docs/probe.md §5, in one place, shared
 * by the network engine and the local library test.
 */
#ifndef HEARTCHECK_PROBE_JUDGE_H
#define HEARTCHECK_PROBE_JUDGE_H

#include <stddef.h>
#include <stdint.h>

#include "tls/heartbeat.h"

enum hb_verdict {
	HBV_VULNERABLE, /* the probe came back with its over-read: proof */
	HBV_PATCHED, /* heartbeat on, over-length request refused */
	HBV_NO_HEARTBEAT, /* no heartbeat echo and no extension */
	HBV_INCONCLUSIVE, /* answers that prove nothing either way */
};

struct reply_summary {
	int sentinel_echoed, probe_echoed, lax_echoed, foreign, not_tls;
	unsigned disclosed;
	int alert_desc; /* first alert's description, or -1 */
};

/* Folds a heartbeat reader's findings into a summary. */
void reply_from_reader(const struct hb_reader *r, struct reply_summary *s);

/* Scans a complete byte stream of TLS records sent in answer to the
 * flight (the local library test).  Returns 0, or -1 if buf is not TLS
 * records (out->not_tls is then set and the rest still filled). */
int reply_scan(const struct hb_plan *p, const uint8_t *buf, size_t len,
    struct reply_summary *out);

/* The verdict, and a short reason written into why. */
enum hb_verdict reply_judge(const struct reply_summary *s, int ext_echoed);
const char *reply_reason(const struct reply_summary *s, int ext_echoed,
    char *why, size_t cap);

#endif
