/*
 * Unit tests for the STARTTLS registry and modules (probe/preamble.h) and
 * for the engine's preamble phase (probe.h).  Each module is fed a
 * scripted server transcript whole, one byte at a time, and cut in two at
 * every offset: the answer, the bytes sent and the bytes left for TLS must
 * not depend on the split.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/preamble.h"
#include "probe/probe.h"

#define SENT_MAX 4096

/* What a module made of a transcript. */
struct run {
	enum pre_res res;
	uint8_t sent[SENT_MAX];
	size_t sent_len;
	size_t rest;              /* bytes of the transcript left for TLS */
	char why[160];
	/* sent_at[i]: bytes sent once chunk boundary i was fed */
};

/* Feeds srv (n bytes) cut at the offsets in cuts (ascending). */
static void run_cuts(const struct preamble *pre, const char *host,
    const uint8_t *srv, size_t n, const size_t *cuts, size_t ncuts,
    struct run *r)
{
	void *ctx = calloc(1, pre->ctx_size ? pre->ctx_size : 1);
	struct pre_out o;
	size_t at = 0, k = 0, used, end, steps = 0;

	assert_non_null(ctx);
	memset(r, 0, sizeof(*r));
	o.buf = r->sent;
	o.cap = sizeof(r->sent);
	o.len = 0;
	pre->init(ctx, host);
	r->res = pre->step(ctx, NULL, 0, &used, &o, r->why, sizeof(r->why));
	while (r->res == PRE_MORE && at < n) {
		end = k < ncuts ? cuts[k++] : n;
		if (end > n)
			end = n;
		if (end <= at)
			continue;
		used = 0;
		r->res = pre->step(ctx, srv + at, end - at, &used, &o, r->why,
		    sizeof(r->why));
		assert_true(used <= end - at);
		if (r->res == PRE_MORE)
			assert_int_equal(used, end - at);
		at += used;
		assert_true(++steps < 100000);
	}
	r->sent_len = o.len;
	r->rest = n - at;
	free(ctx);
}

static void run_whole(const struct preamble *pre, const char *host,
    const void *srv, size_t n, struct run *r)
{
	run_cuts(pre, host, srv, n, NULL, 0, r);
}

/* Runs the transcript whole, byte by byte and cut at every offset, and
 * checks every run agrees; returns the whole run in r. */
static void run_all(const struct preamble *pre, const char *host,
    const void *srv, size_t n, struct run *r)
{
	static struct run r2;
	size_t *cuts = calloc(n + 1, sizeof(*cuts)), i;

	assert_non_null(cuts);
	run_whole(pre, host, srv, n, r);
	for (i = 0; i < n; i++)
		cuts[i] = i + 1;
	run_cuts(pre, host, srv, n, cuts, n, &r2);
	assert_int_equal(r2.res, r->res);
	assert_int_equal(r2.sent_len, r->sent_len);
	assert_memory_equal(r2.sent, r->sent, r->sent_len);
	assert_int_equal(r2.rest, r->rest);
	for (i = 1; i < n; i++) {
		run_cuts(pre, host, srv, n, &i, 1, &r2);
		assert_int_equal(r2.res, r->res);
		assert_int_equal(r2.sent_len, r->sent_len);
		assert_int_equal(r2.rest, r->rest);
	}
	free(cuts);
}

#define S(x) (x), (sizeof(x) - 1)

static const struct preamble *mod(const char *name)
{
	const struct preamble *p = preamble_find(name);

	assert_non_null(p);
	return p;
}

static void sent_is(const struct run *r, const char *want)
{
	if (r->sent_len != strlen(want) ||
	    memcmp(r->sent, want, r->sent_len) != 0) {
		print_error("sent %.*s, want %s\n", (int)r->sent_len,
		    (const char *)r->sent, want);
		fail();
	}
}

static void why_has(const struct run *r, const char *want)
{
	if (!strstr(r->why, want)) {
		print_error("why \"%s\" lacks \"%s\"\n", r->why, want);
		fail();
	}
}

/* ------------------------------------------------------------------ */
/* The registry                                                         */

