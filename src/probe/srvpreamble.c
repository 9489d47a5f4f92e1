/*
 * Server-side STARTTLS preambles (srvpreamble.h): one table per protocol,
 * one line-driven state machine for all of them.
 *
 * A command line is "VERB [ARG ...]", or "TAG VERB [ARG ...]" in IMAP.
 * The table says what each verb gets: a reply, the go-ahead for TLS, a
 * goodbye (the client quits), or the refusal a server that requires TLS
 * gives to a command that needs it (MAIL, LOGIN, USER, ...).  The client's
 * first line must be a verb of the protocol, or it is not a client of it.
 */
#include "probe/srvpreamble.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum srv_act {
	SA_REPLY, /* answer and go on */
	SA_TLS, /* the go-ahead: TLS starts after this line */
	SA_QUIT, /* the client ends the session */
	SA_NEEDS_TLS, /* refused until TLS is on */
	SA_AUTH_OTHER, /* FTP AUTH with a mechanism we do not offer */
};

struct srv_cmd {
	const char *verb;
	const char *arg; /* first argument that must follow, or NULL */
	const char *untagged; /* IMAP: "* ..." lines before the tagged one */
	const char *reply; /* after "TAG " in IMAP */
	uint8_t act;
};

struct srv_proto {
	const char *label; /* "SMTP" */
	const char *tls_verb; /* what the client must send: "STARTTLS" */
	const char *greeting;
	const struct srv_cmd *cmds; /* ended by verb == NULL */
	const char *unknown; /* the reply to any other command */
	uint8_t tagged; /* IMAP */
};

static const struct srv_cmd smtp_cmds[] = {
	{ "EHLO", NULL, NULL,
	    "250-heartcheck.invalid\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n"
	    "250 STARTTLS\r\n",
	    SA_REPLY },
	{ "HELO", NULL, NULL, "250 heartcheck.invalid\r\n", SA_REPLY },
	{ "STARTTLS", NULL, NULL, "220 2.0.0 Ready to start TLS\r\n", SA_TLS },
	{ "NOOP", NULL, NULL, "250 2.0.0 OK\r\n", SA_REPLY },
	{ "RSET", NULL, NULL, "250 2.0.0 OK\r\n", SA_REPLY },
	{ "QUIT", NULL, NULL, "221 2.0.0 Bye\r\n", SA_QUIT },
	{ "MAIL", NULL, NULL,
	    "530 5.7.0 Must issue a STARTTLS command first\r\n", SA_NEEDS_TLS },
	{ "RCPT", NULL, NULL,
	    "530 5.7.0 Must issue a STARTTLS command first\r\n", SA_NEEDS_TLS },
	{ "DATA", NULL, NULL,
	    "530 5.7.0 Must issue a STARTTLS command first\r\n", SA_NEEDS_TLS },
	{ "AUTH", NULL, NULL,
	    "530 5.7.0 Must issue a STARTTLS command first\r\n", SA_NEEDS_TLS },
	{ "VRFY", NULL, NULL, "252 2.0.0 Cannot VRFY\r\n", SA_REPLY },
	{ NULL, NULL, NULL, NULL, 0 },
};

#define IMAP_CAPS "IMAP4rev1 STARTTLS LOGINDISABLED"

static const struct srv_cmd imap_cmds[] = {
	{ "CAPABILITY", NULL, "* CAPABILITY " IMAP_CAPS "\r\n",
	    "OK CAPABILITY completed\r\n", SA_REPLY },
	{ "STARTTLS", NULL, NULL, "OK Begin TLS negotiation now\r\n", SA_TLS },
	{ "NOOP", NULL, NULL, "OK NOOP completed\r\n", SA_REPLY },
	{ "ID", NULL, "* ID NIL\r\n", "OK ID completed\r\n", SA_REPLY },
	{ "LOGOUT", NULL, "* BYE heartcheck logging out\r\n",
	    "OK LOGOUT completed\r\n", SA_QUIT },
	{ "LOGIN", NULL, NULL, "NO [PRIVACYREQUIRED] Use STARTTLS first\r\n",
	    SA_NEEDS_TLS },
	{ "AUTHENTICATE", NULL, NULL,
	    "NO [PRIVACYREQUIRED] Use STARTTLS first\r\n", SA_NEEDS_TLS },
	{ NULL, NULL, NULL, NULL, 0 },
};

