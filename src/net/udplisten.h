/*
 * The UDP listener for the reverse probe over DTLS (heartcheck clients
 * --udp): every client address that sends a DTLS ClientHello is tested by
 * its own engine (probe/dtlsclient.h), one result per client, until
 * o->count results, SIGINT or SIGTERM.  Listener mode only: o->cmd is not
 * used.
 */
#ifndef HEARTCHECK_NET_UDPLISTEN_H
#define HEARTCHECK_NET_UDPLISTEN_H

#include "net/listen.h"

/* Returns 0, or a negative libuv error when it could not bind. */
int udplisten_run(const struct listen_opts *o, const struct listen_hooks *h);

#endif
