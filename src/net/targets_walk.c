/*
 * Order, position and exclusions of a target walk; the contract is in
 * targets.h ("Scale").  An endpoint's index is found from its position
 * through the permutation (random order) or directly (sequential order),
 * then turned into spec, address and port with two binary searches over
 * per-spec and per-port-range prefix sums: memory is per spec, never per
 * endpoint.
 */
#include "net/targets_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/exclude.h"
#include "net/permute.h"

struct tgt_iter {
	const struct tgt_set *s;
	uint64_t pos, end;
	struct perm perm;
	uint64_t *cum; /* cum[i]: endpoints before spec i; n + 1 entries */
	uint64_t *pcum; /* pcum[i]: default ports before range i; npr + 1 */
	size_t last; /* the spec of the previous endpoint */
	/* Streamed files (sequential order only). */
	struct tgt_set *scratch; /* parses one line at a time */
	FILE *f;
	size_t srci; /* the file open in f */
	struct spec cur; /* the line being walked */
	char curname[256];
	uint64_t line_first, line_end;
	int have_line;
	char *line;
	size_t linecap;
};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return (b != 0 && a > UINT64_MAX / b) ? UINT64_MAX : a * b;
}

static uint64_t spec_ports(const struct tgt_set *s, const struct spec *sp)
{
	return sp->port ? 1 : s->nports;
}

static uint64_t raw_count(const struct tgt_set *s)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		total = sat_add(total,
		    sat_mul(s->v[i].naddr, spec_ports(s, &s->v[i])));
	for (i = 0; i < s->nsrc; i++)
		total = sat_add(total, tgt_src_count(s, &s->src[i], 0));
	return total;
}

uint64_t tgt_set_count(const struct tgt_set *s)
{
	uint64_t total = 0;
	size_t i;

	if (!s->excl)
		return raw_count(s);
	for (i = 0; i < s->n; i++) {
		const struct spec *sp = &s->v[i];
		uint64_t naddr = sp->naddr;
		struct tgt_block b;

		tgt_set_block(s, i, &b);
		if (sp->kind == SPEC_NAME)
			naddr =
			    excl_match(s->excl, AF_UNSPEC, NULL, 0, sp->name) &&
				excl_match(s->excl, AF_UNSPEC, NULL, 1,
				    sp->name) ?
			    0 :
			    1;
		else
			naddr -= excl_covered(s->excl, sp->family, b.lo, b.hi);
		total = sat_add(total, sat_mul(naddr, spec_ports(s, sp)));
	}
	for (i = 0; i < s->nsrc; i++)
		total = sat_add(total, tgt_src_count(s, &s->src[i], 1));
	return total;
}

int tgt_set_order(struct tgt_set *s, int random, uint64_t seed,
    char err[TGT_ERRMAX])
{
	if (random && s->nsrc) {
		snprintf(err, TGT_ERRMAX,
		    "a random order needs the target "
		    "files in memory, not streamed");
		return -1;
	}
	if (random && raw_count(s) > PERM_MAX_N) {
		snprintf(err, TGT_ERRMAX,
		    "too many endpoints for a random order "
		    "(more than 2^62)");
		return -1;
	}
	s->random = random;
	s->seed = seed;
	return 0;
}

void tgt_set_start(struct tgt_set *s, uint64_t pos)
{
	s->start = pos;
}

void tgt_set_exclude(struct tgt_set *s, const struct excl *x)
{
	s->excl = x;
}

void tgt_set_unbounded(struct tgt_set *s)
{
	s->unbounded = 1;
}

uint64_t tgt_set_end(const struct tgt_set *s)
{
	struct perm p;

	if (!s->random)
		return raw_count(s);
	if (perm_init(&p, raw_count(s), s->seed) != 0)
		return 0;
	return p.domain;
}

int tgt_set_excluded_addr(const struct tgt_set *s, int family,
    const uint8_t *addr, uint16_t port)
{
	return s->excl && excl_match(s->excl, family, addr, port, NULL);
}

size_t tgt_set_nspecs(const struct tgt_set *s)
{
	return s->n + (s->side ? s->side->n : 0);
}

