/*
 * Fuzz target: /proc/net/tcp, tcp6, udp and udp6 text parsing.
 *
 * Oracle: an independent parse of each line with the C library (strtok_r,
 * strspn, sscanf) gives the listeners, in order, that the parser must
 * report (TCP: state 0A; UDP: state 07, a bound port and no peer), and its
 * return value: the count, or -1 at the first malformed
 * line.  Each reported listener is rendered back to the kernel's text
 * (%08X per address word as it sits in memory, %04X port) and compared
 * with the line's own local-address column.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "local/listeners.h"

#define MAXL 4096

struct want {
	int n;                  /* listeners reported so far */
	int count;              /* the model's listeners */
	struct listener l[MAXL];
	char text[MAXL][48];    /* each one's local-address column, as given */
};

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_proc_net_tcp: %s\n", what);
	abort();
}

static const char HEX[] = "0123456789abcdefABCDEF";

/* "WORDS*8 hex digits:4 hex digits", nothing else. */
static int endpoint(const char *t, int words, struct listener *l)
{
	size_t len = strlen(t);
	int i;

	if (len != (size_t)words * 8 + 5 || t[words * 8] != ':' ||
	    strspn(t, HEX) != (size_t)words * 8 ||
	    strspn(t + words * 8 + 1, HEX) != 4)
		return -1;
	for (i = 0; i < words; i++) {
		char w[9];
		unsigned v;

		memcpy(w, t + i * 8, 8);
		w[8] = '\0';
		if (sscanf(w, "%8x", &v) != 1)
			return -1;
		/* The word as it sat in memory. */
		memcpy(l->addr + i * 4, &v, 4);
	}
	{
		unsigned port;

		if (sscanf(t + words * 8 + 1, "%4x", &port) != 1)
			return -1;
		l->port = (uint16_t)port;
	}
	return 0;
}

/* Returns the listener count, or -1 at the first malformed line. */
static int model(const uint8_t *data, size_t size, int family, int udp,
    struct want *w)
{
	char *buf = malloc(size + 1), *line, *save = NULL;
	size_t i, start = 0;
	int words = family == AF_INET ? 1 : 4, rc = 0;

	if (buf == NULL)
		abort();
	/* A NUL is an ordinary byte to the parser: neither blank nor digit. */
	for (i = 0; i < size; i++)
		buf[i] = data[i] == '\0' ? '\x01' : (char)data[i];
	buf[size] = '\0';
	w->count = 0;
	while (start < size) {
		char *tok[10], *sp = NULL, *end;
		int nt = 0;
		struct listener l, rem;
		unsigned st;
		unsigned long long inode;

		end = memchr(buf + start, '\n', size - start);
		if (end != NULL)
			*end = '\0';
		line = buf + start;
		start = end != NULL ? (size_t)(end - buf) + 1 : size;
		for (sp = strtok_r(line, " \t\r", &save); sp != NULL && nt < 10;
		    sp = strtok_r(NULL, " \t\r", &save))
			tok[nt++] = sp;
		if (nt == 0 || strcmp(tok[0], "sl") == 0)
			continue;
		memset(&l, 0, sizeof(l));
		memset(&rem, 0, sizeof(rem));
		l.family = family;
		l.udp = udp;
		if (nt < 10 || strlen(tok[0]) < 2 ||
		    tok[0][strlen(tok[0]) - 1] != ':' ||
		    endpoint(tok[1], words, &l) != 0 ||
		    endpoint(tok[2], words, &rem) != 0 ||
		    strlen(tok[3]) != 2 || strspn(tok[3], HEX) != 2 ||
		    strspn(tok[9], "0123456789") != strlen(tok[9])) {
			rc = -1;
			break;
		}
		/* The inode fits in 64 bits: at most 20 digits after leading
		 * zeros, and not above UINT64_MAX. */
		{
			const char *d = tok[9] + strspn(tok[9], "0");
			size_t nd = strlen(d);

			if (nd > 20 || (nd == 20 &&
			    strcmp(d, "18446744073709551615") > 0)) {
				rc = -1;
				break;
			}
			inode = strtoull(tok[9], NULL, 10);
		}
		sscanf(tok[3], "%2x", &st);
		if (!udp && st != 0x0a)
			continue;
		if (udp && (st != 0x07 || l.port == 0 || rem.port != 0 ||
		    memcmp(rem.addr, (uint8_t[16]){ 0 }, 16) != 0))
			continue;
		l.inode = inode;
		if (w->count < MAXL) {
			w->l[w->count] = l;
			snprintf(w->text[w->count], sizeof(w->text[0]), "%s",
			    tok[1]);
		}
		w->count++;
	}
	free(buf);
	return rc < 0 ? -1 : w->count;
}

static void check(void *ctx, const struct listener *l)
{
	struct want *w = ctx;
	const struct listener *m;
	char text[48];
	size_t i, o = 0;

	if (w->n >= w->count)
		fail("more listeners than the model found");
	if (w->n >= MAXL) {
		w->n++;
		return;
	}
	m = &w->l[w->n];
	if (l->family != m->family || l->udp != m->udp || l->pid != 0 ||
	    l->comm[0] != '\0')
		fail("family, protocol, pid or comm");
	if (l->port != m->port || l->inode != m->inode)
		fail("port or inode differs from the model");
	if (memcmp(l->addr, m->addr, l->family == AF_INET ? 4 : 16) != 0)
		fail("address differs from the model");
	/* Rendered back, it is the line's own column. */
	for (i = 0; i < (l->family == AF_INET ? 1u : 4u); i++) {
		uint32_t v;

		memcpy(&v, l->addr + i * 4, 4);
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%08X", v);
	}
	snprintf(text + o, sizeof(text) - o, ":%04X", l->port);
	if (strcasecmp(text, w->text[w->n]) != 0)
		fail("rendered entry differs from its line");
	w->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct want w;
	int fam[2] = { AF_INET, AF_INET6 }, i, got, want;

	for (i = 0; i < 4; i++) {
		w.n = 0;
		want = model(data, size, fam[i % 2], i / 2, &w);
		got = (i / 2 ? proc_net_udp_parse : proc_net_tcp_parse)(
		    (const char *)data, size, fam[i % 2], check, &w);
		if (got != want)
			fail("return value differs from the model");
		/* Every listener before a malformed line was reported. */
		if (w.n != w.count)
			fail("fewer listeners than the model found");
	}
	return 0;
}
