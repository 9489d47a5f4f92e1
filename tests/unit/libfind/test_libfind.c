/*
 * Unit tests for library discovery (ld.so.cache, ELF, version strings, the
 * candidate list) and for listening sockets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../hc_skip.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local/libfind.h"
#include "local/listeners.h"

/* ---- helpers ------------------------------------------------------------ */

static uint8_t *slurp(const char *path, size_t *n)
{
	uint8_t *b = NULL;

	if (libfind_read_file(path, 256u << 20, &b, n) != 0)
		return NULL;
	return b;
}

static int write_file(const char *path, const void *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	int r = 0;

	if (f == NULL)
		return -1;
	if (n > 0 && fwrite(b, 1, n, f) != n)
		r = -1;
	if (fclose(f) != 0)
		r = -1;
	return r;
}

struct names {
	char v[64][256];
	size_t n;
};

static void collect2(void *ctx, const char *a, const char *b)
{
	struct names *nm = ctx;

	if (nm->n < 64) {
		snprintf(nm->v[nm->n], sizeof(nm->v[0]), "%s=%s", a, b);
		nm->n++;
	}
}

static void collect1(void *ctx, const char *a)
{
	struct names *nm = ctx;

	if (nm->n < 64) {
		snprintf(nm->v[nm->n], sizeof(nm->v[0]), "%s", a);
		nm->n++;
	}
}

static int has_name(const struct names *nm, const char *s)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		if (strcmp(nm->v[i], s) == 0)
			return 1;
	return 0;
}

struct real_ctx {
	const char *soname;
	char path[4096];
};

static void real_cb(void *ctx, const char *soname, const char *path)
{
	struct real_ctx *rc = ctx;
	uint8_t b[4096];
	int fd, n;

	if (rc->path[0] != '\0' || strcmp(soname, rc->soname) != 0)
		return;
	/* The cache may list other ABIs too; keep the one we can load. */
	if ((fd = open(path, O_RDONLY)) < 0)
		return;
	n = (int)read(fd, b, sizeof(b));
	close(fd);
	if (n > 0 && elf_sniff(b, (size_t)n, NULL) == ELF_SHARED)
		snprintf(rc->path, sizeof(rc->path), "%s", path);
}

/* Finds a native library of this soname through the real ld.so.cache. */
static int real_lib(const char *soname, char *out, size_t cap)
{
	struct real_ctx rc;
	uint8_t *b;
	size_t n;

	memset(&rc, 0, sizeof(rc));
	rc.soname = soname;
	if ((b = slurp("/etc/ld.so.cache", &n)) == NULL)
		return -1;
	(void)ldcache_parse(b, n, real_cb, &rc);
	free(b);
	if (rc.path[0] == '\0')
		return -1;
	snprintf(out, cap, "%s", rc.path);
	return 0;
}

/* ---- ld.so.cache builder ------------------------------------------------ */

struct ent {
	const char *key, *val;
};

static const struct ent ents[] = {
	{ "libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6" },
	{ "libssl.so.3", "/usr/lib/x86_64-linux-gnu/libssl.so.3" },
	{ "libcrypto.so.3", "/usr/lib/x86_64-linux-gnu/libcrypto.so.3" },
	{ "libssl3.so", "/usr/lib/x86_64-linux-gnu/libssl3.so" },
	{ "libssl.so.1.0.0", "/opt/old/lib/libssl.so.1.0.0" },
};
#define NENTS (sizeof(ents) / sizeof(ents[0]))

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Writes the new format at b+base; string offsets are relative to base. */
static size_t build_new(uint8_t *b, size_t base)
{
	uint8_t *h = b + base;
	size_t i, s = 48 + NENTS * 24;
	size_t strstart = s;

	memset(h, 0, s);
	memcpy(h, "glibc-ld.so.cache1.1", 20);
	put32(h + 20, NENTS);
	h[28] = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? 3 : 2;
	for (i = 0; i < NENTS; i++) {
		uint8_t *e = h + 48 + i * 24;

		put32(e, 0x303);
		put32(e + 4, (uint32_t)s);
		memcpy(h + s, ents[i].key, strlen(ents[i].key) + 1);
		s += strlen(ents[i].key) + 1;
		put32(e + 8, (uint32_t)s);
		memcpy(h + s, ents[i].val, strlen(ents[i].val) + 1);
		s += strlen(ents[i].val) + 1;
	}
	put32(h + 24, (uint32_t)(s - strstart));
	return base + s;
}

/* The old format; with_new appends the new one as ldconfig's "compat". */
static size_t build_old(uint8_t *b, int with_new)
{
	size_t i, s = 0, strbase = 16 + NENTS * 12;

	memset(b, 0, strbase);
	memcpy(b, "ld.so-1.7.0", 11);
	put32(b + 12, NENTS);
	if (with_new)
		return build_new(b, (strbase + 7) & ~(size_t)7);
	for (i = 0; i < NENTS; i++) {
		uint8_t *e = b + 16 + i * 12;

		put32(e, 1);
		put32(e + 4, (uint32_t)s);
		memcpy(b + strbase + s, ents[i].key, strlen(ents[i].key) + 1);
		s += strlen(ents[i].key) + 1;
		put32(e + 8, (uint32_t)s);
		memcpy(b + strbase + s, ents[i].val, strlen(ents[i].val) + 1);
		s += strlen(ents[i].val) + 1;
	}
	return strbase + s;
}

