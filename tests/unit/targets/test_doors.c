/*
 * Unit tests for the door in the target syntax: "SCHEME://host[:port]"
 * chooses how each endpoint is probed (net/targets.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/targets.h"
#include "probe/preamble.h"

#define MAXE 16

static size_t walk(const struct tgt_set *s, struct tgt_endpoint *out)
{
	struct tgt_iter *it = tgt_iter_new(s);
	size_t n = 0;

	assert_non_null(it);
	while (n < MAXE && tgt_iter_next(it, &out[n]) == 1)
		n++;
	tgt_iter_free(it);
	return n;
}

/* One spec with the set's ports (NULL: the default 443); its endpoints. */
static size_t parse(const char *spec, const char *ports,
    struct tgt_endpoint *out)
{
	struct tgt_set *s = tgt_set_new();
	char err[TGT_ERRMAX];
	size_t n;

	assert_non_null(s);
	if (ports)
		assert_int_equal(tgt_set_ports(s, ports, err), 0);
	if (tgt_set_add(s, spec, err) != 0)
		fail_msg("refused \"%s\": %s", spec, err);
	n = walk(s, out);
	assert_int_equal(tgt_set_count(s), n);
	tgt_set_free(s);
	return n;
}

static void expect_door(const char *spec, int kind, const char *scheme,
    uint16_t port, const char *label)
{
	struct tgt_endpoint e[MAXE];

	assert_int_equal(parse(spec, NULL, e), 1);
	assert_int_equal(e[0].door.kind, kind);
	if (scheme)
		assert_string_equal(tgt_door_scheme(&e[0].door), scheme);
	else
		assert_null(tgt_door_scheme(&e[0].door));
	assert_int_equal(e[0].port, port);
	assert_string_equal(e[0].label, label);
}

static void expect_error(const char *spec, const char *msg)
{
	struct tgt_set *s = tgt_set_new();
	char err[TGT_ERRMAX] = "";

	assert_int_equal(tgt_set_add(s, spec, err), -1);
	if (strstr(err, msg) == NULL)
		fail_msg("spec \"%s\": error \"%s\" lacks \"%s\"", spec, err,
		    msg);
	assert_int_equal(tgt_set_count(s), 0);
	tgt_set_free(s);
}

static void test_schemes(void **state)
{
	struct tgt_endpoint e[MAXE];

	(void)state;
	expect_door("127.0.0.1:4433", TGT_DOOR_OPTS, NULL, 4433,
	    "127.0.0.1:4433");
	expect_door("dtls://127.0.0.1:4433", TGT_DOOR_DTLS, "dtls", 4433,
	    "dtls://127.0.0.1:4433");
	expect_door("tls://127.0.0.1", TGT_DOOR_TLS, "tls", 443,
	    "tls://127.0.0.1:443");
	expect_door("openvpn://vpn.example", TGT_DOOR_OPENVPN, "openvpn",
	    1194, "openvpn://vpn.example:1194");
	expect_door("openvpn+tcp://vpn.example:443", TGT_DOOR_OPENVPN_TCP,
	    "openvpn+tcp", 443, "openvpn+tcp://vpn.example:443");
	expect_door("openvpn+tcp://127.0.0.2", TGT_DOOR_OPENVPN_TCP,
	    "openvpn+tcp", 1194, "openvpn+tcp://127.0.0.2:1194");
	/* Every STARTTLS protocol, at its first well-known port. */
	expect_door("smtp://mail.example", TGT_DOOR_STARTTLS, "smtp", 25,
	    "smtp://mail.example:25");
	expect_door("smtp://mail.example:587", TGT_DOOR_STARTTLS, "smtp", 587,
	    "smtp://mail.example:587");
	expect_door("xmpp-server://im.example", TGT_DOOR_STARTTLS,
	    "xmpp-server", 5269, "xmpp-server://im.example:5269");
	expect_door("postgres://127.0.0.1", TGT_DOOR_STARTTLS, "postgres",
	    5432, "postgres://127.0.0.1:5432");
	/* The scheme is case-insensitive; the label names it as it is
	 * known, the host as typed. */
	expect_door("SMTP://Mail.Example", TGT_DOOR_STARTTLS, "smtp", 25,
	    "smtp://Mail.Example:25");
	/* Surrounding space goes, as for any target. */
	expect_door("  imap://127.0.0.1  ", TGT_DOOR_STARTTLS, "imap", 143,
	    "imap://127.0.0.1:143");
	/* An IPv6 literal: its colons are not the scheme's or the port's. */
	expect_door("smtp://[::1]:25", TGT_DOOR_STARTTLS, "smtp", 25,
	    "smtp://[::1]:25");
	expect_door("dtls://[::1]", TGT_DOOR_DTLS, "dtls", 443,
	    "dtls://[::1]:443");
	assert_int_equal(parse("smtp://[::1]:2525", NULL, e), 1);
	assert_int_equal(e[0].family, AF_INET6);
	assert_int_equal(e[0].addr[15], 1);
	assert_string_equal(e[0].door.preamble->name, "smtp");
	assert_ptr_equal(e[0].door.preamble, preamble_find("smtp"));
}

