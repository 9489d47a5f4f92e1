/*
 * Library discovery: ld.so.cache and ELF parsing, version-string matching,
 * and the candidate list.  See libfind.h for the contract.
 */
#include "local/libfind.h"
#include "local/safeopen.h"
#include "util/ascii.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A libssl or libcrypto larger than this is not a library we can test. */
#define LIB_READ_CAP (64u << 20)
/* ld.so.cache is tens of KiB; anything this large is corrupt. */
#define LDCACHE_READ_CAP (64u << 20)

/* ---- bounded little/big-endian reads ---------------------------------- */

/* Reads an n-byte unsigned integer at off, or fails when it does not fit. */
static int get_uint(const uint8_t *b, size_t len, uint64_t off, unsigned n,
    int be, uint64_t *v)
{
	uint64_t r = 0;
	unsigned i;

	if (off > len || n > len - off)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned k = be ? i : n - 1 - i;

		r = r << 8 | b[off + k];
	}
	*v = r;
	return 0;
}

/* Returns 1 when s starts with one of the two names the audit cares for. */
static int is_ssl_name(const char *s)
{
	return strncmp(s, "libssl.so", 9) == 0 ||
	    strncmp(s, "libcrypto.so", 12) == 0;
}

/* ---- ld.so.cache -------------------------------------------------------- */

#define LDC_OLD_MAGIC "ld.so-1.7.0"
#define LDC_OLD_MAGIC_LEN 11
#define LDC_OLD_HDR 16 /* magic, padding, nlibs */
#define LDC_OLD_ENTRY 12 /* flags, key, value */
#define LDC_NEW_MAGIC "glibc-ld.so.cache1.1"
#define LDC_NEW_MAGIC_LEN 20
#define LDC_NEW_HDR 48
#define LDC_NEW_ENTRY 24 /* flags, key, value, osversion, hwcap */

static int host_is_be(void)
{
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
}

/* A string at base+off must start inside the buffer and end there too. */
static const char *ldc_str(const uint8_t *b, size_t len, size_t base,
    uint64_t off)
{
	if (base > len || off >= len - base)
		return NULL;
	if (memchr(b + base + off, 0, len - base - off) == NULL)
		return NULL;
	return (const char *)(b + base + off);
}

/*
 * Walks nlibs entries at ents, whose strings are relative to strbase.
 * With cb NULL it only validates, so that a corrupt cache reports nothing.
 */
static int ldc_walk(const uint8_t *b, size_t len, size_t ents, uint64_t nlibs,
    size_t esize, size_t strbase, int be,
    void (*cb)(void *, const char *, const char *), void *ctx)
{
	uint64_t i, key, val;
	const char *k, *v;
	int n = 0;

	for (i = 0; i < nlibs; i++) {
		size_t e = ents + (size_t)i * esize;

		if (get_uint(b, len, e + 4, 4, be, &key) != 0 ||
		    get_uint(b, len, e + 8, 4, be, &val) != 0)
			return -1;
		k = ldc_str(b, len, strbase, key);
		v = ldc_str(b, len, strbase, val);
		if (k == NULL || v == NULL)
			return -1;
		if (!is_ssl_name(k))
			continue;
		if (cb != NULL)
			cb(ctx, k, v);
		n++;
	}
	return n;
}

int ldcache_parse(const uint8_t *buf, size_t len,
    void (*cb)(void *ctx, const char *soname, const char *path), void *ctx)
{
	size_t base = 0, ents, strbase;
	uint64_t nlibs, flags;
	size_t esize;
	int be = host_is_be();
	int r;

	if (buf == NULL)
		return -1;
	if (len >= LDC_OLD_HDR &&
	    memcmp(buf, LDC_OLD_MAGIC, LDC_OLD_MAGIC_LEN) == 0) {
		if (get_uint(buf, len, 12, 4, be, &nlibs) != 0 ||
		    nlibs > (len - LDC_OLD_HDR) / LDC_OLD_ENTRY)
			return -1;
		/* The new format, if present, follows at 8-byte alignment. */
		base = LDC_OLD_HDR + (size_t)nlibs * LDC_OLD_ENTRY;
		base = (base + 7) & ~(size_t)7;
		if (base > len || len - base < LDC_NEW_HDR ||
		    memcmp(buf + base, LDC_NEW_MAGIC, LDC_NEW_MAGIC_LEN) != 0) {
			/* Old format alone: strings follow the entries. */
			ents = LDC_OLD_HDR;
			esize = LDC_OLD_ENTRY;
			strbase = LDC_OLD_HDR + (size_t)nlibs * LDC_OLD_ENTRY;
			goto walk;
		}
	} else if (len < LDC_NEW_HDR ||
	    memcmp(buf, LDC_NEW_MAGIC, LDC_NEW_MAGIC_LEN) != 0) {
		return -1;
	}

	/* The header says which byte order ldconfig wrote. */
	flags = buf[base + 28];
	if (flags == 2)
		be = 0;
	else if (flags == 3)
		be = 1;
	else if (flags != 0)
		return -1;
	if (get_uint(buf, len, base + 20, 4, be, &nlibs) != 0 ||
	    nlibs > (len - base - LDC_NEW_HDR) / LDC_NEW_ENTRY)
		return -1;
	ents = base + LDC_NEW_HDR;
	esize = LDC_NEW_ENTRY;
	strbase = base;
walk:
	if (nlibs > INT_MAX)
		return -1;
	r = ldc_walk(buf, len, ents, nlibs, esize, strbase, be, NULL, NULL);
	if (r < 0 || cb == NULL)
		return r;
	return ldc_walk(buf, len, ents, nlibs, esize, strbase, be, cb, ctx);
}

