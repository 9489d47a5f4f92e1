/*
 * The diff engine (report/diff.h).  Every result of both runs becomes an
 * entry, keyed by kind and identity; diff_finish sorts them by key, merges
 * the entries of one key (the old and the new side, and repeats within a
 * side in their worst state) and classifies each.
 */
#include "report/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/err.h"

static const char *const class_names[DIFF_NCLASS] = {
	"newly-vulnerable",
	"still-vulnerable",
	"newly-untested",
	"fixed",
	"now-tested",
	"gone",
	"new",
	"unchanged",
};
static const char *const class_texts[DIFF_NCLASS] = {
	"newly vulnerable",
	"still vulnerable",
	"newly untested",
	"fixed",
	"now tested",
	"gone",
	"new",
	"unchanged",
};
static const char *const kind_names[] = {
	"scan",
	"listener",
	"library",
	"process",
	"package",
};

const char *diff_class_name(enum diff_class c)
{
	return c < DIFF_NCLASS ? class_names[c] : "?";
}

const char *diff_class_text(enum diff_class c)
{
	return c < DIFF_NCLASS ? class_texts[c] : "?";
}

const char *diff_kind_name(enum diff_kind k)
{
	return (size_t)k < sizeof(kind_names) / sizeof(kind_names[0]) ?
	    kind_names[k] :
	    "?";
}

void diff_init(struct diff *d)
{
	memset(d, 0, sizeof(*d));
}

static void side_free(struct diff_side *s)
{
	free(s->verdict);
	free(s->reason);
	free(s->file);
	memset(s, 0, sizeof(*s));
}

static void entry_free(struct diff_entry *e)
{
	free(e->key);
	free(e->target);
	free(e->ip);
	free(e->path);
	free(e->unit);
	free(e->comm);
	free(e->name);
	free(e->arch);
	side_free(&e->old);
	side_free(&e->new);
}

void diff_free(struct diff *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		entry_free(&d->e[i]);
	free(d->e);
	memset(d, 0, sizeof(*d));
}

/* strdup that keeps NULL, and notes a failure. */
static char *dup(struct diff *d, const char *s)
{
	char *r;

	if (!s)
		return NULL;
	if ((r = strdup(s)) == NULL)
		d->alloc_failed = 1;
	return r;
}

/* A verdict's state: only "vulnerable" is bad (proof); "possibly-
 * vulnerable" and "unknown" are not tested, as their exit codes say. */
static enum diff_state verdict_state(const char *v, enum res_grade g)
{
	if (v && !strcmp(v, "vulnerable"))
		return DIFF_S_BAD;
	if (g == RES_GOOD)
		return DIFF_S_GOOD;
	return DIFF_S_UNTESTED;
}

static int key_append(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	/* A field separator that JSON strings read by jansson never hold. */
	if (*len + n + 2 > cap)
		return -1;
	if (n)
		memcpy(buf + *len, s, n);
	*len += n;
	buf[(*len)++] = '\001';
	buf[*len] = '\0';
	return 0;
}

