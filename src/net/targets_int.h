/*
 * The inside of a target set, shared by targets.c (parsing) and
 * targets_walk.c (order, position, exclusions).  Not for other modules.
 */
#ifndef HEARTCHECK_NET_TARGETS_INT_H
#define HEARTCHECK_NET_TARGETS_INT_H

#include "net/targets.h"

enum spec_kind { SPEC_NAME, SPEC_BLOCK };

struct spec {
	enum spec_kind kind;
	int family; /* AF_INET or AF_INET6 for blocks, AF_UNSPEC for names */
	uint16_t port; /* 0 means "use the set's port list" */
	uint8_t base[16]; /* first address of a block, network byte order */
	uint64_t naddr; /* addresses in the block; 1 for names */
	char *name; /* names only */
	int16_t hostbits; /* CIDR blocks: host bits (naddr saturates past 63) */
	uint8_t unbounded; /* exclusion lists: no size limit */
	struct tgt_door door;
};

struct prange {
	uint16_t lo, hi;
};

struct tgt_set {
	struct spec *v;
	size_t n, cap;
	struct prange *pr; /* default ports, duplicates already dropped */
	size_t npr;
	uint64_t nports;
	uint32_t shard_k, shard_n; /* shard_n == 0: no sharding */
	/* targets_walk.c */
	int random;
	uint64_t seed, start;
	const struct excl *excl;
	uint8_t unbounded;
	/* targets_stream.c: files read as the walk goes, after v. */
	struct tgt_src *src;
	size_t nsrc;
	struct tgt_set *side; /* streamed specs in reserved space */
	int (*sink)(void *ctx, const struct spec *sp);
	void *sink_ctx;
};

/* A target file streamed by the walk: only its counts are kept. */
struct tgt_src {
	char *path;
	uint64_t def_addrs; /* addresses of lines without a port */
	uint64_t own; /* endpoints of lines with their own port */
	uint64_t vis_def, vis_own; /* the same, less what is excluded */
};

void tgt_set_free_streams(struct tgt_set *s);
uint64_t tgt_src_count(const struct tgt_set *s, const struct tgt_src *f,
    int visible);
void tgt_spec_block(const struct spec *sp, struct tgt_block *b);

/* The endpoint's label: "scheme://" when it has a door, then the name
 * and port or the address and port. */
void tgt_label(struct tgt_endpoint *e);

void tgt_addr_add(uint8_t *out, const uint8_t *base, size_t alen, uint64_t i);

#endif