static void test_registry(void **state)
{
	size_t i, j;
	char names[256];

	(void)state;
	for (i = 0; preambles[i]; i++) {
		assert_non_null(preambles[i]->name);
		assert_non_null(preambles[i]->step);
		assert_non_null(preambles[i]->init);
		assert_non_null(preambles[i]->waiting);
		assert_non_null(preambles[i]->ports);
		assert_true(preambles[i]->ctx_size < 1024);
		for (j = 0; j < i; j++)
			assert_string_not_equal(preambles[i]->name,
			    preambles[j]->name);
	}
	assert_true(i >= 15);
	assert_ptr_equal(preamble_find("SMTP"), mod("smtp"));
	assert_null(preamble_find("gopher"));
	assert_null(preamble_find(NULL));
	assert_string_equal(preamble_for_port(25)->name, "smtp");
	assert_string_equal(preamble_for_port(587)->name, "smtp");
	assert_string_equal(preamble_for_port(24)->name, "lmtp");
	assert_string_equal(preamble_for_port(143)->name, "imap");
	assert_string_equal(preamble_for_port(110)->name, "pop3");
	assert_string_equal(preamble_for_port(21)->name, "ftp");
	assert_string_equal(preamble_for_port(5222)->name, "xmpp");
	assert_string_equal(preamble_for_port(5269)->name, "xmpp-server");
	assert_string_equal(preamble_for_port(389)->name, "ldap");
	assert_string_equal(preamble_for_port(5432)->name, "postgres");
	assert_string_equal(preamble_for_port(3306)->name, "mysql");
	assert_string_equal(preamble_for_port(119)->name, "nntp");
	assert_string_equal(preamble_for_port(4190)->name, "sieve");
	assert_string_equal(preamble_for_port(6667)->name, "irc");
	assert_string_equal(preamble_for_port(23)->name, "telnet");
	assert_string_equal(preamble_for_port(3389)->name, "rdp");
	assert_null(preamble_for_port(443));
	assert_null(preamble_for_port(465));
	assert_null(preamble_for_port(993));
	assert_null(preamble_for_port(0));
	preamble_names(names, sizeof(names));
	assert_non_null(strstr(names, "smtp, lmtp, imap"));
	preamble_names(names, 8);
	assert_true(strlen(names) < 8);
}

static void test_line_helpers(void **state)
{
	struct pre_line l;
	char big[1000], why[40];
	size_t used;

	(void)state;
	memset(&l, 0, sizeof(l));
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	assert_int_equal(pre_line_take(&l, (uint8_t *)big, sizeof(big), &used),
	    1);
	assert_int_equal(used, sizeof(big));
	assert_int_equal(l.len, PRE_LINE_MAX);
	assert_true(l.truncated);
	pre_why_quote(why, sizeof(why), "p", "a\"b\x01\xff" "cccccccccccccccc"
	    "cccccccccccccccccccccc", 40);
	assert_true(strlen(why) < sizeof(why));
	assert_non_null(strstr(why, "a\\x22b\\x01\\xff"));
}

/* ------------------------------------------------------------------ */
/* SMTP and LMTP                                                        */

static void test_smtp_ok(void **state)
{
	static const char srv[] =
	    "220-mail.example ESMTP\r\n220-more words\r\n220 ready\r\n"
	    "250-mail.example\r\n250-PIPELINING\r\n250-STARTTLS\r\n"
	    "250 8BITMIME\r\n"
	    "220 2.0.0 Ready to start TLS\r\n\x16\x03\x01";
	struct run r;

	(void)state;
	run_all(mod("smtp"), NULL, S(srv), &r);
	assert_int_equal(r.res, PRE_READY);
	sent_is(&r, "EHLO heartcheck.invalid\r\nSTARTTLS\r\n");
	assert_int_equal(r.rest, 3);
}

/* Never pipelined: nothing but EHLO goes out before its reply. */
static void test_smtp_no_pipelining(void **state)
{
	static const char srv[] = "220 ready\r\n250-x\r\n250-STARTTLS\r\n";
	struct run r;

	(void)state;
	run_all(mod("smtp"), NULL, S(srv), &r);
	assert_int_equal(r.res, PRE_MORE);
	sent_is(&r, "EHLO heartcheck.invalid\r\n");
	run_all(mod("lmtp"), NULL, S(srv), &r);
	sent_is(&r, "LHLO heartcheck.invalid\r\n");
}

static void test_smtp_refusals(void **state)
{
	static const char no_tls[] = "220 hi\r\n250-mail\r\n250 SIZE 100\r\n";
	static const char greet554[] = "554 5.7.1 go away\r\n";
	static const char tls454[] = "220 hi\r\n250-a\r\n250 STARTTLS\r\n"
	    "454 4.7.0 TLS not available due to local problem\r\n";
	static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
	static const char ehlo502[] = "220 hi\r\n502 5.5.2 Error\r\n";
	struct run r;

	(void)state;
	run_all(mod("smtp"), NULL, S(no_tls), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "does not offer STARTTLS");
	run_all(mod("smtp"), NULL, S(greet554), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "554 5.7.1 go away");
	assert_int_equal(r.sent_len, 0);
	run_all(mod("smtp"), NULL, S(tls454), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "TLS not available");
	run_all(mod("smtp"), NULL, S(http), &r);
	assert_int_equal(r.res, PRE_NOT_PROTO);
	why_has(&r, "HTTP/1.1 400");
	run_all(mod("smtp"), NULL, S(ehlo502), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "EHLO refused");
}

/* A long line is truncated, and still read to its end. */
static void test_smtp_long_lines(void **state)
{
	static char srv[20000];
	struct run r;
	size_t n;

	(void)state;
	n = (size_t)snprintf(srv, sizeof(srv), "220-");
	memset(srv + n, 'a', 15000);
	n += 15000;
	n += (size_t)snprintf(srv + n, sizeof(srv) - n, "\r\n220 ok\r\n"
	    "250-STARTTLS\r\n250 x\r\n220 go\r\n");
	run_whole(mod("smtp"), NULL, srv, n, &r);
	assert_int_equal(r.res, PRE_READY);
	assert_int_equal(r.rest, 0);
}

