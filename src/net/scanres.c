/*
 * The scan's results in the report's model (net/scanres.h).
 */
#include "net/scanres.h"

#include <string.h>

#include "tls/tls.h"

void scanres_endpoint(const struct scan_result *r, struct res_endpoint *e,
    char *vbuf, unsigned vcap)
{
	memset(e, 0, sizeof(*e));
	e->target = r->target;
	e->name = r->name;
	e->ip = r->ip;
	e->port = r->port;
	e->verdict = probe_verdict_name(r->verdict);
	e->vulnerable = r->verdict == PV_VULNERABLE;
	e->grade = e->vulnerable	       ? RES_BAD :
	    probe_verdict_untested(r->verdict) ? RES_UNSURE :
						 RES_GOOD;
	e->reason = r->reason;
	e->version =
	    r->version ? tls_version_name(r->version, vbuf, vcap) : NULL;
	e->heartbeat_ext = r->heartbeat_ext;
	e->disclosed = r->disclosed;
	e->alert = r->alert;
	e->attempts = r->attempts;
	e->strategy = r->strategy;
	e->nudges = r->nudges;
	e->bytes_sent = r->bytes_sent;
	e->bytes_received = r->bytes_received;
	e->elapsed_ms = r->elapsed_ms;
	e->leaked = r->leaked;
	e->leaked_len = r->leaked_len;
	e->starttls = r->starttls;
	e->transport = r->transport;
}

void scanres_summary(const struct scan_stats *st, double seconds,
    struct scanres_names *n, struct res_scan_summary *s)
{
	int v;

	memset(s, 0, sizeof(*s));
	for (v = 0; v < PV_COUNT; v++) {
		n->names[v] = probe_verdict_name(v);
		n->counts[v] = st->by_verdict[v];
	}
	s->endpoints = st->done;
	s->nverdicts = PV_COUNT;
	s->verdict_names = n->names;
	s->verdict_counts = n->counts;
	s->vulnerable = st->by_verdict[PV_VULNERABLE];
	s->seconds = seconds;
	s->peak_in_flight = st->peak_in_flight;
}

int scanres_no_service(enum probe_verdict v)
{
	return v == PV_NOT_TLS || v == PV_REFUSED;
}
