/*
 * Target files streamed by the walk (tgt_set_stream_file): a counting pass
 * reports bad lines and keeps only counts; the iterator (targets_walk.c)
 * reads the lines again as it reaches them.  A million host names cost a
 * line buffer, not a million strings.
 */
#include "net/targets_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/exclude.h"

struct counting {
	struct tgt_set *s; /* the set the file is for */
	struct tgt_src *f;
};

static int keep_side(struct tgt_set *s, const struct spec *sp)
{
	struct tgt_set *side = s->side;
	struct spec *nv;

	if (!side) {
		if (!(side = s->side = tgt_set_new()))
			return -1;
	}
	if (side->n == side->cap) {
		size_t ncap = side->cap ? side->cap * 2 : 8;

		if (!(nv = realloc(side->v, ncap * sizeof(*nv))))
			return -1;
		side->v = nv;
		side->cap = ncap;
	}
	side->v[side->n] = *sp;
	side->v[side->n++].name = NULL;
	return 0;
}

static int count_spec(void *ctx, const struct spec *sp)
{
	struct counting *c = ctx;
	struct tgt_block b;
	uint64_t vis = sp->naddr;

	tgt_spec_block(sp, &b);
	if (sp->kind == SPEC_NAME) {
		if (c->s->excl &&
		    excl_match(c->s->excl, AF_UNSPEC, NULL, 0, sp->name) &&
		    excl_match(c->s->excl, AF_UNSPEC, NULL, 1, sp->name))
			vis = 0;
	} else {
		if (c->s->excl)
			vis -= excl_covered(c->s->excl, sp->family, b.lo, b.hi);
		/* Kept for the reserved-space check; they are few. */
		if (excl_touches_reserved(sp->family, b.lo, b.hi) &&
		    keep_side(c->s, sp) != 0) {
			free(sp->name);
			return -1;
		}
	}
	if (sp->port) {
		c->f->own += sp->naddr;
		c->f->vis_own += vis;
	} else {
		c->f->def_addrs += sp->naddr;
		c->f->vis_def += vis;
	}
	free(sp->name);
	return 0;
}

int tgt_set_stream_file(struct tgt_set *s, const char *path,
    void (*on_error)(void *ctx, const char *msg), void *ctx,
    char err[TGT_ERRMAX])
{
	struct tgt_set *scratch;
	struct tgt_src *nv, f;
	struct counting c;
	int r;

	if (!strcmp(path, "-"))
		return tgt_set_add_file(s, path, on_error, ctx, err);
	memset(&f, 0, sizeof(f));
	if (!(scratch = tgt_set_new()) || !(f.path = strdup(path))) {
		tgt_set_free(scratch);
		if (err)
			snprintf(err, TGT_ERRMAX,
			    "out of memory while reading targets");
		return -1;
	}
	c.s = s;
	c.f = &f;
	scratch->sink = count_spec;
	scratch->sink_ctx = &c;
	r = tgt_set_add_file(scratch, path, on_error, ctx, err);
	tgt_set_free(scratch);
	if (r < 0 || !(nv = realloc(s->src, (s->nsrc + 1) * sizeof(*nv)))) {
		if (r >= 0 && err)
			snprintf(err, TGT_ERRMAX,
			    "out of memory while reading targets");
		free(f.path);
		return -1;
	}
	s->src = nv;
	s->src[s->nsrc++] = f;
	return r;
}

uint64_t tgt_src_count(const struct tgt_set *s, const struct tgt_src *f,
    int visible)
{
	uint64_t def = visible ? f->vis_def : f->def_addrs;
	uint64_t own = visible ? f->vis_own : f->own;

	return def * s->nports + own;
}

void tgt_set_free_streams(struct tgt_set *s)
{
	size_t i;

	for (i = 0; i < s->nsrc; i++)
		free(s->src[i].path);
	free(s->src);
	tgt_set_free(s->side);
}
