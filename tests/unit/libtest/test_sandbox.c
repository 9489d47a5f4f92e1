/*
 * The sandbox must refuse network and new files once entered, and still
 * let the helper read, write existing fds and die by its own signal.
 * Each check runs in a forked child, since the lockdown cannot be undone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../hc_skip.h"

/* cmocka hands every test a state pointer these tests do not use. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "local/sandbox.h"

/* Bits a child sets in its exit code, one per failed expectation. */
enum {
	BAD_ENTER = 1,
	BAD_SOCKET = 2,
	BAD_CREAT = 4,
	BAD_READ_OPEN = 8,
	BAD_FORK = 16,
	BAD_WRITE_OPEN = 32,
	BAD_EXEC = 64,
};

static const struct sandbox_limits lim = {
	.as_bytes = (rlim_t)256 << 20,
	.cpu_seconds = 10,
	.nofile = 32,
};

static int refused(int r)
{
	return r < 0 && errno == EPERM;
}

/* Runs in the child: never returns. */
static void child_checks(const char *dir)
{
	int bad = 0, fd;
	pid_t p;
	char *const argv[] = { (char *)"/bin/true", NULL };

	if (chdir(dir) != 0)
		_exit(100);
	if (sandbox_enter(&lim) != 0)
		_exit(BAD_ENTER);
	if (!refused(socket(AF_INET, SOCK_STREAM, 0)))
		bad |= BAD_SOCKET;
	if (!refused(open("x", O_CREAT | O_WRONLY, 0600)))
		bad |= BAD_CREAT;
	if (!refused(open("/dev/null", O_WRONLY)))
		bad |= BAD_WRITE_OPEN;
	/* Existing files stay readable: libraries read their config. */
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		bad |= BAD_READ_OPEN;
	else
		close(fd);
	p = fork();
	if (p == 0)
		_exit(0);
	if (p > 0 || errno != EPERM)
		bad |= BAD_FORK;
	if (!refused(execv(argv[0], argv)))
		bad |= BAD_EXEC;
	/* _exit: leak checkers that run at exit need syscalls we refuse. */
	_exit(bad);
}

static void t_sandbox_refuses(void **state)
{
	char dir[] = "/tmp/hc-sandbox-XXXXXX";
	struct stat st;
	int status = 0;
	pid_t pid;

	assert_non_null(mkdtemp(dir));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child_checks(dir);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	/* The exit code names every expectation that failed. */
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(chdir("/"), 0);
	assert_int_not_equal(stat(dir, &st), -1);
	/* The refused open left no file behind. */
	{
		char x[64];

		snprintf(x, sizeof(x), "%s/x", dir);
		assert_int_equal(stat(x, &st), -1);
		unlink(x);
	}
	assert_int_equal(rmdir(dir), 0);
}

static void t_sandbox_abort_still_sigabrt(void **state)
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (sandbox_enter(&lim) != 0)
			_exit(1);
		abort();
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void t_sandbox_limits(void **state)
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl;
		int bad = 0;

		if (sandbox_limit(&lim) != 0)
			_exit(1);
		if (getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur != 0)
			bad |= 2;
		if (getrlimit(RLIMIT_CORE, &rl) != 0 || rl.rlim_cur != 0)
			bad |= 4;
		if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur > 32)
			bad |= 8;
		if (getrlimit(RLIMIT_CPU, &rl) != 0 || rl.rlim_cur > 10)
			bad |= 16;
		if (getrlimit(RLIMIT_AS, &rl) != 0 ||
		    rl.rlim_cur == RLIM_INFINITY)
			bad |= 32;
		_exit(bad);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Root drops to an unprivileged user with no groups, for good, and then
 * cannot read a root-only file. */
static void t_sandbox_drop(void **state)
{
	char path[] = "/tmp/hc-sandbox-secret-XXXXXX";
	int status = 0, fd;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, "secret\n", 7), 7);
	assert_int_equal(fchmod(fd, 0600), 0);
	close(fd);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int bad = 0;

		if (sandbox_drop_privileges() != 0)
			_exit(1);
		if (getuid() == 0 || geteuid() == 0 || getgid() == 0 ||
		    getegid() == 0)
			bad |= 2;
		if (getgroups(0, NULL) != 0)
			bad |= 4;
		if (setuid(0) == 0 || seteuid(0) == 0)
			bad |= 8;
		if (open(path, O_RDONLY) >= 0 || errno != EACCES)
			bad |= 16;
		_exit(bad);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(path);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* With Landlock, only the listed paths can be opened, and an anonymous
 * file already open still can through /proc/self/fd. */
static void t_sandbox_landlock(void **state)
{
	char dir[] = "/tmp/hc-sandbox-ll-XXXXXX", in[64], out[64];
	int status = 0, fd;
	pid_t pid;

	assert_non_null(mkdtemp(dir));
	snprintf(in, sizeof(in), "%s/in", dir);
	assert_int_equal(mkdir(in, 0755), 0);
	snprintf(in, sizeof(in), "%s/in/f", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	assert_true((fd = open(in, O_CREAT | O_WRONLY, 0644)) >= 0);
	close(fd);
	assert_true((fd = open(out, O_CREAT | O_WRONLY, 0644)) >= 0);
	close(fd);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char ind[64], p[64];
		const char *ro[] = { ind, NULL };
		int mfd = memfd_create("t", 0), r;

		snprintf(ind, sizeof(ind), "%s/in", dir);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			_exit(1);
		if ((r = sandbox_landlock(ro)) == 0)
			_exit(77);
		if (r < 0)
			_exit(2);
		r = 0;
		if (open(in, O_RDONLY) < 0)
			r |= 4;
		if (open(out, O_RDONLY) >= 0)
			r |= 8;
		if (open(in, O_WRONLY) >= 0)
			r |= 16;
		snprintf(p, sizeof(p), "/proc/self/fd/%d", mfd);
		if (mfd < 0 || open(p, O_RDONLY) < 0)
			r |= 32;
		_exit(r);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(in);
	unlink(out);
	snprintf(in, sizeof(in), "%s/in", dir);
	rmdir(in);
	rmdir(dir);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_sandbox_limits),
		cmocka_unit_test(t_sandbox_refuses),
		cmocka_unit_test(t_sandbox_abort_still_sigabrt),
		cmocka_unit_test(t_sandbox_drop),
		cmocka_unit_test(t_sandbox_landlock),
	};

	return hc_run_group_tests_name("sandbox", tests, NULL, NULL);
}
