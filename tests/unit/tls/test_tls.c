/*
 * Unit tests for the TLS codecs: record framing, the handshake walker, the
 * ClientHello builder, the ServerHello parser and the heartbeat flight and
 * reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../hc_skip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls/handshake.h"
#include "tls/heartbeat.h"
#include "tls/hello.h"
#include "tls/record.h"
#include "tls/tls.h"

#include "tls_build.h"

/* ------------------------------------------------------------------ */
/* Record stream                                                        */

#define MAX_RECS 64

struct rec_seen {
	uint8_t type;
	uint16_t version;
	uint16_t len;
	uint64_t seq;
	uint16_t epoch;
	size_t body_off;   /* into log.bodies */
	size_t body_len;
	int ended;
};

struct rs_log {
	struct rec_seen rec[MAX_RECS];
	size_t nrec;
	int bad;
	size_t bad_at;     /* stream offset just after the byte judged bad */
	struct bb bodies;
};

/* Feeds buf to a fresh stream in chunks whose sizes cycle through
 * sizes[], checking the event invariants on the way. */
static void rs_drive(const uint8_t *buf, size_t len, int dtls,
    const size_t *sizes, size_t nsizes, struct rs_log *log)
{
	struct rec_stream s;
	size_t off = 0, k = 0, steps = 0;
	struct rec_seen *cur = NULL;

	memset(log, 0, sizeof(*log));
	rec_stream_init(&s, dtls);
	while (off <= len && !log->bad) {
		size_t chunk = sizes[k++ % nsizes];
		const uint8_t *p = buf + off;
		size_t n;

		if (chunk > len - off)
			chunk = len - off;
		n = chunk;
		for (;;) {
			size_t used = 99;
			const uint8_t *data = NULL;
			size_t dlen = 99;
			enum rs_ev ev = rec_stream_step(&s, p, n, &used, &data,
			    &dlen);

			assert_true(++steps < 1000000);
			assert_true(used <= n);
			if (ev == RS_MORE) {
				assert_int_equal(used, n);
				break;
			}
			if (ev == RS_BAD) {
				log->bad = 1;
				log->bad_at = (size_t)(p - buf) + used;
				break;
			}
			if (ev == RS_HEADER) {
				assert_true(cur == NULL || cur->ended);
				assert_true(log->nrec < MAX_RECS);
				cur = &log->rec[log->nrec++];
				cur->type = s.cur.type;
				cur->version = s.cur.version;
				cur->len = s.cur.len;
				cur->seq = s.cur.seq;
				cur->epoch = s.cur.epoch;
				cur->body_off = log->bodies.n;
			} else if (ev == RS_BODY) {
				assert_non_null(cur);
				assert_false(cur->ended);
				assert_true(dlen > 0);
				assert_int_equal(dlen, used);
				assert_ptr_equal(data, p);
				bb_put(&log->bodies, data, dlen);
				cur->body_len += dlen;
				assert_true(cur->body_len <= cur->len);
			} else {
				assert_int_equal(ev, RS_END);
				assert_non_null(cur);
				assert_int_equal(cur->body_len, cur->len);
				cur->ended = 1;
			}
			p += used;
			n -= used;
		}
		off += chunk;
		if (off == len)
			break;
	}
}

static void rs_log_free(struct rs_log *log)
{
	bb_free(&log->bodies);
}

/* Three records, one of them empty. */
static void three_records(struct bb *b)
{
	uint8_t body1[300], body3[7];
	size_t i;

	for (i = 0; i < sizeof(body1); i++)
		body1[i] = (uint8_t)(i * 13 + 1);
	for (i = 0; i < sizeof(body3); i++)
		body3[i] = (uint8_t)(0xf0 + i);
	bb_record(b, 22, 0x0303, body1, sizeof(body1));
	bb_record(b, 21, 0x0301, NULL, 0);
	bb_record(b, 24, 0x0302, body3, sizeof(body3));
}

static void check_three(const struct rs_log *log)
{
	size_t i;

	assert_false(log->bad);
	assert_int_equal(log->nrec, 3);
	assert_int_equal(log->rec[0].type, 22);
	assert_int_equal(log->rec[0].version, 0x0303);
	assert_int_equal(log->rec[0].len, 300);
	assert_int_equal(log->rec[1].type, 21);
	assert_int_equal(log->rec[1].version, 0x0301);
	assert_int_equal(log->rec[1].len, 0);
	assert_int_equal(log->rec[2].type, 24);
	assert_int_equal(log->rec[2].len, 7);
	for (i = 0; i < 3; i++)
		assert_true(log->rec[i].ended);
	assert_int_equal(log->bodies.n, 307);
	for (i = 0; i < 300; i++)
		assert_int_equal(log->bodies.p[i], (uint8_t)(i * 13 + 1));
	for (i = 0; i < 7; i++)
		assert_int_equal(log->bodies.p[300 + i], 0xf0 + i);
}

static void test_rec_split_every_boundary(void **state)
{
	struct bb b = { 0 };
	struct rs_log log;
	size_t cut, sz;

	(void)state;
	three_records(&b);
	/* The whole buffer at once. */
	sz = b.n;
	rs_drive(b.p, b.n, 0, &sz, 1, &log);
	check_three(&log);
	rs_log_free(&log);
	/* Two chunks, cut at every byte. */
	for (cut = 0; cut <= b.n; cut++) {
		size_t sizes[2] = { cut, b.n - cut };

		rs_drive(b.p, b.n, 0, sizes, 2, &log);
		check_three(&log);
		rs_log_free(&log);
	}
	/* Chunks of every size from 1 to 40. */
	for (sz = 1; sz <= 40; sz++) {
		rs_drive(b.p, b.n, 0, &sz, 1, &log);
		check_three(&log);
		rs_log_free(&log);
	}
	bb_free(&b);
}

static void test_rec_zero_length_end(void **state)
{
	struct rec_stream s;
	uint8_t hdr[5] = { 21, 3, 3, 0, 0 };
	size_t used, dlen;
	const uint8_t *data;

	(void)state;
	rec_stream_init(&s, 0);
	assert_int_equal(rec_stream_step(&s, hdr, 5, &used, &data, &dlen),
	    RS_HEADER);
	assert_int_equal(used, 5);
	assert_int_equal(s.cur.len, 0);
	/* An empty record ends without any body event, even with no input. */
	assert_int_equal(rec_stream_step(&s, NULL, 0, &used, &data, &dlen),
	    RS_END);
	assert_int_equal(used, 0);
	assert_int_equal(rec_stream_step(&s, NULL, 0, &used, &data, &dlen),
	    RS_MORE);
}

