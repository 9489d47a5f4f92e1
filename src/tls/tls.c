/*
 * Names for versions and alerts.
 */
#include "tls/tls.h"

#include <stdio.h>

const char *tls_version_name(uint16_t v, char *buf, unsigned cap)
{
	const char *n;

	switch (v) {
	case TLS_V_SSL3:
		n = "SSLv3";
		break;
	case TLS_V_TLS10:
		n = "TLSv1.0";
		break;
	case TLS_V_TLS11:
		n = "TLSv1.1";
		break;
	case TLS_V_TLS12:
		n = "TLSv1.2";
		break;
	case 0x0304:
		n = "TLSv1.3";
		break;
	case DTLS_V_10:
		n = "DTLSv1.0";
		break;
	case DTLS_V_12:
		n = "DTLSv1.2";
		break;
	default:
		snprintf(buf, cap, "0x%04x", v);
		return buf;
	}
	snprintf(buf, cap, "%s", n);
	return buf;
}

const char *tls_alert_name(unsigned desc)
{
	switch (desc) {
	case 0:
		return "close_notify";
	case 10:
		return "unexpected_message";
	case 20:
		return "bad_record_mac";
	case 22:
		return "record_overflow";
	case 40:
		return "handshake_failure";
	case 42:
		return "bad_certificate";
	case 47:
		return "illegal_parameter";
	case 48:
		return "unknown_ca";
	case 50:
		return "decode_error";
	case 51:
		return "decrypt_error";
	case 70:
		return "protocol_version";
	case 71:
		return "insufficient_security";
	case 80:
		return "internal_error";
	case 86:
		return "inappropriate_fallback";
	case 90:
		return "user_canceled";
	case 100:
		return "no_renegotiation";
	case 109:
		return "missing_extension";
	case 110:
		return "unsupported_extension";
	case 112:
		return "unrecognized_name";
	case 116:
		return "certificate_required";
	case 120:
		return "no_application_protocol";
	default:
		return NULL;
	}
}
