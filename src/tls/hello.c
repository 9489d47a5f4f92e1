/*
 * ClientHello and ServerHello.
 */
#include "tls/hello.h"

#include <string.h>

#include "tls/rd.h"
#include "tls/wb.h"
#include "tls/record.h"
#include "tls/tls.h"

/* RSA key exchange first: the server then sends no ServerKeyExchange and
 * signs nothing.  The ECDHE and DHE suites after them keep servers that
 * refuse static RSA (OpenSSL 3 at SECLEVEL 2 still accepts it) talking. */
static const uint16_t suites[] = {
	0x009c, 0x009d, 0x003c, 0x003d, 0x002f, 0x0035, 0x000a, 0x0005, 0x0004,
	0xc02f, 0xc030, 0xc02b, 0xc02c, 0xcca8, 0xcca9, 0xc027, 0xc028, 0xc023,
	0xc024, 0xc013, 0xc014, 0xc009, 0xc00a, 0x009e, 0x009f, 0x0067, 0x006b,
	0x0033, 0x0039, 0x0016, 0xc012, 0xc008, 0x00ff, /* renegotiation SCSV */
};

static const uint16_t groups[] = { 0x001d, 0x0017, 0x0018, 0x0019, 0x001e };

static const uint16_t sigalgs[] = {
	0x0804,
	0x0805,
	0x0806,
	0x0401,
	0x0501,
	0x0601,
	0x0403,
	0x0503,
	0x0603,
	0x0201,
	0x0203,
};

static int valid_sni(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '.' ||
			c == '_'))
			return 0;
	}
	return 1;
}

static int rc4_suite(uint16_t s)
{
	return s == 0x0004 || s == 0x0005;
}