void tgt_set_block(const struct tgt_set *s, size_t i, struct tgt_block *b)
{
	tgt_spec_block(i < s->n ? &s->v[i] : &s->side->v[i - s->n], b);
}

void tgt_spec_block(const struct spec *sp, struct tgt_block *b)
{
	size_t len = sp->family == AF_INET6 ? 16 : 4, k;

	memset(b, 0, sizeof(*b));
	b->family = sp->family;
	b->port = sp->port;
	b->name = sp->name;
	if (sp->kind == SPEC_NAME)
		return;
	memcpy(b->lo, sp->base, 16);
	if (sp->hostbits >= 0) {
		/* Set the host bits: works for every size, /0 included. */
		memcpy(b->hi, sp->base, 16);
		for (k = 0; k < len; k++) {
			int from = (int)(len - 1 - k) *
			    8; /* bit index of this byte's lsb */
			int nb = sp->hostbits - from;

			if (nb >= 8)
				b->hi[k] = 0xff;
			else if (nb > 0)
				b->hi[k] |= (uint8_t)((1u << nb) - 1);
		}
	} else {
		tgt_addr_add(b->hi, sp->base, len, sp->naddr - 1);
	}
}

struct tgt_iter *tgt_iter_new(const struct tgt_set *s)
{
	struct tgt_iter *it = calloc(1, sizeof(*it));
	size_t i;

	if (!it)
		return NULL;
	it->s = s;
	it->cum = malloc((s->n + 1) * sizeof(*it->cum));
	it->pcum = malloc((s->npr + 1) * sizeof(*it->pcum));
	if (!it->cum || !it->pcum) {
		tgt_iter_free(it);
		return NULL;
	}
	it->cum[0] = 0;
	for (i = 0; i < s->n; i++)
		it->cum[i + 1] = sat_add(it->cum[i],
		    sat_mul(s->v[i].naddr, spec_ports(s, &s->v[i])));
	it->pcum[0] = 0;
	for (i = 0; i < s->npr; i++)
		it->pcum[i + 1] =
		    it->pcum[i] + (uint64_t)(s->pr[i].hi - s->pr[i].lo) + 1;
	it->line_first = it->line_end = it->cum[s->n];
	if (s->nsrc && !(it->scratch = tgt_set_new())) {
		tgt_iter_free(it);
		return NULL;
	}
	if (s->random) {
		if (perm_init(&it->perm, it->cum[s->n], s->seed) != 0) {
			tgt_iter_free(it);
			return NULL;
		}
		it->end = it->perm.domain;
	} else {
		it->end = raw_count(s);
	}
	it->pos = s->start < it->end ? s->start : it->end;
	return it;
}

void tgt_iter_free(struct tgt_iter *it)
{
	if (!it)
		return;
	free(it->cum);
	free(it->pcum);
	if (it->f)
		fclose(it->f);
	tgt_set_free(it->scratch);
	free(it->line);
	free(it);
}

uint64_t tgt_iter_pos(const struct tgt_iter *it)
{
	return it->pos;
}

/* Largest i < n with v[i] <= x (v ascending, v[0] == 0). */
static size_t search_le(const uint64_t *v, size_t n, uint64_t x)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Endpoint local of spec sp. */
static void spec_endpoint(struct tgt_iter *it, const struct spec *sp,
    uint64_t local, struct tgt_endpoint *out)
{
	const struct tgt_set *s = it->s;
	uint64_t ai;

	out->family = sp->family;
	out->door = sp->door;
	memset(out->addr, 0, sizeof(out->addr));
	if (sp->port) {
		ai = local;
		out->port = sp->port;
	} else {
		uint64_t pi = local % s->nports;
		size_t r = search_le(it->pcum, s->npr + 1, pi);

		if (r >= s->npr)
			r = s->npr - 1;
		ai = local / s->nports;
		out->port = (uint16_t)(s->pr[r].lo + (pi - it->pcum[r]));
	}
	if (sp->kind == SPEC_NAME) {
		snprintf(out->name, sizeof(out->name), "%s", sp->name);
	} else {
		out->name[0] = '\0';
		tgt_addr_add(out->addr, sp->base,
		    sp->family == AF_INET ? 4 : 16, ai);
	}
}

