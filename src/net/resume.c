/* The resume file; the contract is in resume.h. */
#include "net/resume.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "heartcheck-resume 1"
/* A resume file is small; past this it is not one. */
#define RESUME_MAXBYTES (16 * 1024 * 1024)

static uint64_t fnv(uint64_t h, const void *b, size_t n)
{
	const uint8_t *p = b;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

#define FNV0 UINT64_C(0xcbf29ce484222325)

int resume_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

static int hash_file(const char *path, uint64_t *size, uint64_t *hash,
    char err[RESUME_ERRMAX])
{
	char buf[65536];
	FILE *f = fopen(path, "re");
	size_t got;

	*size = 0;
	*hash = FNV0;
	if (!f) {
		snprintf(err, RESUME_ERRMAX, "cannot open \"%.300s\": %s", path,
		    strerror(errno));
		return -1;
	}
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
		*size += got;
		*hash = fnv(*hash, buf, got);
	}
	if (ferror(f)) {
		snprintf(err, RESUME_ERRMAX, "cannot read \"%.300s\": %s", path,
		    strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

int resume_fill_file(struct resume_file *f, char err[RESUME_ERRMAX])
{
	char *abs;

	if (!strcmp(f->path, "-")) {
		snprintf(err, RESUME_ERRMAX,
		    "standard input cannot be read "
		    "again to resume: give a file");
		return -1;
	}
	/* Absolute, so a resume from another directory finds it. */
	if (!(abs = realpath(f->path, NULL))) {
		snprintf(err, RESUME_ERRMAX, "cannot open \"%.300s\": %s",
		    f->path, strerror(errno));
		return -1;
	}
	free(f->path);
	f->path = abs;
	return hash_file(abs, &f->size, &f->hash, err);
}

int resume_check_file(const struct resume_file *f, char err[RESUME_ERRMAX])
{
	uint64_t size, hash;

	if (hash_file(f->path, &size, &hash, err) != 0)
		return -1;
	if (size != f->size || hash != f->hash) {
		snprintf(err, RESUME_ERRMAX,
		    "\"%.300s\" changed since the scan "
		    "stopped (%" PRIu64 " bytes then, %" PRIu64 " now): the "
		    "position would point at other endpoints",
		    f->path, f->size, size);
		return -1;
	}
	return 0;
}

/* Percent-escapes everything but printable ASCII other than '%'. */
static void put_val(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c >= 0x7f || c == '%')
			fprintf(f, "%%%02X", c);
		else
			fputc(c, f);
	}
}

static void put_kv(FILE *f, const char *k, const char *v)
{
	fprintf(f, "%s ", k);
	put_val(f, v);
	fputc('\n', f);
}

int resume_write(const char *path, const struct resume *r,
    char err[RESUME_ERRMAX])
{
	char *tmp = NULL, *text = NULL;
	size_t len = 0, i;
	FILE *m = open_memstream(&text, &len);
	int fd = -1, k;

	if (!m) {
		snprintf(err, RESUME_ERRMAX, "out of memory");
		return -1;
	}
	fprintf(m, MAGIC "\n");
	fprintf(m, "position %" PRIu64 "\nend %" PRIu64 "\n", r->position,
	    r->end);
	fprintf(m, "random %d\nseed %" PRIu64 "\n", r->random, r->seed);
	fprintf(m, "include-reserved %d\njson %d\n", r->include_reserved,
	    r->json);
	if (r->shard)
		put_kv(m, "shard", r->shard);
	if (r->ports)
		put_kv(m, "ports", r->ports);
	if (r->output)
		put_kv(m, "output", r->output);
	for (i = 0; i < r->ntargets; i++)
		put_kv(m, "target", r->targets[i]);
	for (i = 0; i < r->ninputs; i++) {
		put_kv(m, "input", r->inputs[i].path);
		fprintf(m, "input-sum %" PRIu64 " %016" PRIx64 "\n",
		    r->inputs[i].size, r->inputs[i].hash);
	}
	for (i = 0; i < r->nexcludes; i++)
		put_kv(m, "exclude", r->excludes[i]);
	for (i = 0; i < r->nexclude_files; i++) {
		put_kv(m, "exclude-file", r->exclude_files[i].path);
		fprintf(m, "exclude-file-sum %" PRIu64 " %016" PRIx64 "\n",
		    r->exclude_files[i].size, r->exclude_files[i].hash);
	}
	fprintf(m, "done %" PRIu64 "\nseconds %.3f\nruns %u\nverdicts", r->done,
	    r->seconds, r->runs);
	for (k = 0; k < PV_COUNT; k++)
		fprintf(m, " %" PRIu64, r->verdicts[k]);
	fprintf(m, "\n");
	if (fflush(m) != 0) {
		fclose(m);
		free(text);
		snprintf(err, RESUME_ERRMAX, "out of memory");
		return -1;
	}
	fprintf(m, "checksum %016" PRIx64 "\n", fnv(FNV0, text, len));
	fclose(m);
	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		free(text);
		snprintf(err, RESUME_ERRMAX, "out of memory");
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) != 0 ||
	    close(fd) != 0 || rename(tmp, path) != 0) {
		snprintf(err, RESUME_ERRMAX,
		    "cannot write the resume file "
		    "\"%.300s\": %s",
		    path, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		free(tmp);
		free(text);
		return -1;
	}
	free(tmp);
	free(text);
	return 0;
}

