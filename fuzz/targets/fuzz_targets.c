/*
 * Feeds arbitrary bytes to the target parsers.  The input is split at the
 * first three newlines into a port list, a shard string, an exclusion list
 * and the rest; the rest is parsed both as one target argument and as a
 * target file, then a bounded number of endpoints is walked (in a random
 * order when the exclusion line starts with '~') and checked, none of
 * them excluded, each labelled with its door's scheme when it has one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/exclude.h"
#include "net/targets.h"

/* Enough to cross port ranges and octet carries without slowing the fuzzer. */
#define MAX_ENDPOINTS 300

static char *take_line(const uint8_t **p, size_t *len)
{
	const uint8_t *nl = memchr(*p, '\n', *len);
	size_t n = nl ? (size_t)(nl - *p) : *len;
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, *p, n);
	s[n] = '\0';
	*p += nl ? n + 1 : n;
	*len -= nl ? n + 1 : n;
	return s;
}

static void ignore(void *ctx, const char *msg)
{
	(void)ctx;
	if (strlen(msg) == 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t len = size;
	char *ports = take_line(&p, &len), *shard = take_line(&p, &len), *spec;
	char *exlist = take_line(&p, &len);
	struct excl *x = excl_new();
	char err[TGT_ERRMAX];
	struct tgt_set *s = tgt_set_new();
	struct tgt_iter *it;
	struct tgt_endpoint e;
	const char *scheme;
	FILE *f;
	int i;

	if (s == NULL || x == NULL)
		abort();
	if (exlist[0] != '\0' && excl_add(x, exlist + (exlist[0] == '~'), err) != 0 &&
	    strlen(err) == 0)
		abort();
	if (excl_finish(x) != 0)
		abort();
	tgt_set_exclude(s, x);
	if (ports[0] != '\0' && tgt_set_ports(s, ports, err) != 0 && strlen(err) == 0)
		abort();
	spec = malloc(len + 1);
	if (spec == NULL)
		abort();
	memcpy(spec, p, len);
	spec[len] = '\0';
	if (tgt_set_add(s, spec, err) != 0 && strncmp(err, "bad target", 10) != 0)
		abort();
	if (len > 0 && (f = fmemopen((void *)p, len, "r")) != NULL) {
		tgt_set_add_stream(s, f, "fuzz", ignore, NULL, err);
		fclose(f);
	}

	/*
	 * A shard that owns none of 2^40 endpoints would make the walk below
	 * visit them all, so shard only sets small enough to skip through.
	 */
	if (shard[0] != '\0' && tgt_set_count(s) <= (1u << 16) &&
	    tgt_set_shard(s, shard, err) != 0 && strncmp(err, "bad shard", 9) != 0)
		abort();

	if (exlist[0] == '~' && tgt_set_order(s, 1, size, err) != 0 &&
	    strlen(err) == 0)
		abort();
	{
		char msg[256];

		if (excl_reserved(x, s, msg, sizeof(msg)) && strlen(msg) == 0)
			abort();
	}
	/* Skipping excluded endpoints costs a step each: keep the walk
	 * short. */
	if (tgt_set_end(s) > (1u << 16))
		tgt_set_exclude(s, NULL);
	it = tgt_iter_new(s);
	if (it == NULL)
		abort();
	for (i = 0; i < MAX_ENDPOINTS && tgt_iter_next(it, &e) == 1; i++) {
		if (e.port == 0 || e.label[0] == '\0' || !tgt_in_shard(s, &e))
			abort();
		if (e.family == AF_UNSPEC ? e.name[0] == '\0' : e.name[0] != '\0')
			abort();
		if (e.family != AF_UNSPEC && e.family != AF_INET && e.family != AF_INET6)
			abort();
		if (e.door.kind > TGT_DOOR_OPENVPN_TCP ||
		    (e.door.kind == TGT_DOOR_STARTTLS) != (e.door.preamble != NULL))
			abort();
		scheme = tgt_door_scheme(&e.door);
		if ((e.door.kind == TGT_DOOR_OPTS) != (scheme == NULL))
			abort();
		if (scheme && (strncmp(e.label, scheme, strlen(scheme)) != 0 ||
		    strncmp(e.label + strlen(scheme), "://", 3) != 0))
			abort();
		if (!scheme && strstr(e.label, "://"))
			abort();
		if (tgt_set_end(s) <= (1u << 16) &&
		    excl_match(x, e.family, e.addr, e.port, e.name))
			abort();
	}
	if (i > 0 && tgt_set_count(s) == 0)
		abort();
	tgt_iter_free(it);
	tgt_set_free(s);
	excl_free(x);
	free(exlist);
	free(spec);
	free(shard);
	free(ports);
	return 0;
}
