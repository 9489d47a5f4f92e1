/*
 * Target parsing and lazy expansion.
 *
 * A tgt_set is an ordered list of target specs as the user typed them:
 *   host  host:port  1.2.3.4  1.2.3.4:443  [2001:db8::1]:443  ::1
 *   10.0.0.0/24  10.0.0.0/24:8443  2001:db8::/120  [2001:db8::/120]:443
 *   10.0.0.1-10.0.0.20  10.0.0.1-20  (either may end in :port)
 * A bare IPv6 address never carries a port, because "::1:443" is itself an
 * address; use brackets for that.
 *
 * Any spec may start with a door, "SCHEME://", that says how its endpoints
 * are probed, whatever the options say (struct tgt_door):
 *   tls://  dtls://  openvpn://  openvpn+tcp://  and every STARTTLS
 *   protocol of the registry (probe/preamble.h): smtp://, imap://, ...
 * The scheme is case-insensitive.  openvpn and openvpn+tcp default to port
 * 1194, a STARTTLS protocol to its first well-known port (smtp:// to 25);
 * tls:// and dtls:// take the set's port list, as a spec without a door
 * does.  The door is not part of an endpoint's identity: sharding,
 * positions and exclusions see the same endpoints with or without it. Hostnames
 * are kept as typed and marked AF_UNSPEC: resolving them is the driver's job,
 * and the name is also the SNI.
 *
 * Nothing is expanded when a spec is added.  The iterator walks spec x
 * address x port on demand, so a /8 costs a few bytes, not 16 million
 * endpoints.  A CIDR or range that would expand to more than TGT_MAXEXPAND
 * addresses is refused when it is added.
 *
 * Specs without an explicit port take the set's port list (default 443),
 * whenever tgt_set_ports is called: options may follow targets on the
 * command line.  An explicit ":port" always wins.
 *
 * Sharding: with "--shard K/N", an endpoint belongs to shard K iff a stable
 * hash of it, mod N, equals K-1.  Literal endpoints hash their family,
 * address and port; named endpoints hash the lower-cased name and port only,
 * so the answer does not change once the name is resolved.  The shards of
 * 1/N..N/N are disjoint and their union is the whole.
 *
 * Every function that can fail returns 0 (or a count) on success and -1 on
 * failure with a one-line message for people in err.  A set must not be
 * changed while an iterator over it is alive.
 */
#ifndef HEARTCHECK_NET_TARGETS_H
#define HEARTCHECK_NET_TARGETS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TGT_ERRMAX 256
#define TGT_MAXEXPAND (UINT64_C(1) << 24)
/* Bounds of a target file: bytes in a line (without the newline), and
 * target lines in one file.  Past either, the file is refused. */
#define TGT_LINE_MAX 4096
#define TGT_FILE_MAXSPECS (1UL << 22)

struct preamble;

enum tgt_door_kind {
	TGT_DOOR_OPTS, /* no scheme: the command-line options decide */
	TGT_DOOR_TLS, /* tls://: TLS over TCP, no STARTTLS */
	TGT_DOOR_STARTTLS, /* smtp://, ...: TLS over TCP after the preamble */
	TGT_DOOR_DTLS, /* dtls://: DTLS over UDP */
	TGT_DOOR_OPENVPN, /* openvpn://: OpenVPN's control channel, UDP */
	TGT_DOOR_OPENVPN_TCP, /* openvpn+tcp://: the same over TCP */
};

struct tgt_door {
	uint8_t kind; /* enum tgt_door_kind */
	const struct preamble *preamble; /* TGT_DOOR_STARTTLS only */
};

/* The scheme of a door ("smtp", "dtls", ...), or NULL for TGT_DOOR_OPTS. */
const char *tgt_door_scheme(const struct tgt_door *d);

struct tgt_endpoint {
	char name[256]; /* hostname as typed (for DNS and SNI), or "" for a
			   literal address */
	int family; /* AF_INET, AF_INET6, or AF_UNSPEC when name needs DNS */
	uint8_t addr[16]; /* network byte order; first 4 bytes for AF_INET */
	uint16_t port;
	struct tgt_door door;
	/* "example.com:443", "10.0.0.5:443", "[::1]:8443", with the scheme
	 * first when the spec had one: "smtp://mail.example:25" */
	char label[320];
};

struct tgt_set;
struct tgt_iter;

struct tgt_set *tgt_set_new(void);
void tgt_set_free(struct tgt_set *s);

/*
 * Default ports for specs without an explicit port, e.g. "443,8443,9000-9010".
 * Duplicates are dropped; the order is kept as typed.  On error the previous
 * list stays in force.
 */
int tgt_set_ports(struct tgt_set *s, const char *list, char err[TGT_ERRMAX]);

/* Parse one target argument; surrounding whitespace is ignored. */
int tgt_set_add(struct tgt_set *s, const char *spec, char err[TGT_ERRMAX]);

