/*
 * The ClientHello parser against arbitrary bytes, with the choices and the
 * ServerHello built from what it found.
 *
 * Oracles: the parser never reads past its input (ASan); what it keeps is
 * bounded (suites, versions, a NUL-ended SNI); a chosen version lies in
 * SSLv3..TLS 1.2 and a chosen suite is one the client offered, never a
 * TLS 1.3 suite, the SCSV or GREASE; the ServerHello built from them parses
 * back (tls/hello.h) with the same version, suite and extension 15.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/hello.h"
#include "tls/srvhello.h"
#include "tls/tls.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct client_hello_info ch;
	struct server_hello_opts o;
	struct server_hello sh;
	static uint8_t out[8192];
	uint16_t v, s;
	ssize_t n;
	size_t i, k;
	int found = 0;

	if (client_hello_parse(data, size, &ch) != 0)
		return 0;
	CHECK(ch.n_versions <= CH_VERSIONS_MAX);
	CHECK(ch.sid_len <= 32);
	CHECK(memchr(ch.sni, 0, sizeof(ch.sni)) != NULL);
	CHECK(ch.n_suites >= 1);
	v = server_pick_version(&ch);
	if (!v)
		return 0;
	CHECK(v >= TLS_V_SSL3 && v <= TLS_V_TLS12);
	s = server_pick_suite(&ch, v);
	if (!s)
		return 0;
	CHECK((s >> 8) != 0x13 && s != 0x00ff);
	k = ch.n_suites < CH_SUITES_MAX ? ch.n_suites : CH_SUITES_MAX;
	for (i = 0; i < k; i++)
		if (ch.suites[i] == s)
			found = 1;
	CHECK(found);
	memset(&o, 0, sizeof(o));
	o.version = v;
	o.cipher = s;
	o.sid_len = ch.sid_len;
	memcpy(o.sid, ch.sid, ch.sid_len);
	o.heartbeat = ch.heartbeat_ext;
	o.reneg = ch.reneg;
	o.ec_point_formats = ch.ec_point_formats;
	n = server_hello_build(&o, out, sizeof(out));
	CHECK(n > 9);
	CHECK(out[0] == TLS_CT_HANDSHAKE && (size_t)((out[3] << 8 | out[4]) +
	    5) == (size_t)n);
	CHECK(server_hello_parse(out + 9, (size_t)n - 9, &sh) == 0);
	CHECK(sh.version == v && sh.cipher == s);
	CHECK(sh.heartbeat_ext == ch.heartbeat_ext);
	return 0;
}