static const struct srv_cmd pop3_cmds[] = {
	{ "CAPA", NULL, NULL,
	    "+OK Capability list follows\r\nSTLS\r\nUSER\r\n.\r\n", SA_REPLY },
	{ "STLS", NULL, NULL, "+OK Begin TLS negotiation\r\n", SA_TLS },
	{ "NOOP", NULL, NULL, "+OK\r\n", SA_REPLY },
	{ "QUIT", NULL, NULL, "+OK heartcheck signing off\r\n", SA_QUIT },
	{ "USER", NULL, NULL, "-ERR Use STLS first\r\n", SA_NEEDS_TLS },
	{ "PASS", NULL, NULL, "-ERR Use STLS first\r\n", SA_NEEDS_TLS },
	{ "APOP", NULL, NULL, "-ERR Use STLS first\r\n", SA_NEEDS_TLS },
	{ "AUTH", NULL, NULL, "-ERR Use STLS first\r\n", SA_NEEDS_TLS },
	{ NULL, NULL, NULL, NULL, 0 },
};

static const struct srv_cmd ftp_cmds[] = {
	{ "FEAT", NULL, NULL,
	    "211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 End\r\n",
	    SA_REPLY },
	{ "AUTH", "TLS", NULL, "234 Proceed with negotiation.\r\n", SA_TLS },
	{ "AUTH", "SSL", NULL, "234 Proceed with negotiation.\r\n", SA_TLS },
	{ "AUTH", "TLS-C", NULL, "234 Proceed with negotiation.\r\n", SA_TLS },
	{ "AUTH", NULL, NULL, "504 Unknown AUTH type.\r\n", SA_AUTH_OTHER },
	{ "SYST", NULL, NULL, "215 UNIX Type: L8\r\n", SA_REPLY },
	{ "NOOP", NULL, NULL, "200 NOOP ok.\r\n", SA_REPLY },
	{ "QUIT", NULL, NULL, "221 Goodbye.\r\n", SA_QUIT },
	{ "USER", NULL, NULL,
	    "530 Non-anonymous sessions must use encryption.\r\n",
	    SA_NEEDS_TLS },
	{ "PASS", NULL, NULL,
	    "530 Non-anonymous sessions must use encryption.\r\n",
	    SA_NEEDS_TLS },
	{ NULL, NULL, NULL, NULL, 0 },
};

static const struct srv_proto smtp_proto = { "SMTP", "STARTTLS",
	"220 heartcheck.invalid ESMTP heartcheck\r\n", smtp_cmds,
	"502 5.5.2 Command not recognized\r\n", 0 };
static const struct srv_proto imap_proto = { "IMAP", "STARTTLS",
	"* OK [CAPABILITY " IMAP_CAPS "] heartcheck ready\r\n", imap_cmds,
	"BAD Command unknown or not allowed before STARTTLS\r\n", 1 };
static const struct srv_proto pop3_proto = { "POP3", "STLS",
	"+OK heartcheck POP3 ready\r\n", pop3_cmds, "-ERR Unknown command\r\n",
	0 };
static const struct srv_proto ftp_proto = { "FTP", "AUTH TLS",
	"220 heartcheck FTP ready\r\n", ftp_cmds, "500 Unknown command.\r\n",
	0 };

/* Longest verb (or tag) kept for messages. */
#define WORD_MAX 16

struct srv {
	const struct srv_proto *p;
	struct pre_line l;
	uint8_t cmds; /* command lines seen */
	uint8_t plain; /* commands that needed TLS */
	char last[WORD_MAX + 1]; /* the last verb */
	char first_plain[WORD_MAX + 1]; /* the first that needed TLS */
	char waiting[96];
};

/* Copies the word at *s (up to a blank) into out, a byte outside
 * printable ASCII as '?' (it is echoed and quoted); *s moves past it and
 * the blanks after it. */
