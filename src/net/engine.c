/*
 * The engines of probe/ behind one vtable (net/engine.h).  They share
 * their functions' shapes and names (PREFIX_on_data, ...), so one macro
 * writes each engine's adapters and no call goes through a function
 * pointer of the wrong type.
 */
#include "net/engine.h"

#include "probe/dtls.h"
#include "probe/openvpn.h"

#define ENGINE(var, label, T, P, fr) \
	static void var##_init(void *e, const struct probe_cfg *c, uint64_t n) \
	{ \
		P##_init((T *)e, c, n); \
	} \
	static void var##_free(void *e) \
	{ \
		P##_free((T *)e); \
	} \
	static void var##_clock(void *e, uint64_t t) \
	{ \
		P##_clock((T *)e, t); \
	} \
	static void var##_connected(void *e, struct probe_out *o) \
	{ \
		P##_on_connected((T *)e, o); \
	} \
	static void var##_data(void *e, const uint8_t *b, size_t n, \
	    struct probe_out *o) \
	{ \
		P##_on_data((T *)e, b, n, o); \
	} \
	static void var##_closed(void *e, int err, struct probe_out *o) \
	{ \
		P##_on_closed((T *)e, err, o); \
	} \
	static void var##_timeout(void *e, struct probe_out *o) \
	{ \
		P##_on_timeout((T *)e, o); \
	} \
	static void var##_wake(void *e, struct probe_out *o) \
	{ \
		P##_on_wake((T *)e, o); \
	} \
	static void var##_result(const void *e, struct probe_result *r) \
	{ \
		P##_get_result((const T *)e, r); \
	} \
	static int var##_is_done(const void *e) \
	{ \
		return P##_is_done((const T *)e); \
	} \
	static int var##_is_idle(const void *e) \
	{ \
		return P##_is_idle((const T *)e); \
	} \
	static void var##_finish(void *e, enum probe_verdict v, \
	    const char *why) \
	{ \
		P##_finish((T *)e, v, why); \
	} \
	const struct engine_ops var = { \
		.name = label, \
		.size = sizeof(T), \
		.framed = fr, \
		.init = var##_init, \
		.free = var##_free, \
		.clock = var##_clock, \
		.connected = var##_connected, \
		.data = var##_data, \
		.closed = var##_closed, \
		.timeout = var##_timeout, \
		.wake = var##_wake, \
		.result = var##_result, \
		.is_done = var##_is_done, \
		.is_idle = var##_is_idle, \
		.finish = var##_finish, \
	}

ENGINE(engine_tls, "tls", struct probe, probe, 0);
ENGINE(engine_dtls, "dtls", struct dtls_probe, dtls_probe, 0);
ENGINE(engine_openvpn, "openvpn", struct ovpn_probe, ovpn_probe, 1);