/* ------------------------------------------------------------------ */
/* IMAP, POP3, FTP, NNTP, ManageSieve, IRC                              */

static void test_imap(void **state)
{
	static const char ok[] = "* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n"
	    "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS STARTTLS "
	    "LOGINDISABLED\r\na OK Pre-login capabilities listed.\r\n"
	    "b OK Begin TLS negotiation now.\r\n";
	static const char no[] = "* OK hi\r\n* CAPABILITY IMAP4rev1\r\n"
	    "a OK done\r\n";
	static const char bad[] = "* OK hi\r\n* CAPABILITY STARTTLS\r\n"
	    "a OK done\r\nb NO [UNAVAILABLE] TLS is broken\r\n";
	static const char bye[] = "* BYE Too many connections\r\n";
	static const char pop[] = "+OK POP3 ready\r\n";
	struct run r;

	(void)state;
	run_all(mod("imap"), NULL, S(ok), &r);
	assert_int_equal(r.res, PRE_READY);
	sent_is(&r, "a CAPABILITY\r\nb STARTTLS\r\n");
	run_all(mod("imap"), NULL, S(no), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "does not offer STARTTLS");
	run_all(mod("imap"), NULL, S(bad), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "TLS is broken");
	run_all(mod("imap"), NULL, S(bye), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "Too many connections");
	run_all(mod("imap"), NULL, S(pop), &r);
	assert_int_equal(r.res, PRE_NOT_PROTO);
}