int diff_add(struct diff *d, int side, const struct jsonl_item *it)
{
	struct diff_entry *e;
	struct diff_side *s;
	const struct res_endpoint *ep = NULL;
	enum res_grade grade = RES_UNSURE;
	const char *verdict = NULL, *reason = NULL, *parts[4] = { 0 };
	char num[2][48], *key;
	size_t klen = 0, kcap, i;

	side = side ? 1 : 0;
	d->results[side]++;
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 64;
		struct diff_entry *ne = realloc(d->e, nc * sizeof(*ne));

		if (!ne) {
			d->alloc_failed = 1;
			return HC_ERR_ALLOC_FAIL;
		}
		d->e = ne;
		d->cap = nc;
	}
	e = &d->e[d->n];
	memset(e, 0, sizeof(*e));
	e->port = -1;
	e->pid = -1;
	s = side ? &e->new : &e->old;
	s->count = 1;
	switch (it->kind) {
	case RES_K_SCAN:
		ep = &it->u.scan;
		e->kind = DIFF_K_SCAN;
		parts[0] = ep->target;
		parts[1] = ep->ip;
		e->target = dup(d, ep->target);
		e->ip = dup(d, ep->ip);
		e->port = ep->port;
		break;
	case RES_K_LISTENER:
		ep = &it->u.listener.ep;
		e->kind = DIFF_K_LISTENER;
		snprintf(num[0], sizeof(num[0]), "%u", ep->port);
		parts[0] = ep->ip;
		parts[1] = num[0];
		e->target = dup(d, ep->target);
		e->ip = dup(d, ep->ip);
		e->port = ep->port;
		e->comm = dup(d, it->u.listener.comm);
		e->unit = dup(d, it->u.listener.unit);
		break;
	case RES_K_LIBRARY:
		e->kind = DIFF_K_LIBRARY;
		parts[0] = it->u.library.path;
		e->path = dup(d, it->u.library.path);
		verdict = it->u.library.verdict;
		grade = it->u.library.grade;
		reason = it->u.library.reason;
		break;
	case RES_K_PROCESS: {
		const struct res_process *p = &it->u.process;

		e->kind = DIFF_K_PROCESS;
		e->comm = dup(d, p->comm);
		if (p->unit && *p->unit) {
			parts[0] = "unit";
			parts[1] = p->unit;
			e->unit = dup(d, p->unit);
		} else {
			snprintf(num[0], sizeof(num[0]), "%ld", p->pid);
			parts[0] = "pid";
			parts[1] = num[0];
			if (p->start_time) {
				snprintf(num[1], sizeof(num[1]), "@%llu",
				    p->start_time);
				parts[2] = num[1];
			} else {
				parts[2] = p->comm;
			}
			e->pid = p->pid;
		}
		if (p->restart > 0) {
			verdict = "restart";
			s->state = DIFF_S_BAD;
		} else if (p->error && p->nlibs == 0) {
			verdict = "unreadable";
			s->state = DIFF_S_UNTESTED;
		} else if (p->restart < 0) {
			verdict = "unknown";
			s->state = DIFF_S_UNTESTED;
		} else {
			verdict = "no-restart";
			s->state = DIFF_S_GOOD;
		}
		reason = p->error;
		break;
	}
	case RES_K_PACKAGE:
		e->kind = DIFF_K_PACKAGE;
		parts[0] = it->u.package.name;
		parts[1] = it->u.package.arch;
		e->name = dup(d, it->u.package.name);
		e->arch = dup(d, it->u.package.arch);
		verdict = it->u.package.verdict;
		grade = it->u.package.grade;
		reason = it->u.package.reason;
		break;
	default:
		d->ignored[side]++;
		entry_free(e);
		return HC_ERR_SUCCESS;
	}
	if (ep) {
		verdict = ep->verdict;
		grade = ep->grade;
		reason = ep->reason;
	}
	if (e->kind != DIFF_K_PROCESS)
		s->state = verdict_state(verdict, grade);
	/* The key: kind, then the identity parts. */
	kcap = 8;
	for (i = 0; i < 4; i++)
		kcap += (parts[i] ? strlen(parts[i]) : 0) + 1;
	if ((key = malloc(kcap)) == NULL) {
		d->alloc_failed = 1;
		entry_free(e);
		return HC_ERR_ALLOC_FAIL;
	}
	key[0] = (char)('A' + e->kind);
	key[1] = '\0';
	klen = 1;
	for (i = 0; i < 4; i++)
		(void)key_append(key, kcap, &klen, parts[i]);
	e->key = key;
	s->verdict = dup(d, verdict ? verdict : "(none)");
	s->reason = dup(d, reason);
	s->file = dup(d, it->file);
	s->line = it->line;
	if (d->alloc_failed) {
		entry_free(e);
		return HC_ERR_ALLOC_FAIL;
	}
	d->n++;
	d->finished = 0;
	return HC_ERR_SUCCESS;
}

void diff_bad_line(struct diff *d, int side)
{
	d->bad_lines[side ? 1 : 0]++;
}

struct read_ctx {
	struct diff *d;
	int side;
	void (*err)(void *ctx, int code, const char *msg);
	void *ctx;
};

static void read_result(void *ctx, const struct jsonl_item *it)
{
	struct read_ctx *r = ctx;

	(void)diff_add(r->d, r->side, it);
}

static void read_error(void *ctx, int code, const char *msg)
{
	struct read_ctx *r = ctx;

	diff_bad_line(r->d, r->side);
	if (r->err)
		r->err(r->ctx, code, msg);
}

int diff_read_file(struct diff *d, int side, const char *path,
    void (*err)(void *ctx, int code, const char *msg), void *ctx)
{
	struct read_ctx r = { d, side, err, ctx };
	struct jsonl_cb cb = { read_result, read_error, &r };

	return jsonl_read_file(path, &cb, NULL);
}

static int by_key(const void *a, const void *b)
{
	const struct diff_entry *x = a, *y = b;

	return strcmp(x->key, y->key);
}

