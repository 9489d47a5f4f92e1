/*
 * IMAP (RFC 2595, RFC 3501): "* OK" greeting; "a CAPABILITY" must list
 * STARTTLS; "b STARTTLS", then "b OK".
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "probe/preamble.h"

enum { S_GREET, S_CAPA, S_STARTTLS };

struct imap {
	struct pre_line l;
	uint8_t state;
	uint8_t has_starttls;
};

static const uint16_t imap_ports[] = { 143, 0 };

static void imap_init(void *vc, const char *host)
{
	memset(vc, 0, sizeof(struct imap));
}

static int lists_starttls(const struct pre_line *l)
{
	const char *p = strcasestr(l->s, "STARTTLS");

	return p && p > l->s && (p[-1] == ' ' || p[-1] == '[') &&
	    (p[8] == '\0' || p[8] == ' ' || p[8] == ']');
}

static enum pre_res imap_line(void *vc, struct pre_out *o, char *why,
    size_t cap)
{
	struct imap *c = vc;

	if (pre_starts(&c->l, "* BYE")) {
		pre_why_quote(why, cap, "the IMAP server said BYE", c->l.s,
		    c->l.len);
		return PRE_REFUSED;
	}
	switch (c->state) {
	case S_GREET:
		if (pre_starts(&c->l, "* PREAUTH")) {
			pre_why_quote(why, cap,
			    "IMAP PREAUTH (STARTTLS is "
			    "not allowed after it)",
			    c->l.s, c->l.len);
			return PRE_REFUSED;
		}
		if (!pre_starts(&c->l, "* OK")) {
			pre_why_quote(why, cap, "not an IMAP greeting", c->l.s,
			    c->l.len);
			return PRE_NOT_PROTO;
		}
		if (pre_send_str(o, "a CAPABILITY\r\n") != 0)
			return PRE_REFUSED;
		c->state = S_CAPA;
		return PRE_MORE;
	case S_CAPA:
		if (pre_starts(&c->l, "* CAPABILITY") && lists_starttls(&c->l))
			c->has_starttls = 1;
		if (!pre_starts(&c->l, "a "))
			return PRE_MORE;
		if (!pre_starts(&c->l, "a OK")) {
			pre_why_quote(why, cap, "CAPABILITY failed", c->l.s,
			    c->l.len);
			return PRE_REFUSED;
		}
		if (!c->has_starttls) {
			snprintf(why, cap,
			    "the IMAP server does not offer "
			    "STARTTLS (not in its CAPABILITY)");
			return PRE_REFUSED;
		}
		if (pre_send_str(o, "b STARTTLS\r\n") != 0)
			return PRE_REFUSED;
		c->state = S_STARTTLS;
		return PRE_MORE;
	default:
		if (!pre_starts(&c->l, "b "))
			return PRE_MORE;
		if (!pre_starts(&c->l, "b OK")) {
			pre_why_quote(why, cap, "STARTTLS refused", c->l.s,
			    c->l.len);
			return PRE_REFUSED;
		}
		return PRE_READY;
	}
}

static enum pre_res imap_step(void *vc, const uint8_t *in, size_t n,
    size_t *used, struct pre_out *o, char *why, size_t cap)
{
	struct imap *c = vc;

	return pre_run_lines(&c->l, in, n, used, imap_line, c, o, why, cap);
}

static const char *imap_waiting(const void *vc)
{
	const struct imap *c = vc;

	return c->state == S_GREET ? "the \"* OK\" greeting" :
	    c->state == S_CAPA	   ? "the CAPABILITY reply" :
				     "the answer to STARTTLS";
}

const struct preamble pre_imap = {
	"imap",
	"IMAP",
	imap_ports,
	sizeof(struct imap),
	imap_init,
	imap_step,
	imap_waiting,
};