/* ---- ELF ---------------------------------------------------------------- */

struct elfv {
	const uint8_t *b;
	size_t len;
	int is64;
	int be;
	unsigned type, machine;
	uint64_t phoff;
	unsigned phentsize, phnum;
};

/* Field offsets that differ between ELF32 and ELF64. */
#define E64 (e->is64)

static int eu(const struct elfv *e, uint64_t off, unsigned n, uint64_t *v)
{
	return get_uint(e->b, e->len, off, n, e->be, v);
}

/*
 * Reads the ELF header.  Returns ELF_NOT_ELF, ELF_BAD, or ELF_SHARED as a
 * plain "header is sane" answer that the caller refines.
 */
static enum elf_class elf_open(struct elfv *e, const uint8_t *b, size_t len)
{
	uint64_t v;

	memset(e, 0, sizeof(*e));
	e->b = b;
	e->len = len;
	if (b == NULL || len < 4 || memcmp(b, ELFMAG, SELFMAG) != 0)
		return ELF_NOT_ELF;
	if (len < EI_NIDENT)
		return ELF_BAD;
	if (b[EI_CLASS] != ELFCLASS32 && b[EI_CLASS] != ELFCLASS64)
		return ELF_BAD;
	if (b[EI_DATA] != ELFDATA2LSB && b[EI_DATA] != ELFDATA2MSB)
		return ELF_BAD;
	e->is64 = b[EI_CLASS] == ELFCLASS64;
	e->be = b[EI_DATA] == ELFDATA2MSB;
	if (len < (e->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return ELF_BAD;
	if (eu(e, 16, 2, &v) != 0)
		return ELF_BAD;
	e->type = (unsigned)v;
	if (eu(e, 18, 2, &v) != 0)
		return ELF_BAD;
	e->machine = (unsigned)v;
	if (eu(e, E64 ? 32 : 28, E64 ? 8 : 4, &e->phoff) != 0)
		return ELF_BAD;
	if (eu(e, E64 ? 54 : 42, 2, &v) != 0)
		return ELF_BAD;
	e->phentsize = (unsigned)v;
	if (eu(e, E64 ? 56 : 44, 2, &v) != 0)
		return ELF_BAD;
	e->phnum = (unsigned)v;
	/* PN_XNUM hides the count in a section header; no library does that. */
	if (e->phnum == 0xffff)
		return ELF_BAD;
	if (e->phnum != 0 &&
	    e->phentsize < (E64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
		return ELF_BAD;
	return ELF_SHARED;
}

struct phdr {
	uint64_t type, offset, vaddr, filesz;
};

/* Reads program header i, which must lie wholly inside the buffer. */
static int elf_phdr(const struct elfv *e, unsigned i, struct phdr *p)
{
	uint64_t at;

	if (e->phoff > UINT64_MAX - (uint64_t)i * e->phentsize)
		return -1;
	at = e->phoff + (uint64_t)i * e->phentsize;
	if (at > e->len || e->phentsize > e->len - at)
		return -1;
	if (eu(e, at, 4, &p->type) != 0)
		return -1;
	if (E64)
		return eu(e, at + 8, 8, &p->offset) |
		    eu(e, at + 16, 8, &p->vaddr) |
		    eu(e, at + 32, 8, &p->filesz);
	return eu(e, at + 4, 4, &p->offset) | eu(e, at + 8, 4, &p->vaddr) |
	    eu(e, at + 16, 4, &p->filesz);
}

/* Returns 0 when every program header is inside the buffer. */
static int elf_phdrs_ok(const struct elfv *e)
{
	struct phdr p;
	unsigned i;

	for (i = 0; i < e->phnum; i++)
		if (elf_phdr(e, i, &p) != 0)
			return -1;
	return 0;
}

/* Finds the first program header of a type.  Returns 1, 0 or -1. */
static int elf_find_phdr(const struct elfv *e, uint64_t type, struct phdr *out)
{
	unsigned i;

	for (i = 0; i < e->phnum; i++) {
		if (elf_phdr(e, i, out) != 0)
			return -1;
		if (out->type == type)
			return 1;
	}
	return 0;
}

/* Maps a virtual address to a file offset through the PT_LOAD segments. */
static int elf_vaddr_off(const struct elfv *e, uint64_t va, uint64_t *off)
{
	struct phdr p;
	unsigned i;

	for (i = 0; i < e->phnum; i++) {
		if (elf_phdr(e, i, &p) != 0)
			return -1;
		if (p.type != PT_LOAD || va < p.vaddr ||
		    va - p.vaddr >= p.filesz)
			continue;
		if (p.offset > UINT64_MAX - (va - p.vaddr))
			return -1;
		*off = p.offset + (va - p.vaddr);
		return 0;
	}
	return -1;
}

typedef void (*dyn_cb)(void *ctx, uint64_t tag, const char *name);

/*
 * Calls cb for every DT_NEEDED and DT_SONAME.  Returns the number of names,
 * 0 without PT_DYNAMIC, or -1 when anything is out of bounds.
 */
static int elf_dyn_walk(const struct elfv *e, dyn_cb cb, void *ctx)
{
	struct phdr dyn;
	uint64_t esz = E64 ? 16 : 8, n, i, tag, val;
	uint64_t strtab = 0, strsz = 0, stroff, strend;
	int have_strtab = 0, have_strsz = 0, names = 0, r;

	if ((r = elf_find_phdr(e, PT_DYNAMIC, &dyn)) <= 0)
		return r;
	if (dyn.offset > e->len || dyn.filesz > e->len - dyn.offset)
		return -1;
	n = dyn.filesz / esz;
	/* First pass: where the strings are, and how many names there are. */
	for (i = 0; i < n; i++) {
		uint64_t at = dyn.offset + i * esz;

		if (eu(e, at, (unsigned)esz / 2, &tag) != 0 ||
		    eu(e, at + esz / 2, (unsigned)esz / 2, &val) != 0)
			return -1;
		if (tag == DT_NULL)
			break;
		if (tag == DT_STRTAB) {
			strtab = val;
			have_strtab = 1;
		} else if (tag == DT_STRSZ) {
			strsz = val;
			have_strsz = 1;
		} else if (tag == DT_NEEDED || tag == DT_SONAME) {
			names++;
		}
	}
	if (names == 0)
		return 0;
	if (!have_strtab || !have_strsz ||
	    elf_vaddr_off(e, strtab, &stroff) != 0)
		return -1;
	if (stroff > e->len || strsz > e->len - stroff)
		return -1;
	strend = stroff + strsz;
	names = 0;
	for (i = 0; i < n; i++) {
		uint64_t at = dyn.offset + i * esz;
		const uint8_t *s;

		if (eu(e, at, (unsigned)esz / 2, &tag) != 0 ||
		    eu(e, at + esz / 2, (unsigned)esz / 2, &val) != 0)
			return -1;
		if (tag == DT_NULL)
			break;
		if (tag != DT_NEEDED && tag != DT_SONAME)
			continue;
		if (val >= strsz)
			return -1;
		s = e->b + stroff + val;
		if (memchr(s, 0, strend - (stroff + val)) == NULL)
			return -1;
		if (cb != NULL)
			cb(ctx, tag, (const char *)s);
		names++;
	}
	return names;
}

struct needed_ctx {
	void (*cb)(void *, const char *);
	void *ctx;
};

static void needed_only(void *ctx, uint64_t tag, const char *name)
{
	struct needed_ctx *nc = ctx;

	if (tag == DT_NEEDED && nc->cb != NULL)
		nc->cb(nc->ctx, name);
}

static void count_needed(void *ctx, uint64_t tag, const char *name)
{
	(void)name;
	if (tag == DT_NEEDED)
		(*(int *)ctx)++;
}

int elf_needed(const uint8_t *buf, size_t len,
    void (*cb)(void *ctx, const char *needed), void *ctx)
{
	struct elfv e;
	struct needed_ctx nc = { cb, ctx };
	int count = 0;

	if (elf_open(&e, buf, len) != ELF_SHARED || elf_phdrs_ok(&e) != 0)
		return -1;
	/* Validate everything before the first callback. */
	if (elf_dyn_walk(&e, count_needed, &count) < 0)
		return -1;
	if (count > 0 && elf_dyn_walk(&e, needed_only, &nc) < 0)
		return -1;
	return count;
}

struct soname_ctx {
	const char *name;
};

static void soname_cb(void *ctx, uint64_t tag, const char *name)
{
	struct soname_ctx *sc = ctx;

	if (tag == DT_SONAME && sc->name == NULL)
		sc->name = name;
}

int elf_soname(const uint8_t *buf, size_t len, char *out, size_t cap)
{
	struct elfv e;
	struct soname_ctx sc = { NULL };

	if (elf_open(&e, buf, len) != ELF_SHARED || elf_phdrs_ok(&e) != 0)
		return -1;
	if (elf_dyn_walk(&e, soname_cb, &sc) < 0)
		return -1;
	if (sc.name == NULL)
		return 0;
	if (cap == 0 || strlen(sc.name) >= cap)
		return -1;
	memcpy(out, sc.name, strlen(sc.name) + 1);
	return 1;
}

static unsigned host_machine(void)
{
#if defined(__x86_64__)
	return EM_X86_64;
#elif defined(__i386__)
	return EM_386;
#elif defined(__aarch64__)
	return EM_AARCH64;
#elif defined(__arm__)
	return EM_ARM;
#elif defined(__powerpc64__)
	return EM_PPC64;
#elif defined(__powerpc__)
	return EM_PPC;
#elif defined(__s390__)
	return EM_S390;
#elif defined(__riscv)
	return EM_RISCV;
#elif defined(__loongarch__)
	return EM_LOONGARCH;
#elif defined(__mips__)
	return EM_MIPS;
#else
	return 0; /* unknown host: accept any machine */
#endif
}

/* musl names its loader ld-musl-ARCH.so.1 and its libc libc.musl-ARCH.so.1. */
static int is_musl_name(const char *s)
{
	const char *base = strrchr(s, '/');

	base = base != NULL ? base + 1 : s;
	return strncmp(base, "ld-musl-", 8) == 0 ||
	    strncmp(base, "libc.musl-", 10) == 0;
}

static void musl_cb(void *ctx, uint64_t tag, const char *name)
{
	if (tag == DT_NEEDED && is_musl_name(name))
		*(int *)ctx = 1;
}

enum elf_class elf_sniff(const uint8_t *buf, size_t len, int *is_musl)
{
	struct elfv e;
	struct phdr interp;
	enum elf_class c;
	int musl = 0, has_interp = 0, r;

	if (is_musl != NULL)
		*is_musl = 0;
	if ((c = elf_open(&e, buf, len)) != ELF_SHARED)
		return c;
	if ((host_machine() != 0 && e.machine != host_machine()) ||
	    e.is64 != (sizeof(void *) == 8) || e.be != host_is_be())
		return ELF_OTHER_MACHINE;
	if (e.type != ET_EXEC && e.type != ET_DYN)
		return ELF_BAD;
	if (elf_phdrs_ok(&e) != 0)
		return ELF_BAD;
	if ((r = elf_find_phdr(&e, PT_INTERP, &interp)) < 0)
		return ELF_BAD;
	if (r == 1) {
		has_interp = 1;
		/* The interpreter path is read only when the prefix holds it.
		 */
		if (interp.offset < len &&
		    interp.filesz <= len - interp.offset && interp.filesz > 0 &&
		    memchr(buf + interp.offset, 0, interp.filesz) != NULL)
			musl = is_musl_name((const char *)buf + interp.offset);
	}
	/* A prefix may end before the dynamic section; that is no error here.
	 */
	(void)elf_dyn_walk(&e, musl_cb, &musl);
	if (is_musl != NULL)
		*is_musl = musl;
	if (e.type == ET_EXEC || has_interp)
		return ELF_EXEC;
	return ELF_SHARED;
}

/* ---- version strings ---------------------------------------------------- */

/* Consumes between lo and hi characters of a class; returns how many. */
static size_t span(const uint8_t *b, size_t len, size_t at, size_t lo,
    size_t hi, int (*cls)(int))
{
	size_t n = 0;

	while (n < hi && at + n < len && cls(b[at + n]))
		n++;
	return n >= lo ? n : 0;
}

/* Matches " d Mon yyyy" (one or two spaces first) at at; returns its length. */
static size_t match_date(const uint8_t *b, size_t len, size_t at)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	size_t p = at, n, m;

	n = 0;
	while (n < 2 && p < len && b[p] == ' ') {
		p++;
		n++;
	}
	if (n == 0 || (n = span(b, len, p, 1, 2, is_digit)) == 0)
		return 0;
	p += n;
	if (p >= len || b[p++] != ' ' || len - p < 3)
		return 0;
	for (m = 0; m < 12; m++)
		if (memcmp(b + p, months + 3 * m, 3) == 0)
			break;
	if (m == 12)
		return 0;
	p += 3;
	if (p >= len || b[p++] != ' ')
		return 0;
	if (span(b, len, p, 4, 4, is_digit) != 4)
		return 0;
	p += 4;
	if (p < len && is_digit(b[p]))
		return 0;
	return p - at;
}

/*
 * Matches "OpenSSL x.y.z[ab][-suffix]..." at at.  Returns the length of the
 * match, 0 when there is none, and sets *dated when a date follows.
 */
static size_t match_version(const uint8_t *b, size_t len, size_t at, int *dated)
{
	size_t p = at + 8, n, d;
	int part, sfx;

	*dated = 0;
	if (len - at < 8 || memcmp(b + at, "OpenSSL ", 8) != 0)
		return 0;
	for (part = 0; part < 3; part++) {
		if (part > 0) {
			if (p >= len || b[p] != '.')
				return 0;
			p++;
		}
		if ((n = span(b, len, p, 1, 3, is_digit)) == 0)
			return 0;
		p += n;
	}
	p += span(b, len, p, 0, 2, is_lower);
	for (sfx = 0; sfx < 2 && p + 1 < len && b[p] == '-'; sfx++) {
		if ((n = span(b, len, p + 1, 1, 16, is_alnum)) == 0)
			break;
		p += 1 + n;
	}
	/* "1.0.1.5" or "1.0.1fips" is some other string. */
	if (p < len && (is_alnum(b[p]) || b[p] == '.'))
		return 0;
	if ((d = match_date(b, len, p)) > 0) {
		*dated = 1;
		p += d;
	}
	return p - at;
}

static void copy_out(const uint8_t *s, size_t n, char *out, size_t cap)
{
	if (cap == 0)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

int openssl_version_find(const uint8_t *buf, size_t len, char *out, size_t cap)
{
	size_t at = 0, n, first_at = 0, first_n = 0;
	const uint8_t *hit;
	int dated;

	if (buf == NULL)
		return 0;
	while (at < len && (hit = memchr(buf + at, 'O', len - at)) != NULL) {
		at = (size_t)(hit - buf);
		n = match_version(buf, len, at, &dated);
		if (n > 0 && dated) {
			copy_out(buf + at, n, out, cap);
			return 1;
		}
		if (n > 0 && first_n == 0) {
			first_at = at;
			first_n = n;
		}
		at++;
	}
	if (first_n == 0)
		return 0;
	copy_out(buf + first_at, first_n, out, cap);
	return 1;
}

int openssl_version_scan_file(const char *path, uint64_t max_bytes, char *out,
    size_t cap)
{
	enum { CHUNK = 1 << 20, KEEP = OPENSSL_VERSION_MAX };
	uint8_t *buf = NULL;
	char hit[OPENSSL_VERSION_MAX + 1],
	    undated[OPENSSL_VERSION_MAX + 1] = "";
	uint64_t total = 0;
	size_t have = 0;
	ssize_t got;
	int fd = -1, r = LIBFIND_ERR_IO;

	if (max_bytes == 0)
		max_bytes = 512ull << 20;
	if ((fd = safe_open_regular(AT_FDCWD, path, 0, NULL)) < 0)
		goto out;
	if ((buf = malloc(KEEP + CHUNK)) == NULL) {
		r = LIBFIND_ERR_NOMEM;
		goto out;
	}
	while (total < max_bytes) {
		size_t want = CHUNK;

		if (max_bytes - total < want)
			want = (size_t)(max_bytes - total);
		got = read(fd, buf + have, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto out;
		if (got == 0)
			break;
		total += (uint64_t)got;
		have += (size_t)got;
		if (openssl_version_find(buf, have, hit, sizeof(hit)) == 1) {
			int dated;

			/* A dated match wins at once; an undated one waits,
			 * because its date may be in the next chunk. */
			if (match_version((const uint8_t *)hit, strlen(hit), 0,
				&dated) > 0 &&
			    dated) {
				copy_out((const uint8_t *)hit, strlen(hit), out,
				    cap);
				r = 1;
				goto out;
			}
			if (undated[0] == '\0')
				memcpy(undated, hit, strlen(hit) + 1);
		}
		/* Keep a tail so that a string across the boundary is seen. */
		if (have > KEEP) {
			memmove(buf, buf + have - KEEP, KEEP);
			have = KEEP;
		}
	}
	r = 0;
	if (undated[0] != '\0') {
		copy_out((const uint8_t *)undated, strlen(undated), out, cap);
		r = 1;
	}
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}

/* ---- files and the candidate list --------------------------------------- */

int libfind_read_file(const char *path, size_t cap, uint8_t **out, size_t *n)
{
	int fd, r = 0, saved;

	*out = NULL;
	*n = 0;
	if ((fd = safe_open_regular(AT_FDCWD, path, 0, NULL)) < 0)
		return LIBFIND_ERR_IO;
	if (safe_read_fd(fd, cap, out, n, NULL) != 0)
		r = errno == ENOMEM ? LIBFIND_ERR_NOMEM : LIBFIND_ERR_IO;
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

static int cand_seen_add(struct lib_cand *c, const char *path)
{
	char **nv, *dup;
	size_t i;

	for (i = 0; i < c->nseen; i++)
		if (strcmp(c->seen[i], path) == 0)
			return 0;
	if ((dup = strdup(path)) == NULL)
		return LIBFIND_ERR_NOMEM;
	if ((nv = realloc(c->seen, (c->nseen + 1) * sizeof(*nv))) == NULL) {
		free(dup);
		return LIBFIND_ERR_NOMEM;
	}
	c->seen = nv;
	c->seen[c->nseen++] = dup;
	return 0;
}

/*
 * The canonical path is realpath(), unless that names another file: under
 * /proc/PID/root or /proc/PID/map_files the link text is not a path we may
 * open, and the given path is the one that reaches the right file.
 */
static int canonical_path(const char *path, const struct stat *st, char *out,
    size_t cap)
{
	char *rp = realpath(path, NULL);
	struct stat rst;
	const char *use = path;
	int r = 0;

	if (rp != NULL && stat(rp, &rst) == 0 && rst.st_dev == st->st_dev &&
	    rst.st_ino == st->st_ino)
		use = rp;
	if (strlen(use) >= cap)
		r = LIBFIND_ERR_TOOLONG;
	else
		memcpy(out, use, strlen(use) + 1);
	free(rp);
	return r;
}

static int list_grow(struct lib_list *l)
{
	struct lib_cand *nv;

	if (l->n < l->cap)
		return 0;
	{
		size_t nc = l->cap == 0 ? 8 : l->cap * 2;

		if ((nv = realloc(l->v, nc * sizeof(*nv))) == NULL)
			return LIBFIND_ERR_NOMEM;
		l->v = nv;
		l->cap = nc;
	}
	return 0;
}

static enum lib_kind kind_of(const char *soname, const char *path)
{
	return strncmp(soname, "libcrypto", 9) == 0 ||
		strncmp(base_name(path), "libcrypto", 9) == 0 ?
	    LK_CRYPTO :
	    LK_SSL;
}

/*
 * Adds path; when it is not a library and record_notlib is set, adds it
 * anyway as a candidate whose notlib says why, so that the report names
 * it.  Every open goes through safe_open_regular(): a FIFO named
 * libssl.so.3 is never waited on.
 */
static int add_path(struct lib_list *l, const char *path, enum lib_source src,
    int record_notlib)
{
	struct stat st;
	struct lib_cand *c = NULL;
	uint8_t *img = NULL;
	char why[sizeof(c->notlib)] = "", key[PATH_MAX] = "";
	size_t n = 0, i;
	int r, fd, err;

	fd = safe_open_regular(AT_FDCWD, path, 0, &st);
	err = errno;
	if (fd < 0 && err != SAFE_ENOTREG && err != ELOOP)
		return LIBFIND_ERR_IO;
	if (fd < 0)
		safe_open_why(err, &st, why, sizeof(why));
	/* A looping path has no inode: it merges by its directory's real
	 * path and its own name. */
	if (st.st_ino == 0) {
		const char *b = base_name(path);
		char *dir = strndup(path, (size_t)(b - path));
		char *rd =
		    dir != NULL ? realpath(dir[0] ? dir : ".", NULL) : NULL;

		if (rd == NULL ||
		    snprintf(key, sizeof(key), "%s/%s", rd, b) >=
			(int)sizeof(key))
			snprintf(key, sizeof(key), "%s", path);
		free(dir);
		free(rd);
	}
	for (i = 0; i < l->n; i++) {
		int same = st.st_ino != 0 ?
		    l->v[i].dev == st.st_dev && l->v[i].ino == st.st_ino :
		    strcmp(l->v[i].path, key) == 0;

		if (same) {
			if (fd >= 0)
				close(fd);
			if (fd < 0 && !record_notlib)
				return LIBFIND_ERR_NOTLIB;
			l->v[i].sources |= (unsigned)src;
			return cand_seen_add(&l->v[i], path);
		}
	}
	if (fd >= 0) {
		r = safe_read_fd(fd, LIB_READ_CAP, &img, &n, NULL);
		close(fd);
		if (r != 0)
			return errno == ENOMEM ? LIBFIND_ERR_NOMEM :
						 LIBFIND_ERR_IO;
	}
	if ((r = list_grow(l)) != 0)
		goto out;
	c = &l->v[l->n];
	memset(c, 0, sizeof(*c));
	c->sources = (unsigned)src;
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	if (fd >= 0) {
		c->elf = elf_sniff(img, n, &c->musl);
		if (c->elf == ELF_NOT_ELF)
			snprintf(why, sizeof(why),
			    n == 0 ? "an empty file" :
				     "not an ELF object (%zu bytes)",
			    n);
		else if (c->elf == ELF_BAD)
			snprintf(why, sizeof(why),
			    "a truncated or corrupt ELF "
			    "file");
	} else {
		c->elf = ELF_NOT_ELF;
	}
	if (why[0] != '\0') {
		if (!record_notlib) {
			r = LIBFIND_ERR_NOTLIB;
			goto out;
		}
		/* Named as found (a loop by its directory's real path): a
		 * FIFO or a loop has no better name. */
		{
			const char *name = key[0] ? key : path;

			if (strlen(name) >= sizeof(c->path)) {
				r = LIBFIND_ERR_TOOLONG;
				goto out;
			}
			memcpy(c->path, name, strlen(name) + 1);
		}
		memcpy(c->notlib, why, sizeof(c->notlib));
		copy_out((const uint8_t *)base_name(path),
		    strlen(base_name(path)), c->soname, sizeof(c->soname));
		c->kind = kind_of(c->soname, path);
		if ((r = cand_seen_add(c, path)) != 0)
			goto out;
		l->n++;
		c = NULL;
		r = LIBFIND_ERR_NOTLIB;
		goto out;
	}
	if ((r = canonical_path(path, &st, c->path, sizeof(c->path))) != 0)
		goto out;
	if (elf_soname(img, n, c->soname, sizeof(c->soname)) != 1)
		copy_out((const uint8_t *)base_name(c->path),
		    strlen(base_name(c->path)), c->soname, sizeof(c->soname));
	/* Whatever is not libcrypto is tested as libssl: a static binary
	 * carries the TLS code the tester needs. */
	c->kind = kind_of(c->soname, path);
	if ((r = cand_seen_add(c, path)) != 0)
		goto out;
	l->n++;
	c = NULL;
	r = 1;
out:
	if (c != NULL) {
		for (i = 0; i < c->nseen; i++)
			free(c->seen[i]);
		free(c->seen);
		memset(c, 0, sizeof(*c));
	}
	free(img);
	return r;
}

int libfind_add(struct lib_list *l, const char *path, enum lib_source src)
{
	return add_path(l, path, src, 0);
}

/* Joins a prefix and a path; returns LIBFIND_ERR_TOOLONG when it won't fit. */
static int join(char *out, size_t cap, const char *a, const char *b,
    const char *c)
{
	int n = snprintf(out, cap, "%s%s%s", a, b, c);

	return n < 0 || (size_t)n >= cap ? LIBFIND_ERR_TOOLONG : 0;
}

/* Adds the libssl and libcrypto files of one directory, without recursion. */
static int scan_dir(struct lib_list *l, const char *dir)
{
	char p[PATH_MAX];
	DIR *d;
	struct dirent *de;
	int r = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!is_ssl_name(de->d_name))
			continue;
		if (join(p, sizeof(p), dir, "/", de->d_name) != 0)
			continue;
		if (add_path(l, p, LS_DIR, 1) == LIBFIND_ERR_NOMEM) {
			r = LIBFIND_ERR_NOMEM;
			break;
		}
	}
	closedir(d);
	return r;
}

/*
 * Calls scan_dir on prefix/SUB/NAME/tail for every entry NAME of
 * prefix/top that matches pat, and for every SUB in subs.
 */
static int scan_subdirs(struct lib_list *l, const char *prefix, const char *top,
    const char *pat, const char *const *subs, const char *tail)
{
	char dir[PATH_MAX], sub[PATH_MAX];
	DIR *d;
	struct dirent *de;
	size_t i;
	int r = 0;

	if (join(dir, sizeof(dir), prefix, top, "") != 0 ||
	    (d = opendir(dir)) == NULL)
		return 0;
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || fnmatch(pat, de->d_name, 0) != 0)
			continue;
		for (i = 0; r == 0 && subs[i] != NULL; i++) {
			if (join(sub, sizeof(sub), prefix, subs[i], "") != 0 ||
			    join(dir, sizeof(dir), sub, de->d_name, tail) != 0)
				continue;
			r = scan_dir(l, dir);
		}
	}
	closedir(d);
	return r;
}

struct ldc_paths {
	char **v;
	size_t n;
	int nomem;
};

static void ldc_collect(void *ctx, const char *soname, const char *path)
{
	struct ldc_paths *lp = ctx;
	char **nv;
	char *dup;

	(void)soname;
	if (lp->nomem)
		return;
	if ((dup = strdup(path)) == NULL ||
	    (nv = realloc(lp->v, (lp->n + 1) * sizeof(*nv))) == NULL) {
		free(dup);
		lp->nomem = 1;
		return;
	}
	lp->v = nv;
	lp->v[lp->n++] = dup;
}

static int scan_ldcache(struct lib_list *l, const char *prefix)
{
	char p[PATH_MAX];
	struct ldc_paths lp = { NULL, 0, 0 };
	uint8_t *buf = NULL;
	size_t n, i;
	int r;

	if (join(p, sizeof(p), prefix, "/etc/ld.so.cache", "") != 0)
		return 0;
	if ((r = libfind_read_file(p, LDCACHE_READ_CAP, &buf, &n)) != 0)
		return r == LIBFIND_ERR_NOMEM ? r : 0;
	r = 0;
	(void)ldcache_parse(buf, n, ldc_collect, &lp);
	if (lp.nomem)
		r = LIBFIND_ERR_NOMEM;
	for (i = 0; i < lp.n; i++) {
		/* Cache paths are absolute on the audited root. */
		if (r == 0 && join(p, sizeof(p), prefix, lp.v[i], "") == 0 &&
		    add_path(l, p, LS_LDCACHE, 1) == LIBFIND_ERR_NOMEM)
			r = LIBFIND_ERR_NOMEM;
		free(lp.v[i]);
	}
	free(lp.v);
	free(buf);
	return r;
}

int libfind_scan_system(struct lib_list *l, const char *root)
{
	static const char *const dirs[] = {
		"/lib",
		"/lib64",
		"/usr/lib",
		"/usr/lib64",
		"/usr/local/lib",
		"/usr/local/ssl/lib",
		NULL,
	};
	static const char *const multiarch[] = { "/usr/lib/", "/lib/", NULL };
	static const char *const opt[] = { "/opt/", NULL };
	char prefix[PATH_MAX], dir[PATH_MAX];
	size_t i, n;
	int r;

	/* "/" and "" both mean the live system; a prefix never ends in '/'. */
	if (root == NULL)
		root = "/";
	n = strlen(root);
	while (n > 0 && root[n - 1] == '/')
		n--;
	if (n >= sizeof(prefix))
		return LIBFIND_ERR_TOOLONG;
	memcpy(prefix, root, n);
	prefix[n] = '\0';

	if ((r = scan_ldcache(l, prefix)) != 0)
		return r;
	for (i = 0; dirs[i] != NULL; i++) {
		if (join(dir, sizeof(dir), prefix, dirs[i], "") != 0)
			continue;
		if ((r = scan_dir(l, dir)) != 0)
			return r;
	}
	if ((r = scan_subdirs(l, prefix, "/opt", "*", opt, "/lib")) != 0)
		return r;
	if ((r = scan_subdirs(l, prefix, "/usr/lib", "*-linux-gnu*", multiarch,
		 "")) != 0)
		return r;
	return l->n > INT_MAX ? INT_MAX : (int)l->n;
}

struct first_crypto {
	char name[128];
};

static void pick_crypto(void *ctx, const char *needed)
{
	struct first_crypto *fc = ctx;

	if (fc->name[0] == '\0' && strncmp(needed, "libcrypto.so", 12) == 0 &&
	    strlen(needed) < sizeof(fc->name))
		memcpy(fc->name, needed, strlen(needed) + 1);
}

/* Looks for dir-of(path)/name; fills out with its canonical path. */
static int crypto_beside(const char *path, const char *name, char *out,
    size_t cap)
{
	char p[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;
	int dlen;

	if (slash == NULL)
		return -1;
	dlen = (int)(slash - path);
	if (snprintf(p, sizeof(p), "%.*s/%s", dlen, path, name) >=
	    (int)sizeof(p))
		return -1;
	if (stat(p, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	return canonical_path(p, &st, out, cap);
}

void libfind_pair(struct lib_list *l)
{
	struct first_crypto fc;
	uint8_t *img;
	size_t i, j, n;

	for (i = 0; i < l->n; i++) {
		struct lib_cand *c = &l->v[i];

		if (c->kind != LK_SSL || c->notlib[0] != '\0')
			continue;
		c->crypto_path[0] = '\0';
		memset(&fc, 0, sizeof(fc));
		if (libfind_read_file(c->path, LIB_READ_CAP, &img, &n) != 0)
			continue;
		(void)elf_needed(img, n, pick_crypto, &fc);
		free(img);
		if (fc.name[0] == '\0')
			continue;
		/* The loader would look beside libssl first, as RPATH
		 * $ORIGIN builds expect; so does the audit. */
		if (crypto_beside(c->path, fc.name, c->crypto_path,
			sizeof(c->crypto_path)) == 0)
			continue;
		for (j = 0; j < c->nseen; j++)
			if (crypto_beside(c->seen[j], fc.name, c->crypto_path,
				sizeof(c->crypto_path)) == 0)
				break;
		if (j < c->nseen)
			continue;
		c->crypto_path[0] = '\0';
		for (j = 0; j < l->n; j++) {
			if (l->v[j].kind == LK_CRYPTO &&
			    l->v[j].notlib[0] == '\0' &&
			    strcmp(l->v[j].soname, fc.name) == 0) {
				memcpy(c->crypto_path, l->v[j].path,
				    sizeof(c->crypto_path));
				break;
			}
		}
	}
}

void lib_list_free(struct lib_list *l)
{
	size_t i, j;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		for (j = 0; j < l->v[i].nseen; j++)
			free(l->v[i].seen[j]);
		free(l->v[i].seen);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
