/*
 * The resume file of a stopped scan (--resume-file, --resume).
 *
 * It holds everything that defines the scan's endpoints and where the walk
 * stopped: the targets as given (and, for each target file, its path, size
 * and a hash of its bytes, so a file changed since is refused), the ports,
 * the exclusions (entries and files, hashed the same way), the shard, the
 * order and seed, the reserved-space override, the output file and format,
 * the position, and the counts so far, so the final summary covers the
 * whole scan.  A text file of "key value" lines, values percent-escaped,
 * ending in a checksum line; it is written to a temporary file and renamed
 * over the old one, so a crash never leaves half a file.
 */
#ifndef HEARTCHECK_NET_RESUME_H
#define HEARTCHECK_NET_RESUME_H

#include <stddef.h>
#include <stdint.h>

#include "probe/probe.h"

#define RESUME_ERRMAX 512

struct resume_file {
	char *path;
	uint64_t size, hash;
};

struct resume {
	uint64_t position, end; /* walk position to start at; where it ends */
	int random;
	uint64_t seed;
	int include_reserved;
	int json;
	char *shard; /* "K/N", or NULL */
	char *ports; /* -p list, or NULL for the default */
	char *output; /* -o FILE, or NULL for standard output */
	char **targets;
	size_t ntargets;
	struct resume_file *inputs;
	size_t ninputs;
	char **excludes;
	size_t nexcludes;
	struct resume_file *exclude_files;
	size_t nexclude_files;
	/* Counts of the runs so far. */
	uint64_t done;
	uint64_t verdicts[PV_COUNT];
	double seconds;
	unsigned runs;
};

/* Appends a copy of s to a list; 0 or -1 when out of memory. */
int resume_push(char ***v, size_t *n, const char *s);
/* Appends a file entry for path (its sums not yet filled in); 0 or -1
 * when out of memory. */
int resume_push_file(struct resume_file **v, size_t *n, const char *path);
/* Makes f->path absolute and records the file's size and hash; 0, or -1
 * with err. */
int resume_fill_file(struct resume_file *f, char err[RESUME_ERRMAX]);
/* Checks that a recorded file is unchanged; 0, or -1 with err. */
int resume_check_file(const struct resume_file *f, char err[RESUME_ERRMAX]);

/* 0, or -1 with err: the file is written whole or not at all. */
int resume_write(const char *path, const struct resume *r,
    char err[RESUME_ERRMAX]);

/* 0, or -1 with err for a file that cannot be read, is not a resume file,
 * is of another version, or is corrupt (bad checksum, bad field). */
int resume_read(const char *path, struct resume *r, char err[RESUME_ERRMAX]);

void resume_free(struct resume *r);

#endif