static void test_every_preamble(void **state)
{
	struct tgt_endpoint e[MAXE];
	char spec[64];
	size_t i;

	(void)state;
	for (i = 0; preambles[i]; i++) {
		snprintf(spec, sizeof(spec), "%s://127.0.0.1", preambles[i]->name);
		assert_int_equal(parse(spec, NULL, e), 1);
		assert_int_equal(e[0].door.kind, TGT_DOOR_STARTTLS);
		assert_ptr_equal(e[0].door.preamble, preambles[i]);
		assert_int_equal(e[0].port, preambles[i]->ports[0]);
	}
}

/* tls:// and dtls:// take the port list; a door with its own default
 * port does not, and an explicit port always wins. */
static void test_ports(void **state)
{
	struct tgt_endpoint e[MAXE];

	(void)state;
	assert_int_equal(parse("dtls://127.0.0.1", "4433,5544", e), 2);
	assert_int_equal(e[0].port, 4433);
	assert_int_equal(e[1].port, 5544);
	assert_string_equal(e[1].label, "dtls://127.0.0.1:5544");
	assert_int_equal(parse("tls://127.0.0.1", "1-3", e), 3);
	assert_int_equal(parse("smtp://127.0.0.1", "1-3", e), 1);
	assert_int_equal(e[0].port, 25);
	assert_int_equal(parse("openvpn://127.0.0.1", "1-3", e), 1);
	assert_int_equal(e[0].port, 1194);
	assert_int_equal(parse("smtp://127.0.0.1:2525", "1-3", e), 1);
	assert_int_equal(e[0].port, 2525);
}

/* A door applies to every address of a CIDR block or a range. */
static void test_blocks(void **state)
{
	struct tgt_endpoint e[MAXE];
	size_t i;

	(void)state;
	assert_int_equal(parse("dtls://127.0.0.0/30:4433", NULL, e), 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(e[i].door.kind, TGT_DOOR_DTLS);
		assert_int_equal(e[i].port, 4433);
	}
	assert_string_equal(e[3].label, "dtls://127.0.0.3:4433");
	assert_int_equal(parse("smtp://127.0.0.1-3", NULL, e), 3);
	assert_string_equal(e[2].label, "smtp://127.0.0.3:25");
	assert_int_equal(parse("openvpn://[::1/127]", NULL, e), 2);
	assert_string_equal(e[1].label, "openvpn://[::1]:1194");
	/* The size limit of a block holds with a door too. */
	expect_error("dtls://10.0.0.0/7", "more than the limit");
}

