/*
 * STARTTLS preambles: the plaintext dialogue a service wants before TLS.
 *
 * One module per protocol, each sans I/O like the probe engine: it is fed
 * the server's bytes as they arrive, in any split, and answers
 *   PRE_MORE     need more bytes (it may have queued bytes to send);
 *   PRE_READY    the next byte belongs to TLS: send the ClientHello;
 *   PRE_REFUSED  the service speaks the protocol but will not start TLS
 *                (why says so, with the server's own words escaped);
 *   PRE_NOT_PROTO the service does not speak the protocol at all.
 * The engine runs the module again on every connection of its strategy
 * ladder.  Its context is allocated only for STARTTLS probes, and every
 * line it keeps is bounded (PRE_LINE_MAX): a longer line is truncated,
 * never grown.
 *
 * Adding a protocol is one file in probe/starttls/ and one line in the
 * registry (preamble.c).
 */
#ifndef HEARTCHECK_PROBE_PREAMBLE_H
#define HEARTCHECK_PROBE_PREAMBLE_H

#include <stddef.h>
#include <stdint.h>

enum pre_res {
	PRE_MORE,
	PRE_READY,
	PRE_REFUSED,
	PRE_NOT_PROTO,
};

/* Where a module writes bytes to send: appended at buf[*len], cap max. */
struct pre_out {
	uint8_t *buf;
	size_t cap;
	size_t len;
};

struct preamble {
	const char *name; /* --starttls NAME and the JSON field */
	const char *label; /* for messages: "SMTP", "IMAP", ... */
	const uint16_t *ports; /* well-known ports, 0-terminated */
	size_t ctx_size;
	/* Called at the start of every connection; host is the name the
	 * service should know itself by (XMPP's to=), or NULL. */
	void (*init)(void *ctx, const char *host);
	/* Called once with in == NULL, n == 0 right after the connection is
	 * up (a client-first protocol queues its opening there), then with
	 * each chunk.  *used says how many bytes of in were consumed: all of
	 * them unless the answer is PRE_READY, whose rest is TLS.  why gets a
	 * sentence on PRE_REFUSED and PRE_NOT_PROTO. */
	enum pre_res (*step)(void *ctx, const uint8_t *in, size_t n,
	    size_t *used, struct pre_out *o, char *why, size_t whycap);
	/* What the module waits for now ("the 220 greeting"), for a timeout
	 * or a close. */
	const char *(*waiting)(const void *ctx);
};

/* The registry, NULL-terminated. */
extern const struct preamble *const preambles[];

/* By --starttls name (case-insensitive), or NULL. */
const struct preamble *preamble_find(const char *name);
/* The module whose well-known port this is, or NULL (plain TLS). */
const struct preamble *preamble_for_port(uint16_t port);
/* "smtp, lmtp, imap, ..." for help and error text. */
void preamble_names(char *buf, size_t cap);
/* The same two over another NULL-terminated registry. */
const struct preamble *preamble_find_in(const struct preamble *const *reg,
    const char *name);
void preamble_names_in(const struct preamble *const *reg, char *buf,
    size_t cap);

/* ------------------------------------------------------------------ */
/* Helpers shared by the modules.                                       */

/* Longest line a module keeps; the rest of a longer line is dropped. */
#define PRE_LINE_MAX 200

struct pre_line {
	char s[PRE_LINE_MAX + 1]; /* NUL-terminated, CR and LF stripped */
	uint16_t len;
	uint8_t truncated;
};

/* Takes bytes of in up to and including a LF into l.  Returns 1 when a
 * whole line is in l (the next call starts a new one), 0 when in ran out
 * first; *used is the count consumed either way. */
int pre_line_take(struct pre_line *l, const uint8_t *in, size_t n,
    size_t *used);

/* Appends s to o; returns 0, or -1 if it does not fit (nothing added). */
int pre_send(struct pre_out *o, const void *s, size_t n);
int pre_send_str(struct pre_out *o, const char *s);

/* why = prefix + ": \"" + the server's words, escaped + "\"". */
void pre_why_quote(char *why, size_t cap, const char *prefix, const char *words,
    size_t n);

/* 1 if line starts with three digits: *code gets them, *more whether a
 * '-' continuation follows. */
int pre_reply_code(const struct pre_line *l, unsigned *code, int *more);

/* Feeds in to l line by line, calling fn for each whole line (in l);
 * stops at the first answer other than PRE_MORE.  l is emptied after
 * each call. */
typedef enum pre_res (
    *pre_line_fn)(void *ctx, struct pre_out *o, char *why, size_t whycap);
enum pre_res pre_run_lines(struct pre_line *l, const uint8_t *in, size_t n,
    size_t *used, pre_line_fn fn, void *ctx, struct pre_out *o, char *why,
    size_t whycap);
/* 1 if the line starts with prefix, case-insensitively. */
int pre_starts(const struct pre_line *l, const char *prefix);

#endif
