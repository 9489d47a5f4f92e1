/*
 * The JSON Lines reader (report/jsonl_read.h).
 */
#include "report/jsonl_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/err.h"

static const struct {
	const char *type;
	enum res_kind kind;
} kinds[] = {
	{ "scan", RES_K_SCAN },
	{ "listener", RES_K_LISTENER },
	{ "library", RES_K_LIBRARY },
	{ "process", RES_K_PROCESS },
	{ "package", RES_K_PACKAGE },
	{ "restart", RES_K_RESTART },
	{ "error", RES_K_ERROR },
	{ "summary", RES_K_SUMMARY },
	{ "local-summary", RES_K_LOCAL_SUMMARY },
};

/* Strings decoded from FIELD_b64 for the line being read, freed after its
 * callback (jsonl_read is not reentrant per thread). */
struct b64_mem {
	struct b64_mem *next;
	char s[];
};
static __thread struct b64_mem *line_mem;

static void line_mem_free(void)
{
	struct b64_mem *m;

	while ((m = line_mem) != NULL) {
		line_mem = m->next;
		free(m);
	}
}

static int b64_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Standard base64 (RFC 4648, padded) into a NUL-terminated string kept
 * until the line is done; NULL when b is not base64, decodes to a NUL
 * byte, or memory ran out. */
static const char *b64_decode(const char *b)
{
	size_t n = strlen(b), i, o = 0;
	struct b64_mem *m;
	unsigned acc = 0;
	int bits = 0, v, pad = 0;

	if (n % 4 != 0 || (m = malloc(sizeof(*m) + n / 4 * 3 + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (b[i] == '=' && i + 2 >= n) {
			pad++;
			continue;
		}
		if (pad || (v = b64_val((unsigned char)b[i])) < 0)
			goto bad;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			m->s[o] = (char)((acc >> bits) & 0xff);
			if (m->s[o++] == '\0')
				goto bad;
		}
	}
	m->s[o] = '\0';
	m->next = line_mem;
	line_mem = m;
	return m->s;
bad:
	free(m);
	return NULL;
}

/* A string field, or NULL when absent or not a string.  When it has a
 * FIELD_b64 sibling (it was not UTF-8), the exact bytes that holds. */
static const char *str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key)), *b, *d;
	char k[64];

	if (!v || !strchr(v, '\\'))
		return v; /* no "\xNN" in it: not the escaped form */
	snprintf(k, sizeof(k), "%s_b64", key);
	if ((b = json_string_value(json_object_get(o, k))) != NULL &&
	    (d = b64_decode(b)) != NULL)
		return d;
	return v;
}

static long long num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) :
	    json_is_real(v)	  ? (long long)json_real_value(v) :
				    0;
}

