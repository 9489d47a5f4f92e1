/*
 * TLS and DTLS constants shared by the codecs and the probe engine.
 */
#ifndef HEARTCHECK_TLS_TLS_H
#define HEARTCHECK_TLS_TLS_H

#include <stdint.h>

enum {
	TLS_CT_CCS = 20,
	TLS_CT_ALERT = 21,
	TLS_CT_HANDSHAKE = 22,
	TLS_CT_APPDATA = 23,
	TLS_CT_HEARTBEAT = 24,
};

enum {
	TLS_HS_HELLO_REQUEST = 0,
	TLS_HS_CLIENT_HELLO = 1,
	TLS_HS_SERVER_HELLO = 2,
	TLS_HS_HELLO_VERIFY_REQUEST = 3,
	TLS_HS_CERTIFICATE = 11,
	TLS_HS_SERVER_KEY_EXCHANGE = 12,
	TLS_HS_CERTIFICATE_REQUEST = 13,
	TLS_HS_SERVER_HELLO_DONE = 14,
};

#define TLS_V_SSL3 0x0300
#define TLS_V_TLS10 0x0301
#define TLS_V_TLS11 0x0302
#define TLS_V_TLS12 0x0303
#define DTLS_V_10 0xfeff
#define DTLS_V_12 0xfefd

enum {
	TLS_EXT_SERVER_NAME = 0,
	TLS_EXT_SUPPORTED_GROUPS = 10,
	TLS_EXT_EC_POINT_FORMATS = 11,
	TLS_EXT_SIGNATURE_ALGORITHMS = 13,
	TLS_EXT_HEARTBEAT = 15,
	TLS_EXT_SESSION_TICKET = 35,
	TLS_EXT_SUPPORTED_VERSIONS = 43,
};

/* Alert descriptions heartcheck acts on (RFC 5246 §7.2, RFC 6066). */
enum {
	TLS_AD_CLOSE_NOTIFY = 0,
	TLS_AD_UNEXPECTED_MESSAGE = 10,
	TLS_AD_HANDSHAKE_FAILURE = 40,
	TLS_AD_ILLEGAL_PARAMETER = 47,
	TLS_AD_DECODE_ERROR = 50,
	TLS_AD_PROTOCOL_VERSION = 70,
	TLS_AD_INSUFFICIENT_SECURITY = 71,
	TLS_AD_INTERNAL_ERROR = 80,
	TLS_AD_INAPPROPRIATE_FALLBACK = 86,
	TLS_AD_UNRECOGNIZED_NAME = 112,
};
#define TLS_ALERT_WARNING 1
#define TLS_ALERT_FATAL 2

/* The largest record body a peer may send: 2^14 plus expansion. */
#define TLS_MAX_RECORD (16384 + 2048)
#define TLS_HDR_LEN 5
#define DTLS_HDR_LEN 13

/* "TLSv1.2", "SSLv3", "DTLSv1.0", or "0x1234" written into a static-free
 * caller buffer. */
const char *tls_version_name(uint16_t v, char *buf, unsigned cap);
/* "handshake_failure" etc., or NULL for an unknown code. */
const char *tls_alert_name(unsigned desc);

#endif
