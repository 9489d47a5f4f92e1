/*
 * The command runner of heartcheck clients (src/net/cmdrun.c): the
 * placeholders {}, {host} and {port}, and real runs on a libuv loop (exit
 * status, the grace then SIGTERM after a verdict, a program that does not
 * exist).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <signal.h>
#include <uv.h>

#include "net/cmdrun.h"

/* in substituted for a listener on 127.0.0.1:4433 gives want. */
static void check_subst(char **in, const char **want)
{
	char **out =
	    cmdrun_subst_argv(in, "127.0.0.1:4433", "127.0.0.1", "4433");
	size_t i;

	assert_non_null(out);
	for (i = 0; want[i]; i++)
		assert_string_equal(out[i], want[i]);
	assert_null(out[i]);
	cmdrun_free_argv(out);
}

static void test_subst_addr(void **state)
{
	char *in[] = { "curl", "-k", "https://{}/", "{}{}", NULL };
	const char *want[] = { "curl", "-k", "https://127.0.0.1:4433/",
		"127.0.0.1:4433127.0.0.1:4433", NULL };

	(void)state;
	check_subst(in, want);
}

static void test_subst_host_port(void **state)
{
	char *in[] = { "gnutls-cli", "-p", "{port}", "{host}",
		"--x={host}:{port}/{}", NULL };
	const char *want[] = { "gnutls-cli", "-p", "4433", "127.0.0.1",
		"--x=127.0.0.1:4433/127.0.0.1:4433", NULL };

	(void)state;
	check_subst(in, want);
}

/* Other braces stay as they are: shell-like and JSON arguments. */
static void test_subst_other_braces(void **state)
{
	char *in[] = { "{", "}", "{hostname}", "{{}}", "{por}t", "{ }", "",
		"{HOST}", "a{port", NULL };
	const char *want[] = { "{", "}", "{hostname}", "{127.0.0.1:4433}",
		"{por}t", "{ }", "", "{HOST}", "a{port", NULL };

	(void)state;
	check_subst(in, want);
}

struct ctx {
	struct cmdrun *c;
	int exited;
};

static void on_exited(void *ctx)
{
	((struct ctx *)ctx)->exited++;
}

/* As the listeners do: the grace timer closes with the last process. */
static void on_closed(void *ctx)
{
	cmdrun_close(((struct ctx *)ctx)->c);
}

/* Runs cmd on a fresh loop bound to addr (as the listener would be) until
 * it ends; linger_ms >= 0 starts the exit grace at once. */
static int run(char **cmd, const char *ip, int port, int linger_ms,
    struct cmdrun *c, uint64_t *ms)
{
	struct ctx x = { c, 0 };
	struct cmdrun_hooks h = { on_exited, on_closed, &x };
	struct sockaddr_storage ss;
	uv_loop_t loop;
	int r;
	uint64_t t0;

	memset(&ss, 0, sizeof(ss));
	if (strchr(ip, ':'))
		assert_int_equal(uv_ip6_addr(ip, port,
				     (struct sockaddr_in6 *)&ss),
		    0);
	else
		assert_int_equal(uv_ip4_addr(ip, port,
				     (struct sockaddr_in *)&ss),
		    0);
	assert_int_equal(uv_loop_init(&loop), 0);
	cmdrun_init(c, &loop, &h);
	assert_int_equal(cmdrun_prepare(c, cmd, &ss), 0);
	t0 = uv_hrtime();
	r = cmdrun_spawn(c);
	if (r == 0 && linger_ms >= 0)
		cmdrun_linger(c, (uint64_t)linger_ms);
	if (r < 0)
		cmdrun_close(c);
	uv_run(&loop, UV_RUN_DEFAULT);
	*ms = (uv_hrtime() - t0) / 1000000;
	assert_int_equal(cmdrun_busy(c), 0);
	assert_int_equal(uv_loop_close(&loop), 0);
	assert_int_equal(x.exited, r == 0 ? 1 : 0);
	return r;
}

static void test_run_status(void **state)
{
	char *cmd[] = { "sh", "-c",
		"test \"$0 $1\" = \"[::1]:853 ::1\" && "
		"exit 7",
		"{}", "{host}", NULL };
	struct cmdrun c;
	char why[160];
	uint64_t ms;

	(void)state;
	assert_int_equal(run(cmd, "::1", 853, -1, &c, &ms), 0);
	assert_int_equal(c.status, 7);
	assert_int_equal(c.signal, 0);
	assert_int_equal(c.runs, 1);
	cmdrun_ended_text(&c, "connecting", why, sizeof(why));
	assert_string_equal(why,
	    "the command exited with status 7 without connecting");
	cmdrun_free(&c);
}

static void test_run_port(void **state)
{
	char *cmd[] = { "sh", "-c", "test \"$0\" = 4433", "{port}", NULL };
	struct cmdrun c;
	uint64_t ms;

	(void)state;
	assert_int_equal(run(cmd, "127.0.0.1", 4433, -1, &c, &ms), 0);
	assert_int_equal(c.status, 0);
	cmdrun_free(&c);
}

/* A command that hangs past the verdict: SIGTERM after the grace. */
static void test_run_linger(void **state)
{
	char *cmd[] = { "sleep", "30", NULL };
	struct cmdrun c;
	char why[160];
	uint64_t ms;

	(void)state;
	assert_int_equal(run(cmd, "127.0.0.1", 1, 50, &c, &ms), 0);
	assert_int_equal(c.signal, SIGTERM);
	assert_int_equal(c.status, -1);
	assert_true(ms >= 40 && ms < 2000);
	cmdrun_ended_text(&c, "sending a datagram", why, sizeof(why));
	assert_string_equal(why,
	    "the command was killed by signal 15 without sending a datagram");
	cmdrun_free(&c);
}

/* One that ignores SIGTERM: SIGKILL after that. */
static void test_run_kill(void **state)
{
	char *cmd[] = { "sh", "-c", "trap '' TERM; while :; do sleep 0.1; done",
		NULL };
	struct cmdrun c;
	uint64_t ms;

	(void)state;
	/* 300 ms: time for the shell to set its trap first. */
	assert_int_equal(run(cmd, "127.0.0.1", 1, 300, &c, &ms), 0);
	assert_int_equal(c.signal, SIGKILL);
	assert_true(ms >= 700 && ms < 3000);
	cmdrun_free(&c);
}

static void test_run_missing(void **state)
{
	char *cmd[] = { "/nonexistent/client", "{}", NULL };
	struct cmdrun c;
	uint64_t ms;

	(void)state;
	assert_int_equal(run(cmd, "127.0.0.1", 1, -1, &c, &ms), UV_ENOENT);
	assert_int_equal(c.runs, 0);
	cmdrun_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subst_addr),
		cmocka_unit_test(test_subst_host_port),
		cmocka_unit_test(test_subst_other_braces),
		cmocka_unit_test(test_run_status),
		cmocka_unit_test(test_run_port),
		cmocka_unit_test(test_run_linger),
		cmocka_unit_test(test_run_kill),
		cmocka_unit_test(test_run_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