static void test_pop3(void **state)
{
	static const char ok[] = "+OK Dovecot ready.\r\n+OK Begin TLS\r\n";
	static const char no[] = "+OK hi\r\n-ERR Unknown command\r\n";
	static const char err[] = "-ERR [SYS/TEMP] busy\r\n";
	static const char smtp[] = "220 smtp\r\n";
	struct run r;

	(void)state;
	run_all(mod("pop3"), NULL, S(ok), &r);
	assert_int_equal(r.res, PRE_READY);
	sent_is(&r, "STLS\r\n");
	run_all(mod("pop3"), NULL, S(no), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "Unknown command");
	run_all(mod("pop3"), NULL, S(err), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	run_all(mod("pop3"), NULL, S(smtp), &r);
	assert_int_equal(r.res, PRE_NOT_PROTO);
}

static void test_ftp(void **state)
{
	static const char ok[] = "220-Welcome to the FTP service\r\n"
	    "   free text without a code\r\n220-still\r\n220 ready\r\n"
	    "234 Proceed with negotiation.\r\n";
	static const char oops[] = "220 (vsFTPd 3.0.3)\r\n500 OOPS: SSL: "
	    "cannot load RSA certificate\r\n";
	static const char oops_greet[] = "500 OOPS: vsftpd: refusing to run "
	    "with writable root inside chroot()\r\n";
	static const char no[] = "220 hi\r\n502 Command not implemented\r\n";
	struct run r;

	(void)state;
	run_all(mod("ftp"), NULL, S(ok), &r);
	assert_int_equal(r.res, PRE_READY);
	sent_is(&r, "AUTH TLS\r\n");
	run_all(mod("ftp"), NULL, S(oops), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "500 OOPS: SSL: cannot load RSA certificate");
	run_all(mod("ftp"), NULL, S(oops_greet), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "500 OOPS: vsftpd");
	run_all(mod("ftp"), NULL, S(no), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "502");
}

static void test_nntp(void **state)
{
	static const char ok201[] = "201 news.example ready (no posting)\r\n"
	    "382 Continue with TLS negotiation\r\n";
	static const char ok200[] = "200 news ready\r\n382 go\r\n";
	static const char no[] = "200 news\r\n580 Can not initiate TLS\r\n";
	static const char busy[] = "400 service temporarily unavailable\r\n";
	struct run r;

	(void)state;
	run_all(mod("nntp"), NULL, S(ok201), &r);
	assert_int_equal(r.res, PRE_READY);
	sent_is(&r, "STARTTLS\r\n");
	run_all(mod("nntp"), NULL, S(ok200), &r);
	assert_int_equal(r.res, PRE_READY);
	run_all(mod("nntp"), NULL, S(no), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "Can not initiate TLS");
	run_all(mod("nntp"), NULL, S(busy), &r);
	assert_int_equal(r.res, PRE_REFUSED);
}

static void test_sieve(void **state)
{
	static const char ok[] = "\"IMPLEMENTATION\" \"Dovecot Pigeonhole\"\r\n"
	    "\"SIEVE\" \"fileinto reject\"\r\n\"STARTTLS\"\r\n"
	    "\"VERSION\" \"1.0\"\r\nOK \"ready.\"\r\nOK \"Begin TLS.\"\r\n";
	static const char no[] = "\"IMPLEMENTATION\" \"x\"\r\nOK \"ready\"\r\n";
	static const char bye[] = "\"STARTTLS\"\r\nOK \"hi\"\r\n"
	    "NO \"TLS unavailable\"\r\n";
	struct run r;

	(void)state;
	run_all(mod("sieve"), NULL, S(ok), &r);
	assert_int_equal(r.res, PRE_READY);
	sent_is(&r, "STARTTLS\r\n");
	run_all(mod("sieve"), NULL, S(no), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "does not offer STARTTLS");
	run_all(mod("sieve"), NULL, S(bye), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "TLS unavailable");
}

static void test_irc(void **state)
{
	static const char ok[] = ":irc.example NOTICE * :*** Looking up your "
	    "hostname...\r\n:irc.example 670 * :STARTTLS successful, "
	    "proceed with TLS handshake\r\n";
	static const char no[] = ":irc.example 691 * :STARTTLS failed\r\n";
	static const char unk[] = ":irc.example 421 * STARTTLS :Unknown "
	    "command\r\n";
	static const char ssh[] = "SSH-2.0-OpenSSH_9.2\r\n";
	struct run r;

	(void)state;
	run_all(mod("irc"), NULL, S(ok), &r);
	assert_int_equal(r.res, PRE_READY);
	sent_is(&r, "STARTTLS\r\n");
	run_all(mod("irc"), NULL, S(no), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	run_all(mod("irc"), NULL, S(unk), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "Unknown command");
	run_all(mod("irc"), NULL, S(ssh), &r);
	assert_int_equal(r.res, PRE_NOT_PROTO);
}

/* ------------------------------------------------------------------ */
/* XMPP                                                                 */

static void test_xmpp(void **state)
{
	static const char ok[] = "<?xml version='1.0'?>\n<stream:stream "
	    "xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:"
	    "client' from='example.org' id='abc' version='1.0'>"
	    "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-"
	    "tls'><required/></starttls><mechanisms xmlns='urn:ietf:params:"
	    "xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>"
	    "</stream:features><proceed xmlns='urn:ietf:params:xml:ns:"
	    "xmpp-tls'/>";
	static const char nofeat[] = "<stream:stream xmlns='jabber:client'>"
	    "<stream:features><mechanisms/></stream:features>";
	static const char err[] = "<?xml version='1.0'?><stream:stream "
	    "xmlns='jabber:client'><stream:error><host-unknown xmlns='urn:"
	    "ietf:params:xml:ns:xmpp-streams'/></stream:error>"
	    "</stream:stream>";
	static const char fail_[] = "<stream:stream><stream:features>"
	    "<starttls/></stream:features><failure xmlns='urn:ietf:params:"
	    "xml:ns:xmpp-tls'/>";
	static const char http[] = "HTTP/1.0 200 OK\r\n\r\n";
	static const char html[] = "<html><body>";
	struct run r;

	(void)state;
	run_all(mod("xmpp"), "chat.example.org", S(ok), &r);
	assert_int_equal(r.res, PRE_READY);
	assert_int_equal(r.rest, 0);
	assert_non_null(memmem(r.sent, r.sent_len, "to='chat.example.org'",
	    21));
	assert_non_null(memmem(r.sent, r.sent_len, "jabber:client", 13));
	assert_non_null(memmem(r.sent, r.sent_len, "<starttls xmlns='urn:ietf:"
	    "params:xml:ns:xmpp-tls'/>", 50));
	run_all(mod("xmpp-server"), "example.org", S(ok), &r);
	assert_int_equal(r.res, PRE_READY);
	assert_non_null(memmem(r.sent, r.sent_len, "jabber:server", 13));
	/* A name that cannot be quoted is left out. */
	run_all(mod("xmpp"), "a'b", S(ok), &r);
	assert_null(memmem(r.sent, r.sent_len, "to=", 3));
	run_all(mod("xmpp"), NULL, S(nofeat), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "does not offer STARTTLS");
	run_all(mod("xmpp"), "x", S(err), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "stream error: \"host-unknown\"");
	run_all(mod("xmpp"), "x", S(fail_), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "failure");
	run_all(mod("xmpp"), "x", S(http), &r);
	assert_int_equal(r.res, PRE_NOT_PROTO);
	run_all(mod("xmpp"), "x", S(html), &r);
	assert_int_equal(r.res, PRE_NOT_PROTO);
}

/* ------------------------------------------------------------------ */
/* LDAP, PostgreSQL, MySQL, Telnet                                      */

#define OID "1.3.6.1.4.1.1466.20037"

static void test_ldap(void **state)
{
	/* OpenLDAP: short lengths, no responseName. */
	static const uint8_t openldap[] = { 0x30, 0x0c, 0x02, 0x01, 0x01,
		0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00, 0x16 };
	/* Active Directory: four-byte long-form lengths and the OID. */
	static const uint8_t ad[] = { 0x30, 0x84, 0x00, 0x00, 0x00, 0x28,
		0x02, 0x01, 0x01, 0x78, 0x84, 0x00, 0x00, 0x00, 0x1f,
		0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00, 0x8a, 0x16,
		'1', '.', '3', '.', '6', '.', '1', '.', '4', '.', '1', '.',
		'1', '4', '6', '6', '.', '2', '0', '0', '3', '7' };
	/* ApacheDS: one-byte long form (81 xx) and the OID. */
	static const uint8_t apacheds[] = { 0x30, 0x81, 0x25, 0x02, 0x01,
		0x01, 0x78, 0x81, 0x1f, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04,
		0x00, 0x8a, 0x16,
		'1', '.', '3', '.', '6', '.', '1', '.', '4', '.', '1', '.',
		'1', '4', '6', '6', '.', '2', '0', '0', '3', '7', 0x16, 0x03 };
	static const uint8_t refused[] = { 0x30, 0x2b, 0x02, 0x01, 0x01,
		0x78, 0x26, 0x0a, 0x01, 0x02, 0x04, 0x00, 0x04, 0x1f,
		'u', 'n', 's', 'u', 'p', 'p', 'o', 'r', 't', 'e', 'd', ' ',
		'e', 'x', 't', 'e', 'n', 'd', 'e', 'd', ' ', 'o', 'p', 'e',
		'r', 'a', 't', 'i', 'o', 'n', '\n', 0x00, 0x00 };
	static const uint8_t notice[] = { 0x30, 0x0c, 0x02, 0x01, 0x00,
		0x78, 0x07, 0x0a, 0x01, 0x34, 0x04, 0x00, 0x04, 0x00 };
	static const uint8_t garbage[] = "SSH-2.0-x\r\n";
	static const uint8_t huge[] = { 0x30, 0x84, 0x7f, 0xff, 0xff, 0xff };
	struct run r;

	(void)state;
	run_all(mod("ldap"), NULL, openldap, sizeof(openldap), &r);
	assert_int_equal(r.res, PRE_READY);
	assert_int_equal(r.rest, 1);
	assert_int_equal(r.sent_len, 31);
	assert_memory_equal(r.sent + 9, OID, 22);
	run_all(mod("ldap"), NULL, ad, sizeof(ad), &r);
	assert_int_equal(r.res, PRE_READY);
	assert_int_equal(r.rest, 0);
	run_all(mod("ldap"), NULL, apacheds, sizeof(apacheds), &r);
	assert_int_equal(r.res, PRE_READY);
	assert_int_equal(r.rest, 2);
	run_all(mod("ldap"), NULL, refused, sizeof(refused), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "protocolError");
	why_has(&r, "unsupported extended operation\\x0a");
	run_all(mod("ldap"), NULL, notice, sizeof(notice), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "notice of disconnection");
	run_all(mod("ldap"), NULL, garbage, sizeof(garbage) - 1, &r);
	assert_int_equal(r.res, PRE_NOT_PROTO);
	run_all(mod("ldap"), NULL, huge, sizeof(huge), &r);
	assert_int_equal(r.res, PRE_NOT_PROTO);
}

static void test_postgres(void **state)
{
	static const uint8_t req[] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f };
	struct run r;

	(void)state;
	run_all(mod("postgres"), NULL, "S\x16\x03", 3, &r);
	assert_int_equal(r.res, PRE_READY);
	assert_int_equal(r.rest, 2);
	assert_int_equal(r.sent_len, 8);
	assert_memory_equal(r.sent, req, 8);
	run_all(mod("postgres"), NULL, "N", 1, &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "does not accept SSL");
	run_all(mod("postgres"), NULL, "E\0\0\0\x10SFATAL", 11, &r);
	assert_int_equal(r.res, PRE_REFUSED);
	run_all(mod("postgres"), NULL, "HTTP/1.1", 8, &r);
	assert_int_equal(r.res, PRE_NOT_PROTO);
}

/* A protocol-10 greeting with the given capability bits. */
static size_t my_greeting(uint8_t *b, unsigned caps)
{
	static const char ver[] = "10.11.6-MariaDB-0+deb12u1";
	size_t n = 4, i;

	b[n++] = 10;
	memcpy(b + n, ver, sizeof(ver));
	n += sizeof(ver);
	for (i = 0; i < 4 + 8 + 1; i++)
		b[n++] = (uint8_t)(i + 1);
	b[n++] = (uint8_t)caps;
	b[n++] = (uint8_t)(caps >> 8);
	b[n++] = 8;           /* charset */
	b[n++] = 2;           /* status */
	b[n++] = 0;
	for (i = 0; i < 2 + 1 + 10 + 13; i++)
		b[n++] = 'x';
	b[0] = (uint8_t)(n - 4);
	b[1] = 0;
	b[2] = 0;
	b[3] = 0;
	return n;
}

static void test_mysql(void **state)
{
	static const uint8_t err[] = { 0x2c, 0, 0, 0, 0xff, 0x6a, 0x04,
		'H', 'o', 's', 't', ' ', '\'', '1', '0', '.', '0', '.', '0',
		'.', '1', '\'', ' ', 'i', 's', ' ', 'n', 'o', 't', ' ', 'a',
		'l', 'l', 'o', 'w', 'e', 'd', ' ', 't', 'o', ' ', 'c', 'o',
		'n', 'n', 'e', 'c', 't' };
	uint8_t g[256];
	size_t n;
	struct run r;

	(void)state;
	n = my_greeting(g, 0xffff);
	run_all(mod("mysql"), NULL, g, n, &r);
	assert_int_equal(r.res, PRE_READY);
	assert_int_equal(r.rest, 0);
	assert_int_equal(r.sent_len, 36);
	assert_int_equal(r.sent[0], 32);
	assert_int_equal(r.sent[3], 1);
	assert_true(r.sent[5] & 0x08);
	n = my_greeting(g, 0xf7ff);
	run_all(mod("mysql"), NULL, g, n, &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "does not offer SSL");
	why_has(&r, "MariaDB");
	run_all(mod("mysql"), NULL, err, sizeof(err), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "is not allowed to connect");
	run_all(mod("mysql"), NULL, "220 smtp\r\n", 10, &r);
	assert_int_equal(r.res, PRE_NOT_PROTO);
}

static void test_telnet(void **state)
{
	static const uint8_t ok[] = { 0xff, 0xfd, 0x18, 0xff, 0xfd, 0x2e,
		0xff, 0xfa, 0x2e, 0x01, 0xff, 0xf0, 0x16 };
	static const uint8_t offer[] = { 0xff, 0xfb, 0x2e, 0xff, 0xfb, 0x25 };
	static const uint8_t want[] = { 0xff, 0xfb, 0x2e, 0xff, 0xfb, 0x25,
		0xff, 0xfc, 0x18, 0xff, 0xfa, 0x2e, 0x01, 0xff, 0xf0 };
	static const uint8_t dont_want[] = { 0xff, 0xfb, 0x2e, 0xff, 0xfb,
		0x25, 0xff, 0xfc, 0x18 };
	static const uint8_t reject_want[] = { 0xff, 0xfb, 0x2e, 0xff, 0xfb,
		0x25, 0xff, 0xfa, 0x25, 0x00, 0x07, 0x00, 0x01, 0xff, 0xf0 };
	/* Declines both, or declines START_TLS and goes on to its login. */
	static const uint8_t dont[] = { 0xff, 0xfd, 0x18, 0xff, 0xfe, 0x2e,
		0xff, 0xfe, 0x25 };
	static const uint8_t login[] = { 0xff, 0xfe, 0x2e, 'l', 'o', 'g', 'i',
		'n', ':', ' ' };
	/* telnetd-ssl: AUTHENTICATION of type SSL, not START_TLS. */
	static const uint8_t auth[] = { 0xff, 0xfd, 0x27, 0xff, 0xfe, 0x2e,
		0xff, 0xfd, 0x25, 0xff, 0xfa, 0x25, 0x01, 0x07, 0x00, 0xff,
		0xf0, 0xff, 0xfa, 0x25, 0x02, 0x07, 0x00, 0x02, 0xff, 0xf0,
		0x16, 0x03 };
	static const uint8_t auth_want[] = { 0xff, 0xfb, 0x2e, 0xff, 0xfb,
		0x25, 0xff, 0xfc, 0x27, 0xff, 0xfa, 0x25, 0x00, 0x07, 0x00,
		0x01, 0xff, 0xf0 };
	/* Only Kerberos V5 offered: IS NULL, and with START_TLS declined,
	 * a refusal; a REPLY SSL REJECT likewise. */
	static const uint8_t krb[] = { 0xff, 0xfe, 0x2e, 0xff, 0xfd, 0x25,
		0xff, 0xfa, 0x25, 0x01, 0x02, 0x00, 0x02, 0x02, 0xff, 0xf0 };
	static const uint8_t krb_want[] = { 0xff, 0xfb, 0x2e, 0xff, 0xfb,
		0x25, 0xff, 0xfa, 0x25, 0x00, 0x00, 0x00, 0xff, 0xf0 };
	static const uint8_t reject[] = { 0xff, 0xfe, 0x2e, 0xff, 0xfa, 0x25,
		0x01, 0x07, 0x00, 0xff, 0xf0, 0xff, 0xfa, 0x25, 0x02, 0x07,
		0x00, 0x03, 0xff, 0xf0 };
	/* START_TLS declined, AUTHENTICATION still open: no answer yet. */
	static const uint8_t pending[] = { 0xff, 0xfe, 0x2e, 0xff, 0xfd,
		0x25 };
	static char text[700];
#define TN(srv, res, why, sent, rest) \
	{ srv, sizeof(srv), res, why, sent, sizeof(sent), rest }
	static const struct {
		const void *srv;
		size_t n;
		enum pre_res res;
		const char *why; /* up to two parts, "a|b": each must be there */
		const uint8_t *sent;
		size_t sent_len;
		size_t rest; /* bytes left for TLS, or not read */
	} cases[] = {
		TN(ok, PRE_READY, NULL, want, 1),
		TN(dont, PRE_REFUSED,
		    "IAC DONT START_TLS|IAC DONT AUTHENTICATION", dont_want, 0),
		TN(login, PRE_REFUSED, "went on without it", offer, 6),
		TN(auth, PRE_READY, NULL, auth_want, 2),
		TN(krb, PRE_REFUSED, "offered no AUTHENTICATION of type SSL",
		    krb_want, 0),
		TN(reject, PRE_REFUSED, "rejected AUTHENTICATION SSL",
		    reject_want, 0),
		TN(pending, PRE_MORE, NULL, offer, 0),
		TN(text, PRE_NOT_PROTO, "bytes of text", offer, 188),
	};
#undef TN
	struct run r;
	size_t i;
	char part[80], *bar;

	(void)state;
	memset(text, 'a', sizeof(text));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_all(mod("telnet"), NULL, cases[i].srv, cases[i].n, &r);
		assert_int_equal(r.res, cases[i].res);
		if (cases[i].why) {
			snprintf(part, sizeof(part), "%s", cases[i].why);
			bar = strchr(part, '|');
			if (bar) {
				*bar = '\0';
				why_has(&r, bar + 1);
			}
			why_has(&r, part);
		}
		assert_int_equal(r.sent_len, cases[i].sent_len);
		assert_memory_equal(r.sent, cases[i].sent, cases[i].sent_len);
		assert_int_equal(r.rest, cases[i].rest);
	}
}

