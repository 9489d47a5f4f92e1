/*
 * heartcheck clients' results in the report's model (net/clientres.h).
 */
#include "net/clientres.h"

#include <string.h>

#include "tls/tls.h"

static void hello(const struct client_hello_info *ch, struct clientres_names *n)
{
	unsigned i;

	memset(&n->hello, 0, sizeof(n->hello));
	n->hello.version = tls_version_name(ch->version, n->hello_version,
	    sizeof(n->hello_version));
	for (i = 0; i < ch->n_versions && i < CH_VERSIONS_MAX; i++)
		n->vnames[i] = tls_version_name(ch->versions[i], n->versions[i],
		    sizeof(n->versions[i]));
	n->hello.nversions = i;
	n->hello.versions = n->vnames;
	n->hello.suites = ch->n_suites;
	n->hello.heartbeat = ch->heartbeat_ext;
	n->hello.heartbeat_mode = ch->heartbeat_mode;
	n->hello.sni = ch->sni;
}

void clientres_client(const struct client_report *r, const char *command,
    struct res_client *c, struct clientres_names *n)
{
	const struct client_result *cr = &r->r;

	memset(c, 0, sizeof(*c));
	c->ip = r->ip;
	c->port = r->port;
	c->command = command;
	c->runs = r->runs;
	c->command_status = r->cmd_status;
	c->command_signal = r->cmd_signal;
	c->verdict = probe_verdict_name(cr->verdict);
	c->vulnerable = cr->verdict == PV_VULNERABLE;
	c->grade = c->vulnerable		? RES_BAD :
	    probe_verdict_untested(cr->verdict) ? RES_UNSURE :
						  RES_GOOD;
	c->reason = cr->reason;
	if (cr->hello) {
		hello(cr->hello, n);
		c->hello = &n->hello;
	}
	c->version = cr->version ?
	    tls_version_name(cr->version, n->version, sizeof(n->version)) :
	    NULL;
	c->suite = cr->suite;
	c->heartbeat_ext = cr->heartbeat_ext;
	c->disclosed = cr->disclosed;
	c->alert = cr->alert;
	c->attempts = cr->connections;
	c->strategy = cr->strategy;
	c->nudges = cr->nudges;
	c->bytes_sent = r->bytes_sent;
	c->bytes_received = r->bytes_received;
	c->elapsed_ms = r->elapsed_ms;
}

void clientres_summary(uint64_t clients, const uint64_t *by_verdict,
    double seconds, struct scanres_names *n, struct res_client_summary *s)
{
	int v;

	memset(s, 0, sizeof(*s));
	for (v = 0; v < PV_COUNT; v++) {
		n->names[v] = probe_verdict_name(v);
		n->counts[v] = by_verdict[v];
	}
	s->clients = clients;
	s->nverdicts = PV_COUNT;
	s->verdict_names = n->names;
	s->verdict_counts = n->counts;
	s->vulnerable = by_verdict[PV_VULNERABLE];
	s->seconds = seconds;
}
