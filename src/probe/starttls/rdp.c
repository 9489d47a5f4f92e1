/*
 * RDP (MS-RDPBCGR 2.2.1.1 and 2.2.1.2): an X.224 Connection Request in a
 * TPKT, carrying an RDP Negotiation Request for PROTOCOL_SSL; the
 * Connection Confirm must carry a Negotiation Response selecting it, and
 * TLS follows (xrdp and Windows alike).  A Negotiation Failure, or a
 * confirm without negotiation data (a server of standard RDP security
 * only), is a refusal.
 */
#include <stdio.h>
#include <string.h>

#include "probe/preamble.h"

#define RDP_KEEP 64
#define TPKT_MAX 1024

struct rdp {
	uint8_t buf[RDP_KEEP];
	uint16_t have;
	uint16_t len; /* the TPKT length, once read, or 0 */
};

static const uint16_t rdp_ports[] = { 3389, 0 };

static const uint8_t conn_req[] = {
	0x03, 0x00, 0x00, 0x13, /* TPKT, 19 bytes */
	0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, /* X.224 CR */
	0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, /* NEG_REQ: SSL */
};

static void rdp_init(void *vc, const char *host)
{
	memset(vc, 0, sizeof(struct rdp));
}

static const char *failure_name(unsigned code)
{
	switch (code) {
	case 1:
		return "SSL_REQUIRED_BY_SERVER";
	case 2:
		return "SSL_NOT_ALLOWED_BY_SERVER";
	case 3:
		return "SSL_CERT_NOT_ON_SERVER";
	case 4:
		return "INCONSISTENT_FLAGS";
	case 5:
		return "HYBRID_REQUIRED_BY_SERVER";
	case 6:
		return "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER";
	default:
		return "unknown";
	}
}

static enum pre_res rdp_judge(const struct rdp *c, char *why, size_t cap)
{
	size_t n = c->len < RDP_KEEP ? c->len : RDP_KEEP;
	const uint8_t *b = c->buf, *neg;
	unsigned v;

	if (n < 7 || (b[5] & 0xf0) != 0xd0) {
		snprintf(why, cap,
		    "not an X.224 Connection Confirm (code "
		    "0x%02x)",
		    n > 5 ? b[5] : 0);
		return PRE_NOT_PROTO;
	}
	if (n < 7 + 8 || b[4] < 6 + 8) {
		snprintf(why, cap,
		    "the RDP server offers standard RDP security "
		    "only, no TLS");
		return PRE_REFUSED;
	}
	neg = b + 11;
	v = (unsigned)neg[4] | (unsigned)neg[5] << 8 | (unsigned)neg[6] << 16 |
	    (unsigned)neg[7] << 24;
	if (neg[0] == 0x03) {
		snprintf(why, cap,
		    "the RDP server refused TLS: negotiation "
		    "failure %u (%s)",
		    v, failure_name(v));
		return PRE_REFUSED;
	}
	if (neg[0] != 0x02) {
		snprintf(why, cap, "an RDP negotiation reply of type 0x%02x",
		    neg[0]);
		return PRE_REFUSED;
	}
	if (v != 1) {
		snprintf(why, cap,
		    "the RDP server selected protocol %u, not "
		    "TLS",
		    v);
		return PRE_REFUSED;
	}
	return PRE_READY;
}

static enum pre_res rdp_step(void *vc, const uint8_t *in, size_t n,
    size_t *used, struct pre_out *o, char *why, size_t cap)
{
	struct rdp *c = vc;
	size_t i = 0, k;

	*used = 0;
	if (!in)
		return pre_send(o, conn_req, sizeof(conn_req)) == 0 ?
		    PRE_MORE :
		    PRE_REFUSED;
	while (i < n && c->have < 4) {
		c->buf[c->have++] = in[i++];
		if (c->have == 4) {
			c->len = (uint16_t)(c->buf[2] << 8 | c->buf[3]);
			if (c->buf[0] != 3 || c->len < 7 || c->len > TPKT_MAX) {
				snprintf(why, cap,
				    "not an RDP server (TPKT "
				    "header %02x %02x %02x %02x)",
				    c->buf[0], c->buf[1], c->buf[2], c->buf[3]);
				*used = i;
				return PRE_NOT_PROTO;
			}
		}
	}
	if (c->have >= 4 && i < n) {
		k = n - i;
		if (k > (size_t)(c->len - c->have))
			k = (size_t)(c->len - c->have);
		if (c->have < RDP_KEEP)
			memcpy(c->buf + c->have, in + i,
			    k < (size_t)(RDP_KEEP - c->have) ?
				k :
				(size_t)(RDP_KEEP - c->have));
		c->have = (uint16_t)(c->have + k);
		i += k;
	}
	*used = i;
	if (c->have >= 4 && c->have == c->len)
		return rdp_judge(c, why, cap);
	return PRE_MORE;
}

static const char *rdp_waiting(const void *vc)
{
	return "the X.224 Connection Confirm";
}

const struct preamble pre_rdp = {
	"rdp",
	"RDP",
	rdp_ports,
	sizeof(struct rdp),
	rdp_init,
	rdp_step,
	rdp_waiting,
};