static void test_rdp(void **state)
{
	/* xrdp's Connection Confirm with a Negotiation Response: TLS. */
	static const uint8_t ok[] = { 0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0,
		0x00, 0x00, 0x12, 0x34, 0x00, 0x02, 0x1f, 0x08, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x16, 0x03 };
	static const uint8_t fail_[] = { 0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0,
		0x00, 0x00, 0x12, 0x34, 0x00, 0x03, 0x00, 0x08, 0x00, 0x05,
		0x00, 0x00, 0x00 };
	static const uint8_t legacy[] = { 0x03, 0x00, 0x00, 0x0b, 0x06, 0xd0,
		0x00, 0x00, 0x12, 0x34, 0x00 };
	static const uint8_t want[] = { 0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0x00, 0x01,
		0x00, 0x00, 0x00 };
	struct run r;

	(void)state;
	run_all(mod("rdp"), NULL, ok, sizeof(ok), &r);
	assert_int_equal(r.res, PRE_READY);
	assert_int_equal(r.rest, 2);
	assert_int_equal(r.sent_len, sizeof(want));
	assert_memory_equal(r.sent, want, sizeof(want));
	run_all(mod("rdp"), NULL, fail_, sizeof(fail_), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "HYBRID_REQUIRED_BY_SERVER");
	run_all(mod("rdp"), NULL, legacy, sizeof(legacy), &r);
	assert_int_equal(r.res, PRE_REFUSED);
	why_has(&r, "standard RDP security only");
	run_all(mod("rdp"), NULL, "HTTP/1.1 400", 12, &r);
	assert_int_equal(r.res, PRE_NOT_PROTO);
}