static void check_ssl_entries(const uint8_t *b, size_t n)
{
	struct names nm = { .n = 0 };

	assert_int_equal(ldcache_parse(b, n, collect2, &nm), 3);
	assert_int_equal(nm.n, 3);
	assert_true(has_name(&nm,
	    "libssl.so.3=/usr/lib/x86_64-linux-gnu/libssl.so.3"));
	assert_true(has_name(&nm,
	    "libcrypto.so.3=/usr/lib/x86_64-linux-gnu/libcrypto.so.3"));
	assert_true(has_name(&nm,
	    "libssl.so.1.0.0=/opt/old/lib/libssl.so.1.0.0"));
	/* NSS's libssl3.so is not OpenSSL. */
	assert_false(has_name(&nm,
	    "libssl3.so=/usr/lib/x86_64-linux-gnu/libssl3.so"));
}

/* Every prefix of a cache must parse or fail, never over-read. */
static void check_truncations(const uint8_t *b, size_t n)
{
	uint8_t *copy;
	size_t k;
	int r;

	for (k = 0; k < n; k++) {
		/* An exact-size heap copy lets ASan see a read past the end. */
		copy = malloc(k + 1);
		assert_non_null(copy);
		memcpy(copy, b, k);
		r = ldcache_parse(copy, k, NULL, NULL);
		assert_true(r == -1 || (r >= 0 && r <= 3));
		free(copy);
	}
}

static void test_ldcache_new(void **state)
{
	uint8_t b[4096];
	size_t n = build_new(b, 0);

	(void)state;
	check_ssl_entries(b, n);
	check_truncations(b, n);
	/* Without a callback it still counts. */
	assert_int_equal(ldcache_parse(b, n, NULL, NULL), 3);
}

static void test_ldcache_old_and_new(void **state)
{
	uint8_t b[4096];
	size_t n;

	(void)state;
	n = build_old(b, 1);
	check_ssl_entries(b, n);
	check_truncations(b, n);
	n = build_old(b, 0);
	check_ssl_entries(b, n);
	check_truncations(b, n);
}

static void test_ldcache_corrupt(void **state)
{
	uint8_t b[4096], c[4096];
	struct names nm = { .n = 0 };
	size_t n = build_new(b, 0), last;

	(void)state;
	/* A key offset far past the end. */
	memcpy(c, b, n);
	put32(c + 48 + 1 * 24 + 4, 0x7fffff00);
	assert_int_equal(ldcache_parse(c, n, collect2, &nm), -1);
	assert_int_equal(nm.n, 0);
	/* A value offset exactly at the end. */
	memcpy(c, b, n);
	put32(c + 48 + 2 * 24 + 8, (uint32_t)n);
	assert_int_equal(ldcache_parse(c, n, collect2, &nm), -1);
	/* nlibs huge, and nlibs one more than fits. */
	memcpy(c, b, n);
	put32(c + 20, 0xffffffffu);
	assert_int_equal(ldcache_parse(c, n, collect2, &nm), -1);
	put32(c + 20, (uint32_t)((n - 48) / 24 + 1));
	assert_int_equal(ldcache_parse(c, n, collect2, &nm), -1);
	/* The last string loses its terminator. */
	memcpy(c, b, n);
	last = n - 1;
	assert_int_equal(c[last], 0);
	c[last] = 'x';
	assert_int_equal(ldcache_parse(c, n, collect2, &nm), -1);
	/* An unknown byte-order flag. */
	memcpy(c, b, n);
	c[28] = 7;
	assert_int_equal(ldcache_parse(c, n, collect2, &nm), -1);
	/* Bad magic, empty input. */
	memcpy(c, b, n);
	c[0] = 'G';
	assert_int_equal(ldcache_parse(c, n, collect2, &nm), -1);
	assert_int_equal(ldcache_parse(c, 0, collect2, &nm), -1);
	/* Old format with nlibs past the buffer. */
	n = build_old(b, 0);
	memcpy(c, b, n);
	put32(c + 12, 0x10000000);
	assert_int_equal(ldcache_parse(c, n, collect2, &nm), -1);
	assert_int_equal(nm.n, 0);
}

static void test_ldcache_real(void **state)
{
	uint8_t *b;
	size_t n;
	struct names nm = { .n = 0 };
	char path[4096];
	int r;

	(void)state;
	if ((b = slurp("/etc/ld.so.cache", &n)) == NULL)
		hc_skip("no /etc/ld.so.cache on this machine");
	r = ldcache_parse(b, n, collect2, &nm);
	free(b);
	assert_true(r >= 1);
	assert_int_equal(real_lib("libssl.so.3", path, sizeof(path)), 0);
	assert_non_null(strstr(path, "libssl.so.3"));
	assert_int_equal(access(path, R_OK), 0);
}

/* ---- ELF ---------------------------------------------------------------- */

struct elfspec {
	int is64, be;
	unsigned type, machine;
	const char *interp;
	const char *needed[4];
	const char *soname;
};

