/*
 * The command a client listener tests (heartcheck clients -- COMMAND):
 * its arguments with the listener's address put in, its runs (argv
 * directly, no shell; stdin and stdout /dev/null, stderr ours), and its
 * end.  Once the verdict is known the command has a short grace to exit by
 * itself, then SIGTERM, then SIGKILL, so every run ends with a known exit
 * status or signal.  Shared by the TCP listener (net/listen.h) and the
 * DTLS one (net/udplisten.h).
 */
#ifndef HEARTCHECK_NET_CMDRUN_H
#define HEARTCHECK_NET_CMDRUN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

struct cmdrun_hooks {
	/* A run ended: status and signal are set. */
	void (*exited)(void *ctx);
	/* Its process handle closed: the loop may be able to stop. */
	void (*closed)(void *ctx);
	void *ctx;
};

struct cmdrun {
	char **argv; /* with the placeholders replaced; NULL: no command */
	const struct cmdrun_hooks *h;
	uv_process_t *proc; /* the run going on, or NULL */
	uv_timer_t grace; /* exit grace after the verdict */
	unsigned handles; /* process handles not closed yet */
	unsigned runs;
	int status; /* the last run's exit status, or -1 */
	int signal; /* the signal that ended it, or 0 */
	uint8_t running;
	uint8_t killed; /* SIGTERM sent in this run */
};

/* Sets c up on loop, without a command yet. */
void cmdrun_init(struct cmdrun *c, uv_loop_t *loop,
    const struct cmdrun_hooks *h);
/* The command cmd (argv, NULL-ended) with its placeholders replaced by
 * the bound address (cmdrun_subst_argv).  0 or UV_ENOMEM. */
int cmdrun_prepare(struct cmdrun *c, char **cmd,
    const struct sockaddr_storage *bound);
/* Starts a run.  0 or a negative libuv error (UV_ENOENT: no such
 * program). */
int cmdrun_spawn(struct cmdrun *c);
/* The verdict is known: the run may take up to min(left_ms, the exit
 * grace) to exit by itself before SIGTERM, then SIGKILL. */
void cmdrun_linger(struct cmdrun *c, uint64_t left_ms);
/* SIGKILL to the run going on, if any (heartcheck is stopping). */
void cmdrun_kill(struct cmdrun *c);
/* Nonzero while a process handle is open. */
int cmdrun_busy(const struct cmdrun *c);
/* Closes the grace timer once cmdrun_busy() is 0, and frees argv after
 * the loop ended (cmdrun_free). */
void cmdrun_close(struct cmdrun *c);
void cmdrun_free(struct cmdrun *c);
/* How the last run ended, for a result's reason: "the command exited with
 * status 0 without connecting" (without = "connecting"). */
void cmdrun_ended_text(const struct cmdrun *c, const char *without, char *out,
    size_t cap);

/* Each argument with every "{}" replaced by addr ("127.0.0.1:4433",
 * "[::1]:4433"), "{host}" by host ("127.0.0.1", "::1") and "{port}" by
 * port ("4433"); other text, braces included, as it is.  NULL when out of
 * memory.  Free with cmdrun_free_argv. */
char **cmdrun_subst_argv(char **argv, const char *addr, const char *host,
    const char *port);
void cmdrun_free_argv(char **argv);

#endif
