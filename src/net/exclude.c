/* Exclusion lists; the contract is in exclude.h. */
#include "net/exclude.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef unsigned __int128 u128;

struct ival {
	u128 lo, hi;
	uint16_t port; /* port-specific list only */
};

struct xname {
	char *name; /* lower case, no trailing dot */
	uint16_t port; /* 0: every port */
};

struct excl {
	struct tgt_set *set; /* entries as parsed */
	struct ival *all[2]; /* [0] IPv4, [1] IPv6: every port, merged */
	size_t nall[2];
	struct ival *some[2]; /* one port each, sorted by lo */
	size_t nsome[2];
	struct xname *names; /* sorted by name */
	size_t nnames;
};

static u128 to_u128(const uint8_t *a, size_t len)
{
	u128 v = 0;
	size_t i;

	for (i = 0; i < len; i++)
		v = v << 8 | a[i];
	return v;
}

static void from_u128(u128 v, uint8_t *a, size_t len)
{
	size_t i;

	for (i = len; i-- > 0;) {
		a[i] = (uint8_t)v;
		v >>= 8;
	}
}

static int fam_ix(int family)
{
	return family == AF_INET6;
}

static size_t fam_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

struct excl *excl_new(void)
{
	struct excl *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	if (!(x->set = tgt_set_new())) {
		free(x);
		return NULL;
	}
	tgt_set_unbounded(x->set);
	return x;
}

void excl_free(struct excl *x)
{
	size_t i;

	if (!x)
		return;
	tgt_set_free(x->set);
	for (i = 0; i < 2; i++) {
		free(x->all[i]);
		free(x->some[i]);
	}
	for (i = 0; i < x->nnames; i++)
		free(x->names[i].name);
	free(x->names);
	free(x);
}

int excl_add(struct excl *x, const char *list, char err[TGT_ERRMAX])
{
	const char *p = list ? list : "";
	char item[512];

	for (;;) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);

		if (n >= sizeof(item)) {
			snprintf(err, TGT_ERRMAX,
			    "bad exclusion: an entry is longer "
			    "than %zu characters",
			    sizeof(item) - 1);
			return -1;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		if (tgt_set_add(x->set, item, err) != 0)
			return -1;
		if (!c)
			return 0;
		p = c + 1;
	}
}

int excl_add_file(struct excl *x, const char *path,
    void (*on_error)(void *ctx, const char *msg), void *ctx,
    char err[TGT_ERRMAX])
{
	return tgt_set_add_file(x->set, path, on_error, ctx, err);
}

size_t excl_entries(const struct excl *x)
{
	return x ? tgt_set_nspecs(x->set) : 0;
}

static int cmp_ival(const void *a, const void *b)
{
	const struct ival *p = a, *q = b;

	if (p->lo != q->lo)
		return p->lo < q->lo ? -1 : 1;
	return p->port < q->port ? -1 : p->port > q->port;
}

static int cmp_name(const void *a, const void *b)
{
	const struct xname *p = a, *q = b;

	return strcmp(p->name, q->name);
}