static int by_class(const void *a, const void *b)
{
	const struct diff_entry *x = a, *y = b;

	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Moves side src into dst: the first one read, or the worse state. */
static void side_merge(struct diff_side *dst, struct diff_side *src)
{
	unsigned count = dst->count + src->count;

	if (dst->state == DIFF_S_ABSENT || src->state > dst->state) {
		side_free(dst);
		*dst = *src;
		memset(src, 0, sizeof(*src));
	} else {
		side_free(src);
	}
	dst->count = count;
}

static char **id_field(struct diff_entry *e, int i)
{
	char **f[] = { &e->target, &e->ip, &e->path, &e->unit, &e->comm,
		&e->name, &e->arch };

	return f[i];
}

static void merge(struct diff_entry *dst, struct diff_entry *src)
{
	int i;

	side_merge(&dst->old, &src->old);
	side_merge(&dst->new, &src->new);
	/* Keep identity fields the first entry lacked. */
	for (i = 0; i < 7; i++)
		if (!*id_field(dst, i)) {
			*id_field(dst, i) = *id_field(src, i);
			*id_field(src, i) = NULL;
		}
	if (dst->port < 0)
		dst->port = src->port;
	if (dst->pid < 0)
		dst->pid = src->pid;
	entry_free(src);
}

static enum diff_class classify(const struct diff_entry *e)
{
	enum diff_state o = e->old.state, n = e->new.state;

	if (n == DIFF_S_BAD)
		return o == DIFF_S_BAD ? DIFF_STILL_VULNERABLE :
					 DIFF_NEWLY_VULNERABLE;
	if (n == DIFF_S_ABSENT) {
		/* A process that needed a restart and is gone was restarted
		 * (or stopped); a vulnerable library or package that is gone
		 * was removed.  An endpoint that is gone may only be down. */
		if (o == DIFF_S_BAD && e->kind != DIFF_K_SCAN &&
		    e->kind != DIFF_K_LISTENER)
			return DIFF_FIXED;
		return DIFF_GONE;
	}
	if (o == DIFF_S_ABSENT)
		return DIFF_NEW;
	if (n == DIFF_S_UNTESTED)
		return o == DIFF_S_UNTESTED ? DIFF_UNCHANGED :
					      DIFF_NEWLY_UNTESTED;
	/* n is good */
	if (o == DIFF_S_BAD)
		return DIFF_FIXED;
	if (o == DIFF_S_UNTESTED)
		return DIFF_NOW_TESTED;
	return DIFF_UNCHANGED;
}

int diff_finish(struct diff *d)
{
	size_t i, o;

	if (d->finished)
		return HC_ERR_SUCCESS;
	if (d->n)
		qsort(d->e, d->n, sizeof(*d->e), by_key);
	for (i = 0, o = 0; i < d->n; i++) {
		if (o > 0 && !strcmp(d->e[o - 1].key, d->e[i].key)) {
			merge(&d->e[o - 1], &d->e[i]);
			continue;
		}
		if (o != i)
			d->e[o] = d->e[i];
		o++;
	}
	d->n = o;
	memset(d->counts, 0, sizeof(d->counts));
	for (i = 0; i < d->n; i++) {
		d->e[i].cls = classify(&d->e[i]);
		d->counts[d->e[i].cls]++;
	}
	if (d->n)
		qsort(d->e, d->n, sizeof(*d->e), by_class);
	d->finished = 1;
	return d->alloc_failed ? HC_ERR_ALLOC_FAIL : HC_ERR_SUCCESS;
}

const char *diff_label(const struct diff_entry *e, char *buf, size_t cap)
{
	switch (e->kind) {
	case DIFF_K_SCAN:
		snprintf(buf, cap, "%s", e->target ? e->target : "?");
		break;
	case DIFF_K_LISTENER:
		snprintf(buf, cap, "%s%s%s%s", e->target ? e->target : "?",
		    e->unit ? " (" : "", e->unit ? e->unit : "",
		    e->unit ? ")" : "");
		break;
	case DIFF_K_LIBRARY:
		snprintf(buf, cap, "%s", e->path ? e->path : "?");
		break;
	case DIFF_K_PROCESS:
		if (e->unit)
			snprintf(buf, cap, "%s (%s)", e->unit,
			    e->comm ? e->comm : "?");
		else
			snprintf(buf, cap, "pid %ld (%s)", e->pid,
			    e->comm ? e->comm : "?");
		break;
	case DIFF_K_PACKAGE:
		snprintf(buf, cap, "%s%s%s", e->name ? e->name : "?",
		    e->arch ? ":" : "", e->arch ? e->arch : "");
		break;
	default:
		snprintf(buf, cap, "?");
		break;
	}
	return buf;
}

int diff_exit_code(const struct diff *d)
{
	if (d->counts[DIFF_NEWLY_VULNERABLE] ||
	    d->counts[DIFF_STILL_VULNERABLE])
		return 1;
	if (d->counts[DIFF_NEWLY_UNTESTED] || d->bad_lines[0] ||
	    d->bad_lines[1] || d->alloc_failed)
		return 3;
	return 0;
}

void diff_summary_line(const struct diff *d, char *buf, size_t cap)
{
	unsigned long bad = d->bad_lines[0] + d->bad_lines[1];
	int n;

	n = snprintf(buf, cap,
	    "%lu fixed, %lu still vulnerable, %lu newly "
	    "vulnerable, %lu newly untested, %lu gone, %lu now tested, %lu "
	    "new, "
	    "%lu unchanged",
	    d->counts[DIFF_FIXED], d->counts[DIFF_STILL_VULNERABLE],
	    d->counts[DIFF_NEWLY_VULNERABLE], d->counts[DIFF_NEWLY_UNTESTED],
	    d->counts[DIFF_GONE], d->counts[DIFF_NOW_TESTED],
	    d->counts[DIFF_NEW], d->counts[DIFF_UNCHANGED]);
	if (bad && n >= 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n,
		    "; %lu input line%s "
		    "unreadable",
		    bad, bad == 1 ? "" : "s");
}
