/* Unit tests for the random order, positions, exclusions and the
 * reserved-space check (permute.c, targets_walk.c, exclude.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/exclude.h"
#include "net/permute.h"
#include "net/targets.h"

/* Every element of [0, n) exactly once, for one seed. */
static void check_perm(uint64_t n, uint64_t seed)
{
	struct perm p;
	uint8_t *seen = calloc(n ? n : 1, 1);
	uint64_t ctr = 0, x, got = 0;

	assert_non_null(seen);
	assert_int_equal(perm_init(&p, n, seed), 0);
	assert_true(p.domain >= n && (n < 2 || p.domain < 4 * n));
	while (perm_next(&p, &ctr, &x)) {
		assert_true(x < n);
		if (seen[x])
			fail_msg("n=%llu seed=%llu: %llu twice", (unsigned long long)n,
				 (unsigned long long)seed, (unsigned long long)x);
		seen[x] = 1;
		got++;
		assert_true(got <= n);
	}
	assert_int_equal(got, n);
	assert_int_equal(ctr, p.domain);
	free(seen);
}

static void test_perm_sizes(void **state)
{
	/* Small sizes, primes, sizes just above a prime, powers of two and
	 * four and their neighbours. */
	static const uint64_t sizes[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 14, 16, 17, 18,
		31, 32, 33, 63, 64, 65, 97, 98, 101, 102, 255, 256, 257, 1000, 1021,
		1022, 1024, 4096, 4097, 65521, 65522, 65536, 65537, 65538, 100003,
		262144, 1000003 };
	size_t i;
	uint64_t seed;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (seed = 0; seed < 3; seed++)
			check_perm(sizes[i], seed * 0x12345678abcdefULL + 1);
	for (i = 1; i <= 300; i++)
		check_perm(i, i);
}

static void test_perm_seed(void **state)
{
	struct perm a, b;
	uint64_t ca = 0, cb = 0, x, y, same = 0, k;

	(void)state;
	assert_int_equal(perm_init(&a, 10000, 1), 0);
	assert_int_equal(perm_init(&b, 10000, 2), 0);
	for (k = 0; k < 1000; k++) {
		assert_true(perm_next(&a, &ca, &x));
		assert_true(perm_next(&b, &cb, &y));
		same += x == y;
	}
	assert_true(same < 20);
	/* The same seed gives the same order. */
	assert_int_equal(perm_init(&b, 10000, 1), 0);
	ca = cb = 0;
	for (k = 0; k < 1000; k++) {
		assert_true(perm_next(&a, &ca, &x));
		assert_true(perm_next(&b, &cb, &y));
		assert_int_equal(x, y);
	}
	assert_int_equal(perm_init(&a, PERM_MAX_N + 1, 1), -1);
}

static struct tgt_set *mkset(const char *const *specs, size_t n, const char *ports)
{
	struct tgt_set *s = tgt_set_new();
	char err[TGT_ERRMAX];
	size_t i;

	assert_non_null(s);
	for (i = 0; i < n; i++)
		if (tgt_set_add(s, specs[i], err) != 0)
			fail_msg("%s: %s", specs[i], err);
	if (ports && tgt_set_ports(s, ports, err) != 0)
		fail_msg("%s", err);
	return s;
}

/* Labels of a whole walk, sorted, one string. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t walk(struct tgt_set *s, char ***out)
{
	struct tgt_iter *it = tgt_iter_new(s);
	struct tgt_endpoint e;
	size_t n = 0, cap = 16;
	char **v = malloc(cap * sizeof(*v));

	assert_non_null(it);
	while (tgt_iter_next(it, &e) == 1) {
		if (n == cap)
			v = realloc(v, (cap *= 2) * sizeof(*v));
		v[n++] = strdup(e.label);
		assert_true(n < 5000000);
	}
	tgt_iter_free(it);
	*out = v;
	return n;
}

static void free_walk(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

/* The random order of a set has the same endpoints as the sequential
 * one, each once; shards of both are disjoint and complete. */
