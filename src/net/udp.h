/*
 * The UDP driver: runs the DTLS probe engine (probe/dtls.h) for one
 * endpoint over a connected libuv UDP socket, with one timer for both the
 * endpoint's deadline and the engine's wake-ups (retransmissions).  The
 * scan (net/scan.c) hands it endpoints when scan_opts.udp is set and gets
 * back the same struct scan_result as from a TCP probe, so output, JSON and
 * exit codes do not change.
 *
 * A connected UDP socket receives only the peer's datagrams, and an ICMP
 * port unreachable comes back as ECONNREFUSED: "refused", as for TCP.
 */
#ifndef HEARTCHECK_NET_UDP_H
#define HEARTCHECK_NET_UDP_H

#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "net/scan.h"

/* The first byte of a UDP job, which its timer's data points at: the
 * scan tells its own jobs from these when it aborts. */
#define UDP_JOB_KIND 0x75

struct udp_job_spec {
	uv_loop_t *loop;
	const struct scan_opts *o;
	const struct sockaddr_storage *addr;
	const char *name; /* SNI name, or NULL */
	const char *label;
	uint64_t deadline; /* loop time (ms) the verdict is due by */
	uint64_t t0; /* uv_hrtime() the budget began */
	uint64_t nonce;
	/* Called once with the verdict, then release once every handle is
	 * closed and the job freed. */
	void (*report)(void *ctx, const struct scan_result *r);
	void (*release)(void *ctx);
	void *ctx;
};

/* Starts one probe.  Returns 0, or -1 when out of memory (then neither
 * callback is called). */
int udp_job_start(const struct udp_job_spec *s);

/* If h is a UDP job's timer, ends that job now with "inconclusive" (the
 * scan was stopped) and returns 1; otherwise returns 0. */
int udp_job_abort(uv_handle_t *h);

#endif
