/*
 * Telnet START_TLS (option 46, draft-altman-telnet-starttls): offer
 * IAC WILL START_TLS; the server's IAC SB START_TLS FOLLOWS IAC SE says
 * go, and the same sent back starts TLS.  IAC DONT START_TLS is a
 * refusal.  Other options the server asks for are declined, a bounded
 * number of times; text without any negotiation is bounded too.
 */
#include <stdio.h>
#include <string.h>

#include "probe/preamble.h"

#define IAC 255
#define DONT 254
#define DO 253
#define WONT 252
#define WILL 251
#define SB 250
#define SE 240
#define OPT_START_TLS 46
#define FOLLOWS 1
#define TN_TEXT_MAX 4096
#define TN_REPLIES_MAX 32
#define TN_SB_MAX 16

enum { T_DATA, T_IAC, T_OPT, T_SB, T_SB_IAC };

struct telnet {
	uint8_t state;
	uint8_t cmd;
	uint8_t replies;
	uint8_t sb_len;
	uint8_t sb[TN_SB_MAX];
	uint8_t seen_iac;
	uint16_t text;
};

static const uint16_t tn_ports[] = { 23, 0 };

static const uint8_t will_tls[] = { IAC, WILL, OPT_START_TLS };
static const uint8_t follows[] = { IAC, SB, OPT_START_TLS, FOLLOWS, IAC, SE };

static void tn_init(void *vc, const char *host)
{
	memset(vc, 0, sizeof(struct telnet));
}

static enum pre_res tn_option(struct telnet *c, uint8_t opt, struct pre_out *o,
    char *why, size_t cap)
{
	uint8_t reply[3] = { IAC, 0, opt };

	if (opt == OPT_START_TLS) {
		if (c->cmd == DONT || c->cmd == WONT) {
			snprintf(why, cap,
			    "the telnet server declined "
			    "START_TLS (IAC %s START_TLS)",
			    c->cmd == DONT ? "DONT" : "WONT");
			return PRE_REFUSED;
		}
		return PRE_MORE;
	}
	if ((c->cmd == DO || c->cmd == WILL) && c->replies < TN_REPLIES_MAX) {
		reply[1] = c->cmd == DO ? WONT : DONT;
		c->replies++;
		if (pre_send(o, reply, sizeof(reply)) != 0)
			return PRE_REFUSED;
	}
	return PRE_MORE;
}

static enum pre_res tn_step(void *vc, const uint8_t *in, size_t n, size_t *used,
    struct pre_out *o, char *why, size_t cap)
{
	struct telnet *c = vc;
	enum pre_res r;
	size_t i;

	*used = 0;
	if (!in)
		return pre_send(o, will_tls, sizeof(will_tls)) == 0 ?
		    PRE_MORE :
		    PRE_REFUSED;
	for (i = 0; i < n; i++) {
		uint8_t b = in[i];

		switch (c->state) {
		case T_DATA:
			if (b == IAC) {
				c->state = T_IAC;
				c->seen_iac = 1;
			} else if (++c->text >= TN_TEXT_MAX ||
			    (!c->seen_iac && c->text >= 512)) {
				snprintf(why, cap,
				    "%u bytes of text and no "
				    "START_TLS negotiation",
				    c->text);
				*used = i + 1;
				return c->seen_iac ? PRE_REFUSED :
						     PRE_NOT_PROTO;
			}
			break;
		case T_IAC:
			if (b == DO || b == DONT || b == WILL || b == WONT) {
				c->cmd = b;
				c->state = T_OPT;
			} else if (b == SB) {
				c->sb_len = 0;
				c->state = T_SB;
			} else {
				c->state = T_DATA;
			}
			break;
		case T_OPT:
			c->state = T_DATA;
			r = tn_option(c, b, o, why, cap);
			if (r != PRE_MORE) {
				*used = i + 1;
				return r;
			}
			break;
		case T_SB:
			if (b == IAC)
				c->state = T_SB_IAC;
			else if (c->sb_len < TN_SB_MAX)
				c->sb[c->sb_len++] = b;
			break;
		case T_SB_IAC:
			if (b == SE) {
				c->state = T_DATA;
				if (c->sb_len == 2 &&
				    c->sb[0] == OPT_START_TLS &&
				    c->sb[1] == FOLLOWS) {
					*used = i + 1;
					return pre_send(o, follows,
						   sizeof(follows)) == 0 ?
					    PRE_READY :
					    PRE_REFUSED;
				}
			} else {
				/* IAC IAC: a data 255 inside the option */
				if (c->sb_len < TN_SB_MAX)
					c->sb[c->sb_len++] = b;
				c->state = T_SB;
			}
			break;
		}
	}
	*used = n;
	return PRE_MORE;
}

static const char *tn_waiting(const void *vc)
{
	return "IAC SB START_TLS FOLLOWS";
}

const struct preamble pre_telnet = {
	"telnet",
	"Telnet",
	tn_ports,
	sizeof(struct telnet),
	tn_init,
	tn_step,
	tn_waiting,
};