static int unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '%') {
			unsigned v;

			if (sscanf(s + 1, "%2x", &v) != 1 || !s[1] || !s[2])
				return -1;
			*o++ = (char)v;
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int resume_push_file(struct resume_file **v, size_t *n, const char *path)
{
	struct resume_file *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -1;
	*v = nv;
	memset(&nv[*n], 0, sizeof(nv[*n]));
	if (!(nv[*n].path = strdup(path)))
		return -1;
	(*n)++;
	return 0;
}

int resume_read(const char *path, struct resume *r, char err[RESUME_ERRMAX])
{
	char *text = NULL, *line, *save = NULL, *sum;
	uint64_t want, v;
	size_t len = 0, lineno = 0;
	FILE *f;
	int have_pos = 0, have_end = 0, have_sum = 0, k;

	memset(r, 0, sizeof(*r));
	if (!(f = fopen(path, "re"))) {
		snprintf(err, RESUME_ERRMAX,
		    "cannot open the resume file "
		    "\"%.300s\": %s",
		    path, strerror(errno));
		return -1;
	}
	{
		struct stat sb;

		if (fstat(fileno(f), &sb) != 0 ||
		    sb.st_size > RESUME_MAXBYTES) {
			fclose(f);
			snprintf(err, RESUME_ERRMAX,
			    "\"%.300s\" is not a "
			    "heartcheck resume file (too large)",
			    path);
			return -1;
		}
		text = malloc((size_t)sb.st_size + 1);
		if (text)
			len = fread(text, 1, (size_t)sb.st_size, f);
	}
	fclose(f);
	if (!text) {
		snprintf(err, RESUME_ERRMAX, "out of memory");
		return -1;
	}
	text[len] = '\0';
	if (strncmp(text, MAGIC "\n", strlen(MAGIC) + 1) != 0 ||
	    memchr(text, '\0', len)) {
		free(text);
		snprintf(err, RESUME_ERRMAX,
		    "\"%.300s\" is not a heartcheck "
		    "resume file of this version",
		    path);
		return -1;
	}
	sum = strstr(text, "\nchecksum ");
	if (!sum || sscanf(sum + 10, "%16" SCNx64, &want) != 1 ||
	    fnv(FNV0, text, (size_t)(sum - text) + 1) != want ||
	    strcmp(sum + 10 + 16, "\n") != 0) {
		free(text);
		snprintf(err, RESUME_ERRMAX,
		    "the resume file \"%.300s\" is "
		    "corrupt (its checksum does not match)",
		    path);
		return -1;
	}
	sum[1] = '\0';
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *val = strchr(line, ' ');
		int bad = 0;

		if (++lineno == 1)
			continue;
		if (!val) {
			bad = 1;
			goto check;
		}
		*val++ = '\0';
		if (unescape(val) != 0) {
			bad = 1;
		} else if (!strcmp(line, "position")) {
			bad = parse_u64(val, &r->position);
			have_pos = 1;
		} else if (!strcmp(line, "end")) {
			bad = parse_u64(val, &r->end);
			have_end = 1;
		} else if (!strcmp(line, "random")) {
			bad = parse_u64(val, &v) || v > 1;
			r->random = (int)v;
		} else if (!strcmp(line, "seed")) {
			bad = parse_u64(val, &r->seed);
		} else if (!strcmp(line, "include-reserved")) {
			bad = parse_u64(val, &v) || v > 1;
			r->include_reserved = (int)v;
		} else if (!strcmp(line, "json")) {
			bad = parse_u64(val, &v) || v > 1;
			r->json = (int)v;
		} else if (!strcmp(line, "shard")) {
			bad = r->shard || !(r->shard = strdup(val));
		} else if (!strcmp(line, "ports")) {
			bad = r->ports || !(r->ports = strdup(val));
		} else if (!strcmp(line, "output")) {
			bad = r->output || !(r->output = strdup(val));
		} else if (!strcmp(line, "target")) {
			bad = resume_push(&r->targets, &r->ntargets, val);
		} else if (!strcmp(line, "exclude")) {
			bad = resume_push(&r->excludes, &r->nexcludes, val);
		} else if (!strcmp(line, "input")) {
			bad = resume_push_file(&r->inputs, &r->ninputs, val);
		} else if (!strcmp(line, "exclude-file")) {
			bad = resume_push_file(&r->exclude_files,
			    &r->nexclude_files, val);
		} else if (!strcmp(line, "input-sum") ||
		    !strcmp(line, "exclude-file-sum")) {
			struct resume_file *rf = line[0] == 'i' ?
			    (r->ninputs ? &r->inputs[r->ninputs - 1] : NULL) :
			    (r->nexclude_files ?
				    &r->exclude_files[r->nexclude_files - 1] :
				    NULL);

			bad = !rf ||
			    sscanf(val, "%" SCNu64 " %16" SCNx64, &rf->size,
				&rf->hash) != 2;
		} else if (!strcmp(line, "done")) {
			bad = parse_u64(val, &r->done);
		} else if (!strcmp(line, "seconds")) {
			char *end;

			r->seconds = strtod(val, &end);
			bad = *end != '\0' || r->seconds < 0;
		} else if (!strcmp(line, "runs")) {
			bad = parse_u64(val, &v) || v > 1000000;
			r->runs = (unsigned)v;
		} else if (!strcmp(line, "verdicts")) {
			char *p = val, *end;

			for (k = 0; k < PV_COUNT && !bad; k++) {
				errno = 0;
				r->verdicts[k] = strtoull(p, &end, 10);
				bad = end == p || errno;
				p = end;
			}
			bad = bad || *p != '\0';
			have_sum = 1;
		} else {
			bad = 1;
		}
	check:
		if (bad) {
			snprintf(err, RESUME_ERRMAX,
			    "the resume file \"%.300s\" "
			    "is corrupt (line %zu)",
			    path, lineno);
			free(text);
			resume_free(r);
			return -1;
		}
	}
	free(text);
	if (!have_pos || !have_end || !have_sum || r->position > r->end ||
	    (r->ntargets == 0 && r->ninputs == 0)) {
		snprintf(err, RESUME_ERRMAX,
		    "the resume file \"%.300s\" is "
		    "corrupt (a field is missing or out of range)",
		    path);
		resume_free(r);
		return -1;
	}
	return 0;
}

void resume_free(struct resume *r)
{
	size_t i;

	for (i = 0; i < r->ntargets; i++)
		free(r->targets[i]);
	free(r->targets);
	for (i = 0; i < r->nexcludes; i++)
		free(r->excludes[i]);
	free(r->excludes);
	for (i = 0; i < r->ninputs; i++)
		free(r->inputs[i].path);
	free(r->inputs);
	for (i = 0; i < r->nexclude_files; i++)
		free(r->exclude_files[i].path);
	free(r->exclude_files);
	free(r->shard);
	free(r->ports);
	free(r->output);
	memset(r, 0, sizeof(*r));
}