/* ------------------------------------------------------------------ */
/* The engine's preamble phase                                          */

struct drv {
	struct probe p;
	struct probe_cfg cfg;
	uint8_t buf[PROBE_OUT_MIN];
	struct probe_out o;
};

static void d_out(struct drv *d)
{
	memset(&d->o, 0, sizeof(d->o));
	d->o.buf = d->buf;
	d->o.cap = sizeof(d->buf);
}

static void d_init(struct drv *d, const char *proto)
{
	memset(d, 0, sizeof(*d));
	d->cfg.preamble = proto ? mod(proto) : NULL;
	d->cfg.host = "example.org";
	probe_init(&d->p, &d->cfg, 42);
	d_out(d);
	probe_on_connected(&d->p, &d->o);
}

static void d_feed(struct drv *d, const char *s)
{
	d_out(d);
	probe_on_data(&d->p, (const uint8_t *)s, strlen(s), &d->o);
}

static int out_is_hello(const struct drv *d, size_t at)
{
	return d->o.len > at + 5 && d->buf[at] == 0x16 &&
	    d->buf[at + 1] == 0x03 && d->buf[at + 5] == 0x01;
}

static void test_engine_smtp(void **state)
{
	struct drv d;
	struct probe_result pr;

	(void)state;
	d_init(&d, "smtp");
	assert_int_equal(d.o.len, 0);
	assert_int_equal(d.p.state, PS_PREAMBLE);
	d_feed(&d, "220 hi\r\n");
	assert_int_equal(d.o.len, strlen("EHLO heartcheck.invalid\r\n"));
	d_feed(&d, "250-x\r\n250 STARTTLS\r\n");
	assert_memory_equal(d.buf, "STARTTLS\r\n", 10);
	d_feed(&d, "220 go\r\n");
	assert_int_equal(d.p.state, PS_HELLO);
	assert_true(out_is_hello(&d, 0));
	assert_int_equal(d.o.act, PA_CONTINUE);
	/* The version fallback reconnects: the dialogue runs again. */
	d_out(&d);
	probe_on_closed(&d.p, 0, &d.o);
	assert_int_equal(d.o.act, PA_RECONNECT);
	d_out(&d);
	probe_on_connected(&d.p, &d.o);
	assert_int_equal(d.p.state, PS_PREAMBLE);
	assert_int_equal(d.o.len, 0);
	d_feed(&d, "554 no more\r\n");
	assert_int_equal(d.o.act, PA_DONE);
	assert_int_equal(d.p.verdict, PV_STARTTLS_REFUSED);
	assert_non_null(strstr(d.p.reason, "STARTTLS smtp (connection 2)"));
	assert_non_null(strstr(d.p.reason, "554 no more"));
	probe_get_result(&d.p, &pr);
	assert_string_equal(pr.starttls, "smtp");
	assert_true(probe_verdict_untested(pr.verdict));
	assert_string_equal(probe_verdict_name(pr.verdict),
	    "starttls-refused");
	probe_free(&d.p);
}

