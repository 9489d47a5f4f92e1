/*
 * Exclusion lists (--exclude, --exclude-file) and the reserved-space check.
 *
 * An exclusion list is written in the target syntax (targets.h): addresses,
 * CIDR blocks of any size, ranges and host names, each optionally with a
 * ":port".  Without a port an entry excludes the address (or name) on every
 * port; with one, on that port only.  A name excludes that name before DNS,
 * compared without case and without a trailing dot; an address also
 * excludes what any name resolves to.
 *
 * Lookups are binary searches over merged intervals, so a blocklist of
 * thousands of entries costs nothing per endpoint worth measuring.
 */
#ifndef HEARTCHECK_NET_EXCLUDE_H
#define HEARTCHECK_NET_EXCLUDE_H

#include <stddef.h>
#include <stdint.h>

#include "net/targets.h"

struct excl;

struct excl *excl_new(void);
void excl_free(struct excl *x);

/* One entry, or a comma-separated list of them ("10.0.0.0/8,192.0.2.1").
 * 0, or -1 with a message in err. */
int excl_add(struct excl *x, const char *list, char err[TGT_ERRMAX]);

/* A file in the target-file syntax; as tgt_set_add_file. */
int excl_add_file(struct excl *x, const char *path,
    void (*on_error)(void *ctx, const char *msg), void *ctx,
    char err[TGT_ERRMAX]);

/* Builds the lookup tables; call after the last add and before lookups.
 * 0, or -1 when out of memory. */
int excl_finish(struct excl *x);

/* Entries added (before merging). */
size_t excl_entries(const struct excl *x);

/* 1 if the endpoint is excluded.  family AF_UNSPEC: name is looked up. */
int excl_match(const struct excl *x, int family, const uint8_t *addr,
    uint16_t port, const char *name);

/* How many addresses of [lo, hi] are excluded on every port (saturating). */
uint64_t excl_covered(const struct excl *x, int family, const uint8_t lo[16],
    const uint8_t hi[16]);

/*
 * 1 if the literal targets of s reach reserved space (0.0.0.0/8,
 * 224.0.0.0/4 multicast, 240.0.0.0/4 reserved with the broadcast address,
 * ff00::/8 multicast) that x (may be NULL) does not exclude on every port;
 * msg then names the first such part.  0 otherwise.
 */
int excl_reserved(const struct excl *x, const struct tgt_set *s, char *msg,
    size_t cap);

/* 1 if [lo, hi] meets reserved space at all. */
int excl_touches_reserved(int family, const uint8_t lo[16],
    const uint8_t hi[16]);

#endif
