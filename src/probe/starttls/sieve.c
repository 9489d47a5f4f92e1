/*
 * ManageSieve (RFC 5804): the greeting is the capability list, one
 * quoted name per line, ending in OK; it must hold "STARTTLS".
 * STARTTLS, then OK.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "probe/preamble.h"

struct sieve {
	struct pre_line l;
	uint8_t sent;
	uint8_t has_starttls;
	uint8_t lines;
};

static const uint16_t sieve_ports[] = { 4190, 0 };

static void sieve_init(void *vc, const char *host)
{
	memset(vc, 0, sizeof(struct sieve));
}

static enum pre_res sieve_line(void *vc, struct pre_out *o, char *why,
    size_t cap)
{
	struct sieve *c = vc;
	int first = !c->lines;

	c->lines = c->lines < 255 ? c->lines + 1 : 255;
	if (pre_starts(&c->l, "NO") || pre_starts(&c->l, "BYE")) {
		pre_why_quote(why, cap,
		    c->sent ? "STARTTLS refused" : "ManageSieve greeting",
		    c->l.s, c->l.len);
		return PRE_REFUSED;
	}
	if (c->sent) {
		if (!pre_starts(&c->l, "OK")) {
			pre_why_quote(why, cap, "not a ManageSieve reply",
			    c->l.s, c->l.len);
			return PRE_REFUSED;
		}
		return PRE_READY;
	}
	if (c->l.s[0] == '"') {
		if (pre_starts(&c->l, "\"STARTTLS\""))
			c->has_starttls = 1;
		return PRE_MORE;
	}
	if (!pre_starts(&c->l, "OK")) {
		pre_why_quote(why, cap,
		    first ? "not a ManageSieve greeting" :
			    "not a ManageSieve reply",
		    c->l.s, c->l.len);
		return first ? PRE_NOT_PROTO : PRE_REFUSED;
	}
	if (!c->has_starttls) {
		snprintf(why, cap,
		    "the ManageSieve server does not offer "
		    "STARTTLS (not in its capabilities)");
		return PRE_REFUSED;
	}
	if (pre_send_str(o, "STARTTLS\r\n") != 0)
		return PRE_REFUSED;
	c->sent = 1;
	return PRE_MORE;
}

static enum pre_res sieve_step(void *vc, const uint8_t *in, size_t n,
    size_t *used, struct pre_out *o, char *why, size_t cap)
{
	struct sieve *c = vc;

	return pre_run_lines(&c->l, in, n, used, sieve_line, c, o, why, cap);
}

static const char *sieve_waiting(const void *vc)
{
	const struct sieve *c = vc;

	return c->sent ? "the answer to STARTTLS" : "the capability greeting";
}

const struct preamble pre_sieve = {
	"sieve",
	"ManageSieve",
	sieve_ports,
	sizeof(struct sieve),
	sieve_init,
	sieve_step,
	sieve_waiting,
};