static void test_bad(void **state)
{
	(void)state;
	expect_error("dtls://", "no host after \"dtls://\"");
	expect_error("smtp://", "no host after");
	expect_error("foo://x", "bad target \"foo://\": unknown scheme");
	/* The message names every valid scheme. */
	expect_error("foo://x", "tls, dtls, openvpn, openvpn+tcp or smtp");
	expect_error("foo://x", "xmpp-server");
	expect_error("://127.0.0.1", "unknown scheme");
	expect_error("https://127.0.0.1", "unknown scheme");
	expect_error("openvpn-tcp://127.0.0.1", "unknown scheme");
	expect_error("dtls:127.0.0.1", "not a port number");
	/* What follows the door is checked as any target, and the message
	 * quotes the whole target. */
	expect_error("smtp://[::1:25", "bad target \"smtp://[::1:25\"");
	expect_error("smtp://[::1]25", "only \":port\" may follow ']'");
	expect_error("smtp://host:0", "port must be 1..65535");
	expect_error("smtp://host:x", "not a port number");
	expect_error("dtls://10.0.0.300", "not a valid IPv4 address");
	expect_error("dtls://10.0.0.5-1", "range end is before its start");
	expect_error("dtls://10.0.0.0/33", "prefix length");
	expect_error("smtp://dtls://x", "not a port number");
	expect_error("tls://bad host", "not an address, CIDR, range");
}

/* The door is not part of an endpoint's identity: the same shard, the
 * same count, the same positions as without it. */
static void test_shard_unchanged(void **state)
{
	static const char *const names[] = { "a.example", "b.example",
		"c.example", "127.0.0.1", "[::1]", "mail.example" };
	char with[64], err[TGT_ERRMAX];
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (k = 1; k <= 5; k++) {
			struct tgt_set *a = tgt_set_new(), *b = tgt_set_new();
			struct tgt_endpoint ea[MAXE], eb[MAXE];
			char kn[8];

			snprintf(with, sizeof(with), "tls://%s", names[i]);
			snprintf(kn, sizeof(kn), "%zu/5", k);
			assert_int_equal(tgt_set_add(a, names[i], err), 0);
			assert_int_equal(tgt_set_add(b, with, err), 0);
			assert_int_equal(tgt_set_shard(a, kn, err), 0);
			assert_int_equal(tgt_set_shard(b, kn, err), 0);
			assert_int_equal(walk(a, ea), walk(b, eb));
			assert_int_equal(tgt_set_count(a), tgt_set_count(b));
			tgt_set_free(a);
			tgt_set_free(b);
		}
	}
}

/* Target files, read at once or streamed, keep each line's door. */
static void test_files(void **state)
{
	char path[] = "/tmp/heartcheck-doors-XXXXXX";
	const char body[] = "dtls://127.0.0.1:4433\n"
			    "127.0.0.1:443 # no door\n"
			    "smtp://127.0.0.1\n"
			    "foo://127.0.0.1\n"
			    "openvpn+tcp://[::1]\n";
	struct tgt_endpoint e[MAXE];
	char err[TGT_ERRMAX];
	int fd = mkstemp(path), pass;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, body, sizeof(body) - 1),
	    (ssize_t)(sizeof(body) - 1));
	close(fd);
	for (pass = 0; pass < 2; pass++) {
		struct tgt_set *s = tgt_set_new();

		assert_int_equal(pass ? tgt_set_stream_file(s, path, NULL,
					    NULL, err) :
					tgt_set_add_file(s, path, NULL, NULL,
					    err),
		    1);
		assert_int_equal(walk(s, e), 4);
		assert_string_equal(e[0].label, "dtls://127.0.0.1:4433");
		assert_int_equal(e[0].door.kind, TGT_DOOR_DTLS);
		assert_string_equal(e[1].label, "127.0.0.1:443");
		assert_int_equal(e[1].door.kind, TGT_DOOR_OPTS);
		assert_string_equal(e[2].label, "smtp://127.0.0.1:25");
		assert_int_equal(e[2].door.kind, TGT_DOOR_STARTTLS);
		assert_string_equal(e[3].label, "openvpn+tcp://[::1]:1194");
		assert_int_equal(e[3].door.kind, TGT_DOOR_OPENVPN_TCP);
		tgt_set_free(s);
	}
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schemes),
		cmocka_unit_test(test_every_preamble),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_shard_unchanged),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
