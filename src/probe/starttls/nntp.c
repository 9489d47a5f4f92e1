/*
 * NNTP (RFC 4642): greeting 200 or 201 (posting allowed or not: both may
 * offer STARTTLS); STARTTLS, then 382.
 */
#include <string.h>

#include "probe/preamble.h"

struct nntp {
	struct pre_line l;
	uint8_t sent;
};

static const uint16_t nntp_ports[] = { 119, 0 };

static void nntp_init(void *vc, const char *host)
{
	memset(vc, 0, sizeof(struct nntp));
}

static enum pre_res nntp_line(void *vc, struct pre_out *o, char *why,
    size_t cap)
{
	struct nntp *c = vc;
	unsigned code;
	int more;

	if (!pre_reply_code(&c->l, &code, &more)) {
		pre_why_quote(why, cap,
		    c->sent ? "not an NNTP reply" : "not an NNTP greeting",
		    c->l.s, c->l.len);
		return c->sent ? PRE_REFUSED : PRE_NOT_PROTO;
	}
	if (!c->sent) {
		if (code != 200 && code != 201) {
			pre_why_quote(why, cap, "NNTP greeting", c->l.s,
			    c->l.len);
			return PRE_REFUSED;
		}
		if (pre_send_str(o, "STARTTLS\r\n") != 0)
			return PRE_REFUSED;
		c->sent = 1;
		return PRE_MORE;
	}
	if (code != 382) {
		pre_why_quote(why, cap, "STARTTLS refused", c->l.s, c->l.len);
		return PRE_REFUSED;
	}
	return PRE_READY;
}

static enum pre_res nntp_step(void *vc, const uint8_t *in, size_t n,
    size_t *used, struct pre_out *o, char *why, size_t cap)
{
	struct nntp *c = vc;

	return pre_run_lines(&c->l, in, n, used, nntp_line, c, o, why, cap);
}

static const char *nntp_waiting(const void *vc)
{
	const struct nntp *c = vc;

	return c->sent ? "the answer to STARTTLS" : "the 200/201 greeting";
}

const struct preamble pre_nntp = {
	"nntp",
	"NNTP",
	nntp_ports,
	sizeof(struct nntp),
	nntp_init,
	nntp_step,
	nntp_waiting,
};