static void test_random_walk_and_shards(void **state)
{
	static const char *specs[] = { "10.0.0.0/23", "example.com", "10.9.0.1-7:8443",
		"[2001:db8::/124]", "127.0.0.1" };
	static const char *portlists[] = { "443", "1-3", "443,8443,9000-9002" };
	size_t pl, seedi, n;
	char **seq, **rnd;

	(void)state;
	for (pl = 0; pl < 3; pl++) {
		struct tgt_set *s = mkset(specs, 5, portlists[pl]);
		char err[TGT_ERRMAX];
		size_t nseq = walk(s, &seq), i;

		assert_int_equal(nseq, tgt_set_count(s));
		qsort(seq, nseq, sizeof(*seq), cmp_str);
		for (i = 1; i < nseq; i++)
			assert_true(strcmp(seq[i - 1], seq[i]) != 0);
		for (seedi = 0; seedi < 3; seedi++) {
			unsigned shards[] = { 1, 2, 3, 7 };
			size_t si;

			assert_int_equal(tgt_set_order(s, 1, seedi * 977 + 5, err), 0);
			n = walk(s, &rnd);
			assert_int_equal(n, nseq);
			qsort(rnd, n, sizeof(*rnd), cmp_str);
			for (i = 0; i < n; i++)
				assert_string_equal(rnd[i], seq[i]);
			free_walk(rnd, n);
			for (si = 0; si < 4; si++) {
				char kn[32], **all = NULL;
				size_t k, tot = 0;

				for (k = 1; k <= shards[si]; k++) {
					char **part;
					size_t m, j;

					snprintf(kn, sizeof(kn), "%zu/%u", k, shards[si]);
					assert_int_equal(tgt_set_shard(s, kn, err), 0);
					m = walk(s, &part);
					all = realloc(all, (tot + m + 1) * sizeof(*all));
					for (j = 0; j < m; j++)
						all[tot++] = part[j];
					free(part);
				}
				assert_int_equal(tot, nseq);
				qsort(all, tot, sizeof(*all), cmp_str);
				for (i = 0; i < tot; i++)
					assert_string_equal(all[i], seq[i]);
				free_walk(all, tot);
				assert_int_equal(tgt_set_shard(s, "1/1", err), 0);
			}
		}
		free_walk(seq, nseq);
		tgt_set_free(s);
	}
}

/* Stopping at any position and starting a new iterator there walks the
 * rest: the two parts are the whole, with no endpoint twice. */
static void test_resume_position(void **state)
{
	static const char *specs[] = { "10.1.0.0/26", "10.2.0.0/30" };
	struct tgt_set *s = mkset(specs, 2, "1,2,3");
	char err[TGT_ERRMAX], **whole;
	size_t nwhole, stop, r;

	(void)state;
	for (r = 0; r < 2; r++) {
		assert_int_equal(tgt_set_order(s, (int)r, 42, err), 0);
		tgt_set_start(s, 0);
		nwhole = walk(s, &whole);
		assert_int_equal(nwhole, 204);
		for (stop = 0; stop <= nwhole; stop += 37) {
			struct tgt_iter *it;
			struct tgt_endpoint e;
			char **rest;
			size_t k, m;

			tgt_set_start(s, 0);
			it = tgt_iter_new(s);
			for (k = 0; k < stop; k++) {
				assert_int_equal(tgt_iter_next(it, &e), 1);
				assert_string_equal(e.label, whole[k]);
			}
			tgt_set_start(s, tgt_iter_pos(it));
			tgt_iter_free(it);
			m = walk(s, &rest);
			assert_int_equal(stop + m, nwhole);
			for (k = 0; k < m; k++)
				assert_string_equal(rest[k], whole[stop + k]);
			free_walk(rest, m);
		}
		assert_true(tgt_set_end(s) >= nwhole);
		free_walk(whole, nwhole);
	}
	tgt_set_start(s, 0);
	tgt_set_free(s);
}

