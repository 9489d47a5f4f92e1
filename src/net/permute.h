/*
 * A pseudo-random order of [0, n) that needs no memory per element: a
 * balanced six-round Feistel network permutes the domain [0, 4^h), the
 * smallest power of four >= n, keyed by a 64-bit seed.  Walking a counter
 * c = 0, 1, ... 4^h - 1 and keeping only the images below n visits every
 * element of [0, n) exactly once (a permutation restricted to a subset is
 * a bijection onto it); since 4^h < 4n, fewer than four counter steps are
 * spent per element.  The counter is the whole state, so a scan resumes
 * from it, and nothing is allocated whatever n is.
 */
#ifndef HEARTCHECK_NET_PERMUTE_H
#define HEARTCHECK_NET_PERMUTE_H

#include <stdint.h>

/* Largest n a permutation takes: 2^62, so the domain 4^h fits 64 bits. */
#define PERM_MAX_N (UINT64_C(1) << 62)

struct perm {
	uint64_t n; /* elements */
	uint64_t domain; /* 4^h: counter values */
	unsigned half; /* h bits per half */
	uint64_t mask; /* 2^h - 1 */
	uint64_t key[6]; /* round keys, from the seed */
};

/* 0, or -1 when n > PERM_MAX_N. n may be 0 (an empty walk). */
int perm_init(struct perm *p, uint64_t n, uint64_t seed);

/* The Feistel network on [0, domain): a bijection, not limited to n. */
uint64_t perm_feistel(const struct perm *p, uint64_t x);

/*
 * The next element at counter *ctr: advances *ctr past it and returns 1
 * with *out set, or returns 0 when the counter reached the domain's end.
 */
int perm_next(const struct perm *p, uint64_t *ctr, uint64_t *out);

#endif
