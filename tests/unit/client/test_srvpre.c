/*
 * The server-side STARTTLS preambles (src/probe/srvpreamble.c): each
 * protocol's dialogue as real clients run it, in every split; the answers
 * to clients that never ask for TLS, send garbage or overlong lines; and
 * the reverse probe engine behind each, against the fixture's OpenSSL
 * 1.0.1 client stand-in in memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fakeclient_core.h"
#include "probe/client.h"
#include "probe/srvpreamble.h"

struct run {
	const struct preamble *pre;
	void *ctx;
	uint8_t out[4096];
	struct pre_out o;
	char why[160];
	enum pre_res r;
	size_t at; /* bytes of the input consumed */
};

static void run_start(struct run *x, const char *name)
{
	size_t used;

	memset(x, 0, sizeof(*x));
	x->pre = srv_preamble_find(name);
	assert_non_null(x->pre);
	x->ctx = calloc(1, x->pre->ctx_size);
	assert_non_null(x->ctx);
	x->o.buf = x->out;
	x->o.cap = sizeof(x->out) - 1;
	x->pre->init(x->ctx, NULL);
	x->r = x->pre->step(x->ctx, NULL, 0, &used, &x->o, x->why,
	    sizeof(x->why));
	assert_int_equal(x->r, PRE_MORE);
}

/* Feeds in in chunks of k bytes (each copied to a buffer of its size)
 * until an answer other than PRE_MORE. */
static void run_feed(struct run *x, const char *in, size_t n, size_t k)
{
	while (x->r == PRE_MORE && x->at < n) {
		size_t c = n - x->at < k ? n - x->at : k, used = (size_t)-1;
		uint8_t *b = malloc(c);

		assert_non_null(b);
		memcpy(b, in + x->at, c);
		x->r = x->pre->step(x->ctx, b, c, &used, &x->o, x->why,
		    sizeof(x->why));
		free(b);
		assert_true(used <= c);
		if (x->r == PRE_MORE)
			assert_int_equal(used, c);
		x->at += used;
	}
	x->out[x->o.len] = '\0';
}

static void run_end(struct run *x)
{
	free(x->ctx);
}

/* A whole dialogue up to the go-ahead, in splits of 1, 2, 7 bytes and all
 * at once: the answer is "ready" right after the TLS command's line, the
 * bytes behind it are left for TLS, and the replies are as expected. */
static void dialogue(const char *name, const char *client,
    const char *const *replies)
{
	static const size_t splits[] = { 1, 2, 7, 4096 };
	const char tail[] = "\x16\x03\x01";
	char in[512];
	size_t i, j, n;

	n = (size_t)snprintf(in, sizeof(in), "%s%s", client, tail);
	for (i = 0; i < sizeof(splits) / sizeof(splits[0]); i++) {
		struct run x;

		run_start(&x, name);
		run_feed(&x, in, n, splits[i]);
		assert_int_equal(x.r, PRE_READY);
		assert_int_equal(x.at, strlen(client));
		for (j = 0; replies[j]; j++)
			assert_non_null(strstr((char *)x.out, replies[j]));
		run_end(&x);
	}
}

static void test_dialogues(void **state)
{
	/* As curl and openssl s_client talk. */
	static const char *const smtp[] = { "220 heartcheck.invalid ESMTP",
		"250 STARTTLS\r\n", "220 2.0.0 Ready to start TLS\r\n", NULL };
	static const char *const imap[] = { "* OK [CAPABILITY IMAP4rev1 "
					    "STARTTLS",
		"* CAPABILITY IMAP4rev1 STARTTLS",
		"A001 OK CAPABILITY completed\r\n",
		"A002 OK Begin TLS negotiation now\r\n", NULL };
	static const char *const imap_dot[] = {
		". OK CAPABILITY completed\r\n", ". OK Begin TLS", NULL
	};
	static const char *const pop3[] = { "+OK heartcheck POP3 ready\r\n",
		"STLS\r\nUSER\r\n.\r\n", "+OK Begin TLS negotiation\r\n",
		NULL };
	static const char *const ftp[] = { "220 heartcheck FTP ready\r\n",
		" AUTH TLS\r\n", "211 End\r\n", "504 Unknown AUTH type",
		"234 Proceed with negotiation.\r\n", NULL };

	(void)state;
	dialogue("smtp", "EHLO client.invalid\r\nSTARTTLS\r\n", smtp);
	dialogue("SMTP", "ehlo x\nstarttls\n", smtp);
	dialogue("imap", "A001 CAPABILITY\r\nA002 STARTTLS\r\n", imap);
	dialogue("imap", ". CAPABILITY\r\n. STARTTLS\r\n", imap_dot);
	dialogue("pop3", "CAPA\r\nSTLS\r\n", pop3);
	dialogue("ftp", "FEAT\r\nAUTH KERBEROS\r\nAUTH SSL\r\n", ftp);
	dialogue("ftp", "AUTH TLS\r\n", ftp + 4);
}

