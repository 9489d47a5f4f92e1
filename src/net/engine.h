/*
 * The probe engines as the driver sees them: one vtable over the sans-I/O
 * engines of probe/ (the TLS probe, the DTLS probe, the OpenVPN control
 * channel), which share one shape of events and answers (probe/probe.h).
 * The driver keeps an engine's state inline in its job (size bytes).
 */
#ifndef HEARTCHECK_NET_ENGINE_H
#define HEARTCHECK_NET_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "probe/probe.h"

struct engine_ops {
	const char *name; /* "tls", "dtls", "openvpn" */
	size_t size;
	/* Its output is packets, each with a 2-byte length (OpenVPN), and
	 * it takes its input one packet at a time. */
	uint8_t framed;
	void (*init)(void *e, const struct probe_cfg *cfg, uint64_t nonce);
	void (*free)(void *e);
	void (*clock)(void *e, uint64_t now_ms);
	void (*connected)(void *e, struct probe_out *o);
	void (*data)(void *e, const uint8_t *b, size_t n, struct probe_out *o);
	void (*closed)(void *e, int err, struct probe_out *o);
	void (*timeout)(void *e, struct probe_out *o);
	void (*wake)(void *e, struct probe_out *o);
	void (*result)(const void *e, struct probe_result *r);
	int (*is_done)(const void *e);
	int (*is_idle)(const void *e);
	void (*finish)(void *e, enum probe_verdict v, const char *why);
};

extern const struct engine_ops engine_tls, engine_dtls, engine_openvpn;

#endif