static void test_exclude(void **state)
{
	static const char *specs[] = { "10.0.0.0/24", "a.example", "B.example",
		"[2001:db8::/120]" };
	struct tgt_set *s = mkset(specs, 4, "443,8443");
	struct excl *x = excl_new();
	char err[TGT_ERRMAX], **v;
	uint8_t a[16];
	size_t n, i;

	(void)state;
	assert_non_null(x);
	assert_int_equal(excl_add(x, "10.0.0.0/25,10.0.0.200-10.0.0.255", err), 0);
	assert_int_equal(excl_add(x, "10.0.0.130:8443", err), 0);
	assert_int_equal(excl_add(x, "b.example.", err), 0);
	assert_int_equal(excl_add(x, "[2001:db8::/121]", err), 0);
	assert_int_equal(excl_add(x, "0.0.0.0/0:1", err), 0); /* any size */
	assert_int_equal(excl_finish(x), 0);
	assert_int_equal(excl_entries(x), 6);
	tgt_set_exclude(s, x);
	/* 72 addresses left of the /24 on 2 ports, minus one; a.example on 2
	 * ports; 128 IPv6 addresses on 2 ports. */
	n = walk(s, &v);
	assert_int_equal(n, 72 * 2 - 1 + 2 + 128 * 2);
	/* The count ignores port-only entries: a progress total. */
	assert_int_equal(tgt_set_count(s), 72 * 2 + 2 + 128 * 2);
	for (i = 0; i < n; i++) {
		assert_null(strstr(v[i], "b.example"));
		assert_null(strstr(v[i], "B.example"));
		assert_true(strcmp(v[i], "10.0.0.130:8443") != 0);
		assert_true(strcmp(v[i], "10.0.0.5:443") != 0);
	}
	free_walk(v, n);
	inet_pton(AF_INET, "10.0.0.130", a);
	assert_int_equal(tgt_set_excluded_addr(s, AF_INET, a, 8443), 1);
	assert_int_equal(tgt_set_excluded_addr(s, AF_INET, a, 443), 0);
	assert_int_equal(tgt_set_excluded_addr(s, AF_INET, a, 1), 1);
	inet_pton(AF_INET, "10.0.0.64", a);
	assert_int_equal(tgt_set_excluded_addr(s, AF_INET, a, 443), 1);
	/* The same syntax errors as targets. */
	assert_int_equal(excl_add(x, "10.0.0.0/33", err), -1);
	assert_non_null(strstr(err, "prefix length"));
	assert_int_equal(excl_add(x, "10.0.0.1:0", err), -1);
	assert_non_null(strstr(err, "port must be"));
	assert_int_equal(excl_add(x, "10.0.0.1,", err), -1);
	assert_non_null(strstr(err, "empty target"));
	/* Everything excluded: nothing to scan. */
	assert_int_equal(excl_add(x, "0.0.0.0/0,::/0,a.example", err), 0);
	assert_int_equal(excl_finish(x), 0);
	assert_int_equal(tgt_set_count(s), 0);
	n = walk(s, &v);
	assert_int_equal(n, 0);
	free_walk(v, n);
	tgt_set_free(s);
	excl_free(x);
}