/* feeds a client's whole input; returns the answer and why. */
static enum pre_res answer(const char *name, const char *in, char *why,
    size_t cap, char *out, size_t outcap)
{
	struct run x;

	run_start(&x, name);
	run_feed(&x, in, strlen(in), 5);
	snprintf(why, cap, "%s", x.why);
	if (out)
		snprintf(out, outcap, "%s", (char *)x.out);
	run_end(&x);
	return x.r;
}

/* n NOOP lines into in. */
static size_t noops(char *in, size_t cap, unsigned n)
{
	size_t w = 0;

	while (n-- > 0)
		w += (size_t)snprintf(in + w, cap - w, "NOOP\r\n");
	return w;
}

static void test_refusals(void **state)
{
	static const struct {
		const char *proto, *in;
		enum pre_res res;
		const char *why_has, *out_has;
	} cases[] = {
		/* Quits, after a command that needs TLS. */
		{ "smtp", "EHLO a\r\nMAIL FROM:<a@b>\r\nQUIT\r\n", PRE_REFUSED,
		    "quit (QUIT) without asking for STARTTLS; it sent MAIL "
		    "in plaintext",
		    "530 5.7.0 Must issue a STARTTLS" },
		{ "imap", "t1 LOGOUT\r\n", PRE_REFUSED, "quit (LOGOUT)",
		    "* BYE heartcheck logging out\r\nt1 OK LOGOUT" },
		{ "pop3", "USER a\r\nQUIT\r\n", PRE_REFUSED,
		    "without asking for STLS; it sent USER", "-ERR Use STLS" },
		{ "ftp", "USER anonymous\r\nQUIT\r\n", PRE_REFUSED,
		    "without asking for AUTH TLS", "221 Goodbye" },
		/* Unknown commands after a known one get the protocol's
		 * error. */
		{ "pop3", "CAPA\r\nXYZZY\r\n", PRE_MORE, "",
		    "-ERR Unknown command\r\n" },
		{ "imap", "a1 NOOP\r\na2 FROB\r\n", PRE_MORE, "", "a2 BAD" },
		/* A tag outside printable ASCII is echoed as '?'. */
		{ "imap", "t\x89 NOOP\r\n", PRE_MORE, "", "t? OK NOOP" },
	};
	char why[160], out[4096], in[1024];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(answer(cases[i].proto, cases[i].in, why,
				     sizeof(why), out, sizeof(out)),
		    cases[i].res);
		assert_non_null(strstr(why, cases[i].why_has));
		assert_non_null(strstr(out, cases[i].out_has));
	}
	/* Goes on and on: refused at the bound, not later. */
	noops(in, sizeof(in), 40);
	assert_int_equal(answer("smtp", in, why, sizeof(why), NULL, 0),
	    PRE_REFUSED);
	assert_non_null(strstr(why, "16 commands"));
	/* A verb outside printable ASCII is quoted as '?', never raw. */
	n = noops(in, sizeof(in), 16);
	snprintf(in + n - 6, sizeof(in) - n + 6, "N\rX\xfe\r\n");
	assert_int_equal(answer("smtp", in, why, sizeof(why), NULL, 0),
	    PRE_REFUSED);
	assert_non_null(strstr(why, "(the last: N?X?)"));
}

