/*
 * OpenVPN's control channel around the TLS probe engine, sans I/O.
 *
 * OpenVPN carries TLS records inside its own packets (no tls-auth or
 * tls-crypt; with either, the server drops packets without a valid HMAC):
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

#include "probe/probe.h"

#define OVPN_P_CONTROL_V1 4
#define OVPN_P_ACK_V1 5
#define OVPN_P_CONTROL_HARD_RESET_CLIENT_V2 7
#define OVPN_P_CONTROL_HARD_RESET_SERVER_V2 8
/* TLS bytes per control packet (OpenVPN's default tls-mtu is 1250). */
#define OVPN_CHUNK 1100

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
/* Writes one framed packet (2-byte length, then the packet).  Returns its
 * length, or -1 if cap is too small. */
ssize_t ovpn_pkt_write(uint8_t op, const uint8_t sid[8], const uint32_t *acks,
    uint8_t n_acks, const uint8_t rsid[8], uint32_t packet_id,
    const uint8_t *payload, size_t len, uint8_t *out, size_t cap);

struct ovpn_probe {
	const struct probe_cfg *cfg;
	struct probe tls;
	uint8_t state; /* enum probe_state: idle, hello = reset
			* sent, flight = control channel up */
	uint8_t own_verdict; /* decided here, not by the TLS engine */
	uint8_t got_bytes;
	uint8_t resets; /* copies of our reset sent */
	uint8_t sid[8], rsid[8];
	uint32_t tx_id; /* our next packet id */
	uint32_t rx_next; /* the server's next packet id */
	uint32_t attempts;
	uint64_t nonce;
	uint64_t now_ms, reset_due, tls_due;
	enum probe_verdict verdict;
	char reason[160];
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