ssize_t client_hello_build(const struct client_hello_opts *o, uint8_t *out,
    size_t cap)
{
	struct wb w = { out, cap, 0, 0 };
	size_t rec, hs, body, ext, e, l, nsuites = 0;
	size_t sni_len = o->sni ? strlen(o->sni) : 0;
	size_t i;
	uint16_t recver = o->version < TLS_V_TLS10 ? o->version : TLS_V_TLS10;
	/* The TLS version a DTLS one stands for: 1.2 for DTLS 1.2, 1.1 for
	 * DTLS 1.0. */
	uint16_t tlsver = !o->dtls  ? o->version :
	    o->version == DTLS_V_12 ? TLS_V_TLS12 :
				      TLS_V_TLS11;

	if (o->sni && !valid_sni(o->sni, sni_len))
		return -1;
	/* Record version 1.0 for any TLS hello: the most widely accepted. */
	wb_u8(&w, TLS_CT_HANDSHAKE);
	if (o->dtls) {
		wb_u16(&w, DTLS_V_10);
		wb_u16(&w, 0); /* epoch */
		for (i = 0; i < 6; i++)
			wb_u8(&w, (uint8_t)(o->record_seq >> (8 * (5 - i))));
	} else {
		wb_u16(&w, recver);
	}
	rec = wb_open_len(&w, 2);
	wb_u8(&w, TLS_HS_CLIENT_HELLO);
	hs = wb_open_len(&w, 3);
	if (o->dtls) {
		wb_u16(&w, o->message_seq);
		wb_u8(&w, 0); /* fragment_offset */
		wb_u16(&w, 0);
		wb_open_len(&w, 3); /* fragment_length, copied below */
	}
	body = w.n;
	wb_u16(&w, o->version);
	wb_put(&w, o->random, 32);
	wb_u8(&w, 0); /* no session id */
	if (o->dtls) {
		wb_u8(&w, o->cookie_len);
		if (o->cookie_len)
			wb_put(&w, o->cookie, o->cookie_len);
	}
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		nsuites += !(o->dtls && rc4_suite(suites[i]));
	wb_u16(&w, (uint16_t)(2 * nsuites));
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (!(o->dtls && rc4_suite(suites[i])))
			wb_u16(&w, suites[i]);
	wb_u8(&w, 1);
	wb_u8(&w, 0); /* null compression */
	ext = wb_open_len(&w, 2);
	if (o->sni) {
		wb_u16(&w, TLS_EXT_SERVER_NAME);
		e = wb_open_len(&w, 2);
		l = wb_open_len(&w, 2);
		wb_u8(&w, 0); /* host_name */
		wb_u16(&w, (uint16_t)sni_len);
		wb_put(&w, o->sni, sni_len);
		wb_close_len(&w, l, 2);
		wb_close_len(&w, e, 2);
	}
	wb_u16(&w, TLS_EXT_SUPPORTED_GROUPS);
	wb_u16(&w, (uint16_t)(sizeof(groups) + 2));
	wb_u16(&w, (uint16_t)sizeof(groups));
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		wb_u16(&w, groups[i]);
	wb_u16(&w, TLS_EXT_EC_POINT_FORMATS); /* uncompressed only */
	wb_u16(&w, 2);
	wb_u8(&w, 1);
	wb_u8(&w, 0);
	if (tlsver >= TLS_V_TLS12) {
		wb_u16(&w, TLS_EXT_SIGNATURE_ALGORITHMS);
		wb_u16(&w, (uint16_t)(sizeof(sigalgs) + 2));
		wb_u16(&w, (uint16_t)sizeof(sigalgs));
		for (i = 0; i < sizeof(sigalgs) / sizeof(sigalgs[0]); i++)
			wb_u16(&w, sigalgs[i]);
	}
	wb_u16(&w, TLS_EXT_SESSION_TICKET); /* empty */
	wb_u16(&w, 0);
	if (o->heartbeat) {
		wb_u16(&w, TLS_EXT_HEARTBEAT);
		wb_u16(&w, 1);
		wb_u8(&w, 1); /* peer_allowed_to_send */
	}
	if (o->pad_len > 0 && o->pad_byte) {
		/* Last, so the pad ends the record: offsets are easy to name.
		 */
		wb_u16(&w, TLS_EXT_PAD_GREASE);
		wb_u16(&w, o->pad_len);
		for (i = 0; i < o->pad_len && !w.bad; i++)
			wb_u8(&w, o->pad_byte(o->pad_ctx, i));
	}
	wb_close_len(&w, ext, 2);
	if (o->dtls && !w.bad) {
		/* length and fragment_length are the body's length. */
		wr_u24(w.p + hs, (uint32_t)(w.n - body));
		wr_u24(w.p + body - 3, (uint32_t)(w.n - body));
	} else {
		wb_close_len(&w, hs, 3);
	}
	wb_close_len(&w, rec, 2);
	return w.bad ? -1 : (ssize_t)w.n;
}

int server_hello_parse(const uint8_t *body, size_t len,
    struct server_hello *out)
{
	struct rd r, sid, exts, ext;
	uint16_t type, v;

	memset(out, 0, sizeof(*out));
	rd_init(&r, body, len);
	rd_u16(&r, &out->version);
	rd_skip(&r, 32);
	rd_vec(&r, 1, &sid);
	rd_u16(&r, &out->cipher);
	rd_u8(&r, &out->compression);
	if (r.bad)
		return -1;
	if (rd_left(&r) == 0)
		return 0; /* no extensions */
	if (rd_vec(&r, 2, &exts) != 0 || rd_left(&r) != 0)
		return -1;
	while (rd_left(&exts) > 0) {
		if (rd_u16(&exts, &type) != 0 || rd_vec(&exts, 2, &ext) != 0)
			return -1;
		switch (type) {
		case TLS_EXT_HEARTBEAT:
			if (rd_u8(&ext, &out->heartbeat_mode) != 0)
				return -1;
			out->heartbeat_ext = 1;
			break;
		case TLS_EXT_SERVER_NAME:
			out->sni_ack = 1;
			break;
		case TLS_EXT_SUPPORTED_VERSIONS:
			if (rd_u16(&ext, &v) != 0)
				return -1;
			out->selected_version = v;
			break;
		default:
			break;
		}
	}
	return 0;
}
