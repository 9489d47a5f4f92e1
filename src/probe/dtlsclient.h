/*
 * The reverse probe over DTLS: heartcheck as a DTLS server that tests the
 * client sending it datagrams.  Sans I/O: the driver hands it each of the
 * client's datagrams and the clock, and sends the one datagram of
 * struct probe_out it gets back to that client.
 *
 * docs/clients.md ("DTLS clients"): the engine reads the ClientHello
 * (reassembled from its fragments), answers a hello without our cookie
 * with a HelloVerifyRequest when cfg->cookie is set, and answers the
 * hello with our cookie in one datagram: a ServerHello (the client's
 * version, an offered suite, extension 15 echoed when offered), the probe
 * (32 bytes claiming 48), the sentinel (64 bytes), then the Certificate and
 * ServerHelloDone.  A DTLS stack reads a whole datagram into one buffer,
 * so a vulnerable client's over-read past the probe is our own sentinel
 * record that follows it (docs/dtls.md §2): 0 bytes disclosed.
 */
#ifndef HEARTCHECK_PROBE_DTLSCLIENT_H
#define HEARTCHECK_PROBE_DTLSCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "probe/client.h"
#include "tls/dtls.h"

/* Room for our flight datagram. */
#define DCLIENT_OUT_MIN 4096
/* The longest ClientHello reassembled. */
#define DCLIENT_CH_MAX 4096
#define DCLIENT_COOKIE_LEN 16

struct dclient_cfg {
	uint8_t cookie; /* 1: a HelloVerifyRequest first */
	void (*trace)(void *ctx, const char *line);
	void *trace_ctx;
};

enum dclient_state {
	DCS_HELLO, /* reading the ClientHello */
	DCS_FLIGHT, /* our flight is out */
	DCS_DONE,
};

struct dclient {
	const struct dclient_cfg *cfg;
	uint8_t state;
	uint8_t hello_seen;
	uint8_t hvr_sent;
	uint8_t went_on; /* the client's next flight began */
	uint8_t flights; /* copies of our flight sent */
	uint8_t datagrams_bad;
	uint16_t version; /* DTLS version we answered with */
	uint16_t suite;
	uint8_t cookie[DCLIENT_COOKIE_LEN];
	uint64_t nonce;
	uint64_t seq; /* our next record sequence number */
	struct client_hello_info ch;
	struct dtls_reasm ra;
	uint8_t ch_buf[DCLIENT_CH_MAX];
	uint8_t flight[DCLIENT_OUT_MIN];
	size_t flight_len;
	struct hb_plan plan;
	struct hb_reader hb;
	enum probe_verdict verdict;
	int alert_desc;
	char reason[256];
};

void dclient_init(struct dclient *d, const struct dclient_cfg *cfg,
    uint64_t nonce);
/* One datagram from the client.  o->cap must be at least DCLIENT_OUT_MIN;
 * o->len bytes are one datagram to send back. */
void dclient_on_datagram(struct dclient *d, const uint8_t *b, size_t n,
    struct probe_out *o);
/* The deadline passed. */
void dclient_on_timeout(struct dclient *d);
int dclient_is_done(const struct dclient *d);
/* Ends the test from outside (heartcheck was stopped). */
void dclient_finish(struct dclient *d, enum probe_verdict v, const char *why);
/* The result in the reverse probe's terms (strategy "dtls"). */
void dclient_get_result(const struct dclient *d, struct client_result *r);

#endif
