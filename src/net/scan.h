/*
 * The network scan: drives one probe engine per endpoint over libuv TCP,
 * with a concurrency window, an optional rate limit, per-attempt deadlines
 * and results reported in completion order.
 */
#ifndef HEARTCHECK_NET_SCAN_H
#define HEARTCHECK_NET_SCAN_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "net/targets.h"
#include "probe/probe.h"

struct ovpn_auth;

struct scan_opts {
	unsigned concurrency; /* probes in flight at once */
	unsigned timeout_ms; /* deadline per endpoint, every connection */
	double rate; /* new probes per second; 0 = unlimited */
	uint16_t max_version; /* first version offered */
	uint16_t leak; /* --leak BYTES, 0 = safe probe */
	int no_sni;
	int trace;
	unsigned progress_ms; /* call progress this often; 0 = never */
	/* --starttls: a preamble name, "auto" to choose by well-known port,
	 * or NULL / "none" for plain TLS; --xmpp-host: XMPP's to= (default:
	 * the target's name) */
	const char *starttls;
	const char *xmpp_host;
	int udp; /* DTLS over UDP for every endpoint */
	int openvpn; /* with udp: OpenVPN's control channel instead,
		      * over UDP (1) or TCP (2) */
	const struct ovpn_auth *ovpn_auth; /* --tls-auth, or NULL */
};

struct scan_result {
	const char *target; /* as to be printed */
	const char *name; /* host name, or "" */
	char ip[INET6_ADDRSTRLEN];
	uint16_t port;
	enum probe_verdict verdict;
	const char *reason;
	uint16_t version; /* negotiated, or 0 */
	int heartbeat_ext;
	unsigned disclosed;
	int alert; /* deciding alert, or -1 */
	unsigned attempts; /* connections used */
	const char *strategy; /* what gave the verdict: probe_strategy_name */
	unsigned nudges; /* nudge records sent */
	uint32_t bytes_sent, bytes_received; /* TCP payload, every connection */
	double elapsed_ms;
	const uint8_t *leaked; /* --leak only: the whole over-read tail */
	size_t leaked_len;
	const char *starttls; /* the STARTTLS protocol used, or NULL */
	/* "tcp" or "udp": what carried the probe; NULL when no connection
	 * was tried (a name that did not resolve, a driver failure). */
	const char *transport;
};

/* Copies an engine's outcome into a result: the one place that maps
 * probe_result onto scan_result, for every driver. */
void scan_result_set_probe(struct scan_result *r,
    const struct probe_result *pr);

struct scan_stats {
	uint64_t total; /* endpoints known so far (DNS adds more) */
	uint64_t started, done;
	uint64_t by_verdict[PV_COUNT];
	size_t in_flight;
	size_t peak_in_flight;
	/* Name lookups reported past their deadline and still running in a
	 * resolver thread, which exit() would wait for: end with _exit(). */
	size_t lookups_left;
	/* The target walk's position after the last endpoint taken
	 * (tgt_iter_pos): where a stopped scan resumes. */
	uint64_t position;
	/* Addresses that names resolved to and an exclusion left out. */
	uint64_t excluded;
};

struct scan_hooks {
	void (*result)(void *ctx, const struct scan_result *r);
	void (*progress)(void *ctx, const struct scan_stats *st);
	void *ctx;
	/* Optional, asked before new probes start: 0 go on; 1 hold (start
	 * nothing new, ask again every 10 ms; probes in flight go on); -1
	 * abort (start nothing more, end every probe in flight now with the
	 * verdict "inconclusive", reported through result).  For output that
	 * backs up or fails: results queued stay bounded by the probes in
	 * flight, and a verdict never waits on the output. */
	int (*busy)(void *ctx);
	/* Optional, asked before each endpoint is taken from the targets:
	 * nonzero stops taking any more (a graceful stop).  Names being
	 * resolved, their addresses and the probes in flight go on and are
	 * reported; scan_stats.position is then where to resume. */
	int (*stop)(void *ctx);
};

/* Scans every endpoint of set.  Returns 0, or a negative libuv error if the
 * scan could not run at all; per-endpoint failures are results. */
int scan_run(const struct tgt_set *set, const struct scan_opts *o,
    const struct scan_hooks *h, struct scan_stats *st);

#endif
