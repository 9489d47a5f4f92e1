/*
 * Server-side STARTTLS preambles, for heartcheck clients --starttls: the
 * plaintext part of SMTP, IMAP, POP3 and FTP as a server plays it, until
 * the client asks for TLS (STARTTLS, STLS, AUTH TLS) and the reverse probe
 * engine (probe/client.h) takes the connection over.
 *
 * Each protocol is a struct preamble (probe/preamble.h), written like the
 * scanning modules and sans I/O: step() is called once with in == NULL
 * when the client connects (the greeting is queued), then with each chunk
 * of the client's bytes in any split, and answers
 *   PRE_MORE      keep feeding (a reply may be queued);
 *   PRE_READY     the client asked for TLS and our go-ahead is queued;
 *                 the rest of the chunk (after *used) is TLS;
 *   PRE_REFUSED   the client speaks the protocol but will not start TLS
 *                 (it quit, or went on without TLS for too long);
 *   PRE_NOT_PROTO the client does not speak the protocol (garbage, an
 *                 overlong line, HTTP, a TLS hello without STARTTLS).
 * Lines are bounded (PRE_LINE_MAX), and so is the number of commands
 * before STARTTLS (SRVPRE_MAX_CMDS).  docs/clients.md lists the dialogues.
 */
#ifndef HEARTCHECK_PROBE_SRVPREAMBLE_H
#define HEARTCHECK_PROBE_SRVPREAMBLE_H

#include <stddef.h>

#include "probe/client.h"
#include "probe/preamble.h"

/* Commands a client may send before it asks for TLS. */
#define SRVPRE_MAX_CMDS 16

/* The registry, NULL-terminated: smtp, imap, pop3, ftp. */
extern const struct preamble *const srv_preambles[];

/* By --starttls name (case-insensitive), or NULL. */
const struct preamble *srv_preamble_find(const char *name);
/* "smtp, imap, pop3, ftp". */
void srv_preamble_names(char *buf, size_t cap);

/* One connection's module bound to the engine's struct client_preamble. */
struct srvpre_conn {
	const struct preamble *pre;
	void *ctx; /* pre->ctx_size bytes */
	struct client_preamble cp; /* hand &cp to struct client_cfg */
};

/* Allocates the module's context; 0, or -1 when out of memory. */
int srvpre_bind(struct srvpre_conn *c, const struct preamble *pre);
void srvpre_free(struct srvpre_conn *c);

#endif
