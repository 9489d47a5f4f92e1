/*
 * Telnet with TLS, in either of its two forms (docs/probe.md §10):
 *
 *  - START_TLS (option 46, draft-altman-telnet-starttls): the server's
 *    IAC SB START_TLS FOLLOWS IAC SE says go, and the same sent back
 *    starts TLS;
 *  - AUTHENTICATION (option 37, RFC 2941) of type SSL (7), as telnetd-ssl
 *    speaks it: the server's IAC SB AUTHENTICATION SEND lists SSL, the
 *    client answers IS SSL START, and the server's REPLY SSL ACCEPT
 *    starts TLS.
 *
 * Both are offered at once (IAC WILL START_TLS IAC WILL AUTHENTICATION);
 * whichever the server takes first is followed.  It is a refusal when the
 * server has declined both, or has declined START_TLS and goes on to send
 * text.  Other options the server asks for are declined, a bounded number
 * of times; text without any negotiation is bounded too.
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
#define OPT_AUTH 37
#define OPT_START_TLS 46
#define FOLLOWS 1
#define AUTH_IS 0
#define AUTH_SEND 1
#define AUTH_REPLY 2
#define AUTH_NULL 0
#define AUTH_SSL 7
#define SSL_START 1
#define SSL_ACCEPT 2
#define TN_TEXT_MAX 4096
#define TN_REPLIES_MAX 32
#define TN_SB_MAX 64

enum { T_DATA, T_IAC, T_OPT, T_SB, T_SB_IAC };

struct telnet {
	uint8_t state;
	uint8_t cmd;
	uint8_t replies;
	uint8_t sb_len;
	uint8_t sb[TN_SB_MAX];
	uint8_t seen_iac;
	uint8_t tls_no; /* the IAC command that declined START_TLS, or 0 */
	uint8_t auth_no; /* what declined AUTHENTICATION SSL, or 0 */
	uint8_t auth_started; /* IS SSL START sent */
	uint16_t text;
};

/* What declined AUTHENTICATION SSL, besides IAC DONT/WONT. */
enum { NO_SSL_TYPE = 1, SSL_REJECTED = 2 };

static const uint16_t tn_ports[] = { 23, 0 };

static const uint8_t offer[] = { IAC, WILL, OPT_START_TLS, IAC, WILL,
	OPT_AUTH };
static const uint8_t follows[] = { IAC, SB, OPT_START_TLS, FOLLOWS, IAC, SE };

static void tn_init(void *vc, const char *host)
{
	memset(vc, 0, sizeof(struct telnet));
}

static const char *tn_cmd(uint8_t cmd)
{
	return cmd == DONT ? "DONT" : "WONT";
}

/* The sentence for a server that will have neither; PRE_REFUSED. */
static enum pre_res tn_refuse(const struct telnet *c, const char *then,
    char *why, size_t cap)
{
	char auth[64];

	if (c->auth_no == NO_SSL_TYPE)
		snprintf(auth, sizeof(auth),
		    "offered no AUTHENTICATION of type SSL");
	else if (c->auth_no == SSL_REJECTED)
		snprintf(auth, sizeof(auth), "rejected AUTHENTICATION SSL");
	else if (c->auth_no)
		snprintf(auth, sizeof(auth),
		    "declined AUTHENTICATION (IAC %s AUTHENTICATION)",
		    tn_cmd(c->auth_no));
	else
		snprintf(auth, sizeof(auth), "%s", then);
	snprintf(why, cap,
	    "the telnet server declined START_TLS (IAC %s START_TLS) and %s",
	    tn_cmd(c->tls_no), auth);
	return PRE_REFUSED;
}