static void take_word(const char **s, char *out, size_t cap)
{
	size_t n = 0;

	while (**s && **s != ' ' && **s != '\t') {
		unsigned char ch = (unsigned char)*(*s)++;

		if (n + 1 < cap)
			out[n++] = ch > 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	out[n] = '\0';
	while (**s == ' ' || **s == '\t')
		(*s)++;
}

static const struct srv_cmd *find_cmd(const struct srv_proto *p,
    const char *verb, const char *rest)
{
	char arg[WORD_MAX + 1];
	const struct srv_cmd *c;

	take_word(&rest, arg, sizeof(arg));
	for (c = p->cmds; c->verb; c++)
		if (!strcasecmp(c->verb, verb) &&
		    (!c->arg || !strcasecmp(c->arg, arg)))
			return c;
	return NULL;
}

static void set_waiting(struct srv *s)
{
	if (!s->cmds)
		snprintf(s->waiting, sizeof(s->waiting),
		    "the client's first %s command", s->p->label);
	else
		snprintf(s->waiting, sizeof(s->waiting),
		    "%s (the client's last command: %s)", s->p->tls_verb,
		    s->last);
}

/* Queues the reply: the untagged lines, then the tag and the reply. */
static int reply(struct srv *s, struct pre_out *o, const char *tag,
    const char *untagged, const char *text)
{
	if (untagged && pre_send_str(o, untagged) != 0)
		return -1;
	if (s->p->tagged &&
	    (pre_send_str(o, tag) != 0 || pre_send_str(o, " ") != 0))
		return -1;
	return pre_send_str(o, text);
}

/* 1 if the line holds a byte no text protocol sends. */
static int binary(const struct pre_line *l)
{
	size_t i;

	for (i = 0; i < l->len; i++) {
		unsigned char c = (unsigned char)l->s[i];

		if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
			return 1;
	}
	return 0;
}

static enum pre_res not_proto(struct srv *s, char *why, size_t cap,
    const char *what)
{
	char pre[64];

	snprintf(pre, sizeof(pre), "the client does not speak %s: %s",
	    s->p->label, what);
	pre_why_quote(why, cap, pre, s->l.s, s->l.len < 48 ? s->l.len : 48);
	return PRE_NOT_PROTO;
}

static enum pre_res srv_line(void *vs, struct pre_out *o, char *why, size_t cap)
{
	struct srv *s = vs;
	char tag[WORD_MAX + 1] = "", verb[WORD_MAX + 1];
	const char *rest = s->l.s;
	const struct srv_cmd *c;

	if (s->l.truncated)
		return not_proto(s, why, cap, "a line longer than 200 bytes");
	if (binary(&s->l))
		return not_proto(s, why, cap, "binary bytes");
	if (s->p->tagged)
		take_word(&rest, tag, sizeof(tag));
	take_word(&rest, verb, sizeof(verb));
	c = verb[0] ? find_cmd(s->p, verb, rest) : NULL;
	if (!c && !s->cmds)
		return not_proto(s, why, cap, "an unknown first command");
	s->cmds++;
	snprintf(s->last, sizeof(s->last), "%s", verb[0] ? verb : "(empty)");
	set_waiting(s);
	if (reply(s, o, tag[0] ? tag : "*", c ? c->untagged : NULL,
		c ? c->reply : s->p->unknown) != 0) {
		snprintf(why, cap, "internal: the %s reply does not fit",
		    s->p->label);
		return PRE_REFUSED;
	}
	if (c && c->act == SA_TLS)
		return PRE_READY;
	if (c && c->act == SA_NEEDS_TLS && !s->plain++)
		snprintf(s->first_plain, sizeof(s->first_plain), "%s", verb);
	if (c && c->act == SA_QUIT) {
		snprintf(why, cap,
		    "the %s client quit (%s) without asking for %s%s%s%s",
		    s->p->label, verb, s->p->tls_verb,
		    s->plain ? "; it sent " : "", s->first_plain,
		    s->plain ? " in plaintext" : "");
		return PRE_REFUSED;
	}
	if (s->cmds >= SRVPRE_MAX_CMDS) {
		snprintf(why, cap,
		    "the %s client sent %u commands without asking for %s "
		    "(the last: %s)",
		    s->p->label, (unsigned)s->cmds, s->p->tls_verb, s->last);
		return PRE_REFUSED;
	}
	return PRE_MORE;
}

static void srv_init(struct srv *s, const struct srv_proto *p)
{
	memset(s, 0, sizeof(*s));
	s->p = p;
	set_waiting(s);
}

static enum pre_res srv_step(void *vs, const uint8_t *in, size_t n,
    size_t *used, struct pre_out *o, char *why, size_t cap)
{
	struct srv *s = vs;
	enum pre_res r;

	*used = 0;
	if (!in) {
		if (pre_send_str(o, s->p->greeting) != 0) {
			snprintf(why, cap,
			    "internal: the %s greeting does "
			    "not fit",
			    s->p->label);
			return PRE_REFUSED;
		}
		return PRE_MORE;
	}
	if (n && s->l.len == 0 && !s->cmds &&
	    (in[0] == 0x16 || in[0] == 0x80)) {
		snprintf(why, cap,
		    "the client does not speak %s: it sent a TLS hello "
		    "without %s (a "
		    "client of implicit TLS: test it without --starttls)",
		    s->p->label, s->p->tls_verb);
		return PRE_NOT_PROTO;
	}
	r = pre_run_lines(&s->l, in, n, used, srv_line, s, o, why, cap);
	if (r != PRE_MORE)
		return r;
	/* A line still open: judge it now rather than wait for its end. */
	if (s->l.truncated)
		return not_proto(s, why, cap, "a line longer than 200 bytes");
	if (binary(&s->l))
		return not_proto(s, why, cap, "binary bytes");
	return PRE_MORE;
}

static const char *srv_waiting(const void *vs)
{
	return ((const struct srv *)vs)->waiting;
}

static const uint16_t no_ports[] = { 0 };

#define SRV_MODULE(id, name, label) \
	static void id##_srv_init(void *vs, const char *host) \
	{ \
		srv_init(vs, &id##_proto); \
	} \
	static const struct preamble srv_##id = { name, label, no_ports, \
		sizeof(struct srv), id##_srv_init, srv_step, srv_waiting }

SRV_MODULE(smtp, "smtp", "SMTP");
SRV_MODULE(imap, "imap", "IMAP");
SRV_MODULE(pop3, "pop3", "POP3");
SRV_MODULE(ftp, "ftp", "FTP");

const struct preamble *const srv_preambles[] = {
	&srv_smtp,
	&srv_imap,
	&srv_pop3,
	&srv_ftp,
	NULL,
};

const struct preamble *srv_preamble_find(const char *name)
{
	return preamble_find_in(srv_preambles, name);
}

void srv_preamble_names(char *buf, size_t cap)
{
	preamble_names_in(srv_preambles, buf, cap);
}

/* ------------------------------------------------------------------ */
/* The engine's side: struct client_preamble over a module.             */

static struct pre_out to_pre_out(struct probe_out *o)
{
	struct pre_out po = { o->buf + o->len, o->cap - o->len, 0 };

	return po;
}

static void cp_connected(void *st, struct probe_out *o)
{
	struct srvpre_conn *c = st;
	struct pre_out po = to_pre_out(o);
	char why[8];
	size_t used;

	c->pre->init(c->ctx, NULL);
	c->pre->step(c->ctx, NULL, 0, &used, &po, why, sizeof(why));
	o->len += po.len;
}

static enum client_pre cp_data(void *st, const uint8_t *b, size_t n,
    size_t *used, struct probe_out *o, char *why, size_t cap)
{
	struct srvpre_conn *c = st;
	struct pre_out po = to_pre_out(o);
	enum pre_res r;

	r = c->pre->step(c->ctx, b, n, used, &po, why, cap);
	o->len += po.len;
	switch (r) {
	case PRE_READY:
		return CPRE_TLS;
	case PRE_REFUSED:
		return CPRE_REFUSED;
	case PRE_NOT_PROTO:
		return CPRE_FAIL;
	default:
		return CPRE_MORE;
	}
}

static const char *cp_waiting(const void *st)
{
	const struct srvpre_conn *c = st;

	return c->pre->waiting(c->ctx);
}

int srvpre_bind(struct srvpre_conn *c, const struct preamble *pre)
{
	memset(c, 0, sizeof(*c));
	c->ctx = calloc(1, pre->ctx_size);
	if (!c->ctx)
		return -1;
	c->pre = pre;
	pre->init(c->ctx, NULL);
	c->cp.name = pre->label;
	c->cp.on_connected = cp_connected;
	c->cp.on_data = cp_data;
	c->cp.waiting = cp_waiting;
	c->cp.st = c;
	return 0;
}

void srvpre_free(struct srvpre_conn *c)
{
	free(c->ctx);
	c->ctx = NULL;
}
