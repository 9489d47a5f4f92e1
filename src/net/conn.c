/*
 * Lifecycle pieces shared by the libuv drivers (net/conn.h).
 */
#include "net/conn.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/sockaddr.h"

uint64_t net_nonce_seed(const void *instance)
{
	return uv_hrtime() ^ ((uint64_t)(uintptr_t)instance << 16);
}

void net_signals_start(uv_loop_t *loop, uv_signal_t *sigint,
    uv_signal_t *sigterm, void *data, uv_signal_cb cb)
{
	uv_signal_init(loop, sigint);
	uv_signal_init(loop, sigterm);
	sigint->data = sigterm->data = data;
	uv_signal_start(sigint, cb, SIGINT);
	uv_signal_start(sigterm, cb, SIGTERM);
}

void net_signals_close(uv_signal_t *sigint, uv_signal_t *sigterm)
{
	if (!uv_is_closing((uv_handle_t *)sigint)) {
		uv_close((uv_handle_t *)sigint, NULL);
		uv_close((uv_handle_t *)sigterm, NULL);
	}
}

void net_bound_text(const struct sockaddr_storage *ss, const char *prefix,
    char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN];
	uint16_t port;

	net_addr_text(ss, ip, sizeof(ip), &port);
	snprintf(out, cap, ss->ss_family == AF_INET6 ? "%s[%s]:%u" : "%s%s:%u",
	    prefix, ip, port);
}

uint64_t net_nonce_next(uint64_t *state)
{
	uint64_t x = *state += 0x9e3779b97f4a7c15ULL;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 27);
}

void net_timer_arm(uv_timer_t *t, uv_timer_cb cb, uint64_t deadline,
    uint64_t wake_at)
{
	uint64_t now = uv_now(t->loop), at = deadline;

	if (wake_at && wake_at < at)
		at = wake_at;
	uv_timer_start(t, cb, at > now ? at - now : 0, 0);
}

static void on_write(uv_write_t *req, int status)
{
	(void)status;
	free(req->data);
	free(req);
}

int net_stream_send(uv_stream_t *s, const uint8_t *b, size_t n)
{
	uv_buf_t buf = uv_buf_init((char *)b, (unsigned)n);
	uv_write_t *req;
	int r = uv_try_write(s, &buf, 1);

	if (r == (int)n)
		return 0;
	if (r < 0 && r != UV_EAGAIN)
		return r;
	if (r < 0)
		r = 0;
	req = malloc(sizeof(*req));
	if (!req || !(req->data = malloc(n - (size_t)r))) {
		free(req);
		return UV_ENOMEM;
	}
	memcpy(req->data, b + r, n - (size_t)r);
	buf = uv_buf_init(req->data, (unsigned)(n - (size_t)r));
	r = uv_write(req, s, &buf, 1, on_write);
	if (r < 0) {
		free(req->data);
		free(req);
	}
	return r;
}