/*
 * Parse a file of targets (path "-" is stdin): one per line, '#' starts a
 * comment, blank lines are skipped.  Each bad line (a NUL byte is one) is
 * reported through on_error (which may be NULL) as "FILE:LINE: message",
 * and parsing goes on.  Returns the number of bad lines, or -1 with err
 * filled ("FILE:LINE: ..." where there is a line) when the file cannot be
 * opened or read, has a line longer than TGT_LINE_MAX bytes, or more than
 * TGT_FILE_MAXSPECS targets.
 */
int tgt_set_add_file(struct tgt_set *s, const char *path,
    void (*on_error)(void *ctx, const char *msg), void *ctx,
    char err[TGT_ERRMAX]);

/*
 * The same, but the file is only read through once here, to report bad
 * lines and count endpoints, and read again line by line as the walk
 * reaches it: memory does not grow with the file.  Sequential order only
 * (tgt_set_order refuses random with streamed files); not for stdin.  The
 * file must not change until the walk ends.
 */
int tgt_set_stream_file(struct tgt_set *s, const char *path,
    void (*on_error)(void *ctx, const char *msg), void *ctx,
    char err[TGT_ERRMAX]);

/* The same, over an already open stream; name is used in messages only. */
int tgt_set_add_stream(struct tgt_set *s, FILE *f, const char *name,
    void (*on_error)(void *ctx, const char *msg), void *ctx,
    char err[TGT_ERRMAX]);

/* Select shard "K/N" with 1 <= K <= N. */
int tgt_set_shard(struct tgt_set *s, const char *kn, char err[TGT_ERRMAX]);

/* Lazy iteration over this shard's endpoints.  NULL only when out of memory. */
struct tgt_iter *tgt_iter_new(const struct tgt_set *s);
/* Returns 1 and fills out, or 0 when there are no more endpoints. */
int tgt_iter_next(struct tgt_iter *it, struct tgt_endpoint *out);
void tgt_iter_free(struct tgt_iter *it);

/* Endpoints before sharding, saturating at UINT64_MAX, for progress display. */
uint64_t tgt_set_count(const struct tgt_set *s);

/* 1 if e belongs to the selected shard (always 1 without --shard), else 0. */
int tgt_in_shard(const struct tgt_set *s, const struct tgt_endpoint *e);

/* "1.2.3.4:443" or "[::1]:443"; always NUL-terminated when cap > 0. */
void tgt_format(int family, const uint8_t *addr, uint16_t port, char *out,
    size_t cap);

/*
 * Scale: order, position, exclusions (targets_walk.c).
 *
 * The endpoints of a set are numbered 0 .. count-1 in the sequential order
 * (spec by spec, address by address, port by port).  The iterator walks a
 * position counter over them: in the sequential order the position is the
 * index itself; in the random order (tgt_set_order) it is the counter of a
 * Feistel permutation (net/permute.h), so nothing is stored per endpoint.
 * Exclusions and the shard are filters applied to each endpoint in turn,
 * exclusions first; neither changes the numbering, so a position means
 * the same thing whatever the shard.
 */
struct excl;

/* Random order with this seed (random != 0) or the sequential order.
 * -1 when the set has more endpoints than a permutation takes. */
int tgt_set_order(struct tgt_set *s, int random, uint64_t seed,
    char err[TGT_ERRMAX]);

/* Iterators start at this position (default 0): a resumed scan. */
void tgt_set_start(struct tgt_set *s, uint64_t pos);

/* The position after the last endpoint walked: where to resume. */
uint64_t tgt_iter_pos(const struct tgt_iter *it);

/* The position at which the walk ends (the count, or the permutation's
 * domain), for validating a resume file. */
uint64_t tgt_set_end(const struct tgt_set *s);

/* Endpoints matching x are skipped by iterators (x is borrowed, may be
 * NULL).  tgt_set_count then leaves out the addresses x excludes on every
 * port. */
void tgt_set_exclude(struct tgt_set *s, const struct excl *x);

/* 1 if the address of a resolved endpoint is excluded (for names, whose
 * addresses are known only after DNS). */
int tgt_set_excluded_addr(const struct tgt_set *s, int family,
    const uint8_t *addr, uint16_t port);

/* Blocks and ranges of exclusion lists may be any size (0.0.0.0/0). */
void tgt_set_unbounded(struct tgt_set *s);

/* One spec as an address interval, for exclusion lists and checks. */
struct tgt_block {
	int family; /* AF_INET, AF_INET6, or AF_UNSPEC for a name */
	uint8_t lo[16], hi[16]; /* first and last address, network order */
	uint16_t port; /* 0: every port of the set */
	const char *name; /* names only */
};
size_t tgt_set_nspecs(const struct tgt_set *s);
void tgt_set_block(const struct tgt_set *s, size_t i, struct tgt_block *b);

#endif
