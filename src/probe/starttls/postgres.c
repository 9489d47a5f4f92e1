/*
 * PostgreSQL (protocol 3, "SSL session encryption"): the SSLRequest
 * 00 00 00 08 04 d2 16 2f; one byte back, 'S' to go on with TLS, 'N'
 * for a server without SSL.  'E' is an error from a server that does
 * not know the request.
 */
#include <stdio.h>
#include <string.h>

#include "probe/preamble.h"

struct pg {
	uint8_t unused;
};

static const uint16_t pg_ports[] = { 5432, 0 };

static const uint8_t ssl_request[] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f };

static void pg_init(void *vc, const char *host)
{
	memset(vc, 0, sizeof(struct pg));
}

static enum pre_res pg_step(void *vc, const uint8_t *in, size_t n, size_t *used,
    struct pre_out *o, char *why, size_t cap)
{
	*used = 0;
	if (!in)
		return pre_send(o, ssl_request, sizeof(ssl_request)) == 0 ?
		    PRE_MORE :
		    PRE_REFUSED;
	if (n == 0)
		return PRE_MORE;
	*used = 1;
	switch (in[0]) {
	case 'S':
		return PRE_READY;
	case 'N':
		snprintf(why, cap,
		    "the PostgreSQL server does not accept "
		    "SSL (it answered the SSLRequest with N)");
		return PRE_REFUSED;
	case 'E':
		snprintf(why, cap,
		    "the PostgreSQL server answered the "
		    "SSLRequest with an error");
		return PRE_REFUSED;
	default:
		snprintf(why, cap,
		    "not a PostgreSQL server (it answered the "
		    "SSLRequest with byte 0x%02x)",
		    in[0]);
		return PRE_NOT_PROTO;
	}
}

static const char *pg_waiting(const void *vc)
{
	return "the answer to the SSLRequest";
}

const struct preamble pre_postgres = {
	"postgres",
	"PostgreSQL",
	pg_ports,
	sizeof(struct pg),
	pg_init,
	pg_step,
	pg_waiting,
};