static void putn(uint8_t *p, uint64_t v, unsigned n, int be)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* Builds a small but well-formed ELF image with a dynamic section. */
static size_t build_elf(uint8_t *b, size_t cap, const struct elfspec *s)
{
	const uint64_t base = 0x10000;
	size_t eh = s->is64 ? 64 : 52, ph = s->is64 ? 56 : 32;
	unsigned phnum = s->interp != NULL ? 3 : 2, i, nd = 0;
	size_t off, interp_off = 0, str_off, str_n, dyn_off, dyn_n, p;
	size_t esz = s->is64 ? 16 : 8, w = s->is64 ? 8 : 4;
	uint64_t dyn[16][2];
	int be = s->be;

	memset(b, 0, cap);
	off = eh + phnum * ph;
	if (s->interp != NULL) {
		interp_off = off;
		memcpy(b + off, s->interp, strlen(s->interp) + 1);
		off += strlen(s->interp) + 1;
	}
	str_off = off;
	p = 1; /* string 0 is "" */
	for (i = 0; i < 4 && s->needed[i] != NULL; i++) {
		memcpy(b + str_off + p, s->needed[i], strlen(s->needed[i]) + 1);
		dyn[nd][0] = 1 /* DT_NEEDED */;
		dyn[nd++][1] = p;
		p += strlen(s->needed[i]) + 1;
	}
	if (s->soname != NULL) {
		memcpy(b + str_off + p, s->soname, strlen(s->soname) + 1);
		dyn[nd][0] = 14;
		dyn[nd++][1] = p;
		p += strlen(s->soname) + 1;
	}
	str_n = p;
	dyn[nd][0] = 5; /* DT_STRTAB, as a virtual address */
	dyn[nd++][1] = base + str_off;
	dyn[nd][0] = 10; /* DT_STRSZ */
	dyn[nd++][1] = str_n;
	dyn[nd][0] = 0;
	dyn[nd++][1] = 0;
	dyn_off = (str_off + str_n + 7) & ~(size_t)7;
	dyn_n = nd * esz;
	for (i = 0; i < nd; i++) {
		putn(b + dyn_off + i * esz, dyn[i][0], (unsigned)w, be);
		putn(b + dyn_off + i * esz + w, dyn[i][1], (unsigned)w, be);
	}

	memcpy(b, "\177ELF", 4);
	b[4] = s->is64 ? 2 : 1;
	b[5] = be ? 2 : 1;
	b[6] = 1;
	putn(b + 16, s->type, 2, be);
	putn(b + 18, s->machine, 2, be);
	putn(b + 20, 1, 4, be);
	if (s->is64) {
		putn(b + 32, eh, 8, be);
		putn(b + 52, eh, 2, be);
		putn(b + 54, ph, 2, be);
		putn(b + 56, phnum, 2, be);
	} else {
		putn(b + 28, eh, 4, be);
		putn(b + 40, eh, 2, be);
		putn(b + 42, ph, 2, be);
		putn(b + 44, phnum, 2, be);
	}
	for (i = 0; i < phnum; i++) {
		uint8_t *q = b + eh + i * ph;
		uint64_t type, o, va, sz;

		if (i == 0) {
			type = 1; /* PT_LOAD over the whole image */
			o = 0;
			va = base;
			sz = dyn_off + dyn_n;
		} else if (i == 1) {
			type = 2; /* PT_DYNAMIC */
			o = dyn_off;
			va = base + dyn_off;
			sz = dyn_n;
		} else {
			type = 3; /* PT_INTERP */
			o = interp_off;
			va = base + interp_off;
			sz = strlen(s->interp) + 1;
		}
		putn(q, type, 4, be);
		if (s->is64) {
			putn(q + 8, o, 8, be);
			putn(q + 16, va, 8, be);
			putn(q + 32, sz, 8, be);
			putn(q + 40, sz, 8, be);
		} else {
			putn(q + 4, o, 4, be);
			putn(q + 8, va, 4, be);
			putn(q + 16, sz, 4, be);
			putn(q + 20, sz, 4, be);
		}
	}
	return dyn_off + dyn_n;
}

#ifdef __x86_64__
#define HOST_EM 62
#elif defined(__aarch64__)
#define HOST_EM 183
#else
#define HOST_EM 0
#endif

static void test_elf_handmade(void **state)
{
	static const struct elfspec specs[] = {
		{ 1, 0, 3, 62, NULL, { "libcrypto.so.1.0.0", "libc.so.6" },
		    "libssl.so.1.0.0" },
		{ 0, 1, 3, 20, NULL, { "libcrypto.so.1.0.0", "libc.so.6" },
		    "libssl.so.1.0.0" },
		{ 0, 0, 3, 3, NULL, { "libcrypto.so.1.0.0", "libc.so.6" },
		    "libssl.so.1.0.0" },
		{ 1, 1, 3, 22, NULL, { "libcrypto.so.1.0.0", "libc.so.6" },
		    "libssl.so.1.0.0" },
	};
	uint8_t b[2048], *copy;
	struct names nm;
	char so[64];
	size_t i, n, k;
	int r;

	(void)state;
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		n = build_elf(b, sizeof(b), &specs[i]);
		memset(&nm, 0, sizeof(nm));
		assert_int_equal(elf_needed(b, n, collect1, &nm), 2);
		assert_string_equal(nm.v[0], "libcrypto.so.1.0.0");
		assert_string_equal(nm.v[1], "libc.so.6");
		assert_int_equal(elf_soname(b, n, so, sizeof(so)), 1);
		assert_string_equal(so, "libssl.so.1.0.0");
		/* Too small a buffer for the name is an error, not a cut. */
		assert_int_equal(elf_soname(b, n, so, 4), -1);
		/* Every truncation fails cleanly. */
		for (k = 0; k < n; k++) {
			copy = malloc(k + 1);
			assert_non_null(copy);
			memcpy(copy, b, k);
			memset(&nm, 0, sizeof(nm));
			r = elf_needed(copy, k, collect1, &nm);
			assert_int_equal(r, -1);
			assert_int_equal(nm.n, 0);
			(void)elf_sniff(copy, k, NULL);
			free(copy);
		}
	}
}

