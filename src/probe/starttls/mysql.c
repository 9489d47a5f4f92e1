/*
 * MySQL and MariaDB: the server's initial handshake packet (protocol 10)
 * must carry CLIENT_SSL in its capability flags; then the client's SSL
 * request packet (sequence 1: capabilities, max packet, charset, 23 zero
 * bytes), and TLS at once.  An error packet (0xff) in place of the
 * greeting ("Host ... is not allowed to connect") is a refusal.
 */
#include <stdio.h>
#include <string.h>

#include "probe/preamble.h"

#define MY_KEEP 160
#define MY_CLIENT_SSL 0x0800u
#define MY_PKT_MAX (64u * 1024)

struct mysql {
	uint8_t hdr[4];
	uint8_t buf[MY_KEEP];
	uint32_t hhave;
	uint32_t len; /* payload length, from the header */
	uint32_t have; /* payload bytes seen */
};

static const uint16_t my_ports[] = { 3306, 0 };

static void my_init(void *vc, const char *host)
{
	memset(vc, 0, sizeof(struct mysql));
}

static const uint8_t ssl_request[4 + 32] = {
	32, 0, 0, 1,
	/* LONG_PASSWORD | LONG_FLAG | PROTOCOL_41 | SSL | TRANSACTIONS |
	 * SECURE_CONNECTION | PLUGIN_AUTH */
	0x05, 0xaa, 0x08, 0x00, 0x00, 0x00, 0x00, 0x01, /* max packet 16 MiB */
	0x21, /* utf8_general_ci */
};

static enum pre_res my_judge(struct mysql *c, struct pre_out *o, char *why,
    size_t cap)
{
	size_t n = c->len < MY_KEEP ? c->len : MY_KEEP, v, p;
	unsigned caps;

	if (c->buf[0] == 0xff) {
		/* ff, error code (2), maybe '#' and SQLSTATE (5), message */
		p = n > 3 && c->buf[3] == '#' ? 9 : 3;
		if (p > n)
			p = n;
		pre_why_quote(why, cap,
		    "the MySQL server refused the "
		    "connection",
		    (const char *)c->buf + p, n - p);
		return PRE_REFUSED;
	}
	if (c->buf[0] != 10) {
		snprintf(why, cap,
		    "not a MySQL greeting (protocol byte "
		    "0x%02x)",
		    c->buf[0]);
		return PRE_NOT_PROTO;
	}
	for (v = 1; v < n && c->buf[v]; v++)
		;
	/* version NUL, thread id (4), salt (8), filler (1), caps (2) */
	p = v + 1 + 4 + 8 + 1;
	if (v >= n || p + 2 > n) {
		snprintf(why, cap, "a truncated MySQL greeting");
		return PRE_NOT_PROTO;
	}
	caps = (unsigned)c->buf[p] | (unsigned)c->buf[p + 1] << 8;
	if (!(caps & MY_CLIENT_SSL)) {
		pre_why_quote(why, cap,
		    "the MySQL server does not offer SSL "
		    "(no CLIENT_SSL flag); version",
		    (const char *)c->buf + 1, v - 1);
		return PRE_REFUSED;
	}
	if (pre_send(o, ssl_request, sizeof(ssl_request)) != 0)
		return PRE_REFUSED;
	return PRE_READY;
}

static enum pre_res my_step(void *vc, const uint8_t *in, size_t n, size_t *used,
    struct pre_out *o, char *why, size_t cap)
{
	struct mysql *c = vc;
	size_t i = 0, k;

	*used = 0;
	if (!in)
		return PRE_MORE;
	while (i < n && c->hhave < 4) {
		c->hdr[c->hhave++] = in[i++];
		if (c->hhave == 4) {
			c->len = (uint32_t)c->hdr[0] |
			    (uint32_t)c->hdr[1] << 8 |
			    (uint32_t)c->hdr[2] << 16;
			if (c->hdr[3] != 0 || c->len == 0 ||
			    c->len > MY_PKT_MAX) {
				snprintf(why, cap,
				    "not a MySQL greeting "
				    "(packet header %02x %02x %02x %02x)",
				    c->hdr[0], c->hdr[1], c->hdr[2], c->hdr[3]);
				*used = i;
				return PRE_NOT_PROTO;
			}
		}
	}
	if (c->hhave == 4 && i < n) {
		k = n - i;
		if (k > c->len - c->have)
			k = c->len - c->have;
		if (c->have < MY_KEEP)
			memcpy(c->buf + c->have, in + i,
			    k < MY_KEEP - c->have ? k : MY_KEEP - c->have);
		c->have += (uint32_t)k;
		i += k;
	}
	*used = i;
	if (c->hhave == 4 && c->have == c->len)
		return my_judge(c, o, why, cap);
	return PRE_MORE;
}

static const char *my_waiting(const void *vc)
{
	return "the server greeting";
}

const struct preamble pre_mysql = {
	"mysql",
	"MySQL",
	my_ports,
	sizeof(struct mysql),
	my_init,
	my_step,
	my_waiting,
};
