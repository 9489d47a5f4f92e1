/*
 * heartcheck scan's network side: which door each endpoint is probed
 * through, and the scan's results.  The outbound driver (net/driver.h)
 * runs the jobs.
 */
#include "net/scan.h"

#include <string.h>

#include "net/driver.h"
#include "probe/preamble.h"

void scan_result_set_probe(struct scan_result *r, const struct probe_result *pr)
{
	r->verdict = pr->verdict;
	r->reason = pr->reason;
	r->version = pr->version;
	r->heartbeat_ext = pr->heartbeat_ext;
	r->disclosed = pr->disclosed;
	r->alert = pr->alert;
	r->attempts = pr->connections;
	r->strategy = pr->strategy;
	r->nudges = pr->nudges;
	r->starttls = pr->starttls;
}

/* The door a target named, or else the options': DTLS or OpenVPN over
 * UDP, OpenVPN over TCP, or TLS over TCP with the STARTTLS preamble
 * --starttls names (or, with "auto", the one whose well-known port this
 * is). */
static void scan_door(const struct scan_opts *o, const struct tgt_door *td,
    uint16_t port, struct door *d)
{
	const char *st = o->starttls;

	switch (td->kind) {
	case TGT_DOOR_TLS:
	case TGT_DOOR_STARTTLS:
		d->engine = &engine_tls;
		d->transport = &transport_tcp;
		d->preamble = td->preamble;
		return;
	case TGT_DOOR_DTLS:
		d->engine = &engine_dtls;
		d->transport = &transport_udp;
		return;
	case TGT_DOOR_OPENVPN:
	case TGT_DOOR_OPENVPN_TCP:
		d->engine = &engine_openvpn;
		d->transport = td->kind == TGT_DOOR_OPENVPN ? &transport_udp :
							      &transport_tcp;
		return;
	}
	if (o->udp) {
		d->engine = o->openvpn ? &engine_openvpn : &engine_dtls;
		d->transport =
		    o->openvpn == 2 ? &transport_tcp : &transport_udp;
		return;
	}
	d->engine = &engine_tls;
	d->transport = &transport_tcp;
	d->preamble = !st	? NULL :
	    !strcmp(st, "auto") ? preamble_for_port(port) :
				  preamble_find(st);
}

int scan_run(const struct tgt_set *set, const struct scan_opts *o,
    const struct scan_hooks *h, struct scan_stats *st)
{
	return drv_run(set, o, h, st, scan_door);
}