static void norm_name(const char *in, char *out, size_t cap)
{
	size_t i, n = strlen(in);

	if (n > 0 && in[n - 1] == '.')
		n--;
	for (i = 0; i < n && i + 1 < cap; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

int excl_finish(struct excl *x)
{
	size_t n = tgt_set_nspecs(x->set), i, f;

	for (f = 0; f < 2; f++) {
		free(x->all[f]);
		free(x->some[f]);
		x->all[f] = calloc(n + 1, sizeof(struct ival));
		x->some[f] = calloc(n + 1, sizeof(struct ival));
		x->nall[f] = x->nsome[f] = 0;
		if (!x->all[f] || !x->some[f])
			return -1;
	}
	for (i = 0; i < x->nnames; i++)
		free(x->names[i].name);
	free(x->names);
	x->nnames = 0;
	if (!(x->names = calloc(n + 1, sizeof(*x->names))))
		return -1;
	for (i = 0; i < n; i++) {
		struct tgt_block b;
		struct ival v;

		tgt_set_block(x->set, i, &b);
		if (b.family == AF_UNSPEC) {
			char nm[256];

			norm_name(b.name, nm, sizeof(nm));
			if (!(x->names[x->nnames].name = strdup(nm)))
				return -1;
			x->names[x->nnames++].port = b.port;
			continue;
		}
		f = (size_t)fam_ix(b.family);
		v.lo = to_u128(b.lo, fam_len(b.family));
		v.hi = to_u128(b.hi, fam_len(b.family));
		v.port = b.port;
		if (b.port)
			x->some[f][x->nsome[f]++] = v;
		else
			x->all[f][x->nall[f]++] = v;
	}
	for (f = 0; f < 2; f++) {
		size_t k, m = 0;

		qsort(x->all[f], x->nall[f], sizeof(struct ival), cmp_ival);
		qsort(x->some[f], x->nsome[f], sizeof(struct ival), cmp_ival);
		/* Merge overlapping and touching intervals. */
		for (k = 0; k < x->nall[f]; k++) {
			struct ival *v = &x->all[f][k];

			if (m > 0 &&
			    (x->all[f][m - 1].hi == (u128)-1 ||
				v->lo <= x->all[f][m - 1].hi + 1)) {
				if (v->hi > x->all[f][m - 1].hi)
					x->all[f][m - 1].hi = v->hi;
				continue;
			}
			x->all[f][m++] = *v;
		}
		x->nall[f] = m;
	}
	qsort(x->names, x->nnames, sizeof(*x->names), cmp_name);
	return 0;
}

/* Index of the last merged interval with lo <= a, or -1. */
static long find_le(const struct ival *v, size_t n, u128 a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].lo <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

int excl_match(const struct excl *x, int family, const uint8_t *addr,
    uint16_t port, const char *name)
{
	size_t f, k;
	long i;
	u128 a;

	if (!x)
		return 0;
	if (family == AF_UNSPEC) {
		struct xname key;
		struct xname *hit;
		char nm[256];

		if (x->nnames == 0 || !name)
			return 0;
		norm_name(name, nm, sizeof(nm));
		key.name = nm;
		hit = bsearch(&key, x->names, x->nnames, sizeof(*x->names),
		    cmp_name);
		if (!hit)
			return 0;
		while (hit > x->names && !strcmp(hit[-1].name, nm))
			hit--;
		for (; hit < x->names + x->nnames && !strcmp(hit->name, nm);
		     hit++)
			if (hit->port == 0 || hit->port == port)
				return 1;
		return 0;
	}
	f = (size_t)fam_ix(family);
	a = to_u128(addr, fam_len(family));
	i = find_le(x->all[f], x->nall[f], a);
	if (i >= 0 && a <= x->all[f][i].hi)
		return 1;
	for (k = 0; k < x->nsome[f] && x->some[f][k].lo <= a; k++)
		if (x->some[f][k].port == port && a <= x->some[f][k].hi)
			return 1;
	return 0;
}

uint64_t excl_covered(const struct excl *x, int family, const uint8_t lo[16],
    const uint8_t hi[16])
{
	size_t f, len = fam_len(family), k;
	u128 a, b, total = 0;
	long i;

	if (!x || family == AF_UNSPEC)
		return 0;
	f = (size_t)fam_ix(family);
	a = to_u128(lo, len);
	b = to_u128(hi, len);
	i = find_le(x->all[f], x->nall[f], a);
	for (k = i < 0 ? 0 : (size_t)i; k < x->nall[f] && x->all[f][k].lo <= b;
	     k++) {
		u128 s = x->all[f][k].lo > a ? x->all[f][k].lo : a;
		u128 e = x->all[f][k].hi < b ? x->all[f][k].hi : b;

		if (s <= e)
			total += e - s + 1;
	}
	return total > UINT64_MAX ? UINT64_MAX : (uint64_t)total;
}

static const struct {
	int family;
	const char *net;
	unsigned bits;
	const char *what;
} reserved[] = {
	{ AF_INET, "0.0.0.0", 8, "\"this network\"" },
	{ AF_INET, "224.0.0.0", 4, "multicast" },
	{ AF_INET, "240.0.0.0", 4,
	    "reserved, with the broadcast address 255.255.255.255" },
	{ AF_INET6, "ff00::", 8, "IPv6 multicast" },
};

int excl_reserved(const struct excl *x, const struct tgt_set *s, char *msg,
    size_t cap)
{
	size_t i, r;

	for (i = 0; i < tgt_set_nspecs(s); i++) {
		struct tgt_block b;

		tgt_set_block(s, i, &b);
		if (b.family == AF_UNSPEC)
			continue;
		for (r = 0; r < sizeof(reserved) / sizeof(reserved[0]); r++) {
			size_t len = fam_len(b.family);
			uint8_t net[16], ia[16], ib[16];
			u128 rlo, rhi, lo, hi, a, c;
			char sa[INET6_ADDRSTRLEN], sb[INET6_ADDRSTRLEN];

			if (reserved[r].family != b.family)
				continue;
			inet_pton(b.family, reserved[r].net, net);
			rlo = to_u128(net, len);
			rhi = rlo |
			    ((((u128)1) << (len * 8 - reserved[r].bits)) - 1);
			lo = to_u128(b.lo, len);
			hi = to_u128(b.hi, len);
			a = lo > rlo ? lo : rlo;
			c = hi < rhi ? hi : rhi;
			if (a > c)
				continue;
			from_u128(a, ia, len);
			from_u128(c, ib, len);
			if (c - a + 1 <= excl_covered(x, b.family, ia, ib))
				continue;
			inet_ntop(b.family, ia, sa, sizeof(sa));
			inet_ntop(b.family, ib, sb, sizeof(sb));
			snprintf(msg, cap,
			    "the targets include %s-%s, in %s/%u (%s)", sa, sb,
			    reserved[r].net, reserved[r].bits,
			    reserved[r].what);
			return 1;
		}
	}
	return 0;
}

int excl_touches_reserved(int family, const uint8_t lo[16],
    const uint8_t hi[16])
{
	size_t r, len = fam_len(family);

	for (r = 0; r < sizeof(reserved) / sizeof(reserved[0]); r++) {
		uint8_t net[16];
		u128 rlo, rhi;

		if (reserved[r].family != family)
			continue;
		inet_pton(family, reserved[r].net, net);
		rlo = to_u128(net, len);
		rhi = rlo | ((((u128)1) << (len * 8 - reserved[r].bits)) - 1);
		if (to_u128(lo, len) <= rhi && to_u128(hi, len) >= rlo)
			return 1;
	}
	return 0;
}
