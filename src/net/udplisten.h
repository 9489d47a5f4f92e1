/*
 * The UDP listener for the reverse probe over DTLS (heartcheck clients
 * --udp): every client address that sends a DTLS ClientHello is tested by
 * its own engine (probe/dtlsclient.h), one result per client, until
 * o->count results, SIGINT or SIGTERM.  With o->cmd, as net/listen.h: it
 * binds a free UDP port on 127.0.0.1, runs the command with "{}", "{host}"
 * and "{port}" replaced (net/cmdrun.h), tests the first client address
 * that speaks, and reports one result once the command has exited (or
 * was stopped): also when it exits without sending a datagram or sends
 * none before the deadline.  No second run: DTLS has one strategy.
 */
#ifndef HEARTCHECK_NET_UDPLISTEN_H
#define HEARTCHECK_NET_UDPLISTEN_H

#include "net/listen.h"

/* Returns 0, or a negative libuv error when it could not bind or start
 * the command (UV_ENOENT: no such program). */
int udplisten_run(const struct listen_opts *o, const struct listen_hooks *h);

#endif
