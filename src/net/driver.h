/*
 * The outbound driver: one core for every scan, whatever carries it.
 *
 * The core owns the lifecycle that every transport shares: the targets'
 * walk and the resume position, name lookups within the endpoint's budget,
 * the queue of resolved addresses, the concurrency window and the rate
 * limit, one job per endpoint with one timer for both the deadline and the
 * engine's wake-ups, results in completion order, the counts and the
 * progress.  What differs per endpoint is its door (struct door): the
 * engine that speaks the protocol (net/engine.h: TLS, DTLS, OpenVPN) and
 * the transport that carries its bytes (struct transport_ops: TCP, UDP).
 * A new transport is a new transport_ops, not an edit of the core.
 *
 * Every endpoint taken from the targets ends as exactly one result (or
 * one per address a name resolves to): a failure of the driver itself
 * (out of memory, a full queue) is a result with the reason, never a
 * silence.
 */
#ifndef HEARTCHECK_NET_DRIVER_H
#define HEARTCHECK_NET_DRIVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <uv.h>

#include "net/engine.h"
#include "net/scan.h"
#include "net/targets.h"

struct drv;
struct drv_job;

/*
 * A transport: how a job's bytes reach the endpoint.  Every operation
 * returns 0 or a libuv error (a negative errno, which the engines read as
 * the socket's failure).
 */
struct transport_ops {
	const char *name; /* "tcp", "udp" */
	/* Opens a socket to j->addr (set j->sock_open and count the handle in
	 * j->open_handles once it exists).  Returns 1 when it is usable at
	 * once, 0 when drv_job_up follows (or drv_job_connect_failed), or an
	 * error. */
	int (*open)(struct drv_job *j);
	/* Sends what the engine wrote.  A framed engine's packets carry a
	 * 2-byte length each; a datagram transport sends one per packet. */
	int (*send)(struct drv_job *j, const uint8_t *b, size_t n);
	/* Stops reading and closes the socket; cb runs once it is closed. */
	void (*close)(struct drv_job *j, uv_close_cb cb);
};

extern const struct transport_ops transport_tcp, transport_udp;

/* Which engine over which transport, chosen per endpoint by the scan. */
struct door {
	const struct engine_ops *engine;
	const struct transport_ops *transport;
	const struct preamble *preamble; /* STARTTLS: TLS over TCP only */
};

/* One endpoint under test.  The socket fields belong to the transport. */
struct drv_job {
	struct drv *d;
	LIST_ENTRY(drv_job) link; /* the jobs in flight */
	const struct engine_ops *eng;
	const struct transport_ops *tp;
	uv_timer_t timer;
	union {
		struct {
			uv_tcp_t h;
			uv_connect_t creq;
		} tcp;
		uv_udp_t udp;
	} sock;
	uint8_t *fbuf; /* a framed engine over a stream: a partial packet */
	size_t flen;
	struct probe_cfg cfg;
	struct sockaddr_storage addr;
	char *name; /* SNI name, or NULL */
	char *label;
	uint64_t t0; /* uv_hrtime() the budget began */
	uint64_t deadline; /* loop time (ms) by which the verdict is due */
	uint64_t wake_at; /* loop time of the engine's wake-up, or 0 */
	uint32_t tx, rx; /* bytes sent and received, every connection */
	uint8_t open_handles;
	uint8_t sock_open;
	uint8_t finished;
	uint8_t *leak; /* --leak only */
	size_t leak_len;
	max_align_t e[]; /* the engine's state, eng->size bytes */
};

/* The loop a job runs on, and the driver's read buffer (one read at a
 * time: the engine consumes it before the next). */
uv_loop_t *drv_job_loop(struct drv_job *j);
uv_buf_t drv_read_buf(struct drv_job *j);

/* What a transport tells the core. */
void drv_job_up(struct drv_job *j); /* the socket is ready */
void drv_job_connect_failed(struct drv_job *j, int err);
/* One packet (a datagram, a deframed packet or a chunk of a stream). */
void drv_job_data(struct drv_job *j, const uint8_t *b, size_t n);
/* The socket closed (err 0) or failed; why is the reason if the engine
 * has no verdict after that. */
void drv_job_closed(struct drv_job *j, int err, const char *why);

/* Picks the door of one endpoint from the options, the door its target
 * named (if any) and its port. */
typedef void drv_door_fn(const struct scan_opts *o, const struct tgt_door *td,
    uint16_t port, struct door *out);

int drv_run(const struct tgt_set *set, const struct scan_opts *o,
    const struct scan_hooks *h, struct scan_stats *st, drv_door_fn *door);

#endif