static void test_elf_corrupt(void **state)
{
	struct elfspec s = { 1, 0, 3, 62, NULL, { "libcrypto.so.3" },
	    "libssl.so.3" };
	uint8_t b[2048], c[2048];
	size_t n;

	(void)state;
	n = build_elf(b, sizeof(b), &s);
	/* phoff out of range. */
	memcpy(c, b, n);
	putn(c + 32, 0xffffffffffffff00ull, 8, 0);
	assert_int_equal(elf_needed(c, n, NULL, NULL), -1);
	assert_int_equal(elf_sniff(c, n, NULL), ELF_BAD);
	/* PT_DYNAMIC filesz past the end. */
	memcpy(c, b, n);
	putn(c + 64 + 56 + 32, 0x100000, 8, 0);
	assert_int_equal(elf_needed(c, n, NULL, NULL), -1);
	/* DT_STRSZ larger than the file. */
	memcpy(c, b, n);
	{
		size_t at;

		for (at = n - 16; at > 64; at -= 16) {
			uint64_t tag = 0;

			memcpy(&tag, c + at, 8);
			if (tag == 10) {
				putn(c + at + 8, 0x7fffffff, 8, 0);
				break;
			}
		}
		assert_true(at > 64);
	}
	assert_int_equal(elf_needed(c, n, NULL, NULL), -1);
	/* A PT_LOAD that no longer covers DT_STRTAB. */
	memcpy(c, b, n);
	putn(c + 64 + 16, 0x900000, 8, 0);
	assert_int_equal(elf_needed(c, n, NULL, NULL), -1);
	/* phentsize too small to hold a program header. */
	memcpy(c, b, n);
	putn(c + 54, 8, 2, 0);
	assert_int_equal(elf_needed(c, n, NULL, NULL), -1);
	/* Not ELF at all. */
	assert_int_equal(elf_needed((const uint8_t *)"hello", 5, NULL, NULL), -1);
}

static void test_elf_real_libssl(void **state)
{
	char path[4096];
	struct names nm = { .n = 0 };
	uint8_t *b, *copy;
	size_t n, k;
	char so[128];
	int musl = 1;

	(void)state;
	if (real_lib("libssl.so.3", path, sizeof(path)) != 0)
		hc_skip("no libssl.so.3 on this machine");
	assert_non_null(b = slurp(path, &n));
	assert_true(elf_needed(b, n, collect1, &nm) >= 2);
	assert_true(has_name(&nm, "libcrypto.so.3"));
	assert_int_equal(elf_soname(b, n, so, sizeof(so)), 1);
	assert_string_equal(so, "libssl.so.3");
	assert_int_equal(elf_sniff(b, n, &musl), ELF_SHARED);
	assert_int_equal(musl, 0);
	/* A prefix still sniffs; it only cannot list DT_NEEDED. */
	assert_int_equal(elf_sniff(b, 4096, NULL), ELF_SHARED);
	/* Truncated copies, exact-size on the heap, never over-read. */
	for (k = 0; k < n; k += k < 8192 ? 61 : 32749) {
		assert_non_null(copy = malloc(k + 1));
		memcpy(copy, b, k);
		memset(&nm, 0, sizeof(nm));
		(void)elf_needed(copy, k, collect1, &nm);
		(void)elf_sniff(copy, k, NULL);
		free(copy);
	}
	/* Cut before the dynamic section: malformed, nothing reported. */
	memset(&nm, 0, sizeof(nm));
	assert_int_equal(elf_needed(b, 4096, collect1, &nm), -1);
	assert_int_equal(nm.n, 0);
	/* Another machine. */
	b[18] = (uint8_t)(b[18] ^ 0x40);
	assert_int_equal(elf_sniff(b, n, NULL), ELF_OTHER_MACHINE);
	free(b);
}

static void test_elf_sniff(void **state)
{
	static const char text[] = "#!/bin/sh\necho not a library\n";
	struct elfspec s = { 1, 0, 3, HOST_EM, "/lib/ld-musl-x86_64.so.1",
	    { "libc.musl-x86_64.so.1" }, NULL };
	uint8_t b[2048], *bin;
	size_t n;
	int musl = 0;
	enum elf_class c;

	(void)state;
	assert_int_equal(elf_sniff((const uint8_t *)text, sizeof(text) - 1, &musl),
	    ELF_NOT_ELF);
	assert_int_equal(elf_sniff((const uint8_t *)"\177EL", 3, NULL),
	    ELF_NOT_ELF);
	assert_int_equal(elf_sniff((const uint8_t *)"\177ELF\2\1", 6, NULL),
	    ELF_BAD);
	/* /bin/true is ET_EXEC, or a PIE with PT_INTERP. */
	assert_non_null(bin = slurp("/bin/true", &n));
	assert_int_equal(elf_sniff(bin, n, &musl), ELF_EXEC);
	assert_int_equal(musl, 0);
	free(bin);
	if (HOST_EM == 0)
		hc_skip("no ELF machine number known for this architecture");
	/* A musl PIE: the interpreter alone says so. */
	n = build_elf(b, sizeof(b), &s);
	c = elf_sniff(b, n, &musl);
	assert_int_equal(c, ELF_EXEC);
	assert_int_equal(musl, 1);
	/* A musl shared object: only DT_NEEDED says so. */
	s.interp = NULL;
	n = build_elf(b, sizeof(b), &s);
	musl = 0;
	assert_int_equal(elf_sniff(b, n, &musl), ELF_SHARED);
	assert_int_equal(musl, 1);
	/* ET_REL is nothing we can load. */
	s.type = 1;
	n = build_elf(b, sizeof(b), &s);
	assert_int_equal(elf_sniff(b, n, NULL), ELF_BAD);
	/* ELF32 of the same machine is another ABI. */
	s.type = 3;
	s.is64 = 0;
	n = build_elf(b, sizeof(b), &s);
	assert_int_equal(elf_sniff(b, n, NULL), ELF_OTHER_MACHINE);
}

/* ---- version strings ---------------------------------------------------- */

static int vfind(const char *s, char *out, size_t cap)
{
	return openssl_version_find((const uint8_t *)s, strlen(s), out, cap);
}