/* Reads the next target line of the streamed files into it->cur; 0 at
 * the end of the last file.  Bad lines were reported by the counting pass
 * and are skipped the same way here. */
static int next_line(struct tgt_iter *it)
{
	const struct tgt_set *s = it->s;

	for (;;) {
		ssize_t n;
		char *hash;

		if (!it->f) {
			if (it->srci >= s->nsrc)
				return 0;
			if (!(it->f = fopen(s->src[it->srci].path, "re"))) {
				it->srci++;
				continue;
			}
		}
		n = getline(&it->line, &it->linecap, it->f);
		if (n < 0) {
			fclose(it->f);
			it->f = NULL;
			it->srci++;
			continue;
		}
		if (n > 0 && it->line[n - 1] == '\n')
			it->line[--n] = '\0';
		if (n > TGT_LINE_MAX || memchr(it->line, '\0', (size_t)n))
			continue;
		if ((hash = strchr(it->line, '#')) != NULL)
			*hash = '\0';
		if (strspn(it->line, " \t\r\v\f") == strlen(it->line))
			continue;
		if (tgt_set_add(it->scratch, it->line, NULL) != 0)
			continue;
		it->cur = it->scratch->v[0];
		if (it->cur.name) {
			snprintf(it->curname, sizeof(it->curname), "%s",
			    it->cur.name);
			free(it->cur.name);
			it->cur.name = it->curname;
		}
		it->scratch->n = 0;
		return 1;
	}
}

/* The endpoint with index idx in the sequential order; 0 when a streamed
 * file ended before it (it changed since it was counted). */
static int endpoint_at(struct tgt_iter *it, uint64_t idx,
    struct tgt_endpoint *out)
{
	const struct tgt_set *s = it->s;
	size_t i = it->last;

	if (idx >= it->cum[s->n]) {
		while (!it->have_line || idx >= it->line_end) {
			if (!next_line(it))
				return 0;
			it->have_line = 1;
			it->line_first = it->line_end;
			it->line_end +=
			    sat_mul(it->cur.naddr, spec_ports(s, &it->cur));
		}
		spec_endpoint(it, &it->cur, idx - it->line_first, out);
		return 1;
	}
	if (!(i < s->n && it->cum[i] <= idx && idx < it->cum[i + 1]))
		i = it->last = search_le(it->cum, s->n + 1, idx);
	/* Specs of no endpoints share their cum with the next one. */
	while (i + 1 < s->n && it->cum[i + 1] <= idx)
		i++;
	spec_endpoint(it, &s->v[i], idx - it->cum[i], out);
	return 1;
}

void tgt_label(struct tgt_endpoint *e)
{
	const char *scheme = tgt_door_scheme(&e->door);
	size_t n = 0;

	if (scheme)
		n = (size_t)snprintf(e->label, sizeof(e->label), "%s://",
		    scheme);
	if (e->family == AF_UNSPEC)
		snprintf(e->label + n, sizeof(e->label) - n, "%s:%u", e->name,
		    (unsigned)e->port);
	else
		tgt_format(e->family, e->addr, e->port, e->label + n,
		    sizeof(e->label) - n);
}

int tgt_iter_next(struct tgt_iter *it, struct tgt_endpoint *out)
{
	const struct tgt_set *s = it->s;

	for (;;) {
		uint64_t idx;

		if (s->random) {
			if (!perm_next(&it->perm, &it->pos, &idx))
				return 0;
		} else {
			if (it->pos >= it->end)
				return 0;
			idx = it->pos++;
		}
		if (!endpoint_at(it, idx, out)) {
			it->pos = it->end;
			return 0;
		}
		/* Exclusions first, then the shard. */
		if (s->excl &&
		    excl_match(s->excl, out->family, out->addr, out->port,
			out->name))
			continue;
		if (!tgt_in_shard(s, out))
			continue;
		tgt_label(out);
		return 1;
	}
}
