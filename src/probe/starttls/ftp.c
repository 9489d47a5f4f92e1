/*
 * FTP (RFC 4217): the 220 greeting, maybe multi-line (lines between
 * "220-" and "220 " need not carry the code); AUTH TLS, then 234.
 * vsftpd's "500 OOPS: ..." is a refusal in its own words, not data.
 */
#include <string.h>

#include "probe/preamble.h"

struct ftp {
	struct pre_line l;
	uint8_t sent;
	uint8_t lines;
	uint16_t multi; /* the code of an open multi-line reply */
};

static const uint16_t ftp_ports[] = { 21, 0 };

static void ftp_init(void *vc, const char *host)
{
	memset(vc, 0, sizeof(struct ftp));
}

static enum pre_res ftp_line(void *vc, struct pre_out *o, char *why, size_t cap)
{
	struct ftp *c = vc;
	unsigned code;
	int more, first = !c->lines;

	c->lines = c->lines < 255 ? c->lines + 1 : 255;
	if (!pre_reply_code(&c->l, &code, &more)) {
		if (c->multi)
			return PRE_MORE;
		pre_why_quote(why, cap,
		    first ? "not an FTP greeting" : "not an FTP reply", c->l.s,
		    c->l.len);
		return first ? PRE_NOT_PROTO : PRE_REFUSED;
	}
	if (c->multi) {
		/* Only "<same code> " closes a multi-line reply. */
		if (code != c->multi || more)
			return PRE_MORE;
		c->multi = 0;
	} else if (more) {
		c->multi = (uint16_t)code;
		return PRE_MORE;
	}
	if (!c->sent) {
		if (code != 220) {
			pre_why_quote(why, cap, "FTP greeting", c->l.s,
			    c->l.len);
			return PRE_REFUSED;
		}
		if (pre_send_str(o, "AUTH TLS\r\n") != 0)
			return PRE_REFUSED;
		c->sent = 1;
		return PRE_MORE;
	}
	if (code != 234) {
		pre_why_quote(why, cap, "AUTH TLS refused", c->l.s, c->l.len);
		return PRE_REFUSED;
	}
	return PRE_READY;
}

static enum pre_res ftp_step(void *vc, const uint8_t *in, size_t n,
    size_t *used, struct pre_out *o, char *why, size_t cap)
{
	struct ftp *c = vc;

	return pre_run_lines(&c->l, in, n, used, ftp_line, c, o, why, cap);
}

static const char *ftp_waiting(const void *vc)
{
	const struct ftp *c = vc;

	return c->sent ? "the answer to AUTH TLS" : "the 220 greeting";
}

const struct preamble pre_ftp = {
	"ftp",
	"FTP",
	ftp_ports,
	sizeof(struct ftp),
	ftp_init,
	ftp_step,
	ftp_waiting,
};