static double real(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static int boolean(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* A verdict keyword's grade, as its producer set it. */
static enum res_grade grade_of(const char *v)
{
	static const char *const good[] = { "patched", "no-heartbeat", "fixed",
		"not-affected" };
	size_t i;

	if (!v)
		return RES_UNSURE;
	if (!strcmp(v, "vulnerable") || !strcmp(v, "possibly-vulnerable"))
		return RES_BAD;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!strcmp(v, good[i]))
			return RES_GOOD;
	return RES_UNSURE;
}

static void endpoint(json_t *o, struct res_endpoint *e)
{
	json_t *alert = json_object_get(o, "alert");

	e->target = str(o, "target");
	e->name = str(o, "name");
	e->ip = str(o, "ip");
	e->port = (uint16_t)num(o, "port");
	e->verdict = str(o, "verdict");
	e->vulnerable = e->verdict && !strcmp(e->verdict, "vulnerable");
	e->grade = grade_of(e->verdict);
	e->reason = str(o, "reason");
	e->version = str(o, "version");
	e->heartbeat_ext = boolean(o, "heartbeat_ext");
	e->disclosed = (unsigned)num(o, "disclosed");
	e->alert = json_is_integer(alert) ? (int)json_integer_value(alert) : -1;
	e->attempts = (unsigned)num(o, "attempts");
	e->strategy = str(o, "strategy");
	e->nudges = (unsigned)num(o, "nudges");
	e->bytes_sent = (uint32_t)num(o, "bytes_sent");
	e->bytes_received = (uint32_t)num(o, "bytes_received");
	e->elapsed_ms = real(o, "elapsed_ms");
}

/* Fills it from o; *scratch is set to memory to free after the
 * callback.  Returns 0 or HC_ERR_ALLOC_FAIL. */
static int fill(json_t *o, struct jsonl_item *it, void **scratch)
{
	json_t *a, *v;
	const char *k;
	size_t i, n;

	switch (it->kind) {
	case RES_K_UNKNOWN:
		break;
	case RES_K_SCAN:
		endpoint(o, &it->u.scan);
		break;
	case RES_K_LISTENER:
		endpoint(o, &it->u.listener.ep);
		it->u.listener.pid = (long)num(o, "pid");
		it->u.listener.comm = str(o, "comm");
		it->u.listener.unit = str(o, "unit");
		it->u.listener.no_service = it->u.listener.ep.verdict &&
		    (!strcmp(it->u.listener.ep.verdict, "refused") ||
			!strcmp(it->u.listener.ep.verdict, "not-tls"));
		break;
	case RES_K_LIBRARY: {
		struct res_library *l = &it->u.library;

		l->path = str(o, "path");
		l->soname = str(o, "soname");
		l->version = str(o, "version");
		l->verdict = str(o, "verdict");
		l->grade = grade_of(l->verdict);
		l->reason = str(o, "reason");
		l->disclosed = (unsigned)num(o, "disclosed");
		l->libcrypto = str(o, "libcrypto");
		json_array_foreach(json_object_get(o, "sources"), i, v)
		{
			k = json_string_value(v);
			if (!k)
				continue;
			l->sources |= !strcmp(k, "ld.so.cache") ?
			    RES_SRC_LDCACHE :
			    !strcmp(k, "directory") ? RES_SRC_DIR :
			    !strcmp(k, "process")   ? RES_SRC_PROCESS :
						      0;
		}
		break;
	}
	case RES_K_PROCESS: {
		struct res_process *p = &it->u.process;
		struct res_proc_lib *libs;
		json_t *r = json_object_get(o, "restart");

		p->pid = (long)num(o, "pid");
		p->uid = num(o, "uid");
		p->comm = str(o, "comm");
		p->cmdline = str(o, "cmdline");
		p->unit = str(o, "unit");
		p->container = str(o, "container");
		p->restart = json_is_true(r) ? 1 : json_is_null(r) ? -1 : 0;
		p->error = str(o, "error");
		p->start_time = (unsigned long long)num(o, "start_time");
		p->dropped = p->restart < 0;
		a = json_object_get(o, "libraries");
		n = json_array_size(a);
		if (n == 0)
			break;
		if ((libs = calloc(n, sizeof(*libs))) == NULL)
			return HC_ERR_ALLOC_FAIL;
		json_array_foreach(a, i, v)
		{
			libs[i].path = str(v, "path");
			libs[i].why = str(v, "why");
			if (!libs[i].why)
				libs[i].why = "";
			if (strstr(libs[i].why, "vulnerable"))
				p->vulnerable = 1;
		}
		p->libs = libs;
		p->nlibs = n;
		*scratch = libs;
		break;
	}
	case RES_K_PACKAGE: {
		struct res_package *p = &it->u.package;

		p->name = str(o, "name");
		p->version = str(o, "version");
		p->arch = str(o, "arch");
		p->verdict = str(o, "verdict");
		p->grade = grade_of(p->verdict);
		p->fixed_in = str(o, "fixed_in");
		p->advisory = str(o, "advisory");
		p->confirmed = boolean(o, "confirmed");
		p->reason = str(o, "reason");
		break;
	}
	case RES_K_RESTART:
		it->u.restart.unit = str(o, "unit");
		it->u.restart.processes = (unsigned)num(o, "processes");
		it->u.restart.command = str(o, "command");
		it->u.restart.pid = (long)num(o, "pid");
		it->u.restart.comm = str(o, "comm");
		it->u.restart.cmdline = str(o, "cmdline");
		break;
	case RES_K_ERROR:
		it->u.error.stage = str(o, "stage");
		it->u.error.error = str(o, "error");
		it->u.error.code = HC_ERR_INVALID;
		break;
	case RES_K_SUMMARY: {
		struct res_scan_summary *s = &it->u.summary;
		const char **names;
		uint64_t *counts;
		void *mem;

		a = json_object_get(o, "verdicts");
		n = json_object_size(a);
		s->endpoints = (uint64_t)num(o, "endpoints");
		s->seconds = real(o, "seconds");
		s->peak_in_flight = (uint64_t)num(o, "peak_in_flight");
		if (n == 0)
			break;
		if ((mem = calloc(n, sizeof(*names) + sizeof(*counts))) == NULL)
			return HC_ERR_ALLOC_FAIL;
		counts = mem;
		names = (const char **)(counts + n);
		i = 0;
		json_object_foreach(a, k, v)
		{
			names[i] = k;
			counts[i] = (uint64_t)json_integer_value(v);
			if (!strcmp(k, "vulnerable"))
				s->vulnerable = counts[i];
			i++;
		}
		s->nverdicts = n;
		s->verdict_names = names;
		s->verdict_counts = counts;
		*scratch = mem;
		break;
	}
	case RES_K_LOCAL_SUMMARY: {
		struct res_local_summary *s = &it->u.local_summary;
		json_t *u = json_object_get(o, "unfinished");
		json_t *t = json_object_get(o, "seconds");

		s->libraries = (unsigned)num(o, "libraries");
		s->vulnerable_libraries =
		    (unsigned)num(o, "vulnerable_libraries");
		s->possibly_vulnerable_libraries =
		    (unsigned)num(o, "possibly_vulnerable_libraries");
		s->untested_libraries = (unsigned)num(o, "untested_libraries");
		s->processes = (unsigned)num(o, "processes");
		s->processes_need_restart =
		    (unsigned)num(o, "processes_need_restart");
		s->processes_unreadable =
		    (unsigned)num(o, "processes_unreadable");
		s->listeners = (unsigned)num(o, "listeners");
		s->vulnerable_listeners =
		    (unsigned)num(o, "vulnerable_listeners");
		s->vulnerable_packages =
		    (unsigned)num(o, "vulnerable_packages");
		s->errors = (unsigned)num(o, "errors");
		s->unfinished.libraries = (unsigned)num(u, "libraries");
		s->unfinished.processes = (unsigned)num(u, "processes");
		s->unfinished.listeners = (unsigned)num(u, "listeners");
		s->unfinished.packages = (unsigned)num(u, "packages");
		s->seconds.processes = real(t, "processes");
		s->seconds.libraries = real(t, "libraries");
		s->seconds.listeners = real(t, "listeners");
		s->seconds.packages = real(t, "packages");
		s->seconds.total = real(t, "total");
		break;
	}
	}
	return HC_ERR_SUCCESS;
}

static void line_error(const struct jsonl_cb *cb, struct jsonl_stats *st,
    int code, const char *name, unsigned long line, const char *why)
{
	char msg[400];

	st->errors++;
	snprintf(msg, sizeof(msg), "%s:%lu: %s", name, line, why);
	if (cb->error)
		cb->error(cb->ctx, code, msg);
}

int jsonl_read(FILE *f, const char *name, const struct jsonl_cb *cb,
    struct jsonl_stats *stp)
{
	struct jsonl_stats st0, *st = stp ? stp : &st0;
	char *buf = NULL;
	size_t cap = 0, i;
	ssize_t n;
	int ret = HC_ERR_SUCCESS;

	memset(st, 0, sizeof(*st));
	while ((n = getline(&buf, &cap, f)) != -1) {
		struct jsonl_item it;
		json_error_t je;
		json_t *o;
		void *scratch = NULL;
		int code = HC_ERR_SUCCESS, cut = n == 0 || buf[n - 1] != '\n';
		char why[300];

		st->lines++;
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		if (n == 0)
			continue; /* a blank line is no result */
		o = json_loadb(buf, (size_t)n, 0, &je);
		if (!o) {
			/* A last line without its newline was cut short. */
			code = cut ? HC_ERR_TRUNCATED : HC_ERR_PARSE;
			snprintf(why, sizeof(why), "%s: %s",
			    cut ? "truncated line" : "not JSON", je.text);
		} else if (!json_is_object(o) || !str(o, "type")) {
			code = HC_ERR_PARSE;
			snprintf(why, sizeof(why), "not a result: %s",
			    json_is_object(o) ? "no \"type\"" :
						"not a JSON object");
		}
		if (code == HC_ERR_SUCCESS) {
			memset(&it, 0, sizeof(it));
			it.type = str(o, "type");
			it.file = name;
			it.line = st->lines;
			for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
				if (!strcmp(kinds[i].type, it.type))
					it.kind = kinds[i].kind;
			if ((code = fill(o, &it, &scratch)) != 0) {
				snprintf(why, sizeof(why), "%s",
				    hc_strerror(code));
			} else {
				st->results++;
				if (cb->result)
					cb->result(cb->ctx, &it);
			}
			free(scratch);
			line_mem_free();
		}
		json_decref(o);
		if (code != HC_ERR_SUCCESS) {
			line_error(cb, st, code, name, st->lines, why);
			if (ret == HC_ERR_SUCCESS)
				ret = code;
		}
	}
	if (ferror(f) && ret == HC_ERR_SUCCESS)
		ret = HC_ERR_SYSTEM;
	free(buf);
	return ret;
}

int jsonl_read_file(const char *path, const struct jsonl_cb *cb,
    struct jsonl_stats *st)
{
	FILE *f;
	int ret;

	if (!strcmp(path, "-"))
		return jsonl_read(stdin, "-", cb, st);
	if ((f = fopen(path, "re")) == NULL)
		return hc_err_from_errno(errno);
	ret = jsonl_read(f, path, cb, st);
	fclose(f);
	return ret;
}
