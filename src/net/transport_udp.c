/*
 * UDP as a transport of the outbound driver (net/driver.h): a connected
 * socket, which receives only the peer's datagrams and gets an ICMP port
 * unreachable back as ECONNREFUSED ("refused", as for TCP).  Each datagram
 * is one input to the engine; a framed engine (OpenVPN) gets one datagram
 * per packet it writes.  A full socket buffer loses a datagram, as the
 * network may: the engines retransmit.
 */
#include "net/driver.h"

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	*buf = drv_read_buf(h->data);
}

static void on_recv(uv_udp_t *u, ssize_t nread, const uv_buf_t *buf,
    const struct sockaddr *from, unsigned flags)
{
	struct drv_job *j = u->data;

	if (j->finished)
		return;
	if (nread < 0) {
		drv_job_closed(j, (int)nread, "socket failed");
		return;
	}
	/* nread 0 without an address: nothing more to read now.  A
	 * truncated datagram cannot be a whole record set: dropped. */
	if ((nread == 0 && from == NULL) || (flags & UV_UDP_PARTIAL))
		return;
	j->rx += (uint32_t)nread;
	drv_job_data(j, (const uint8_t *)buf->base, (size_t)nread);
}

static int udp_open(struct drv_job *j)
{
	int r = uv_udp_init(drv_job_loop(j), &j->sock.udp);

	if (r < 0)
		return r;
	j->sock.udp.data = j;
	j->sock_open = 1;
	j->open_handles++;
	r = uv_udp_connect(&j->sock.udp, (const struct sockaddr *)&j->addr);
	if (r == 0)
		r = uv_udp_recv_start(&j->sock.udp, on_alloc, on_recv);
	return r < 0 ? r : 1;
}

static int send_dgram(struct drv_job *j, const uint8_t *b, size_t n)
{
	uv_buf_t buf = uv_buf_init((char *)b, (unsigned)n);
	int r = uv_udp_try_send(&j->sock.udp, &buf, 1, NULL);

	if (r >= 0)
		j->tx += (uint32_t)n;
	else if (r != UV_EAGAIN && r != UV_ENOBUFS)
		return r;
	return 0;
}

static int udp_send(struct drv_job *j, const uint8_t *b, size_t n)
{
	size_t off = 0, len;
	int r = 0;

	if (!j->eng->framed)
		return send_dgram(j, b, n);
	while (r == 0 && off + 2 <= n) {
		len = (size_t)b[off] << 8 | b[off + 1];
		if (len > n - off - 2)
			break;
		r = send_dgram(j, b + off + 2, len);
		off += 2 + len;
	}
	return r;
}

static void udp_close(struct drv_job *j, uv_close_cb cb)
{
	uv_handle_t *h = (uv_handle_t *)&j->sock.udp;

	uv_udp_recv_stop(&j->sock.udp);
	if (!uv_is_closing(h))
		uv_close(h, cb);
}

const struct transport_ops transport_udp = {
	.name = "udp",
	.open = udp_open,
	.send = udp_send,
	.close = udp_close,
};
