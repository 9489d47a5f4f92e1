/*
 * OpenVPN's control channel around the TLS probe engine, sans I/O.
 *
 * OpenVPN carries TLS records inside its own packets (without tls-auth;
 * tls-crypt is not done, and a server with it drops our packets):
 *   opcode << 3 | key_id (1), session_id (8), ack count (1), acked packet
 *   ids (4 each), the peer's session_id (8, when acks > 0), packet_id (4,
 *   not in P_ACK_V1), then the TLS bytes (P_CONTROL_V1).
 * The client sends P_CONTROL_HARD_RESET_CLIENT_V2 (packet_id 0); the
 * server answers P_CONTROL_HARD_RESET_SERVER_V2 with its session id and an
 * ack; from then on the TLS byte stream travels in P_CONTROL_V1 packets,
 * each acknowledged.  The TLS engine (probe.h) runs unchanged on that
 * stream: its ClientHello, flight, nudges and reconnects (a new OpenVPN
 * session) go through this layer.
 *
 * With a tls-auth key (ovpn_auth.h; ovpn_probe.auth) every packet we send
 * is signed, and every packet that fails the HMAC is dropped, as OpenVPN
 * does; a server reset that fails it ends the probe at once (the server
 * holds another key).  Our packets stay in a send window until the server
 * acknowledges them and are sent again after 1, 2, then 4 s (OVPN_SENDS
 * copies in all); server packets that come ahead of a gap wait in a small
 * receive window, copies are acknowledged again.
 *
 * Output: every packet the layer asks to send is written with OpenVPN's
 * TCP framing (a 2-byte length first), one or more per probe_out; a UDP
 * driver sends each frame as one datagram.  Input: one packet per call
 * (one datagram), without the length.
 */
#ifndef HEARTCHECK_PROBE_OPENVPN_H
#define HEARTCHECK_PROBE_OPENVPN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "probe/ovpn_auth.h"
#include "probe/probe.h"

#define OVPN_P_CONTROL_V1 4
#define OVPN_P_ACK_V1 5
#define OVPN_P_CONTROL_HARD_RESET_CLIENT_V2 7
#define OVPN_P_CONTROL_HARD_RESET_SERVER_V2 8
/* TLS bytes per control packet (OpenVPN's default tls-mtu is 1250). */
#define OVPN_CHUNK 1100
/* Our packets not yet acknowledged, copies of each at most, and the first
 * wait before the next copy (doubled every time). */
#define OVPN_TX_SLOTS 8
#define OVPN_SENDS 4
#define OVPN_RTX_MS 1000u
/* Server packets kept while an earlier one is missing, and their size. */
#define OVPN_RX_SLOTS 4
#define OVPN_RX_MAX 1600

/* One OpenVPN packet, parsed.  Returns 0, or -1 when the bytes cannot be
 * a packet of a known control opcode. */
struct ovpn_pkt {
	uint8_t op, key_id;
	uint8_t sid[8];
	uint8_t n_acks;
	uint32_t acks[8];
	uint8_t rsid[8]; /* when n_acks > 0 */
	uint32_t packet_id; /* not for P_ACK_V1 */
	const uint8_t *payload;
	size_t payload_len;
};
int ovpn_pkt_parse(const uint8_t *b, size_t n, struct ovpn_pkt *p);
/* The same for a packet with skip bytes of tls-auth fields after the
 * session id (ovpn_auth_overhead()); they are not looked at. */
int ovpn_pkt_parse_skip(const uint8_t *b, size_t n, size_t skip,
    struct ovpn_pkt *p);
/* Writes one framed packet (2-byte length, then the packet).  Returns its
 * length, or -1 if cap is too small. */
ssize_t ovpn_pkt_write(uint8_t op, const uint8_t sid[8], const uint32_t *acks,
    uint8_t n_acks, const uint8_t rsid[8], uint32_t packet_id,
    const uint8_t *payload, size_t len, uint8_t *out, size_t cap);

/* One of our packets the server has not acknowledged yet. */
struct ovpn_tx {
	uint8_t used, op, sends;
	uint16_t len;
	uint32_t id;
	uint64_t due; /* the next copy, or 0: no more */
	uint8_t data[OVPN_CHUNK];
};

/* A server packet that came ahead of a missing one. */
struct ovpn_rx {
	uint8_t used;
	uint16_t len;
	uint32_t id;
	uint8_t data[OVPN_RX_MAX];
};

struct ovpn_probe {
	const struct probe_cfg *cfg;
	/* tls-auth: the caller's, set after ovpn_probe_init and kept alive
	 * until ovpn_probe_free; NULL without. */
	const struct ovpn_auth *auth;
	struct probe tls;
	uint8_t state; /* enum probe_state: idle, hello = reset
			* sent, flight = control channel up */
	uint8_t own_verdict; /* decided here, not by the TLS engine */
	uint8_t got_bytes;
	uint8_t resets; /* copies of our reset sent */
	uint8_t n_pend; /* server packet ids to acknowledge */
	uint8_t sid[8], rsid[8];
	uint32_t pend[8];
	uint32_t tx_id; /* our next packet id */
	uint32_t rx_next; /* the server's next packet id */
	uint32_t auth_pid; /* tls-auth replay id: never reused */
	uint32_t net_time; /* tls-auth replay time, wall clock seconds */
	uint32_t bad_mac; /* packets that failed the tls-auth HMAC */
	uint32_t copies; /* packets sent again, every connection */
	uint32_t attempts;
	uint64_t nonce;
	uint64_t now_ms, tls_due;
	struct ovpn_tx tx[OVPN_TX_SLOTS];
	struct ovpn_rx rx[OVPN_RX_SLOTS];
	enum probe_verdict verdict;
	char reason[200];
	uint8_t ibuf[PROBE_OUT_MIN];
};

void ovpn_probe_init(struct ovpn_probe *p, const struct probe_cfg *cfg,
    uint64_t nonce);
void ovpn_probe_free(struct ovpn_probe *p);
void ovpn_probe_on_connected(struct ovpn_probe *p, struct probe_out *o);
void ovpn_probe_on_data(struct ovpn_probe *p, const uint8_t *b, size_t n,
    struct probe_out *o);
void ovpn_probe_on_closed(struct ovpn_probe *p, int err, struct probe_out *o);
void ovpn_probe_on_timeout(struct ovpn_probe *p, struct probe_out *o);
void ovpn_probe_on_wake(struct ovpn_probe *p, struct probe_out *o);
void ovpn_probe_clock(struct ovpn_probe *p, uint64_t now_ms);
void ovpn_probe_get_result(const struct ovpn_probe *p, struct probe_result *r);
int ovpn_probe_is_done(const struct ovpn_probe *p);
int ovpn_probe_is_idle(const struct ovpn_probe *p);
void ovpn_probe_finish(struct ovpn_probe *p, enum probe_verdict v,
    const char *why);

#endif
