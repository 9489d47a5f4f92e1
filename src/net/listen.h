/*
 * The libuv listener driver for the reverse probe (probe/client.h): every
 * TLS client that connects is tested by its own engine, one result per
 * connection.  Or, given a command, it listens on a free loopback port,
 * runs the command with "{}" in its arguments replaced by 127.0.0.1:PORT,
 * "{host}" and "{port}" by each part (net/cmdrun.h: argv directly, no
 * shell), tests the one client it starts, runs it again when the engine
 * needs another connection for its next strategy, and kills it at the
 * deadline.
 */
#ifndef HEARTCHECK_NET_LISTEN_H
#define HEARTCHECK_NET_LISTEN_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include "probe/client.h"
#include "probe/preamble.h"

struct listen_opts {
	struct sockaddr_storage addr; /* where to listen (listener mode) */
	unsigned timeout_ms; /* per connection; with a command, the whole
			      * test, every run included */
	unsigned count; /* stop after this many results; 0 = never */
	uint8_t first_strategy; /* enum client_strategy */
	int trace;
	char **cmd; /* NULL: listener mode; else argv, NULL-ended */
	unsigned max_conns; /* connections tested at once; 0 = 256 */
	/* A server-side STARTTLS preamble (probe/srvpreamble.h) played
	 * before the TLS engine takes over, or NULL. */
	const struct preamble *starttls;
	/* --udp: DTLS clients (net/udplisten.h); dtls_cookie: answer the
	 * first ClientHello with a HelloVerifyRequest. */
	uint8_t udp, dtls_cookie;
};

struct client_report {
	char ip[INET6_ADDRSTRLEN];
	uint16_t port;
	struct client_result r; /* r.hello valid during the callback */
	uint32_t bytes_sent, bytes_received;
	double elapsed_ms;
	/* Command mode: how many times it ran, and how its last run ended
	 * (exit status, or -1; the signal that killed it, or 0). */
	unsigned runs;
	int cmd_status, cmd_signal;
};

struct listen_hooks {
	/* Called once the socket listens, with "IP:PORT". */
	void (*listening)(void *ctx, const char *addr);
	void (*result)(void *ctx, const struct client_report *r);
	/* Optional: -1 stops the run (the output failed). */
	int (*busy)(void *ctx);
	void *ctx;
};

struct cmdrun;

/* The fields of r every listener fills the same way: the peer's address
 * (none when peer is NULL), the bytes, elapsed_ms since t0 (uv_hrtime)
 * and, with a command (net/cmdrun.h), how its last run ended; r->r is
 * zeroed for the engine's result. */
void listen_report_fill(struct client_report *r,
    const struct sockaddr_storage *peer, uint32_t tx, uint32_t rx, uint64_t t0,
    const struct cmdrun *cmd);

/* Runs until count results, SIGINT or SIGTERM, or (with a command) the one
 * result.  Returns 0, or a negative libuv error when it could not listen
 * or start the command (UV_ENOENT: no such program). */
int listen_run(const struct listen_opts *o, const struct listen_hooks *h);

/* Hands r to h->result and counts it in *reported, unless o->count
 * results were reported already; returns 1 when it was handed on. */
int listen_emit(const struct listen_opts *o, const struct listen_hooks *h,
    unsigned *reported, const struct client_report *r);

/* --trace: one engine line on stderr, after the client's address ("-"
 * before one is known). */
void listen_trace(const struct sockaddr_storage *peer, const char *line);

#endif
