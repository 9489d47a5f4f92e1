/*
 * The scan's results in the report's model: a struct scan_result becomes a
 * struct res_endpoint, and scan_stats a struct res_scan_summary, for any
 * sink.  report/ is a leaf that knows only plain structures, so the
 * conversion lives here, with the scan.
 */
#ifndef HEARTCHECK_NET_SCANRES_H
#define HEARTCHECK_NET_SCANRES_H

#include "net/scan.h"
#include "report/result.h"

/* Room for the names res_scan_summary points to. */
struct scanres_names {
	const char *names[PV_COUNT];
	uint64_t counts[PV_COUNT];
};

/* Fills *e from *r; vbuf (16 bytes) holds the version name. */
void scanres_endpoint(const struct scan_result *r, struct res_endpoint *e,
    char *vbuf, unsigned vcap);

/* Fills *s from *st; s points into *n. */
void scanres_summary(const struct scan_stats *st, double seconds,
    struct scanres_names *n, struct res_scan_summary *s);

/* 1 when the verdict says nothing served TLS there (refused, not TLS). */
int scanres_no_service(enum probe_verdict v);

#endif
