/*
 * heartcheck clients' results in the report's model: a struct
 * client_report becomes a struct res_client, and the counts a struct
 * res_client_summary, for any sink (as net/scanres.h does for the scan).
 */
#ifndef HEARTCHECK_NET_CLIENTRES_H
#define HEARTCHECK_NET_CLIENTRES_H

#include "net/listen.h"
#include "net/scanres.h"
#include "report/result.h"

/* Room for the names and the ClientHello a res_client points to. */
struct clientres_names {
	char version[16], hello_version[16];
	char versions[CH_VERSIONS_MAX][16];
	const char *vnames[CH_VERSIONS_MAX];
	struct res_client_hello hello;
};

/* Fills *c from *r; command is the command run (its argv[0]) or NULL.
 * c points into *n and into r. */
void clientres_client(const struct client_report *r, const char *command,
    struct res_client *c, struct clientres_names *n);

/* Fills *s from the counts by verdict; s points into *n. */
void clientres_summary(uint64_t clients, const uint64_t *by_verdict,
    double seconds, struct scanres_names *n, struct res_client_summary *s);

#endif
