/*
 * POP3 (RFC 2595): "+OK" greeting; STLS, then "+OK".
 */
#include <string.h>

#include "probe/preamble.h"

struct pop3 {
	struct pre_line l;
	uint8_t sent;
};

static const uint16_t pop3_ports[] = { 110, 0 };

static void pop3_init(void *vc, const char *host)
{
	memset(vc, 0, sizeof(struct pop3));
}

static enum pre_res pop3_line(void *vc, struct pre_out *o, char *why,
    size_t cap)
{
	struct pop3 *c = vc;

	if (!c->sent) {
		if (pre_starts(&c->l, "-ERR")) {
			pre_why_quote(why, cap, "POP3 greeting", c->l.s,
			    c->l.len);
			return PRE_REFUSED;
		}
		if (!pre_starts(&c->l, "+OK")) {
			pre_why_quote(why, cap, "not a POP3 greeting", c->l.s,
			    c->l.len);
			return PRE_NOT_PROTO;
		}
		if (pre_send_str(o, "STLS\r\n") != 0)
			return PRE_REFUSED;
		c->sent = 1;
		return PRE_MORE;
	}
	if (!pre_starts(&c->l, "+OK")) {
		pre_why_quote(why, cap, "STLS refused", c->l.s, c->l.len);
		return PRE_REFUSED;
	}
	return PRE_READY;
}

static enum pre_res pop3_step(void *vc, const uint8_t *in, size_t n,
    size_t *used, struct pre_out *o, char *why, size_t cap)
{
	struct pop3 *c = vc;

	return pre_run_lines(&c->l, in, n, used, pop3_line, c, o, why, cap);
}

static const char *pop3_waiting(const void *vc)
{
	const struct pop3 *c = vc;

	return c->sent ? "the answer to STLS" : "the \"+OK\" greeting";
}

const struct preamble pre_pop3 = {
	"pop3",
	"POP3",
	pop3_ports,
	sizeof(struct pop3),
	pop3_init,
	pop3_step,
	pop3_waiting,
};