static void test_version_find(void **state)
{
	char out[128];
	uint8_t buf[512];

	(void)state;
	/* Embedded among binary noise, after a false start. */
	memset(buf, 0xa5, sizeof(buf));
	memcpy(buf + 10, "OpenSSL xyz", 11);
	buf[21] = 0;
	memcpy(buf + 100, "OpenSSL 1.0.1f 6 Jan 2014", 25);
	buf[125] = 0;
	assert_int_equal(openssl_version_find(buf, sizeof(buf), out,
	    sizeof(out)), 1);
	assert_string_equal(out, "OpenSSL 1.0.1f 6 Jan 2014");
	/* A dated string wins over an earlier undated one. */
	assert_int_equal(vfind("built with OpenSSL 1.0.1 headers; "
	    "OpenSSL 1.0.1e-fips 11 Feb 2013", out, sizeof(out)), 1);
	assert_string_equal(out, "OpenSSL 1.0.1e-fips 11 Feb 2013");
	/* Undated alone is still an answer. */
	assert_int_equal(vfind("OpenSSL 0.9.8zh\n", out, sizeof(out)), 1);
	assert_string_equal(out, "OpenSSL 0.9.8zh");
	assert_int_equal(vfind("OpenSSL 1.0.2-beta1 24 Feb 2014", out,
	    sizeof(out)), 1);
	assert_string_equal(out, "OpenSSL 1.0.2-beta1 24 Feb 2014");
	/* Two spaces before the date, as some vendors print it. */
	assert_int_equal(vfind("OpenSSL 1.0.2k-fips  26 Jan 2017", out,
	    sizeof(out)), 1);
	assert_string_equal(out, "OpenSSL 1.0.2k-fips  26 Jan 2017");
	/* A bad month or a short year drops only the date. */
	assert_int_equal(vfind("OpenSSL 1.0.1f 6 Foo 2014", out, sizeof(out)), 1);
	assert_string_equal(out, "OpenSSL 1.0.1f");
	assert_int_equal(vfind("OpenSSL 1.0.1f 6 Jan 201", out, sizeof(out)), 1);
	assert_string_equal(out, "OpenSSL 1.0.1f");
	/* Not versions. */
	assert_int_equal(vfind("OpenSSL version mismatch", out, sizeof(out)), 0);
	assert_int_equal(vfind("OpenSSL 1.0", out, sizeof(out)), 0);
	assert_int_equal(vfind("OpenSSL 1.0.1.5", out, sizeof(out)), 0);
	assert_int_equal(vfind("OpenSSL", out, sizeof(out)), 0);
	assert_int_equal(openssl_version_find(NULL, 0, out, sizeof(out)), 0);
	/* The copy is cut to cap and stays terminated. */
	assert_int_equal(vfind("OpenSSL 1.0.1f 6 Jan 2014", out, 8), 1);
	assert_string_equal(out, "OpenSSL");
}

static void test_version_real_and_stream(void **state)
{
	char path[4096], out[128], tmpl[] = "/tmp/hc-libfind-ver-XXXXXX";
	uint8_t *big;
	size_t n = (1u << 20) + 4096;
	int fd;

	(void)state;
	if (real_lib("libcrypto.so.3", path, sizeof(path)) == 0) {
		uint8_t *b;
		size_t bn;

		assert_non_null(b = slurp(path, &bn));
		assert_int_equal(openssl_version_find(b, bn, out, sizeof(out)), 1);
		assert_memory_equal(out, "OpenSSL 3.", 10);
		free(b);
		out[0] = '\0';
		assert_int_equal(openssl_version_scan_file(path, 0, out,
		    sizeof(out)), 1);
		assert_memory_equal(out, "OpenSSL 3.", 10);
	}
	/* A string across the 1 MiB chunk boundary, date in the second. */
	assert_non_null(big = calloc(1, n));
	memcpy(big + (1u << 20) - 17, "OpenSSL 1.0.1f 6 Jan 2014", 25);
	assert_true((fd = mkstemp(tmpl)) >= 0);
	assert_int_equal(write(fd, big, n), (ssize_t)n);
	close(fd);
	assert_int_equal(openssl_version_scan_file(tmpl, 0, out, sizeof(out)), 1);
	assert_string_equal(out, "OpenSSL 1.0.1f 6 Jan 2014");
	/* A read bound before the string finds nothing. */
	assert_int_equal(openssl_version_scan_file(tmpl, 4096, out,
	    sizeof(out)), 0);
	unlink(tmpl);
	free(big);
	assert_int_equal(openssl_version_scan_file("/nonexistent/x", 0, out,
	    sizeof(out)), LIBFIND_ERR_IO);
}

/* ---- /proc/net/tcp ------------------------------------------------------ */

