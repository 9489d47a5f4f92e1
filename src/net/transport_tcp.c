/*
 * TCP as a transport of the outbound driver (net/driver.h): a stream to
 * the endpoint, opened again for each connection the engine asks for.  A
 * framed engine (OpenVPN over TCP) writes its 2-byte lengths as they are,
 * and gets its input back one whole packet at a time.
 */
#include "net/driver.h"

#include <stdlib.h>
#include <string.h>

#include "net/conn.h"

/* A framed packet: 2 bytes of length, then up to 64 KiB. */
#define FRAME_MAX (2 + 65535)

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	*buf = drv_read_buf(h->data);
}

/* Adds a chunk of the stream to the partial packet and hands on every
 * whole one. */
static void deframe(struct drv_job *j, const uint8_t *b, size_t n)
{
	uint8_t *nb;
	size_t len;

	if (j->flen + n > FRAME_MAX + 65536) {
		drv_job_closed(j, UV_EPROTO, "connection closed");
		return;
	}
	if (!(nb = realloc(j->fbuf, j->flen + n))) {
		drv_job_closed(j, UV_ENOMEM, "connection closed");
		return;
	}
	j->fbuf = nb;
	memcpy(j->fbuf + j->flen, b, n);
	j->flen += n;
	while (!j->finished && j->flen >= 2) {
		len = (size_t)j->fbuf[0] << 8 | j->fbuf[1];
		if (j->flen < 2 + len)
			break;
		drv_job_data(j, j->fbuf + 2, len);
		/* A reconnect emptied the buffer. */
		if (j->flen < 2 + len)
			break;
		memmove(j->fbuf, j->fbuf + 2 + len, j->flen - 2 - len);
		j->flen -= 2 + len;
		if (!j->sock_open || j->eng->is_idle(j->e))
			break;
	}
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct drv_job *j = s->data;

	if (nread == 0 || j->finished)
		return;
	if (nread < 0) {
		drv_job_closed(j, nread == UV_EOF ? 0 : (int)nread,
		    "connection closed");
		return;
	}
	j->rx += (uint32_t)nread;
	if (j->eng->framed)
		deframe(j, (const uint8_t *)buf->base, (size_t)nread);
	else
		drv_job_data(j, (const uint8_t *)buf->base, (size_t)nread);
}

static void on_connect(uv_connect_t *req, int status)
{
	struct drv_job *j = req->data;

	if (j->finished || status == UV_ECANCELED)
		return;
	if (status < 0) {
		drv_job_connect_failed(j, status);
		return;
	}
	uv_tcp_nodelay(&j->sock.tcp.h, 1);
	uv_read_start((uv_stream_t *)&j->sock.tcp.h, on_alloc, on_read);
	drv_job_up(j);
}

static int tcp_open(struct drv_job *j)
{
	int r = uv_tcp_init(drv_job_loop(j), &j->sock.tcp.h);

	if (r < 0)
		return r;
	j->sock.tcp.h.data = j;
	j->sock_open = 1;
	j->open_handles++;
	j->sock.tcp.creq.data = j;
	return uv_tcp_connect(&j->sock.tcp.creq, &j->sock.tcp.h,
	    (const struct sockaddr *)&j->addr, on_connect);
}

static int tcp_send(struct drv_job *j, const uint8_t *b, size_t n)
{
	int r = net_stream_send((uv_stream_t *)&j->sock.tcp.h, b, n);

	if (r == 0)
		j->tx += (uint32_t)n;
	return r;
}

static void tcp_close(struct drv_job *j, uv_close_cb cb)
{
	uv_handle_t *h = (uv_handle_t *)&j->sock.tcp.h;

	uv_read_stop((uv_stream_t *)h);
	if (!uv_is_closing(h))
		uv_close(h, cb);
}

const struct transport_ops transport_tcp = {
	.name = "tcp",
	.open = tcp_open,
	.send = tcp_send,
	.close = tcp_close,
};
