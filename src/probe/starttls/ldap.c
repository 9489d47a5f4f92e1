/*
 * LDAP (RFC 4511 section 4.14): the StartTLS extended request, OID
 * 1.3.6.1.4.1.1466.20037, then an ExtendedResponse with resultCode 0.
 * The response is BER: lengths come in short form (OpenLDAP, ApacheDS)
 * or long form (Active Directory writes 84 xx xx xx xx).  The first
 * LDAP_KEEP bytes of the message are kept; the rest is counted and
 * dropped, so the next byte after the message is TLS.
 */
#include <stdio.h>
#include <string.h>

#include "probe/preamble.h"

#define LDAP_KEEP 256
#define LDAP_MSG_MAX (1u << 20)

struct ldap {
	uint8_t buf[LDAP_KEEP];
	uint32_t have; /* bytes of the message seen */
	uint32_t total; /* its whole length, once known, or 0 */
};

static const uint16_t ldap_ports[] = { 389, 0 };

/* messageID 1, ExtendedRequest [APPLICATION 23] { requestName [0] OID } */
static const uint8_t starttls_req[] = {
	0x30,
	0x1d,
	0x02,
	0x01,
	0x01,
	0x77,
	0x18,
	0x80,
	0x16,
	'1',
	'.',
	'3',
	'.',
	'6',
	'.',
	'1',
	'.',
	'4',
	'.',
	'1',
	'.',
	'1',
	'4',
	'6',
	'6',
	'.',
	'2',
	'0',
	'0',
	'3',
	'7',
};

static void ldap_init(void *vc, const char *host)
{
	memset(vc, 0, sizeof(struct ldap));
}

/* One BER tag and length at b[*pos] (of n): 0 and the content's offset
 * and length, or -1 if it is cut short or malformed. */
static int ber_tl(const uint8_t *b, size_t n, size_t *pos, uint8_t *tag,
    uint32_t *len)
{
	size_t p = *pos, k;
	uint32_t l = 0;

	if (p + 2 > n)
		return -1;
	*tag = b[p++];
	if (b[p] < 0x80) {
		l = b[p++];
	} else {
		k = b[p++] & 0x7f;
		if (k == 0 || k > 4 || p + k > n)
			return -1;
		while (k--)
			l = l << 8 | b[p++];
	}
	*pos = p;
	*len = l;
	return 0;
}

static const char *result_name(unsigned rc)
{
	switch (rc) {
	case 1:
		return "operationsError";
	case 2:
		return "protocolError";
	case 7:
		return "authMethodNotSupported";
	case 8:
		return "strongerAuthRequired";
	case 12:
		return "unavailableCriticalExtension";
	case 13:
		return "confidentialityRequired";
	case 50:
		return "insufficientAccessRights";
	case 51:
		return "busy";
	case 52:
		return "unavailable";
	case 53:
		return "unwillingToPerform";
	case 80:
		return "other";
	default:
		return "error";
	}
}

/* The whole message is in (its first LDAP_KEEP bytes in c->buf). */
static enum pre_res ldap_judge(struct ldap *c, char *why, size_t cap)
{
	size_t n = c->have < LDAP_KEEP ? c->have : LDAP_KEEP, pos = 0, end;
	uint32_t len, rc = 0, i, id = 0;
	uint8_t tag;
	char pre[96];

	if (ber_tl(c->buf, n, &pos, &tag, &len) || tag != 0x30 ||
	    ber_tl(c->buf, n, &pos, &tag, &len) || tag != 0x02 || len > 4 ||
	    pos + len > n)
		goto bad;
	for (i = 0; i < len; i++)
		id = id << 8 | c->buf[pos + i];
	pos += len;
	if (ber_tl(c->buf, n, &pos, &tag, &len))
		goto bad;
	if (tag != 0x78) {
		snprintf(why, cap,
		    "the LDAP server answered StartTLS with "
		    "message type 0x%02x, not an extended response",
		    tag);
		return PRE_REFUSED;
	}
	if (ber_tl(c->buf, n, &pos, &tag, &len) || tag != 0x0a || len < 1 ||
	    len > 4 || pos + len > n)
		goto bad;
	for (i = 0; i < len; i++)
		rc = rc << 8 | c->buf[pos + i];
	pos += len;
	if (rc == 0 && id == 1)
		return PRE_READY;
	snprintf(pre, sizeof(pre), "%s: resultCode %u (%s)",
	    id == 0 ? "LDAP notice of disconnection" : "StartTLS refused",
	    (unsigned)rc, result_name(rc));
	/* matchedDN, then diagnosticMessage: quote the latter if it is here. */
	if (ber_tl(c->buf, n, &pos, &tag, &len) == 0 && tag == 0x04 &&
	    pos + len <= n) {
		pos += len;
		if (ber_tl(c->buf, n, &pos, &tag, &len) == 0 && tag == 0x04 &&
		    len > 0) {
			end = pos + len < n ? pos + len : n;
			pre_why_quote(why, cap, pre, (const char *)c->buf + pos,
			    end - pos);
			return PRE_REFUSED;
		}
	}
	snprintf(why, cap, "%s", pre);
	return PRE_REFUSED;
bad:
	snprintf(why, cap, "a malformed LDAP response to StartTLS");
	return PRE_REFUSED;
}

static enum pre_res ldap_step(void *vc, const uint8_t *in, size_t n,
    size_t *used, struct pre_out *o, char *why, size_t cap)
{
	struct ldap *c = vc;
	size_t i = 0;

	*used = 0;
	if (!in)
		return pre_send(o, starttls_req, sizeof(starttls_req)) == 0 ?
		    PRE_MORE :
		    PRE_REFUSED;
	while (i < n) {
		if (c->have == 0 && in[i] != 0x30) {
			char b[1] = { (char)in[i] };

			pre_why_quote(why, cap, "not an LDAP message", b, 1);
			*used = i + 1;
			return PRE_NOT_PROTO;
		}
		if (!c->total) {
			size_t pos = 0;
			uint8_t tag;
			uint32_t len;

			c->buf[c->have++] = in[i++];
			if (c->have >= 2 &&
			    ber_tl(c->buf, c->have, &pos, &tag, &len) == 0) {
				if (len > LDAP_MSG_MAX) {
					snprintf(why, cap,
					    "an LDAP message of "
					    "%u bytes in answer to StartTLS",
					    (unsigned)len);
					*used = i;
					return PRE_NOT_PROTO;
				}
				c->total = (uint32_t)pos + len;
			} else if (c->have >= 6) {
				snprintf(why, cap, "a malformed LDAP length");
				*used = i;
				return PRE_NOT_PROTO;
			}
		} else {
			size_t k = n - i;

			if (k > c->total - c->have)
				k = c->total - c->have;
			if (c->have < LDAP_KEEP)
				memcpy(c->buf + c->have, in + i,
				    k < LDAP_KEEP - c->have ?
					k :
					LDAP_KEEP - c->have);
			c->have += (uint32_t)k;
			i += k;
		}
		if (c->total && c->have >= c->total) {
			*used = i;
			return ldap_judge(c, why, cap);
		}
	}
	*used = n;
	return PRE_MORE;
}

static const char *ldap_waiting(const void *vc)
{
	return "the StartTLS extended response";
}

const struct preamble pre_ldap = {
	"ldap",
	"LDAP",
	ldap_ports,
	sizeof(struct ldap),
	ldap_init,
	ldap_step,
	ldap_waiting,
};