static void test_reserved(void **state)
{
	static const struct {
		const char *target, *exclude;
		int refused;
	} t[] = {
		{ "127.0.0.0/8", NULL, 0 },
		{ "10.0.0.0/8", NULL, 0 },
		{ "223.255.255.0/24", NULL, 0 },
		{ "224.0.0.1", NULL, 1 },
		{ "223.255.255.255-224.0.0.3", NULL, 1 },
		{ "0.0.0.5", NULL, 1 },
		{ "255.255.255.255", NULL, 1 },
		{ "239.255.0.0/16", NULL, 1 },
		{ "[ff02::1]:443", NULL, 1 },
		{ "[fe80::/120]", NULL, 0 },
		{ "223.255.255.255-224.0.0.3", "224.0.0.0/4", 0 },
		{ "223.255.255.255-224.0.0.3", "224.0.0.0-224.0.0.2", 1 },
		{ "223.255.255.255-224.0.0.3", "224.0.0.0-224.0.0.2,224.0.0.3", 0 },
		{ "223.255.255.255-224.0.0.3", "224.0.0.0/4:443", 1 },
		{ "[ff02::/120]", "ff00::/8", 0 },
		{ "example.com", NULL, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct tgt_set *s = mkset(&t[i].target, 1, NULL);
		struct excl *x = excl_new();
		char err[TGT_ERRMAX], msg[256] = "";

		if (t[i].exclude)
			assert_int_equal(excl_add(x, t[i].exclude, err), 0);
		assert_int_equal(excl_finish(x), 0);
		if (excl_reserved(x, s, msg, sizeof(msg)) != t[i].refused)
			fail_msg("%s excluding %s: expected %d (%s)", t[i].target,
				 t[i].exclude ? t[i].exclude : "-", t[i].refused, msg);
		if (t[i].refused)
			assert_non_null(strstr(msg, "the targets include"));
		tgt_set_free(s);
		excl_free(x);
	}
}

/* A /8 walks without memory per endpoint: the iterator's own allocation
 * is per spec.  Checked here for speed and count; memory in the e2e test. */
static void test_big_block(void **state)
{
	static const char *spec = "127.0.0.0/8";
	struct tgt_set *s = mkset(&spec, 1, "1");
	char err[TGT_ERRMAX];
	struct tgt_iter *it;
	struct tgt_endpoint e;
	uint64_t n = 0;

	(void)state;
	assert_int_equal(tgt_set_order(s, 1, 7, err), 0);
	assert_int_equal(tgt_set_shard(s, "5/64", err), 0);
	it = tgt_iter_new(s);
	while (tgt_iter_next(it, &e) == 1)
		n++;
	tgt_iter_free(it);
	/* About 2^24 / 64 = 262144. */
	assert_true(n > 255000 && n < 270000);
	tgt_set_free(s);
}

/* A streamed file walks exactly as the same file loaded, from every
 * start position, and reports its bad lines once. */
static int nbad;
static void count_bad(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
	nbad++;
}

static void test_stream_file(void **state)
{
	static const char text[] = "127.0.0.1:1\n# comment\nbad..name\n"
		"10.0.0.0/30\n\n  a.example  # trailing\n[::1]:9\n10.1.0.1-3:7\n";
	char path[] = "/tmp/hc-test-stream-XXXXXX", err[TGT_ERRMAX], **a, **b;
	static const char *argv_spec = "192.0.2.1";
	struct tgt_set *eager = mkset(&argv_spec, 1, "443,8443");
	struct tgt_set *lazy = mkset(&argv_spec, 1, "443,8443");
	size_t na, nb, i, start;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	(void)state;
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	nbad = 0;
	assert_int_equal(tgt_set_add_file(eager, path, count_bad, NULL, err), 1);
	assert_int_equal(tgt_set_stream_file(lazy, path, count_bad, NULL, err), 1);
	assert_int_equal(nbad, 2);
	assert_int_equal(tgt_set_count(lazy), tgt_set_count(eager));
	assert_int_equal(tgt_set_end(lazy), tgt_set_end(eager));
	na = walk(eager, &a);
	nb = walk(lazy, &b);
	assert_int_equal(na, 2 + 1 + 4 * 2 + 2 + 1 + 3);
	assert_int_equal(na, nb);
	for (i = 0; i < na; i++)
		assert_string_equal(a[i], b[i]);
	free_walk(b, nb);
	for (start = 0; start <= na; start++) {
		tgt_set_start(lazy, start);
		nb = walk(lazy, &b);
		assert_int_equal(nb, na - start);
		for (i = 0; i < nb; i++)
			assert_string_equal(b[i], a[start + i]);
		free_walk(b, nb);
	}
	free_walk(a, na);
	assert_int_equal(tgt_set_order(lazy, 1, 1, err), -1);
	unlink(path);
	tgt_set_free(eager);
	tgt_set_free(lazy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perm_sizes),
		cmocka_unit_test(test_perm_seed),
		cmocka_unit_test(test_random_walk_and_shards),
		cmocka_unit_test(test_resume_position),
		cmocka_unit_test(test_exclude),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_big_block),
		cmocka_unit_test(test_stream_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
