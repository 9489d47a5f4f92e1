/*
 * SMTP (RFC 3207) and LMTP (RFC 2033): wait for the whole 220 greeting,
 * however late and however many 220- lines; EHLO (LHLO); the reply must
 * list STARTTLS; STARTTLS, then 220.  One command at a time: a server
 * that checks synchronization (exim) answers a pipelining client with
 * 554.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "probe/preamble.h"

enum { S_GREET, S_EHLO, S_STARTTLS };

struct smtp {
	struct pre_line l;
	uint8_t state;
	uint8_t lmtp;
	uint8_t has_starttls;
	uint8_t lines; /* lines of the greeting seen */
};

static const uint16_t smtp_ports[] = { 25, 587, 0 };
static const uint16_t lmtp_ports[] = { 24, 0 };

static void smtp_init(void *vc, const char *host)
{
	struct smtp *c = vc;

	memset(c, 0, sizeof(*c));
}

static void lmtp_init(void *vc, const char *host)
{
	struct smtp *c = vc;

	memset(c, 0, sizeof(*c));
	c->lmtp = 1;
}

/* "250-STARTTLS" or "250 STARTTLS", maybe with trailing blanks. */
static int is_starttls(const struct pre_line *l)
{
	size_t n = l->len;

	while (n > 4 && (l->s[n - 1] == ' ' || l->s[n - 1] == '\t'))
		n--;
	return n == 12 && !strncasecmp(l->s + 4, "STARTTLS", 8);
}

static enum pre_res smtp_line(void *vc, struct pre_out *o, char *why,
    size_t cap)
{
	struct smtp *c = vc;
	const char *proto = c->lmtp ? "LMTP" : "SMTP";
	unsigned code;
	int more;

	if (!pre_reply_code(&c->l, &code, &more)) {
		pre_why_quote(why, cap,
		    c->state == S_GREET && !c->lines ? "not an SMTP greeting" :
						       "not an SMTP reply",
		    c->l.s, c->l.len);
		return c->state == S_GREET && !c->lines ? PRE_NOT_PROTO :
							  PRE_REFUSED;
	}
	c->lines = c->lines < 255 ? c->lines + 1 : 255;
	switch (c->state) {
	case S_GREET:
		if (more)
			return PRE_MORE;
		if (code != 220) {
			pre_why_quote(why, cap,
			    c->lmtp ? "LMTP greeting" : "SMTP greeting", c->l.s,
			    c->l.len);
			return PRE_REFUSED;
		}
		if (pre_send_str(o,
			c->lmtp ? "LHLO heartcheck.invalid\r\n" :
				  "EHLO heartcheck.invalid\r\n") != 0)
			return PRE_REFUSED;
		c->state = S_EHLO;
		return PRE_MORE;
	case S_EHLO:
		if (code == 250 && is_starttls(&c->l))
			c->has_starttls = 1;
		if (more)
			return PRE_MORE;
		if (code != 250) {
			pre_why_quote(why, cap,
			    c->lmtp ? "LHLO refused" : "EHLO refused", c->l.s,
			    c->l.len);
			return PRE_REFUSED;
		}
		if (!c->has_starttls) {
			snprintf(why, cap,
			    "the %s server does not offer "
			    "STARTTLS (not in its %s reply)",
			    proto, c->lmtp ? "LHLO" : "EHLO");
			return PRE_REFUSED;
		}
		if (pre_send_str(o, "STARTTLS\r\n") != 0)
			return PRE_REFUSED;
		c->state = S_STARTTLS;
		return PRE_MORE;
	default:
		if (more)
			return PRE_MORE;
		if (code != 220) {
			pre_why_quote(why, cap, "STARTTLS refused", c->l.s,
			    c->l.len);
			return PRE_REFUSED;
		}
		return PRE_READY;
	}
}

static enum pre_res smtp_step(void *vc, const uint8_t *in, size_t n,
    size_t *used, struct pre_out *o, char *why, size_t cap)
{
	struct smtp *c = vc;

	return pre_run_lines(&c->l, in, n, used, smtp_line, c, o, why, cap);
}

static const char *smtp_waiting(const void *vc)
{
	const struct smtp *c = vc;

	switch (c->state) {
	case S_GREET:
		return "the 220 greeting";
	case S_EHLO:
		return c->lmtp ? "the LHLO reply" : "the EHLO reply";
	default:
		return "the answer to STARTTLS";
	}
}

const struct preamble pre_smtp = {
	"smtp",
	"SMTP",
	smtp_ports,
	sizeof(struct smtp),
	smtp_init,
	smtp_step,
	smtp_waiting,
};

const struct preamble pre_lmtp = {
	"lmtp",
	"LMTP",
	lmtp_ports,
	sizeof(struct smtp),
	lmtp_init,
	smtp_step,
	smtp_waiting,
};
