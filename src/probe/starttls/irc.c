/*
 * IRC (the IRCv3 tls extension): STARTTLS at once, before registering;
 * the answer is numeric 670 (go) or 691 (failed).  Notices and other
 * lines that come first are skipped, up to IRC_MAX_LINES.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "probe/preamble.h"

#define IRC_MAX_LINES 64

struct irc {
	struct pre_line l;
	uint8_t lines;
};

static const uint16_t irc_ports[] = { 6667, 0 };

static void irc_init(void *vc, const char *host)
{
	memset(vc, 0, sizeof(struct irc));
}

static enum pre_res irc_line(void *vc, struct pre_out *o, char *why, size_t cap)
{
	struct irc *c = vc;
	const char *s = c->l.s;

	if (!c->lines && s[0] != ':' && !pre_starts(&c->l, "NOTICE") &&
	    !pre_starts(&c->l, "PING") && !pre_starts(&c->l, "ERROR")) {
		pre_why_quote(why, cap, "not an IRC server", s, c->l.len);
		return PRE_NOT_PROTO;
	}
	c->lines++;
	if (strstr(s, " 670 "))
		return PRE_READY;
	if (strstr(s, " 691 ") || strstr(s, " 421 ") || strstr(s, " 451 ") ||
	    pre_starts(&c->l, "ERROR")) {
		pre_why_quote(why, cap, "STARTTLS refused", s, c->l.len);
		return PRE_REFUSED;
	}
	if (c->lines >= IRC_MAX_LINES) {
		snprintf(why, cap,
		    "the IRC server sent %u lines without "
		    "answering STARTTLS",
		    (unsigned)c->lines);
		return PRE_REFUSED;
	}
	return PRE_MORE;
}

static enum pre_res irc_step(void *vc, const uint8_t *in, size_t n,
    size_t *used, struct pre_out *o, char *why, size_t cap)
{
	struct irc *c = vc;

	if (!in) {
		*used = 0;
		return pre_send_str(o, "STARTTLS\r\n") == 0 ? PRE_MORE :
							      PRE_REFUSED;
	}
	return pre_run_lines(&c->l, in, n, used, irc_line, c, o, why, cap);
}

static const char *irc_waiting(const void *vc)
{
	return "the 670 answer to STARTTLS";
}

const struct preamble pre_irc = {
	"irc",
	"IRC",
	irc_ports,
	sizeof(struct irc),
	irc_init,
	irc_step,
	irc_waiting,
};
