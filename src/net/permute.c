/* Feistel permutation with cycle walking; the contract is in permute.h. */
#include "net/permute.h"

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

int perm_init(struct perm *p, uint64_t n, uint64_t seed)
{
	uint64_t s = seed;
	unsigned i;

	if (n > PERM_MAX_N)
		return -1;
	p->n = n;
	p->half = 1;
	while ((UINT64_C(1) << (2 * p->half)) < n)
		p->half++;
	p->domain = UINT64_C(1) << (2 * p->half);
	p->mask = (UINT64_C(1) << p->half) - 1;
	for (i = 0; i < sizeof(p->key) / sizeof(p->key[0]); i++) {
		s += UINT64_C(0x9e3779b97f4a7c15);
		p->key[i] = mix64(s);
	}
	return 0;
}

uint64_t perm_feistel(const struct perm *p, uint64_t x)
{
	uint64_t l = x >> p->half, r = x & p->mask, t;
	unsigned i;

	for (i = 0; i < sizeof(p->key) / sizeof(p->key[0]); i++) {
		t = r;
		r = l ^ (mix64(r ^ p->key[i]) & p->mask);
		l = t;
	}
	return (l << p->half) | r;
}

int perm_next(const struct perm *p, uint64_t *ctr, uint64_t *out)
{
	while (*ctr < p->domain) {
		uint64_t x = perm_feistel(p, (*ctr)++);

		if (x < p->n) {
			*out = x;
			return 1;
		}
	}
	return 0;
}
