/*
 * XMPP (RFC 6120 section 5): a stream header whose to= names the service
 * (the target's host name, or --xmpp-host); the features must hold
 * <starttls/>; <starttls/>, then <proceed/>.  The stream is scanned tag
 * by tag, each tag's text kept to XMPP_TAG_MAX bytes.
 */
#include <stdio.h>
#include <string.h>

#include "probe/preamble.h"

#define XMPP_TAG_MAX 64
#define XMPP_HOST_MAX 255

enum { S_FEATURES, S_PROCEED };

struct xmpp {
	char host[XMPP_HOST_MAX + 1];
	char tag[XMPP_TAG_MAX + 1];
	uint8_t taglen;
	uint8_t intag;
	uint8_t state;
	uint8_t server; /* jabber:server */
	uint8_t tags; /* tags seen, saturating */
	uint8_t has_starttls;
	uint8_t in_error; /* inside <stream:error> */
};

static const uint16_t xmpp_ports[] = { 5222, 0 };
static const uint16_t xmpp_server_ports[] = { 5269, 0 };

static void xmpp_init_common(struct xmpp *c, const char *host)
{
	size_t i, n = 0;

	memset(c, 0, sizeof(*c));
	/* Only a plain host name goes into the quoted attribute. */
	for (i = 0; host && host[i] && n < XMPP_HOST_MAX; i++) {
		char ch = host[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
		    ch == ':' || ch == '_')
			c->host[n++] = ch;
		else {
			n = 0;
			break;
		}
	}
	c->host[n] = '\0';
}

static void xmpp_init(void *vc, const char *host)
{
	xmpp_init_common(vc, host);
}

static void xmpp_server_init(void *vc, const char *host)
{
	struct xmpp *c = vc;

	xmpp_init_common(c, host);
	c->server = 1;
}

/* The local part of the tag's name: "stream:features" -> "features". */
static void tag_name(const char *t, char *name, size_t cap, int *closing,
    int *empty)
{
	size_t n = 0, len = strlen(t);
	const char *colon = NULL, *p;

	*closing = t[0] == '/';
	*empty = len > 0 && t[len - 1] == '/';
	p = t + (*closing ? 1 : 0);
	for (; *p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' &&
	     *p != '/';
	     p++)
		if (*p == ':')
			colon = p;
	p = colon ? colon + 1 : t + (*closing ? 1 : 0);
	for (; *p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' &&
	     *p != '/' && n + 1 < cap;
	     p++)
		name[n++] = *p;
	name[n] = '\0';
}

static enum pre_res xmpp_tag(struct xmpp *c, struct pre_out *o, char *why,
    size_t cap)
{
	char name[XMPP_TAG_MAX + 1];
	int closing, empty, first = c->tags == 0;

	if (c->tag[0] == '?' || c->tag[0] == '!')
		return PRE_MORE;
	c->tags = c->tags < 255 ? c->tags + 1 : 255;
	tag_name(c->tag, name, sizeof(name), &closing, &empty);
	if (c->in_error && !closing) {
		pre_why_quote(why, cap, "XMPP stream error", name,
		    strlen(name));
		return PRE_REFUSED;
	}
	if (!strcmp(name, "stream")) {
		if (closing) {
			snprintf(why, cap, "the XMPP server closed the stream");
			return PRE_REFUSED;
		}
		return PRE_MORE;
	}
	if (first) {
		/* The first real tag must open a stream. */
		pre_why_quote(why, cap, "not an XMPP stream", c->tag,
		    strlen(c->tag));
		return PRE_NOT_PROTO;
	}
	if (!strcmp(name, "error") && !closing && !empty) {
		c->in_error = 1;
		return PRE_MORE;
	}
	if (!strcmp(name, "error")) {
		snprintf(why, cap, "XMPP stream error");
		return PRE_REFUSED;
	}
	if (c->state == S_FEATURES) {
		if (!strcmp(name, "starttls") && !closing)
			c->has_starttls = 1;
		if (!strcmp(name, "features") && (closing || empty)) {
			if (!c->has_starttls) {
				snprintf(why, cap,
				    "the XMPP server does not "
				    "offer STARTTLS (no <starttls/> in its "
				    "features)");
				return PRE_REFUSED;
			}
			if (pre_send_str(o,
				"<starttls xmlns='urn:ietf:params:"
				"xml:ns:xmpp-tls'/>") != 0)
				return PRE_REFUSED;
			c->state = S_PROCEED;
		}
		return PRE_MORE;
	}
	if (!strcmp(name, "proceed"))
		return PRE_READY;
	if (!strcmp(name, "failure")) {
		snprintf(why, cap,
		    "STARTTLS refused: the XMPP server answered "
		    "<failure/>");
		return PRE_REFUSED;
	}
	return PRE_MORE;
}

static enum pre_res xmpp_step(void *vc, const uint8_t *in, size_t n,
    size_t *used, struct pre_out *o, char *why, size_t cap)
{
	struct xmpp *c = vc;
	enum pre_res r;
	size_t i;

	*used = 0;
	if (!in) {
		char hdr[512];

		snprintf(hdr, sizeof(hdr),
		    "<?xml version='1.0'?><stream:stream"
		    " xmlns='jabber:%s' xmlns:stream='http://etherx.jabber.org/"
		    "streams' version='1.0'%s%s%s>",
		    c->server ? "server" : "client", c->host[0] ? " to='" : "",
		    c->host, c->host[0] ? "'" : "");
		return pre_send_str(o, hdr) == 0 ? PRE_MORE : PRE_REFUSED;
	}
	for (i = 0; i < n; i++) {
		uint8_t ch = in[i];

		if (!c->intag) {
			if (ch == '<') {
				c->intag = 1;
				c->taglen = 0;
			} else if (!c->tags && ch != ' ' && ch != '\t' &&
			    ch != '\r' && ch != '\n') {
				char b[2] = { (char)ch, 0 };

				pre_why_quote(why, cap, "not an XMPP stream", b,
				    1);
				*used = i + 1;
				return PRE_NOT_PROTO;
			}
			continue;
		}
		if (ch != '>') {
			if (c->taglen < XMPP_TAG_MAX)
				c->tag[c->taglen++] = (char)(ch ? ch : ' ');
			continue;
		}
		c->tag[c->taglen] = '\0';
		c->intag = 0;
		r = xmpp_tag(c, o, why, cap);
		if (r != PRE_MORE) {
			*used = i + 1;
			return r;
		}
	}
	*used = n;
	return PRE_MORE;
}

static const char *xmpp_waiting(const void *vc)
{
	const struct xmpp *c = vc;

	return c->state == S_FEATURES ? "the stream features" : "<proceed/>";
}

const struct preamble pre_xmpp = {
	"xmpp",
	"XMPP",
	xmpp_ports,
	sizeof(struct xmpp),
	xmpp_init,
	xmpp_step,
	xmpp_waiting,
};

const struct preamble pre_xmpp_server = {
	"xmpp-server",
	"XMPP",
	xmpp_server_ports,
	sizeof(struct xmpp),
	xmpp_server_init,
	xmpp_step,
	xmpp_waiting,
};