static void test_rec_dtls(void **state)
{
	struct bb b = { 0 };
	struct rec_hdr h;
	struct rs_log log;
	uint8_t body[20];
	size_t sz, i;

	(void)state;
	for (i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)i;
	/* type, version, epoch, 48-bit seq, length */
	bb_u8(&b, 22);
	bb_u16(&b, 0xfefd);
	bb_u16(&b, 0x0102);
	bb_u16(&b, 0xa1b2);
	bb_u16(&b, 0xc3d4);
	bb_u16(&b, 0xe5f6);
	bb_u16(&b, sizeof(body));
	bb_put(&b, body, sizeof(body));
	assert_int_equal(rec_hdr_parse(b.p, b.n, 1, &h), 13);
	assert_int_equal(h.type, 22);
	assert_int_equal(h.version, 0xfefd);
	assert_int_equal(h.epoch, 0x0102);
	assert_true(h.seq == 0xa1b2c3d4e5f6ULL);
	assert_int_equal(h.len, 20);
	/* Twelve bytes are not a DTLS header yet. */
	assert_int_equal(rec_hdr_parse(b.p, 12, 1, &h), 0);
	/* A DTLS header is not a TLS one: the major version differs. */
	assert_int_equal(rec_hdr_parse(b.p, b.n, 0, &h), -1);
	for (sz = 1; sz <= b.n; sz++) {
		rs_drive(b.p, b.n, 1, &sz, 1, &log);
		assert_false(log.bad);
		assert_int_equal(log.nrec, 1);
		assert_true(log.rec[0].seq == 0xa1b2c3d4e5f6ULL);
		assert_int_equal(log.rec[0].epoch, 0x0102);
		assert_int_equal(log.rec[0].body_len, 20);
		assert_true(log.rec[0].ended);
		assert_memory_equal(log.bodies.p, body, 20);
		rs_log_free(&log);
	}
	bb_free(&b);
}

static void test_rec_not_tls_first_byte(void **state)
{
	static const char *const replies[] = {
		"HTTP/1.1 400 Bad Request\r\n", "SSH-2.0-OpenSSH_9.2\r\n",
		"220 mail ESMTP\r\n", "\x80\x2e\x01",
	};
	struct rec_hdr h;
	size_t i, one = 1;
	struct rs_log log;

	(void)state;
	for (i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
		const uint8_t *r = (const uint8_t *)replies[i];
		size_t n = strlen(replies[i]);

		assert_int_equal(rec_hdr_parse(r, 1, 0, &h), -1);
		/* Byte by byte, the stream gives up after the first. */
		rs_drive(r, n, 0, &one, 1, &log);
		assert_true(log.bad);
		assert_int_equal(log.bad_at, 1);
		assert_int_equal(log.nrec, 0);
		rs_log_free(&log);
	}
	/* A right type with a wrong major version fails at the second. */
	{
		static const uint8_t bad2[] = { 22, 0x02, 0x00, 0, 0 };

		assert_int_equal(rec_hdr_parse(bad2, 1, 0, &h), 0);
		assert_int_equal(rec_hdr_parse(bad2, 2, 0, &h), -1);
	}
	/* Types just outside 20..24. */
	{
		uint8_t t19[1] = { 19 }, t25[1] = { 25 }, t20[1] = { 20 };

		assert_int_equal(rec_hdr_parse(t19, 1, 0, &h), -1);
		assert_int_equal(rec_hdr_parse(t25, 1, 0, &h), -1);
		assert_int_equal(rec_hdr_parse(t20, 1, 0, &h), 0);
	}
}

static void test_rec_length_limit(void **state)
{
	uint8_t ok[5] = { 23, 3, 3, 0, 0 }, big[5] = { 23, 3, 3, 0, 0 };
	struct rec_hdr h;

	(void)state;
	ok[3] = (uint8_t)(TLS_MAX_RECORD >> 8);
	ok[4] = (uint8_t)TLS_MAX_RECORD;
	big[3] = (uint8_t)((TLS_MAX_RECORD + 1) >> 8);
	big[4] = (uint8_t)(TLS_MAX_RECORD + 1);
	assert_int_equal(TLS_MAX_RECORD, 18432);
	assert_int_equal(rec_hdr_parse(ok, 5, 0, &h), 5);
	assert_int_equal(h.len, 18432);
	assert_int_equal(rec_hdr_parse(big, 5, 0, &h), -1);
	big[3] = 0xff;
	big[4] = 0xff;
	assert_int_equal(rec_hdr_parse(big, 5, 0, &h), -1);
}

static void test_rec_stays_bad(void **state)
{
	struct rec_stream s;
	static const uint8_t junk[] = "GET / HTTP/1.0\r\n";
	static const uint8_t good[] = { 22, 3, 1, 0, 1, 0x0e };
	size_t used, dlen;
	const uint8_t *data;
	int i;

	(void)state;
	rec_stream_init(&s, 0);
	assert_int_equal(rec_stream_step(&s, junk, sizeof(junk) - 1, &used,
	    &data, &dlen), RS_BAD);
	for (i = 0; i < 3; i++) {
		assert_int_equal(rec_stream_step(&s, good, sizeof(good), &used,
		    &data, &dlen), RS_BAD);
		assert_int_equal(used, 0);
		assert_int_equal(rec_stream_step(&s, NULL, 0, &used, &data,
		    &dlen), RS_BAD);
	}
	/* A header rejected for its length also sticks. */
	{
		static const uint8_t big[] = { 22, 3, 3, 0xff, 0xff };

		rec_stream_init(&s, 0);
		assert_int_equal(rec_stream_step(&s, big, 5, &used, &data,
		    &dlen), RS_BAD);
		assert_int_equal(rec_stream_step(&s, good, sizeof(good), &used,
		    &data, &dlen), RS_BAD);
	}
}

static void test_rec_hdr_write(void **state)
{
	uint8_t out[5];
	struct rec_hdr h;

	(void)state;
	rec_hdr_write(out, 24, 0x0302, 0x1234);
	assert_int_equal(out[0], 24);
	assert_int_equal(out[1], 3);
	assert_int_equal(out[2], 2);
	assert_int_equal(out[3], 0x12);
	assert_int_equal(out[4], 0x34);
	assert_int_equal(rec_hdr_parse(out, 5, 0, &h), 5);
	assert_int_equal(h.len, 0x1234);
}

/* ------------------------------------------------------------------ */
/* Handshake walker                                                     */

struct msg_seen {
	uint8_t type;
	uint32_t len;
	size_t got;
	uint32_t sum;  /* position-weighted checksum of the body */
	int ended;
};