/* Bytes after the go-ahead are the server's TLS, in the same read. */
static void test_engine_leftover(void **state)
{
	struct drv d;

	(void)state;
	d_init(&d, "postgres");
	assert_int_equal(d.o.len, 8);
	d_out(&d);
	probe_on_data(&d.p, (const uint8_t *)"SHTTP/1.0", 9, &d.o);
	assert_int_equal(d.p.verdict, PV_NOT_TLS);
	assert_int_equal(d.o.act, PA_DONE);
	probe_free(&d.p);

	d_init(&d, "mysql");
	{
		uint8_t g[256];
		size_t n = my_greeting(g, 0xffff);

		d_out(&d);
		probe_on_data(&d.p, g, n, &d.o);
		/* The SSL request, then the ClientHello in the same write. */
		assert_int_equal(d.p.state, PS_HELLO);
		assert_int_equal(d.buf[0], 32);
		assert_true(out_is_hello(&d, 36));
	}
	probe_free(&d.p);
}

static void test_engine_close_timeout(void **state)
{
	struct drv d;
	struct probe_result pr;

	(void)state;
	d_init(&d, "imap");
	d_out(&d);
	probe_on_closed(&d.p, 0, &d.o);
	assert_int_equal(d.p.verdict, PV_NOT_TLS);
	assert_non_null(strstr(d.p.reason, "without a word"));
	probe_free(&d.p);

	d_init(&d, "imap");
	d_feed(&d, "* OK hi\r\n");
	d_out(&d);
	probe_on_closed(&d.p, 0, &d.o);
	assert_int_equal(d.p.verdict, PV_STARTTLS_REFUSED);
	assert_non_null(strstr(d.p.reason, "CAPABILITY"));
	probe_free(&d.p);

	d_init(&d, "smtp");
	d_out(&d);
	probe_on_timeout(&d.p, &d.o);
	assert_int_equal(d.p.verdict, PV_TIMEOUT);
	assert_non_null(strstr(d.p.reason, "220 greeting"));
	probe_free(&d.p);

	d_init(&d, "ftp");
	d_feed(&d, "HTTP/1.1 400 Bad\r\n");
	assert_int_equal(d.p.verdict, PV_NOT_TLS);
	assert_non_null(strstr(d.p.reason, "does not speak FTP"));
	probe_free(&d.p);

	/* Without a preamble nothing changes: the hello goes at once. */
	d_init(&d, NULL);
	assert_int_equal(d.p.state, PS_HELLO);
	assert_true(out_is_hello(&d, 0));
	probe_get_result(&d.p, &pr);
	assert_null(pr.starttls);
	assert_null(d.p.pre_ctx);
	probe_free(&d.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_line_helpers),
		cmocka_unit_test(test_smtp_ok),
		cmocka_unit_test(test_smtp_no_pipelining),
		cmocka_unit_test(test_smtp_refusals),
		cmocka_unit_test(test_smtp_long_lines),
		cmocka_unit_test(test_imap),
		cmocka_unit_test(test_pop3),
		cmocka_unit_test(test_ftp),
		cmocka_unit_test(test_nntp),
		cmocka_unit_test(test_sieve),
		cmocka_unit_test(test_irc),
		cmocka_unit_test(test_xmpp),
		cmocka_unit_test(test_ldap),
		cmocka_unit_test(test_postgres),
		cmocka_unit_test(test_mysql),
		cmocka_unit_test(test_telnet),
		cmocka_unit_test(test_rdp),
		cmocka_unit_test(test_engine_smtp),
		cmocka_unit_test(test_engine_leftover),
		cmocka_unit_test(test_engine_close_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
