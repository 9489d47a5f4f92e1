/*
 * Pieces of a libuv job's lifecycle that every driver shares: the outbound
 * driver (net/driver.h) and the client listeners (net/listen.h, TCP, and
 * net/udplisten.h, DTLS).
 */
#ifndef HEARTCHECK_NET_CONN_H
#define HEARTCHECK_NET_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* A first nonce for a driver, different per run and per instance. */
uint64_t net_nonce_seed(const void *instance);
/* The next per-probe nonce (splitmix64): unique payload bytes per probe. */
uint64_t net_nonce_next(uint64_t *state);

/* Arms a job's one timer for its deadline or its engine's wake-up
 * (wake_at, 0 for none), whichever is first; both are loop times (ms). */
void net_timer_arm(uv_timer_t *t, uv_timer_cb cb, uint64_t deadline,
    uint64_t wake_at);

/* Writes n bytes to a stream at once where the socket takes them, and
 * queues a copy of the rest (rare: the socket buffer is full).  Returns 0
 * or a libuv error. */
int net_stream_send(uv_stream_t *s, const uint8_t *b, size_t n);

/* A listener's clean stop: SIGINT and SIGTERM call cb, with data set on
 * both handles; net_signals_close() closes them (once). */
void net_signals_start(uv_loop_t *loop, uv_signal_t *sigint,
    uv_signal_t *sigterm, void *data, uv_signal_cb cb);
void net_signals_close(uv_signal_t *sigint, uv_signal_t *sigterm);

/* A bound address as people read it, after prefix: "127.0.0.1:4433",
 * "[::1]:4433". */
void net_bound_text(const struct sockaddr_storage *ss, const char *prefix,
    char *out, size_t cap);

#endif
