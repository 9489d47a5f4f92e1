/*
 * The STARTTLS registry and the helpers its modules share (preamble.h).
 */
#include "probe/preamble.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

extern const struct preamble pre_smtp, pre_lmtp, pre_imap, pre_pop3, pre_ftp,
    pre_xmpp, pre_xmpp_server, pre_ldap, pre_postgres, pre_mysql, pre_nntp,
    pre_sieve, pre_irc, pre_telnet, pre_rdp;

/* One line per protocol. */
const struct preamble *const preambles[] = {
	&pre_smtp,
	&pre_lmtp,
	&pre_imap,
	&pre_pop3,
	&pre_ftp,
	&pre_xmpp,
	&pre_xmpp_server,
	&pre_ldap,
	&pre_postgres,
	&pre_mysql,
	&pre_nntp,
	&pre_sieve,
	&pre_irc,
	&pre_telnet,
	&pre_rdp,
	NULL,
};

const struct preamble *preamble_find_in(const struct preamble *const *reg,
    const char *name)
{
	size_t i;

	for (i = 0; name && reg[i]; i++)
		if (!strcasecmp(name, reg[i]->name))
			return reg[i];
	return NULL;
}

const struct preamble *preamble_find(const char *name)
{
	return preamble_find_in(preambles, name);
}

const struct preamble *preamble_for_port(uint16_t port)
{
	const uint16_t *p;
	size_t i;

	for (i = 0; port && preambles[i]; i++)
		for (p = preambles[i]->ports; p && *p; p++)
			if (*p == port)
				return preambles[i];
	return NULL;
}

void preamble_names_in(const struct preamble *const *reg, char *buf, size_t cap)
{
	size_t i, w = 0;

	if (cap)
		buf[0] = '\0';
	for (i = 0; reg[i] && w < cap; i++) {
		int k = snprintf(buf + w, cap - w, "%s%s", i ? ", " : "",
		    reg[i]->name);

		if (k < 0)
			break;
		w += (size_t)k;
	}
}

void preamble_names(char *buf, size_t cap)
{
	preamble_names_in(preambles, buf, cap);
}

int pre_line_take(struct pre_line *l, const uint8_t *in, size_t n, size_t *used)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t c = in[i];

		if (c == '\n') {
			if (l->len && l->s[l->len - 1] == '\r' && !l->truncated)
				l->len--;
			l->s[l->len] = '\0';
			*used = i + 1;
			return 1;
		}
		if (l->len < PRE_LINE_MAX)
			l->s[l->len++] = (char)c;
		else
			l->truncated = 1;
	}
	l->s[l->len] = '\0';
	*used = n;
	return 0;
}

int pre_send(struct pre_out *o, const void *s, size_t n)
{
	if (o->cap - o->len < n || o->len > o->cap)
		return -1;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return 0;
}

int pre_send_str(struct pre_out *o, const char *s)
{
	return pre_send(o, s, strlen(s));
}

void pre_why_quote(char *why, size_t cap, const char *prefix, const char *words,
    size_t n)
{
	size_t w, i;
	int k;

	if (!cap)
		return;
	k = snprintf(why, cap, "%s: \"", prefix);
	w = k < 0 ? 0 : (size_t)k;
	if (w >= cap)
		w = cap - 1;
	for (i = 0; i < n && w + 6 < cap; i++) {
		unsigned char c = (unsigned char)words[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			why[w++] = (char)c;
		else
			w += (size_t)snprintf(why + w, cap - w, "\\x%02x", c);
	}
	if (w + 2 <= cap) {
		why[w++] = '"';
		why[w] = '\0';
	} else {
		why[cap - 1] = '\0';
	}
}

int pre_reply_code(const struct pre_line *l, unsigned *code, int *more)
{
	const char *s = l->s;

	if (l->len < 3 || s[0] < '1' || s[0] > '5' || s[1] < '0' ||
	    s[1] > '9' || s[2] < '0' || s[2] > '9')
		return 0;
	if (l->len > 3 && s[3] != ' ' && s[3] != '-')
		return 0;
	*code =
	    (unsigned)((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'));
	*more = l->len > 3 && s[3] == '-';
	return 1;
}

enum pre_res pre_run_lines(struct pre_line *l, const uint8_t *in, size_t n,
    size_t *used, pre_line_fn fn, void *ctx, struct pre_out *o, char *why,
    size_t whycap)
{
	size_t off = 0, k;
	enum pre_res r;

	while (off < n) {
		k = 0;
		if (!pre_line_take(l, in + off, n - off, &k)) {
			off += k;
			break;
		}
		off += k;
		r = fn(ctx, o, why, whycap);
		l->len = 0;
		l->truncated = 0;
		l->s[0] = '\0';
		if (r != PRE_MORE) {
			*used = off;
			return r;
		}
	}
	*used = off;
	return PRE_MORE;
}

int pre_starts(const struct pre_line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->len >= n && !strncasecmp(l->s, prefix, n);
}