static enum pre_res tn_option(struct telnet *c, uint8_t opt, struct pre_out *o,
    char *why, size_t cap)
{
	uint8_t reply[3] = { IAC, 0, opt };
	int no = c->cmd == DONT || c->cmd == WONT;

	if (opt == OPT_START_TLS || opt == OPT_AUTH) {
		/* DO/WILL acknowledge our offer: nothing to answer. */
		if (!no)
			return PRE_MORE;
		if (opt == OPT_START_TLS)
			c->tls_no = c->cmd;
		else if (!c->auth_no)
			c->auth_no = c->cmd;
		if (c->tls_no && c->auth_no)
			return tn_refuse(c, "", why, cap);
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

/* IAC SB AUTHENTICATION ... IAC SE, whole, in c->sb. */
static enum pre_res tn_auth(struct telnet *c, struct pre_out *o, char *why,
    size_t cap)
{
	/* RFC 2941: a client with none of the types offered answers NULL. */
	static const uint8_t is_null[] = { IAC, SB, OPT_AUTH, AUTH_IS,
		AUTH_NULL, 0, IAC, SE };
	uint8_t is_ssl[] = { IAC, SB, OPT_AUTH, AUTH_IS, AUTH_SSL, 0, SSL_START,
		IAC, SE };
	size_t i;

	if (c->sb_len >= 2 && c->sb[1] == AUTH_SEND && !c->auth_started) {
		for (i = 2; i + 1 < c->sb_len; i += 2)
			if (c->sb[i] == AUTH_SSL)
				break;
		if (i + 1 < c->sb_len) {
			is_ssl[5] = c->sb[i + 1]; /* the modifiers offered */
			c->auth_started = 1;
			return pre_send(o, is_ssl, sizeof(is_ssl)) == 0 ?
			    PRE_MORE :
			    PRE_REFUSED;
		}
		if (pre_send(o, is_null, sizeof(is_null)) != 0)
			return PRE_REFUSED;
		c->auth_no = NO_SSL_TYPE;
	} else if (c->sb_len >= 5 && c->sb[1] == AUTH_REPLY &&
	    c->sb[2] == AUTH_SSL && c->auth_started) {
		if (c->sb[4] == SSL_ACCEPT)
			return PRE_READY;
		c->auth_no = SSL_REJECTED;
	} else {
		return PRE_MORE;
	}
	if (c->tls_no && c->auth_no)
		return tn_refuse(c, "", why, cap);
	return PRE_MORE;
}

/* A whole subnegotiation in c->sb. */
static enum pre_res tn_sb(struct telnet *c, struct pre_out *o, char *why,
    size_t cap)
{
	if (c->sb_len == 2 && c->sb[0] == OPT_START_TLS && c->sb[1] == FOLLOWS)
		return pre_send(o, follows, sizeof(follows)) == 0 ? PRE_READY :
								    PRE_REFUSED;
	if (c->sb_len && c->sb[0] == OPT_AUTH)
		return tn_auth(c, o, why, cap);
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
		return pre_send(o, offer, sizeof(offer)) == 0 ? PRE_MORE :
								PRE_REFUSED;
	for (i = 0; i < n; i++) {
		uint8_t b = in[i];

		r = PRE_MORE;
		switch (c->state) {
		case T_DATA:
			if (b == IAC) {
				c->state = T_IAC;
				c->seen_iac = 1;
			} else if (c->tls_no && !c->auth_started) {
				/* START_TLS declined, and the server goes on
				 * to its login without authentication. */
				r = tn_refuse(c, "went on without it", why,
				    cap);
			} else if (++c->text >= TN_TEXT_MAX ||
			    (!c->seen_iac && c->text >= 512)) {
				snprintf(why, cap,
				    "%u bytes of text and no "
				    "START_TLS negotiation",
				    c->text);
				r = c->seen_iac ? PRE_REFUSED : PRE_NOT_PROTO;
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
				r = tn_sb(c, o, why, cap);
			} else {
				/* IAC IAC: a data 255 inside the option */
				if (c->sb_len < TN_SB_MAX)
					c->sb[c->sb_len++] = b;
				c->state = T_SB;
			}
			break;
		}
		if (r != PRE_MORE) {
			*used = i + 1;
			return r;
		}
	}
	*used = n;
	return PRE_MORE;
}

static const char *tn_waiting(const void *vc)
{
	const struct telnet *c = vc;

	return c->auth_started ? "IAC SB AUTHENTICATION REPLY SSL ACCEPT" :
				 "IAC SB START_TLS FOLLOWS";
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