static const char tcp4_text[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
    "retrnsmt   uid  timeout inode\n"
    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 "
    "00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0\n"
    "   1: 00000000:01BB 00000000:0000 0A 00000000:00000000 00:00000000 "
    "00000000     0        0 99 1 0000000000000000 100 0 0 10 0\n"
    "   2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 "
    "00000000  1000        0 5000 1 0000000000000000 20 4 30 10 -1\n";

/* ::1 port 8443, and :: port 443. */
static const char tcp6_text[] =
    "  sl  local_address                         remote_address        "
    "                st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode\n"
    "   0: 00000000000000000000000001000000:20FB "
    "00000000000000000000000000000000:0000 0A 00000000:00000000 "
    "00:00000000 00000000  1000        0 777 1 0000000000000000 100 0 0 "
    "10 0\n"
    "   1: 00000000000000000000000000000000:01BB "
    "00000000000000000000000000000000:0000 0A 00000000:00000000 "
    "00:00000000 00000000     0        0 778 1 0000000000000000 100 0 0 "
    "10 0";

struct lset {
	struct listener v[8];
	size_t n;
};

static void lcollect(void *ctx, const struct listener *l)
{
	struct lset *s = ctx;

	if (s->n < 8)
		s->v[s->n++] = *l;
}

static void test_proc_net_tcp(void **state)
{
	struct lset s = { .n = 0 };
	char a[INET6_ADDRSTRLEN];
	char bad[sizeof(tcp4_text)];

	(void)state;
	assert_int_equal(proc_net_tcp_parse(tcp4_text, sizeof(tcp4_text) - 1,
	    AF_INET, lcollect, &s), 2);
	assert_int_equal(s.n, 2);
	assert_non_null(inet_ntop(AF_INET, s.v[0].addr, a, sizeof(a)));
	assert_string_equal(a, "127.0.0.1");
	assert_int_equal(s.v[0].port, 8080);
	assert_int_equal(s.v[0].inode, 4242);
	assert_int_equal(s.v[0].family, AF_INET);
	assert_non_null(inet_ntop(AF_INET, s.v[1].addr, a, sizeof(a)));
	assert_string_equal(a, "0.0.0.0");
	assert_int_equal(s.v[1].port, 443);

	s.n = 0;
	assert_int_equal(proc_net_tcp_parse(tcp6_text, sizeof(tcp6_text) - 1,
	    AF_INET6, lcollect, &s), 2);
	assert_non_null(inet_ntop(AF_INET6, s.v[0].addr, a, sizeof(a)));
	assert_string_equal(a, "::1");
	assert_int_equal(s.v[0].port, 8443);
	assert_int_equal(s.v[0].inode, 777);
	assert_non_null(inet_ntop(AF_INET6, s.v[1].addr, a, sizeof(a)));
	assert_string_equal(a, "::");
	assert_int_equal(s.v[1].family, AF_INET6);

	/* The IPv4 table read as IPv6 is malformed. */
	assert_int_equal(proc_net_tcp_parse(tcp4_text, sizeof(tcp4_text) - 1,
	    AF_INET6, NULL, NULL), -1);
	/* A non-hex digit in an address. */
	memcpy(bad, tcp4_text, sizeof(bad));
	*strstr(bad, "0100007F") = 'Z';
	assert_int_equal(proc_net_tcp_parse(bad, sizeof(bad) - 1, AF_INET,
	    NULL, NULL), -1);
	/* A line cut short. */
	assert_int_equal(proc_net_tcp_parse(tcp4_text, 160, AF_INET, NULL,
	    NULL), -1);
	/* Header only, and empty. */
	assert_int_equal(proc_net_tcp_parse(tcp4_text, 96, AF_INET, NULL,
	    NULL), 0);
	assert_int_equal(proc_net_tcp_parse("", 0, AF_INET, NULL, NULL), 0);
	assert_int_equal(proc_net_tcp_parse(tcp4_text, 10, 12345, NULL,
	    NULL), -1);
}

/* UDP: a server on 127.0.0.1:4433, one on 0.0.0.0:1194, a socket
 * connected to a peer (state 01), and one bound to no port. */
static const char udp4_text[] =
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
    "retrnsmt   uid  timeout inode ref pointer drops\n"
    "  100: 0100007F:1151 00000000:0000 07 00000000:00000000 00:00000000 "
    "00000000     0        0 31 2 0000000000000000 0\n"
    "  101: 00000000:04AA 00000000:0000 07 00000000:00000000 00:00000000 "
    "00000000     0        0 32 2 0000000000000000 0\n"
    "  102: 0100007F:D431 0100007F:0035 01 00000000:00000000 00:00000000 "
    "00000000     0        0 33 2 0000000000000000 0\n"
    "  103: 00000000:0000 00000000:0000 07 00000000:00000000 00:00000000 "
    "00000000     0        0 34 2 0000000000000000 0\n";

static void test_proc_net_udp(void **state)
{
	struct lset s = { .n = 0 };
	char a[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(proc_net_udp_parse(udp4_text, sizeof(udp4_text) - 1,
	    AF_INET, lcollect, &s), 2);
	assert_int_equal(s.n, 2);
	assert_non_null(inet_ntop(AF_INET, s.v[0].addr, a, sizeof(a)));
	assert_string_equal(a, "127.0.0.1");
	assert_int_equal(s.v[0].port, 4433);
	assert_int_equal(s.v[0].udp, 1);
	assert_int_equal(s.v[0].inode, 31);
	assert_int_equal(s.v[1].port, 1194);
	assert_int_equal(s.v[1].inode, 32);
	/* The same text as TCP holds no listener (no state 0A). */
	assert_int_equal(proc_net_tcp_parse(udp4_text, sizeof(udp4_text) - 1,
	    AF_INET, NULL, NULL), 0);
	/* And a TCP table read as UDP: the listeners are not UDP servers. */
	assert_int_equal(proc_net_udp_parse(tcp4_text, sizeof(tcp4_text) - 1,
	    AF_INET, NULL, NULL), 0);
}

static void test_listeners_scan(void **state)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	struct listener *v = NULL;
	struct sockaddr_in usin;
	socklen_t usl = sizeof(usin);
	size_t n = 0, i;
	int fd, ufd, found = 0, found_udp = 0;
	char comm[64] = "";
	FILE *f;

	(void)state;
	assert_true((ufd = socket(AF_INET, SOCK_DGRAM, 0)) >= 0);
	memset(&usin, 0, sizeof(usin));
	usin.sin_family = AF_INET;
	usin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(ufd, (struct sockaddr *)&usin, sizeof(usin)), 0);
	assert_int_equal(getsockname(ufd, (struct sockaddr *)&usin, &usl), 0);
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	if ((f = fopen("/proc/self/comm", "r")) != NULL) {
		if (fgets(comm, sizeof(comm), f) != NULL)
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}

	assert_int_equal(listeners_scan("/proc", &v, &n), 0);
	for (i = 0; i < n; i++) {
		if (!v[i].udp && v[i].family == AF_INET &&
		    v[i].port == ntohs(sin.sin_port) &&
		    memcmp(v[i].addr, &sin.sin_addr, 4) == 0) {
			found++;
			assert_int_equal(v[i].pid, getpid());
			assert_string_equal(v[i].comm, comm);
			assert_true(v[i].inode > 0);
		}
		if (v[i].udp && v[i].family == AF_INET &&
		    v[i].port == ntohs(usin.sin_port) &&
		    memcmp(v[i].addr, &usin.sin_addr, 4) == 0) {
			found_udp++;
			assert_int_equal(v[i].pid, getpid());
		}
		if (i > 0 && v[i - 1].udp == v[i].udp)
			assert_true(v[i - 1].family < v[i].family ||
			    (v[i - 1].family == v[i].family &&
			    v[i - 1].port <= v[i].port));
		if (i > 0)
			assert_true(v[i - 1].udp <= v[i].udp);
	}
	assert_int_equal(found, 1);
	assert_int_equal(found_udp, 1);
	free(v);
	close(fd);
	close(ufd);
	/* A procroot without net/tcp is an error. */
	assert_int_equal(listeners_scan("/nonexistent", &v, &n), -1);
	assert_null(v);
	assert_int_equal(n, 0);
}