static size_t hw_drive(const uint8_t *buf, size_t len, const size_t *sizes,
    size_t nsizes, struct msg_seen *msgs, size_t max)
{
	struct hs_walker w;
	size_t off = 0, k = 0, nm = 0, steps = 0;

	hs_walker_init(&w);
	while (off < len) {
		size_t chunk = sizes[k++ % nsizes];
		const uint8_t *p = buf + off;
		size_t n;

		if (chunk > len - off)
			chunk = len - off;
		n = chunk;
		for (;;) {
			size_t used, dlen, i;
			const uint8_t *data;
			enum hw_ev ev = hs_walker_step(&w, p, n, &used, &data,
			    &dlen);

			assert_true(++steps < 1000000);
			assert_true(used <= n);
			if (ev == HW_MORE) {
				assert_int_equal(used, n);
				break;
			}
			if (ev == HW_START) {
				assert_true(nm == 0 || msgs[nm - 1].ended);
				assert_true(nm < max);
				memset(&msgs[nm], 0, sizeof(msgs[nm]));
				msgs[nm].type = w.type;
				msgs[nm].len = w.len;
				nm++;
			} else if (ev == HW_BODY) {
				struct msg_seen *m = &msgs[nm - 1];

				assert_true(nm > 0);
				assert_false(m->ended);
				assert_ptr_equal(data, p);
				for (i = 0; i < dlen; i++)
					m->sum += (uint32_t)data[i] *
					    (uint32_t)(m->got + i + 1);
				m->got += dlen;
				assert_true(m->got <= m->len);
			} else {
				assert_int_equal(ev, HW_END);
				assert_true(nm > 0);
				assert_int_equal(msgs[nm - 1].got, msgs[nm - 1].len);
				msgs[nm - 1].ended = 1;
			}
			p += used;
			n -= used;
		}
		off += chunk;
	}
	/* A trailing empty message ends on the next call, input or not. */
	if (nm > 0 && !msgs[nm - 1].ended) {
		size_t used, dlen;
		const uint8_t *data;

		if (hs_walker_step(&w, NULL, 0, &used, &data, &dlen) == HW_END)
			msgs[nm - 1].ended = 1;
	}
	return nm;
}

static uint32_t body_sum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += (uint32_t)p[i] * (uint32_t)(i + 1);
	return s;
}

static void test_hw_messages(void **state)
{
	struct bb b = { 0 }, sh = { 0 }, cert = { 0 };
	struct msg_seen m[8];
	uint32_t shsum, certsum;
	size_t sz, cut, nm, i;
	/* 24-bit length: more than 16 bits' worth of certificate. */
	const size_t cert_len = 0x010203;

	(void)state;
	bb_server_hello(&sh, 0x0303, 1);
	for (i = 0; i < cert_len; i++)
		bb_u8(&cert, (unsigned)(i ^ (i >> 8)));
	shsum = body_sum(sh.p, sh.n);
	certsum = body_sum(cert.p, cert.n);
	bb_hs(&b, 2, sh.p, sh.n);
	bb_hs(&b, 11, cert.p, cert.n);
	bb_hs(&b, 14, NULL, 0);
	assert_int_equal(b.p[4 + sh.n + 1], 0x01);
	for (sz = 1; sz <= 9; sz++) {
		size_t sizes[1] = { sz == 9 ? b.n : sz };

		if (sz > 1 && sz < 9 && sz != 3 && sz != 7)
			continue; /* one byte at a time is slow enough */
		nm = hw_drive(b.p, b.n, sizes, 1, m, 8);
		assert_int_equal(nm, 3);
		assert_int_equal(m[0].type, 2);
		assert_int_equal(m[0].len, sh.n);
		assert_int_equal(m[0].sum, shsum);
		assert_int_equal(m[1].type, 11);
		assert_int_equal(m[1].len, cert_len);
		assert_int_equal(m[1].sum, certsum);
		assert_int_equal(m[2].type, 14);
		assert_int_equal(m[2].len, 0);
		for (i = 0; i < 3; i++)
			assert_true(m[i].ended);
	}
	/* Two chunks, cut at every byte around the ServerHello and the
	 * message boundaries. */
	for (cut = 0; cut < 4 + sh.n + 12; cut++) {
		size_t sizes[2] = { cut, b.n - cut };

		nm = hw_drive(b.p, b.n, sizes, 2, m, 8);
		assert_int_equal(nm, 3);
		assert_int_equal(m[0].sum, shsum);
		assert_int_equal(m[1].sum, certsum);
		assert_true(m[2].ended);
	}
	for (cut = b.n - 12; cut <= b.n; cut++) {
		size_t sizes[2] = { cut, b.n - cut };

		nm = hw_drive(b.p, b.n, sizes, 2, m, 8);
		assert_int_equal(nm, 3);
		assert_int_equal(m[1].sum, certsum);
		assert_int_equal(m[2].type, 14);
		assert_true(m[2].ended);
	}
	bb_free(&b);
	bb_free(&sh);
	bb_free(&cert);
}

static void test_hw_empty_messages(void **state)
{
	static const uint8_t two_done[] = { 14, 0, 0, 0, 0, 0, 0, 0, 14, 0, 0,
		0 };
	struct hs_walker w;
	size_t used, dlen;
	const uint8_t *data;
	struct msg_seen m[4];
	size_t one = 1, nm;

	(void)state;
	hs_walker_init(&w);
	assert_int_equal(hs_walker_step(&w, two_done, 4, &used, &data, &dlen),
	    HW_START);
	assert_int_equal(w.type, 14);
	assert_int_equal(w.len, 0);
	assert_int_equal(hs_walker_step(&w, two_done + 4, 0, &used, &data,
	    &dlen), HW_END);
	/* HelloRequest, then ServerHelloDone, one byte at a time. */
	nm = hw_drive(two_done, sizeof(two_done), &one, 1, m, 4);
	assert_int_equal(nm, 3);
	assert_int_equal(m[0].type, 14);
	assert_int_equal(m[1].type, 0);
	assert_int_equal(m[2].type, 14);
	assert_true(m[0].ended && m[1].ended && m[2].ended);
}

/* ------------------------------------------------------------------ */
/* ClientHello                                                          */

