/*
 * Library discovery for the local audit: every libssl and libcrypto shared
 * object on the host, from ld.so.cache, the standard library directories
 * and (through libfind_add) the mappings of running processes.
 *
 * The byte parsers here (ldcache_parse, elf_needed, elf_soname, elf_sniff,
 * openssl_version_find) are pure: they take untrusted bytes and a length,
 * check every offset against that length before reading, and never do I/O.
 * A corrupt input yields an error, never an over-read.  They are fuzzed.
 *
 * The list functions do the I/O.  Candidates are de-duplicated by the
 * (st_dev, st_ino) of the file a path resolves to, so a symlink and its
 * target are one candidate that remembers every path it was seen under.
 */
#ifndef HEARTCHECK_LOCAL_LIBFIND_H
#define HEARTCHECK_LOCAL_LIBFIND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Error codes, all negative. */
#define LIBFIND_ERR_FORMAT (-1) /* malformed bytes */
#define LIBFIND_ERR_IO (-2) /* a file could not be read (errno kept) */
#define LIBFIND_ERR_NOMEM (-3)
#define LIBFIND_ERR_NOTLIB (-4) /* not an ELF file we could ever test */
#define LIBFIND_ERR_TOOLONG (-5) /* a path does not fit PATH_MAX */

enum lib_kind { LK_SSL, LK_CRYPTO };
enum lib_source { LS_LDCACHE = 1, LS_DIR = 2, LS_PROCESS = 4, LS_ARG = 8 };

enum elf_class {
	ELF_NOT_ELF, /* no ELF magic */
	ELF_OTHER_MACHINE, /* ELF, but not this host's machine, class or byte
			      order */
	ELF_SHARED, /* a shared object without an interpreter */
	ELF_EXEC, /* ET_EXEC, or ET_DYN with PT_INTERP (PIE) */
	ELF_BAD, /* ELF magic, but truncated, corrupt or not loadable */
};

struct lib_cand {
	char path[4096]; /* canonical path (realpath) */
	enum lib_kind kind;
	unsigned sources; /* bitmask of lib_source */
	dev_t dev;
	ino_t ino;
	char
	    crypto_path[4096]; /* for LK_SSL: the libcrypto to preload, or "" */
	char soname[128]; /* DT_SONAME, else the cache's name, else basename */
	enum elf_class elf; /* elf_sniff of the file's first bytes */
	int musl; /* built against musl: needs a musl helper */
	char notlib[128]; /* non-empty: named like a library but is none
			   * (empty, text, a FIFO, a directory, a link
			   * loop): the reason, and nothing else is set */
	char **seen; /* every path this file was found under */
	size_t nseen;
};

struct lib_list {
	struct lib_cand *v;
	size_t n, cap;
};

/*
 * Parses an ld.so.cache image: the new format ("glibc-ld.so.cache1.1"), the
 * old format ("ld.so-1.7.0") alone, or the old format followed by the new
 * one (then the new one is used).  Calls cb for every entry whose soname
 * starts with "libssl.so" or "libcrypto.so".  Returns the number of entries
 * reported, or -1 when any offset, count or string is out of bounds.
 */
int ldcache_parse(const uint8_t *buf, size_t len,
    void (*cb)(void *ctx, const char *soname, const char *path), void *ctx);

/*
 * Calls cb with each DT_NEEDED name of an ELF image (ELF32 or ELF64, either
 * byte order), found through PT_DYNAMIC and the PT_LOAD that holds
 * DT_STRTAB.  Returns the number of names, or -1 when the image is
 * malformed.  An image without PT_DYNAMIC (a static binary) returns 0.
 */
int elf_needed(const uint8_t *buf, size_t len,
    void (*cb)(void *ctx, const char *needed), void *ctx);

/* Copies DT_SONAME into out.  Returns 1, 0 when there is none, -1 when the
 * image is malformed or the name does not fit. */
int elf_soname(const uint8_t *buf, size_t len, char *out, size_t cap);

/*
 * A cheap look at a file's first bytes: buf may be only a prefix of the
 * file.  The ELF header and program headers must be inside buf for an
 * answer other than ELF_BAD; PT_INTERP and the dynamic section are read
 * only if they are inside buf too.  *is_musl (may be NULL) is set when
 * PT_INTERP or a DT_NEEDED names musl's loader or libc.
 */
enum elf_class elf_sniff(const uint8_t *buf, size_t len, int *is_musl);

/*
 * Finds "OpenSSL x.y.z[letters][-suffix] [d Mon yyyy]" in buf, for example
 * "OpenSSL 1.0.1f 6 Jan 2014".  A match with a date is preferred over one
 * without.  Returns 1 and copies the string (NUL-terminated, truncated to
 * cap) into out, or 0.
 */
int openssl_version_find(const uint8_t *buf, size_t len, char *out, size_t cap);

/* The longest string openssl_version_find can match; chunked scanners keep
 * this much overlap between chunks. */
#define OPENSSL_VERSION_MAX 80

/*
 * Streams a file through openssl_version_find in chunks, reading at most
 * max_bytes (0 means 512 MiB), for static binaries and libraries that
 * cannot be loaded.  Returns 1 when found, 0 when not, LIBFIND_ERR_IO.
 */
int openssl_version_scan_file(const char *path, uint64_t max_bytes, char *out,
    size_t cap);

/*
 * Adds the candidates of ld.so.cache (root/etc/ld.so.cache) and of the
 * standard directories under root: /lib, /lib64, /usr/lib, /usr/lib64,
 * /usr/local/lib, /usr/local/ssl/lib, /opt/NAME/lib, /usr/lib/TRIPLET and
 * /lib/TRIPLET.  root is "/" in production.  Files that cannot be read are
 * skipped; files named like a library that are none (empty, text, ELF
 * garbage, a FIFO, a directory, a symbolic link loop) become candidates
 * with notlib set, so that the report can name them.  No open blocks:
 * every file goes through safe_open_regular().  Returns the number of
 * candidates in the list, or a negative error (only LIBFIND_ERR_NOMEM is
 * fatal).
 */
int libfind_scan_system(struct lib_list *l, const char *root);

/*
 * Adds one path from source src.  Merges with an existing candidate for the
 * same file (sources are OR-ed, the path is remembered).  Returns 1 when a
 * candidate was added, 0 when merged, or a negative error:
 * LIBFIND_ERR_IO (cannot stat or read), LIBFIND_ERR_NOTLIB (not ELF, or
 * not a regular file; nothing is added).
 */
int libfind_add(struct lib_list *l, const char *path, enum lib_source src);

/*
 * Fills crypto_path of every LK_SSL candidate: the libcrypto named by its
 * DT_NEEDED in the same directory, else a candidate with that soname, else
 * "" (the helper then lets libssl pull in its own).
 */
void libfind_pair(struct lib_list *l);

void lib_list_free(struct lib_list *l);

/*
 * Reads a whole file, or its first cap bytes, into a malloc'd buffer with
 * one spare NUL byte after the data.  Works on /proc files, whose st_size is
 * 0.  Only regular files are read, never waited on (safe_open_regular()).
 * Returns 0, LIBFIND_ERR_IO (errno kept) or LIBFIND_ERR_NOMEM.
 */
int libfind_read_file(const char *path, size_t cap, uint8_t **out, size_t *n);

#endif
