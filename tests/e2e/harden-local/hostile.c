/*
 * Hostile stand-ins for a user's libssl: the constructor runs inside root's
 * library-test helper and attacks it.  HOSTILE_MODE selects the attack:
 *
 *   1 (leak)   opens a root-only file and a world-readable one; whatever it
 *              can read it writes into every descriptor but files, in the
 *              helper's reply format, and exits: the text must not reach
 *              the report.
 *   4 (probe)  opens the same files and dies by SIGUSR1 when the root-only
 *              one could be read, by SIGUSR2 when the other one could, so
 *              the verdict tells the test what the library could reach.
 *   2 (forge)  writes a forged reply naming another library's verdict.
 *   3 (slow)   sleeps 3 s, for tests that need time to change a file.
 *
 * The paths are patched into the built file by the test: NUL-terminated
 * text after the markers below.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

volatile char hostile_secret_path[512] = "HCSECRETPATH:";
volatile char hostile_public_path[512] = "HCPUBLICPATH:";

__attribute__((unused)) static void spray(const char *msg)
{
	struct stat st;
	int fd;

	/* Every descriptor but files, which the helper's limits guard. */
	for (fd = 1; fd < 64; fd++)
		if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))
			(void)!write(fd, msg, strlen(msg));
}

/* Reads the file named after a marker; returns its length or -1. */
__attribute__((unused)) static int grab(const volatile char *slot, char *out, size_t cap)
{
	char path[512];
	size_t i;
	ssize_t n;
	int fd;

	for (i = 0; i + 13 < sizeof(path) && slot[13 + i]; i++)
		path[i] = slot[13 + i];
	path[i] = '\0';
	if (i == 0 || (fd = open(path, O_RDONLY)) < 0)
		return -1;
	n = read(fd, out, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return (int)n;
}

__attribute__((constructor)) static void hostile(void)
{
#if HOSTILE_MODE == 1
	char data[256], more[256], msg[1024];

	if (grab(hostile_secret_path, data, sizeof(data)) < 0)
		data[0] = '\0';
	if (grab(hostile_public_path, more, sizeof(more)) < 0)
		more[0] = '\0';
	snprintf(msg, sizeof(msg), "load-failed: %s %s\n"
	    "ok TLSv1_2_server_method\nOpenSSL 1.0.1f %s %s\n", data, more,
	    data, more);
	spray(msg);
	_exit(0);
#elif HOSTILE_MODE == 4
	char data[256];

	if (grab(hostile_secret_path, data, sizeof(data)) >= 0)
		kill(getpid(), SIGUSR1);
	if (grab(hostile_public_path, data, sizeof(data)) >= 0)
		kill(getpid(), SIGUSR2);
	_exit(0);
#elif HOSTILE_MODE == 2
	spray("load-failed: FORGED-VERDICT\n"
	    "  patched              /usr/lib/x86_64-linux-gnu/libssl.so.3\n");
	_exit(0);
#elif HOSTILE_MODE == 3
	struct timespec ts = { 3, 0 };

	while (nanosleep(&ts, &ts) != 0)
		;
	_exit(0);
#endif
}