struct ch_seen {
	uint16_t rec_version;
	uint16_t version;
	uint8_t random[32];
	int has_hb;
	int hb_mode;
	int has_sni;
	char sni[300];
	int has_sigalgs;
	int has_groups;
	int has_points;
	size_t nsuites;
	int has_rsa_first;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* Parses the built record back, asserting that every length agrees. */
static void ch_parse(const uint8_t *b, size_t n, struct ch_seen *c)
{
	size_t off, end, sid, sl, cl, el, eoff;

	memset(c, 0, sizeof(*c));
	assert_true(n >= 5 + 4 + 2 + 32 + 1);
	assert_int_equal(b[0], 22);
	c->rec_version = be16(b + 1);
	assert_int_equal(be16(b + 3), n - 5);
	assert_int_equal(b[5], 1);
	assert_int_equal(be24(b + 6), n - 9);
	c->version = be16(b + 9);
	memcpy(c->random, b + 11, 32);
	off = 43;
	sid = b[off++];
	assert_int_equal(sid, 0);
	assert_true(off + 2 <= n);
	sl = be16(b + off);
	off += 2;
	assert_true(sl % 2 == 0 && sl > 0);
	assert_true(off + sl <= n);
	c->nsuites = sl / 2;
	c->has_rsa_first = be16(b + off) == 0x009c;
	off += sl;
	cl = b[off++];
	assert_int_equal(cl, 1);
	assert_int_equal(b[off++], 0);
	assert_true(off + 2 <= n);
	el = be16(b + off);
	off += 2;
	assert_int_equal(off + el, n);
	end = n;
	while (off < end) {
		uint16_t type, len;

		assert_true(off + 4 <= end);
		type = be16(b + off);
		len = be16(b + off + 2);
		eoff = off + 4;
		assert_true(eoff + len <= end);
		switch (type) {
		case 15:
			assert_int_equal(len, 1);
			assert_false(c->has_hb);
			c->has_hb = 1;
			c->hb_mode = b[eoff];
			break;
		case 0: {
			size_t ll, nl;

			assert_false(c->has_sni);
			assert_true(len >= 5);
			ll = be16(b + eoff);
			assert_int_equal(ll + 2, len);
			assert_int_equal(b[eoff + 2], 0);
			nl = be16(b + eoff + 3);
			assert_int_equal(nl + 3, ll);
			assert_true(nl < sizeof(c->sni));
			memcpy(c->sni, b + eoff + 5, nl);
			c->sni[nl] = '\0';
			c->has_sni = 1;
			break;
		}
		case 13:
			assert_int_equal(be16(b + eoff) + 2, len);
			c->has_sigalgs = 1;
			break;
		case 10:
			assert_int_equal(be16(b + eoff) + 2, len);
			c->has_groups = 1;
			break;
		case 11:
			assert_int_equal(b[eoff] + 1, len);
			c->has_points = 1;
			break;
		default:
			break;
		}
		off = eoff + len;
	}
	assert_int_equal(off, end);
}

static ssize_t ch_build(uint16_t ver, const char *sni, int hb, uint8_t *out,
    size_t cap)
{
	struct client_hello_opts o;
	size_t i;

	memset(&o, 0, sizeof(o));
	o.version = ver;
	o.sni = sni;
	o.heartbeat = hb;
	for (i = 0; i < 32; i++)
		o.random[i] = (uint8_t)(0x40 + i);
	return client_hello_build(&o, out, cap);
}

static void test_ch_versions(void **state)
{
	static const uint16_t vers[] = { 0x0303, 0x0302, 0x0301, 0x0300 };
	uint8_t out[1024];
	struct ch_seen c;
	size_t i, j;

	(void)state;
	for (i = 0; i < 4; i++) {
		ssize_t n = ch_build(vers[i], NULL, 1, out, sizeof(out));

		assert_true(n > 0);
		ch_parse(out, (size_t)n, &c);
		assert_int_equal(c.version, vers[i]);
		/* Record version 1.0 for any TLS hello, 3.0 for SSLv3. */
		assert_int_equal(c.rec_version,
		    vers[i] == 0x0300 ? 0x0300 : 0x0301);
		assert_true(c.has_hb);
		assert_int_equal(c.hb_mode, 1);
		assert_false(c.has_sni);
		assert_int_equal(c.has_sigalgs, vers[i] == 0x0303);
		assert_true(c.has_groups);
		assert_true(c.has_points);
		assert_true(c.has_rsa_first);
		assert_true(c.nsuites >= 10);
		for (j = 0; j < 32; j++)
			assert_int_equal(c.random[j], 0x40 + j);
	}
	/* Without heartbeat, no extension 15. */
	{
		ssize_t n = ch_build(0x0303, NULL, 0, out, sizeof(out));

		assert_true(n > 0);
		ch_parse(out, (size_t)n, &c);
		assert_false(c.has_hb);
	}
}

static void test_ch_sni(void **state)
{
	uint8_t out[1024];
	struct ch_seen c;
	ssize_t n, m;
	char longname[254];

	(void)state;
	n = ch_build(0x0303, "www.example.com", 1, out, sizeof(out));
	assert_true(n > 0);
	ch_parse(out, (size_t)n, &c);
	assert_true(c.has_sni);
	assert_string_equal(c.sni, "www.example.com");
	assert_true(c.has_hb);
	m = ch_build(0x0303, NULL, 1, out, sizeof(out));
	assert_int_equal(n - m, 4 + 2 + 1 + 2 + 15);
	/* The longest DNS name fits. */
	memset(longname, 'a', 253);
	longname[253] = '\0';
	n = ch_build(0x0303, longname, 1, out, sizeof(out));
	assert_true(n > 0);
	ch_parse(out, (size_t)n, &c);
	assert_int_equal(strlen(c.sni), 253);
}

static void test_ch_bad_sni(void **state)
{
	uint8_t out[2048];
	char longname[301];

	(void)state;
	memset(longname, 'a', 300);
	longname[300] = '\0';
	assert_int_equal(ch_build(0x0303, "bad name.example", 1, out,
	    sizeof(out)), -1);
	assert_int_equal(ch_build(0x0303, longname, 1, out, sizeof(out)), -1);
	longname[254] = '\0';
	assert_int_equal(ch_build(0x0303, longname, 1, out, sizeof(out)), -1);
	assert_int_equal(ch_build(0x0303, "", 1, out, sizeof(out)), -1);
	assert_int_equal(ch_build(0x0303, "a\nb", 1, out, sizeof(out)), -1);
	assert_int_equal(ch_build(0x0303, "x\xc3\xa9.example", 1, out,
	    sizeof(out)), -1);
}

static void test_ch_cap_too_small(void **state)
{
	uint8_t full[1024];
	ssize_t n;
	size_t cap;

	(void)state;
	n = ch_build(0x0303, "host.example", 1, full, sizeof(full));
	assert_true(n > 0);
	/* Every cap below the size fails, and nothing is written past cap
	 * (the heap buffer is exactly cap bytes, for AddressSanitizer). */
	for (cap = 0; cap < (size_t)n; cap++) {
		uint8_t *b = malloc(cap ? cap : 1);

		assert_non_null(b);
		assert_int_equal(ch_build(0x0303, "host.example", 1, b, cap),
		    -1);
		free(b);
	}
	{
		uint8_t *b = malloc((size_t)n);

		assert_non_null(b);
		assert_int_equal(ch_build(0x0303, "host.example", 1, b,
		    (size_t)n), n);
		assert_memory_equal(b, full, (size_t)n);
		free(b);
	}
}

/* ------------------------------------------------------------------ */
/* ServerHello                                                          */

static void test_sh_parse(void **state)
{
	struct bb b = { 0 };
	struct server_hello sh;

	(void)state;
	bb_server_hello(&b, 0x0302, -1);
	assert_int_equal(server_hello_parse(b.p, b.n, &sh), 0);
	assert_int_equal(sh.version, 0x0302);
	assert_int_equal(sh.cipher, 0x009c);
	assert_int_equal(sh.compression, 0);
	assert_false(sh.heartbeat_ext);
	bb_free(&b);

	bb_server_hello(&b, 0x0303, 0);
	assert_int_equal(server_hello_parse(b.p, b.n, &sh), 0);
	assert_false(sh.heartbeat_ext);
	bb_free(&b);

	bb_server_hello(&b, 0x0301, 1);
	assert_int_equal(server_hello_parse(b.p, b.n, &sh), 0);
	assert_int_equal(sh.version, 0x0301);
	assert_true(sh.heartbeat_ext);
	assert_int_equal(sh.heartbeat_mode, 1);
	bb_free(&b);

	bb_server_hello(&b, 0x0300, 2);
	assert_int_equal(server_hello_parse(b.p, b.n, &sh), 0);
	assert_true(sh.heartbeat_ext);
	assert_int_equal(sh.heartbeat_mode, 2);
	bb_free(&b);
}

static void test_sh_other_extensions(void **state)
{
	struct bb b = { 0 };
	struct server_hello sh;
	size_t i;

	(void)state;
	b.n = 0;
	bb_u16(&b, 0x0303);
	for (i = 0; i < 32; i++)
		bb_u8(&b, i);
	bb_u8(&b, 0); /* empty session id */
	bb_u16(&b, 0xc02f);
	bb_u8(&b, 0);
	bb_u16(&b, 4 + 4 + 6 + 5);
	bb_u16(&b, 0); /* server_name ack, empty */
	bb_u16(&b, 0);
	bb_u16(&b, 35); /* session ticket, empty */
	bb_u16(&b, 0);
	bb_u16(&b, 43); /* supported_versions */
	bb_u16(&b, 2);
	bb_u16(&b, 0x0304);
	bb_u16(&b, 15);
	bb_u16(&b, 1);
	bb_u8(&b, 1);
	assert_int_equal(server_hello_parse(b.p, b.n, &sh), 0);
	assert_true(sh.sni_ack);
	assert_int_equal(sh.selected_version, 0x0304);
	assert_true(sh.heartbeat_ext);
	assert_int_equal(sh.cipher, 0xc02f);
	bb_free(&b);
}

static void test_sh_truncated(void **state)
{
	struct bb b = { 0 };
	struct server_hello sh;
	size_t cut, no_ext;

	(void)state;
	bb_server_hello(&b, 0x0303, 1);
	no_ext = 2 + 32 + 1 + 32 + 2 + 1;
	for (cut = 0; cut < b.n; cut++) {
		/* A private copy of exactly cut bytes, for AddressSanitizer. */
		uint8_t *c = malloc(cut ? cut : 1);
		int r;

		assert_non_null(c);
		memcpy(c, b.p, cut);
		r = server_hello_parse(c, cut, &sh);
		if (cut == no_ext) {
			/* The hello really does end there without extensions. */
			assert_int_equal(r, 0);
			assert_false(sh.heartbeat_ext);
		} else {
			if (r != -1)
				fail_msg("truncated at %zu: %d", cut, r);
		}
		free(c);
	}
	bb_free(&b);
}

static void test_sh_overruns(void **state)
{
	struct bb b = { 0 };
	struct server_hello sh;
	size_t ext_at;

	(void)state;
	bb_server_hello(&b, 0x0303, 1);
	ext_at = 2 + 32 + 1 + 32 + 2 + 1;
	/* Extension block longer than what follows. */
	b.p[ext_at + 1] = 11;
	assert_int_equal(server_hello_parse(b.p, b.n, &sh), -1);
	/* Shorter: bytes trail the block. */
	b.p[ext_at + 1] = 5;
	assert_int_equal(server_hello_parse(b.p, b.n, &sh), -1);
	b.p[ext_at + 1] = 10;
	assert_int_equal(server_hello_parse(b.p, b.n, &sh), 0);
	/* One extension claims more than the block holds. */
	b.p[ext_at + 2 + 2 + 1] = 2;
	assert_int_equal(server_hello_parse(b.p, b.n, &sh), -1);
	b.p[ext_at + 2 + 2 + 1] = 1;
	b.p[ext_at + 2 + 5 + 3] = 2; /* heartbeat ext length 2 */
	assert_int_equal(server_hello_parse(b.p, b.n, &sh), -1);
	/* Empty heartbeat extension: no mode byte to read. */
	b.p[ext_at + 2 + 5 + 3] = 0;
	b.p[ext_at + 1] = 9;
	assert_int_equal(server_hello_parse(b.p, b.n - 1, &sh), -1);
	/* Session id length past the end. */
	bb_free(&b);
	bb_server_hello(&b, 0x0303, -1);
	b.p[34] = 0xff;
	assert_int_equal(server_hello_parse(b.p, b.n, &sh), -1);
	bb_free(&b);
}

/* ------------------------------------------------------------------ */
/* Heartbeat flight and reader                                          */

static void test_hb_flight_layout(void **state)
{
	static const uint16_t vers[] = { 0x0300, 0x0301, 0x0302, 0x0303 };
	struct hb_plan p;
	uint8_t out[512];
	size_t i, j;

	(void)state;
	assert_int_equal(hb_plan_init(&p, 0x1122334455667788ULL, 64, 32, 16),
	    0);
	for (i = 0; i < 4; i++) {
		ssize_t n = hb_flight_tls(&p, vers[i], 1, out, sizeof(out));
		const uint8_t *s = out, *q = out + 88, *f = out + 88 + 40;

		assert_int_equal(n, (5 + 3 + 64 + 16) + (5 + 3 + 32) + 6);
		/* sentinel */
		assert_int_equal(s[0], 24);
		assert_int_equal(be16(s + 1), vers[i]);
		assert_int_equal(be16(s + 3), 3 + 64 + 16);
		assert_int_equal(s[5], 1);
		assert_int_equal(be16(s + 6), 64);
		for (j = 0; j < 64; j++)
			assert_int_equal(s[8 + j], hb_payload_byte(&p, 0, j));
		/* probe: claims 16 bytes past its record */
		assert_int_equal(q[0], 24);
		assert_int_equal(be16(q + 1), vers[i]);
		assert_int_equal(be16(q + 3), 3 + 32);
		assert_int_equal(q[5], 1);
		assert_int_equal(be16(q + 6), 48);
		for (j = 0; j < 32; j++)
			assert_int_equal(q[8 + j], hb_payload_byte(&p, 1, j));
		/* fence */
		assert_int_equal(f[0], 23);
		assert_int_equal(be16(f + 1), vers[i]);
		assert_int_equal(be16(f + 3), 1);
		/* Without the fence. */
		assert_int_equal(hb_flight_tls(&p, vers[i], 0, out,
		    sizeof(out)), n - 6);
	}
	/* The sentinel and probe streams differ, and the nonce matters. */
	{
		struct hb_plan p2;
		int same = 1, same2 = 1;

		hb_plan_init(&p2, 0x1122334455667789ULL, 64, 32, 16);
		for (j = 0; j < 32; j++) {
			if (hb_payload_byte(&p, 0, j) != hb_payload_byte(&p, 1, j))
				same = 0;
			if (hb_payload_byte(&p, 1, j) !=
			    hb_payload_byte(&p2, 1, j))
				same2 = 0;
		}
		assert_false(same);
		assert_false(same2);
	}
	/* Every cap below the size fails. */
	for (i = 0; i < 134; i++)
		assert_int_equal(hb_flight_tls(&p, 0x0303, 1, out, i), -1);
	assert_int_equal(hb_flight_tls(&p, 0x0303, 1, out, 134), 134);
	/* Plans that cannot be framed. */
	assert_int_equal(hb_plan_init(&p, 1, 64, 0, 16), -1);
	assert_int_equal(hb_plan_init(&p, 1, 0, 0, 0), -1);
	/* A lone probe (after a padded hello), a lone valid heartbeat. */
	assert_int_equal(hb_plan_init(&p, 1, 0, 32, 16), 0);
	assert_int_equal(hb_plan_init(&p, 1, 64, 0, 0), 0);
	assert_int_equal(hb_plan_init(&p, 1, 64, 32, 65535 - 31), -1);
	assert_int_equal(hb_plan_init(&p, 1, 64, 32, 65535 - 32), 0);
}

static void test_hb_expected_tail(void **state)
{
	struct hb_plan p;
	size_t i;

	(void)state;
	hb_plan_init(&p, 77, 64, 32, 16);
	/* The stale sentinel payload, then the sentinel's padding, then
	 * nothing of ours. */
	for (i = 0; i < 32; i++)
		assert_int_equal(hb_expected_tail(&p, HB_TAIL_STALE, i),
		    hb_payload_byte(&p, 0, 32 + i));
	for (i = 32; i < 48; i++)
		assert_int_equal(hb_expected_tail(&p, HB_TAIL_STALE, i), HB_PADDING_BYTE);
	assert_int_equal(hb_expected_tail(&p, HB_TAIL_STALE, 48), -1);
	assert_int_equal(hb_expected_tail(&p, HB_TAIL_STALE, 1000), -1);
	/* No fence body and no padded hello: those models know nothing. */
	assert_int_equal(hb_expected_tail(&p, HB_TAIL_FOLLOW, 0), -1);
	assert_int_equal(hb_expected_tail(&p, HB_TAIL_HELLO, 0), -1);
}

/* Read-ahead: the over-read is the fence record that followed the probe,
 * header first; a padded hello: the over-read is its pad at record offset
 * 5 + 3 + P + off. */
static void test_hb_expected_tail_models(void **state)
{
	struct hb_plan p;
	uint8_t rec[64];
	size_t i;
	ssize_t n;

	(void)state;
	hb_plan_init(&p, 78, 64, 32, 16);
	p.fence_len = 16;
	p.rec_ver = 0x0301;
	n = hb_appdata_record(&p, 0x0301, 16, rec, sizeof(rec));
	assert_int_equal(n, 21);
	assert_memory_equal(rec, "\x17\x03\x01\x00\x10", 5);
	for (i = 0; i < 21; i++)
		assert_int_equal(hb_expected_tail(&p, HB_TAIL_FOLLOW, i), rec[i]);
	assert_int_equal(hb_expected_tail(&p, HB_TAIL_FOLLOW, 21), -1);
	/* A nudge is a 1-byte zero record, never mistaken for the fence. */
	n = hb_appdata_record(&p, 0x0301, 1, rec, sizeof(rec));
	assert_int_equal(n, 6);
	assert_memory_equal(rec, "\x17\x03\x01\x00\x01\x00", 6);

	hb_plan_init(&p, 79, 0, 4100, 16);
	p.pad_at = 300;
	p.pad_len = 4197;
	for (i = 0; i < 16; i++)
		assert_int_equal(hb_expected_tail(&p, HB_TAIL_HELLO, i),
		    hb_payload_byte(&p, 2, 4108 + i - 300));
	/* Past the pad: nothing of ours. */
	assert_int_equal(hb_expected_tail(&p, HB_TAIL_HELLO, 4497 - 4108), -1);
	assert_int_equal(hb_expected_tail(&p, HB_TAIL_STALE, 0), -1);
}

/* Collects on_disclosed callbacks. */
struct disc {
	uint8_t bytes[64];
	size_t off[64];
	size_t n;
	size_t calls;
};

static void on_disc(void *ctx, size_t off, const uint8_t *b, size_t n)
{
	struct disc *d = ctx;
	size_t i;

	d->calls++;
	for (i = 0; i < n && d->n < 64; i++) {
		d->off[d->n] = off + i;
		d->bytes[d->n++] = b[i];
	}
}

/* Payload of an echo: the sentinel's own bytes. */
static void sentinel_payload(const struct hb_plan *p, uint8_t *out)
{
	size_t i;

	for (i = 0; i < p->sentinel_len; i++)
		out[i] = hb_payload_byte(p, 0, i);
}

/* The probe's echo as vulnerable OpenSSL sends it: its 32 bytes, then the
 * stale sentinel bytes 32..47. */
static void probe_echo_payload(const struct hb_plan *p, uint8_t *out)
{
	size_t i;

	for (i = 0; i < p->probe_len; i++)
		out[i] = hb_payload_byte(p, 1, i);
	for (i = 0; i < p->k; i++)
		out[p->probe_len + i] = hb_payload_byte(p, 0, p->probe_len + i);
}

/* Feeds the bodies of records to a reader, each record split where
 * splits[] says (offsets inside the record body). */
static void hb_feed_records(struct hb_reader *r, const struct bb *msgs,
    const size_t *rec_lens, size_t nrec, size_t chunk)
{
	size_t off = 0, i;

	for (i = 0; i < nrec; i++) {
		size_t left = rec_lens[i];

		while (left > 0) {
			size_t take = left < chunk ? left : chunk;

			assert_int_equal(hb_reader_feed(r, msgs->p + off, take),
			    0);
			off += take;
			left -= take;
		}
		hb_reader_record_end(r);
	}
	assert_int_equal(off, msgs->n);
}

static void test_hb_reader_vulnerable_zero(void **state)
{
	struct hb_plan p;
	struct hb_reader r;
	struct bb m = { 0 };
	uint8_t sp[64], pp[48];
	size_t lens[2], chunk, i;
	struct disc d;

	(void)state;
	hb_plan_init(&p, 0xfeedULL, 64, 32, 16);
	sentinel_payload(&p, sp);
	probe_echo_payload(&p, pp);
	bb_hb_msg(&m, 2, 64, sp, 64, 16);
	bb_hb_msg(&m, 2, 48, pp, 48, 16);
	lens[0] = 3 + 64 + 16;
	lens[1] = 3 + 48 + 16;
	for (chunk = 1; chunk <= 100; chunk += (chunk < 20 ? 1 : 40)) {
		memset(&d, 0, sizeof(d));
		hb_reader_init(&r, &p);
		r.on_disclosed = on_disc;
		r.ctx = &d;
		hb_feed_records(&r, &m, lens, 2, chunk);
		assert_true(r.sentinel_echoed);
		assert_true(r.probe_echoed);
		assert_int_equal(r.disclosed, 0);
		assert_false(r.foreign);
		assert_false(r.lax_echoed);
		assert_int_equal(r.messages, 2);
		/* The hook sees the whole over-read tail, ours included. */
		assert_int_equal(d.n, 16);
		for (i = 0; i < 16; i++) {
			assert_int_equal(d.off[i], i);
			assert_int_equal(d.bytes[i], pp[32 + i]);
		}
	}
	bb_free(&m);
}

static void test_hb_reader_vulnerable_disclosed(void **state)
{
	struct hb_plan p;
	struct hb_reader r;
	struct bb m = { 0 };
	uint8_t pp[48];
	size_t lens[1], chunk, i;
	struct disc d;

	(void)state;
	hb_plan_init(&p, 0xfeedULL, 64, 32, 16);
	probe_echo_payload(&p, pp);
	/* Memory that is not ours: each byte differs from the expected. */
	for (i = 0; i < 16; i++)
		pp[32 + i] = (uint8_t)(hb_payload_byte(&p, 0, 32 + i) ^ 0x5a);
	bb_hb_msg(&m, 2, 48, pp, 48, 16);
	lens[0] = m.n;
	for (chunk = 1; chunk <= 70; chunk++) {
		memset(&d, 0, sizeof(d));
		hb_reader_init(&r, &p);
		r.on_disclosed = on_disc;
		r.ctx = &d;
		hb_feed_records(&r, &m, lens, 1, chunk);
		assert_true(r.probe_echoed);
		assert_false(r.sentinel_echoed);
		assert_int_equal(r.disclosed, 16);
		assert_int_equal(d.n, 16);
		for (i = 0; i < 16; i++) {
			assert_int_equal(d.off[i], i);
			assert_int_equal(d.bytes[i], pp[32 + i]);
		}
	}
	/* Only some bytes differ: then the buffer was not ours, and every
	 * tail byte is server memory, even those equal by chance. */
	probe_echo_payload(&p, pp);
	pp[32 + 3] ^= 1;
	pp[32 + 4] ^= 1;
	pp[32 + 15] ^= 1;
	m.n = 0;
	bb_hb_msg(&m, 2, 48, pp, 48, 16);
	memset(&d, 0, sizeof(d));
	hb_reader_init(&r, &p);
	r.on_disclosed = on_disc;
	r.ctx = &d;
	hb_feed_records(&r, &m, lens, 1, m.n);
	assert_true(r.probe_echoed);
	assert_int_equal(r.disclosed, 16);
	assert_int_equal(d.n, 16);
	assert_int_equal(d.calls, 1);
	for (i = 0; i < 16; i++)
		assert_int_equal(d.bytes[i], pp[32 + i]);
	bb_free(&m);
}

static void test_hb_reader_sentinel_only(void **state)
{
	struct hb_plan p;
	struct hb_reader r;
	struct bb m = { 0 };
	uint8_t sp[64];
	size_t lens[1];

	(void)state;
	hb_plan_init(&p, 42, 64, 32, 16);
	sentinel_payload(&p, sp);
	bb_hb_msg(&m, 2, 64, sp, 64, 16);
	lens[0] = m.n;
	hb_reader_init(&r, &p);
	hb_feed_records(&r, &m, lens, 1, 7);
	assert_true(r.sentinel_echoed);
	assert_false(r.probe_echoed);
	assert_false(r.foreign);
	assert_int_equal(r.messages, 1);
	bb_free(&m);
}

static void test_hb_reader_foreign(void **state)
{
	struct hb_plan p;
	struct hb_reader r;
	struct bb m = { 0 };
	uint8_t sp[64], pp[48];
	size_t lens[1];

	(void)state;
	hb_plan_init(&p, 42, 64, 32, 16);
	/* Right sentinel length, one wrong byte. */
	sentinel_payload(&p, sp);
	sp[63] ^= 0x80;
	bb_hb_msg(&m, 2, 64, sp, 64, 16);
	lens[0] = m.n;
	hb_reader_init(&r, &p);
	hb_feed_records(&r, &m, lens, 1, m.n);
	assert_false(r.sentinel_echoed);
	assert_false(r.probe_echoed);
	assert_true(r.foreign);
	/* Right probe-echo length, wrong first bytes. */
	probe_echo_payload(&p, pp);
	pp[0] ^= 1;
	m.n = 0;
	bb_hb_msg(&m, 2, 48, pp, 48, 16);
	lens[0] = m.n;
	hb_reader_init(&r, &p);
	hb_feed_records(&r, &m, lens, 1, m.n);
	assert_false(r.probe_echoed);
	assert_true(r.foreign);
	/* The probe's 32 bytes alone (a lax stack). */
	probe_echo_payload(&p, pp);
	m.n = 0;
	bb_hb_msg(&m, 2, 32, pp, 32, 16);
	lens[0] = m.n;
	hb_reader_init(&r, &p);
	hb_feed_records(&r, &m, lens, 1, m.n);
	assert_false(r.probe_echoed);
	assert_true(r.lax_echoed);
	/* A request from the peer is no echo. */
	m.n = 0;
	bb_hb_msg(&m, 1, 48, pp, 48, 16);
	lens[0] = m.n;
	hb_reader_init(&r, &p);
	hb_feed_records(&r, &m, lens, 1, m.n);
	assert_false(r.probe_echoed);
	assert_true(r.requests_seen);
	/* An unknown message type is refused. */
	{
		static const uint8_t bad[] = { 3, 0, 0 };

		hb_reader_init(&r, &p);
		assert_int_equal(hb_reader_feed(&r, bad, 3), -1);
	}
	bb_free(&m);
}

/* Echoes of the right bytes at the wrong length are neither echo. */
static void test_hb_reader_lengths(void **state)
{
	struct hb_plan p;
	struct hb_reader r;
	struct bb m = { 0 };
	uint8_t sp[64], pp[48];
	size_t lens[1];

	(void)state;
	hb_plan_init(&p, 42, 64, 32, 16);
	/* The sentinel's first 32 bytes: a truncated sentinel echo. */
	sentinel_payload(&p, sp);
	bb_hb_msg(&m, 2, 32, sp, 32, 16);
	lens[0] = m.n;
	hb_reader_init(&r, &p);
	hb_feed_records(&r, &m, lens, 1, m.n);
	assert_false(r.sentinel_echoed);
	assert_false(r.lax_echoed);
	assert_true(r.foreign);
	/* The probe's first 20 bytes: neither the probe nor a lax echo. */
	probe_echo_payload(&p, pp);
	m.n = 0;
	bb_hb_msg(&m, 2, 20, pp, 20, 16);
	lens[0] = m.n;
	hb_reader_init(&r, &p);
	hb_feed_records(&r, &m, lens, 1, m.n);
	assert_false(r.probe_echoed);
	assert_false(r.lax_echoed);
	assert_true(r.foreign);
	/* The probe plus 8 of its 16 over-read bytes. */
	m.n = 0;
	bb_hb_msg(&m, 2, 40, pp, 40, 16);
	lens[0] = m.n;
	hb_reader_init(&r, &p);
	hb_feed_records(&r, &m, lens, 1, m.n);
	assert_false(r.probe_echoed);
	assert_false(r.lax_echoed);
	assert_true(r.foreign);
	assert_int_equal(r.disclosed, 0);
	/* A plan that claims nothing past the probe proves nothing by its
	 * echo: it is only a lax echo. */
	hb_plan_init(&p, 42, 64, 32, 0);
	probe_echo_payload(&p, pp);
	m.n = 0;
	bb_hb_msg(&m, 2, 32, pp, 32, 16);
	lens[0] = m.n;
	hb_reader_init(&r, &p);
	hb_feed_records(&r, &m, lens, 1, m.n);
	assert_false(r.probe_echoed);
	assert_true(r.lax_echoed);
	assert_false(r.foreign);
	assert_int_equal(r.disclosed, 0);
	bb_free(&m);
}

static void test_hb_reader_split_records(void **state)
{
	struct hb_plan p;
	struct hb_reader r;
	struct bb m = { 0 };
	uint8_t sp[64], pp[48];
	size_t total, a, b, chunk;

	(void)state;
	hb_plan_init(&p, 0xabcdef, 64, 32, 16);
	sentinel_payload(&p, sp);
	probe_echo_payload(&p, pp);
	bb_hb_msg(&m, 2, 48, pp, 48, 16);
	total = m.n;
	/* The probe echo over three records, cut at every pair of points:
	 * in the header, the payload, the tail and the padding. */
	for (a = 1; a < total; a++) {
		for (b = a + 1; b < total; b += 3) {
			size_t lens[3] = { a, b - a, total - b };

			chunk = (a % 5) + 1;
			hb_reader_init(&r, &p);
			hb_feed_records(&r, &m, lens, 3, chunk);
			if (!r.probe_echoed)
				fail_msg("split at %zu/%zu: no probe echo", a, b);
			assert_int_equal(r.disclosed, 0);
			assert_false(r.foreign);
			assert_int_equal(r.messages, 1);
		}
	}
	/* The sentinel in two records, then the probe in one: both seen. */
	m.n = 0;
	bb_hb_msg(&m, 2, 64, sp, 64, 16);
	bb_hb_msg(&m, 2, 48, pp, 48, 16);
	for (a = 1; a < 83; a++) {
		size_t lens[3] = { a, 83 - a, 67 };

		hb_reader_init(&r, &p);
		hb_feed_records(&r, &m, lens, 3, 1000);
		assert_true(r.sentinel_echoed);
		assert_true(r.probe_echoed);
		assert_int_equal(r.messages, 2);
	}
	bb_free(&m);
}

static void test_hb_reader_big_response(void **state)
{
	struct hb_plan p;
	struct hb_reader r;
	struct bb m = { 0 };
	uint8_t *pp;
	const size_t plen = 0x4000;
	size_t i, lens[2];
	struct disc d;

	(void)state;
	/* A --leak plan: claims 0x4000 in all, 32 of them ours. */
	assert_int_equal(hb_plan_init(&p, 99, 64, 32, plen - 32), 0);
	pp = malloc(plen);
	assert_non_null(pp);
	for (i = 0; i < 32; i++)
		pp[i] = hb_payload_byte(&p, 1, i);
	for (i = 32; i < 64; i++)
		pp[i] = hb_payload_byte(&p, 0, i);
	for (i = 64; i < plen; i++)
		pp[i] = (uint8_t)(i * 31);
	bb_hb_msg(&m, 2, (uint16_t)plen, pp, plen, 16);
	/* 16403 bytes: over 16384, so two records (docs/probe.md §2). */
	lens[0] = 16384;
	lens[1] = m.n - 16384;
	memset(&d, 0, sizeof(d));
	hb_reader_init(&r, &p);
	r.on_disclosed = on_disc;
	r.ctx = &d;
	hb_feed_records(&r, &m, lens, 2, 4096);
	assert_true(r.probe_echoed);
	assert_int_equal(r.messages, 1);
	/* Tail offsets 0..31 equal our stale sentinel payload, but 32..47
	 * are not its padding: the buffer was not ours, so the whole tail
	 * counts as disclosed. */
	assert_int_equal(r.disclosed, plen - 32);
	assert_true(d.calls >= 1);
	assert_int_equal(d.off[0], 0);
	assert_int_equal(d.bytes[0], pp[32]);
	/* With the sentinel's padding in place, those 16 are ours too. */
	memset(pp + 64, HB_PADDING_BYTE, 16);
	m.n = 0;
	bb_hb_msg(&m, 2, (uint16_t)plen, pp, plen, 16);
	hb_reader_init(&r, &p);
	hb_feed_records(&r, &m, lens, 2, 4096);
	assert_true(r.probe_echoed);
	assert_int_equal(r.disclosed, plen - 80);
	/* The same with a 0x4000-byte sentinel echo. */
	m.n = 0;
	assert_int_equal(hb_plan_init(&p, 99, (uint16_t)plen, 32, 16), 0);
	for (i = 0; i < plen; i++)
		pp[i] = hb_payload_byte(&p, 0, i);
	bb_hb_msg(&m, 2, (uint16_t)plen, pp, plen, 16);
	hb_reader_init(&r, &p);
	hb_feed_records(&r, &m, lens, 2, 1000);
	assert_true(r.sentinel_echoed);
	assert_false(r.foreign);
	free(pp);
	bb_free(&m);
}

static void test_names(void **state)
{
	char b[16];

	(void)state;
	assert_string_equal(tls_version_name(0x0303, b, sizeof(b)), "TLSv1.2");
	assert_string_equal(tls_version_name(0x0300, b, sizeof(b)), "SSLv3");
	assert_string_equal(tls_version_name(0xfeff, b, sizeof(b)), "DTLSv1.0");
	assert_string_equal(tls_version_name(0x1234, b, sizeof(b)), "0x1234");
	assert_string_equal(tls_alert_name(40), "handshake_failure");
	assert_string_equal(tls_alert_name(112), "unrecognized_name");
	assert_null(tls_alert_name(255));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rec_split_every_boundary),
		cmocka_unit_test(test_rec_zero_length_end),
		cmocka_unit_test(test_rec_dtls),
		cmocka_unit_test(test_rec_not_tls_first_byte),
		cmocka_unit_test(test_rec_length_limit),
		cmocka_unit_test(test_rec_stays_bad),
		cmocka_unit_test(test_rec_hdr_write),
		cmocka_unit_test(test_hw_messages),
		cmocka_unit_test(test_hw_empty_messages),
		cmocka_unit_test(test_ch_versions),
		cmocka_unit_test(test_ch_sni),
		cmocka_unit_test(test_ch_bad_sni),
		cmocka_unit_test(test_ch_cap_too_small),
		cmocka_unit_test(test_sh_parse),
		cmocka_unit_test(test_sh_other_extensions),
		cmocka_unit_test(test_sh_truncated),
		cmocka_unit_test(test_sh_overruns),
		cmocka_unit_test(test_hb_flight_layout),
		cmocka_unit_test(test_hb_expected_tail),
		cmocka_unit_test(test_hb_expected_tail_models),
		cmocka_unit_test(test_hb_reader_vulnerable_zero),
		cmocka_unit_test(test_hb_reader_vulnerable_disclosed),
		cmocka_unit_test(test_hb_reader_sentinel_only),
		cmocka_unit_test(test_hb_reader_foreign),
		cmocka_unit_test(test_hb_reader_lengths),
		cmocka_unit_test(test_hb_reader_split_records),
		cmocka_unit_test(test_hb_reader_big_response),
		cmocka_unit_test(test_names),
	};

	return hc_run_group_tests(tests, NULL, NULL);
}