static void test_not_proto(void **state)
{
	char why[160], in[400];

	(void)state;
	assert_int_equal(answer("smtp", "GET / HTTP/1.1\r\n", why,
			     sizeof(why), NULL, 0),
	    PRE_NOT_PROTO);
	assert_non_null(strstr(why, "does not speak SMTP: an unknown first "
				    "command: \"GET / HTTP/1.1\""));
	assert_int_equal(answer("imap", "\r\n", why, sizeof(why), NULL, 0),
	    PRE_NOT_PROTO);
	assert_int_equal(answer("pop3", "CAPA\r\nST\001LS\r\n", why,
			     sizeof(why), NULL, 0),
	    PRE_NOT_PROTO);
	assert_non_null(strstr(why, "binary bytes"));
	/* Binary bytes without a line end: answered at once. */
	assert_int_equal(answer("ftp", "FE\x02", why, sizeof(why), NULL, 0),
	    PRE_NOT_PROTO);
	/* An overlong line without a line end: answered at once. */
	memset(in, 'x', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	memcpy(in, "EHLO ", 5);
	assert_int_equal(answer("smtp", in, why, sizeof(why), NULL, 0),
	    PRE_NOT_PROTO);
	assert_non_null(strstr(why, "longer than 200 bytes"));
	/* A TLS hello where a command belongs. */
	assert_int_equal(answer("ftp", "\x16\x03\x01\x00", why, sizeof(why),
			     NULL, 0),
	    PRE_NOT_PROTO);
	assert_non_null(strstr(why, "implicit TLS"));
}

static void test_registry(void **state)
{
	char names[64];
	size_t n;

	(void)state;
	for (n = 0; srv_preambles[n]; n++)
		assert_ptr_equal(srv_preamble_find(srv_preambles[n]->name),
		    srv_preambles[n]);
	assert_int_equal(n, 4);
	assert_null(srv_preamble_find("gopher"));
	assert_null(srv_preamble_find(NULL));
	srv_preamble_names(names, sizeof(names));
	assert_string_equal(names, "smtp, imap, pop3, ftp");
}

/* ------------------------------------------------------------------ */
/* The engine behind each preamble, against the fixture in memory.      */

/* The client side of each dialogue, sent line by line as answers come. */
static const char *const client_lines[][3] = {
	{ "EHLO fixture\r\n", "STARTTLS\r\n", NULL },
	{ "a CAPABILITY\r\n", "b STARTTLS\r\n", NULL },
	{ "CAPA\r\n", "STLS\r\n", NULL },
	{ "FEAT\r\n", "AUTH TLS\r\n", NULL },
};

static void engine_run(size_t proto, enum fc_mode mode,
    enum probe_verdict want)
{
	static uint8_t buf[CLIENT_OUT_MIN];
	struct srvpre_conn sp;
	struct client_cfg cfg;
	struct client_probe e;
	struct fc_opts fo = { .mode = mode, .version = 0x0303 };
	struct fc_prog pr;
	struct fc_conn *fc;
	struct probe_out o = { buf, sizeof(buf), 0, PA_CONTINUE, 0 };
	uint8_t b[65536];
	size_t n, i;

	assert_int_equal(srvpre_bind(&sp, srv_preambles[proto]), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.preamble = &sp.cp;
	client_init(&e, &cfg, 11);
	client_on_connected(&e, &o);
	assert_true(o.len > 0); /* the greeting */
	for (i = 0; client_lines[proto][i]; i++) {
		o.len = 0;
		client_on_data(&e, (const uint8_t *)client_lines[proto][i],
		    strlen(client_lines[proto][i]), &o);
		assert_true(o.len > 0);
	}
	assert_int_equal(e.state, CS_HELLO);
	fc_prog_lib_opts(FC_PROG_EVERY, &fo);
	fc_prog_init(&pr, FC_PROG_EVERY);
	fc = fc_new(&fo);
	assert_non_null(fc);
	assert_int_equal(fc_start(fc), 0);
	for (i = 0; i < 16 && !client_is_done(&e); i++) {
		n = fc_take(fc, b, sizeof(b));
		if (n == 0)
			break;
		o.len = 0;
		client_on_data(&e, b, n, &o);
		if (o.len) {
			fc_queue(fc, o.buf, o.len);
			fc_prog_on_arrival(&pr, fc);
		}
	}
	assert_true(client_is_done(&e));
	assert_int_equal(e.verdict, want);
	assert_int_equal(e.disclosed, 0);
	fc_free(fc);
	client_free(&e);
	srvpre_free(&sp);
}

static void test_engine_fixture(void **state)
{
	size_t p;

	(void)state;
	for (p = 0; p < 4; p++) {
		engine_run(p, FC_VULN, PV_VULNERABLE);
		engine_run(p, FC_FIXED, PV_PATCHED);
		engine_run(p, FC_NOHB, PV_NO_HEARTBEAT);
	}
}

/* Verdicts of clients that never reach TLS. */
static void test_engine_verdicts(void **state)
{
	static uint8_t buf[CLIENT_OUT_MIN];
	struct srvpre_conn sp;
	struct client_cfg cfg;
	struct client_probe e;
	struct probe_out o = { buf, sizeof(buf), 0, PA_CONTINUE, 0 };

	(void)state;
	assert_int_equal(srvpre_bind(&sp, srv_preamble_find("smtp")), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.preamble = &sp.cp;

	client_init(&e, &cfg, 1);
	client_on_connected(&e, &o);
	client_on_data(&e, (const uint8_t *)"EHLO a\r\nQUIT\r\n", 14, &o);
	assert_true(client_is_done(&e));
	assert_int_equal(e.verdict, PV_STARTTLS_REFUSED);
	assert_non_null(strstr(e.reason, "would not start TLS"));
	client_free(&e);

	/* The same module state is reset on the next connection. */
	client_init(&e, &cfg, 2);
	o.len = 0;
	client_on_connected(&e, &o);
	assert_memory_equal(buf, "220 ", 4);
	client_on_data(&e, (const uint8_t *)"EHLO a\r\n", 8, &o);
	client_on_closed(&e, 0, &o);
	assert_int_equal(e.verdict, PV_HANDSHAKE_FAILED);
	assert_non_null(strstr(e.reason, "waiting for STARTTLS (the "
					 "client's last command: EHLO)"));
	client_free(&e);

	client_init(&e, &cfg, 3);
	client_on_connected(&e, &o);
	client_on_timeout(&e, &o);
	assert_int_equal(e.verdict, PV_TIMEOUT);
	assert_non_null(strstr(e.reason, "first SMTP command"));
	client_free(&e);

	client_init(&e, &cfg, 4);
	client_on_connected(&e, &o);
	client_on_data(&e, (const uint8_t *)"\x80\x2e\x01", 3, &o);
	assert_int_equal(e.verdict, PV_NOT_TLS);
	client_free(&e);
	srvpre_free(&sp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dialogues),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_not_proto),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_engine_fixture),
		cmocka_unit_test(test_engine_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
