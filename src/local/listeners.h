/*
 * Listening TCP sockets and unconnected UDP sockets of this host, for the
 * local audit's "listening services": each TCP one is probed through the
 * scan engine over loopback, and a UDP one with DTLS or OpenVPN when its
 * owner maps a TLS library (local/audit.c).
 *
 * proc_net_tcp_parse is pure and fuzzed: it reads the text of
 * /proc/net/tcp or /proc/net/tcp6 with an explicit length (no NUL needed)
 * and never reads past it.  listeners_scan does the I/O.
 */
#ifndef HEARTCHECK_LOCAL_LISTENERS_H
#define HEARTCHECK_LOCAL_LISTENERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct listener {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network byte order; 4 bytes used for AF_INET */
	uint16_t port; /* host byte order */
	int udp; /* 0: a TCP listener; 1: an unconnected UDP socket */
	uint64_t inode;
	pid_t pid; /* lowest pid holding the socket, 0 when unknown */
	char comm[64]; /* that process's comm, "" when unknown */
};

/*
 * Parses the text of /proc/net/tcp (family AF_INET) or /proc/net/tcp6
 * (AF_INET6) and calls cb for each socket in state 0A (LISTEN); pid and
 * comm are left empty.  The kernel prints each 32-bit word of an address
 * in host byte order, so the words are converted back here.  The first line
 * is the column header.  Returns the number of listeners, or -1 when a line
 * is malformed (cb may already have been called for earlier lines).
 */
int proc_net_tcp_parse(const char *buf, size_t len, int family,
    void (*cb)(void *ctx, const struct listener *l), void *ctx);

/*
 * The same for /proc/net/udp and udp6, whose columns are those of tcp:
 * cb is called for each socket in state 07 (a UDP socket connected to no
 * peer) bound to a port, with udp set.
 */
int proc_net_udp_parse(const char *buf, size_t len, int family,
    void (*cb)(void *ctx, const struct listener *l), void *ctx);

/*
 * Reads procroot/net/tcp, tcp6, udp and udp6 (a missing tcp6, udp or udp6
 * is not an error: IPv6 may be off), then maps socket inodes to their owners by
 * reading the procroot/PID/fd links ("socket:[INODE]") and fills pid and
 * comm where readable; without root, other users' processes stay unknown.
 * Listeners on 0.0.0.0 or :: are to be probed on 127.0.0.1 or ::1 by the
 * caller.  On success *out is a malloc'd array (free() it) of *n entries,
 * sorted by protocol (TCP first), family, port and address, and the return is
 * 0; otherwise -1.
 */
int listeners_scan(const char *procroot, struct listener **out, size_t *n);

#endif