/* ---- the candidate list ------------------------------------------------- */

static int rm_cb(const char *p, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int copy_file(const char *from, const char *to)
{
	uint8_t *b;
	size_t n;
	int r;

	if ((b = slurp(from, &n)) == NULL)
		return -1;
	r = write_file(to, b, n);
	free(b);
	return r;
}

static struct lib_cand *find_cand(struct lib_list *l, const char *suffix)
{
	size_t i, sl = strlen(suffix);

	for (i = 0; i < l->n; i++) {
		size_t pl = strlen(l->v[i].path);

		if (pl >= sl && strcmp(l->v[i].path + pl - sl, suffix) == 0)
			return &l->v[i];
	}
	return NULL;
}

static int cand_seen(const struct lib_cand *c, const char *suffix)
{
	size_t i, sl = strlen(suffix);

	for (i = 0; i < c->nseen; i++) {
		size_t pl = strlen(c->seen[i]);

		if (pl >= sl && strcmp(c->seen[i] + pl - sl, suffix) == 0)
			return 1;
	}
	return 0;
}

static void test_scan_system(void **state)
{
	char ssl[4096], crypto[4096], root[] = "/tmp/hc-libfind-root-XXXXXX";
	char p[8192], q[8192], rroot[4096];
	struct lib_list l = { NULL, 0, 0 };
	struct lib_cand *c, *opt, *cr;
	uint8_t cache[4096];
	size_t cn;

	(void)state;
	if (real_lib("libssl.so.3", ssl, sizeof(ssl)) != 0 ||
	    real_lib("libcrypto.so.3", crypto, sizeof(crypto)) != 0)
		hc_skip("no libssl.so.3 and libcrypto.so.3 on this machine");
	assert_non_null(mkdtemp(root));
	assert_non_null(realpath(root, rroot));
#define P(...) (snprintf(p, sizeof(p), __VA_ARGS__), p)
	assert_int_equal(mkdir(P("%s/usr", root), 0755), 0);
	assert_int_equal(mkdir(P("%s/usr/lib", root), 0755), 0);
	assert_int_equal(mkdir(P("%s/usr/lib/x86_64-linux-gnu", root), 0755), 0);
	assert_int_equal(mkdir(P("%s/etc", root), 0755), 0);
	assert_int_equal(mkdir(P("%s/opt", root), 0755), 0);
	assert_int_equal(mkdir(P("%s/opt/app", root), 0755), 0);
	assert_int_equal(mkdir(P("%s/opt/app/lib", root), 0755), 0);
	/* Merged /usr: /lib is a symlink, so every file is seen twice. */
	assert_int_equal(symlink("usr/lib", P("%s/lib", root)), 0);
	assert_int_equal(copy_file(ssl,
	    P("%s/usr/lib/x86_64-linux-gnu/libssl.so.3", root)), 0);
	assert_int_equal(copy_file(crypto,
	    P("%s/usr/lib/x86_64-linux-gnu/libcrypto.so.3", root)), 0);
	assert_int_equal(symlink("libssl.so.3",
	    P("%s/usr/lib/x86_64-linux-gnu/libssl.so", root)), 0);
	assert_int_equal(symlink("libcrypto.so.3",
	    P("%s/usr/lib/x86_64-linux-gnu/libcrypto.so", root)), 0);
	/* A second, distinct libssl with no libcrypto beside it. */
	assert_int_equal(copy_file(ssl,
	    P("%s/opt/app/lib/libssl.so.3", root)), 0);
	/* Not ELF: refused. */
	assert_int_equal(write_file(P("%s/usr/lib/libssl.so.txt", root),
	    "INPUT(-lssl)\n", 13), 0);
	/* A dangling symlink: skipped. */
	assert_int_equal(symlink("nowhere",
	    P("%s/usr/lib/libcrypto.so.9", root)), 0);
	/* Named like libraries but none: each named with its reason, and
	 * the FIFO never waited on. */
	assert_int_equal(mkfifo(P("%s/usr/lib/libssl.so.7", root), 0644), 0);
	assert_int_equal(mkdir(P("%s/usr/lib/libssl.so.d", root), 0755), 0);
	assert_int_equal(write_file(P("%s/usr/lib/libssl.so.0", root), "", 0),
	    0);
	assert_int_equal(symlink("libssl.so.loop",
	    P("%s/usr/lib/libssl.so.loop", root)), 0);
	cn = build_new(cache, 0);
	assert_int_equal(write_file(P("%s/etc/ld.so.cache", root), cache, cn),
	    0);

	assert_int_equal(libfind_scan_system(&l, root), 8);
	assert_int_equal(l.n, 8);
	{
		static const struct { const char *name, *why; } nl[] = {
			{ "libssl.so.txt", "not an ELF object" },
			{ "libssl.so.7", "a FIFO, not a regular file" },
			{ "libssl.so.d", "a directory, not a regular file" },
			{ "libssl.so.0", "an empty file" },
			{ "libssl.so.loop", "a symbolic link loop" },
		};
		size_t k, m, found = 0;

		for (k = 0; k < sizeof(nl) / sizeof(nl[0]); k++)
			for (m = 0; m < l.n; m++) {
				const char *b = strrchr(l.v[m].path, '/');

				if (strcmp(b + 1, nl[k].name) != 0)
					continue;
				assert_non_null(strstr(l.v[m].notlib,
				    nl[k].why));
				assert_int_equal(l.v[m].kind, LK_SSL);
				found++;
				break;
			}
		assert_int_equal(found, 5);
		/* Drop them, so the rest of the test sees the libraries. */
		for (m = 0; m < l.n; ) {
			if (l.v[m].notlib[0] != '\0') {
				for (k = 0; k < l.v[m].nseen; k++)
					free(l.v[m].seen[k]);
				free(l.v[m].seen);
				l.v[m] = l.v[--l.n];
			} else {
				m++;
			}
		}
	}
	assert_int_equal(l.n, 3);
	snprintf(q, sizeof(q), "%s/usr/lib/x86_64-linux-gnu/libssl.so.3", rroot);
	assert_non_null(c = find_cand(&l, "/usr/lib/x86_64-linux-gnu/libssl.so.3"));
	assert_string_equal(c->path, q);
	assert_int_equal(c->kind, LK_SSL);
	assert_int_equal(c->sources, LS_LDCACHE | LS_DIR);
	assert_string_equal(c->soname, "libssl.so.3");
	assert_int_equal(c->elf, ELF_SHARED);
	assert_true(cand_seen(c, "/usr/lib/x86_64-linux-gnu/libssl.so"));
	assert_true(cand_seen(c, "/lib/x86_64-linux-gnu/libssl.so.3"));
	assert_non_null(cr = find_cand(&l,
	    "/usr/lib/x86_64-linux-gnu/libcrypto.so.3"));
	assert_int_equal(cr->kind, LK_CRYPTO);
	assert_non_null(opt = find_cand(&l, "/opt/app/lib/libssl.so.3"));
	assert_int_equal(opt->sources, LS_DIR);
	assert_true(opt->ino != c->ino);

	/* Adding a known file through another path merges. */
	assert_int_equal(libfind_add(&l,
	    P("%s/lib/x86_64-linux-gnu/libcrypto.so", root), LS_PROCESS), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(cr->sources, LS_LDCACHE | LS_DIR | LS_PROCESS);
	assert_int_equal(libfind_add(&l, P("%s/usr/lib/libssl.so.txt", root),
	    LS_ARG), LIBFIND_ERR_NOTLIB);
	assert_int_equal(libfind_add(&l, P("%s/missing", root), LS_ARG),
	    LIBFIND_ERR_IO);
	assert_int_equal(libfind_add(&l, P("%s/usr", root), LS_ARG),
	    LIBFIND_ERR_NOTLIB);

	libfind_pair(&l);
	snprintf(q, sizeof(q), "%s/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
	    rroot);
	assert_string_equal(c->crypto_path, q);
	/* From the candidate list when nothing is beside it. */
	assert_string_equal(opt->crypto_path, q);
	assert_string_equal(cr->crypto_path, "");

	lib_list_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
	assert_int_equal(nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS), 0);
#undef P
}

static void test_scan_live_system(void **state)
{
	struct lib_list l = { NULL, 0, 0 };
	char ssl[4096];
	size_t i;
	int found = 0;

	(void)state;
	if (real_lib("libssl.so.3", ssl, sizeof(ssl)) != 0)
		hc_skip("no libssl.so.3 on this machine");
	assert_true(libfind_scan_system(&l, "/") >= 2);
	libfind_pair(&l);
	for (i = 0; i < l.n; i++) {
		if (strcmp(l.v[i].soname, "libssl.so.3") != 0 ||
		    l.v[i].elf != ELF_SHARED)
			continue;
		found++;
		assert_true(l.v[i].sources & LS_LDCACHE);
		assert_true(l.v[i].sources & LS_DIR);
		assert_non_null(strstr(l.v[i].crypto_path, "libcrypto.so.3"));
	}
	assert_int_equal(found, 1);
	lib_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ldcache_new),
		cmocka_unit_test(test_ldcache_old_and_new),
		cmocka_unit_test(test_ldcache_corrupt),
		cmocka_unit_test(test_ldcache_real),
		cmocka_unit_test(test_elf_handmade),
		cmocka_unit_test(test_elf_corrupt),
		cmocka_unit_test(test_elf_real_libssl),
		cmocka_unit_test(test_elf_sniff),
		cmocka_unit_test(test_version_find),
		cmocka_unit_test(test_version_real_and_stream),
		cmocka_unit_test(test_proc_net_tcp),
		cmocka_unit_test(test_proc_net_udp),
		cmocka_unit_test(test_listeners_scan),
		cmocka_unit_test(test_scan_system),
		cmocka_unit_test(test_scan_live_system),
	};

	return hc_run_group_tests(tests, NULL, NULL);
}
