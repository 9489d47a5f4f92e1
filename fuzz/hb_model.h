/*
 * A reference model of the heartbeat reader (src/tls/heartbeat.c) and the
 * verdict rules (src/probe/judge.c) for differential fuzzing.  It works on
 * whole buffers, not streams: the heartbeat record bodies are laid end to
 * end with the offsets where records end, each message is cut out of that
 * buffer and classified by comparing whole slices, and the rules are then
 * applied in order.  It is written from the rules, not from the code:
 *
 *   - a message is type (1 byte), payload_length (2), payload, padding;
 *     header and payload may span records;
 *   - its padding is the rest of the record its payload ends in, and when
 *     that is under 16 bytes, every following record, whole, until 16 are
 *     in; the next message starts with the next record;
 *   - a type other than request (1) or response (2) is malformed, and
 *     nothing after it is read;
 *   - a response is the sentinel's echo when it is the sentinel's payload;
 *     the probe's echo when it is P + k long (k > 0) and starts with the
 *     probe's P bytes; a lax echo when it is the probe's P bytes exactly;
 *     foreign otherwise;
 *   - a probe echo's k over-read bytes are server memory where they lie past
 *     our stale sentinel payload and its 16 padding bytes (0x50), and all k
 *     are, when any byte where ours would lie differs from ours;
 *   - a message begun and not finished, or a malformed one, proves nothing
 *     (foreign);
 *   - the verdict: probe echo -> vulnerable; foreign or lax echo ->
 *     inconclusive; sentinel echo or extension echoed -> patched; else no
 *     heartbeat.
 * Only hb_payload_byte (the payload generator) is shared with the code under
 * test.
 */
#ifndef HEARTCHECK_FUZZ_HB_MODEL_H
#define HEARTCHECK_FUZZ_HB_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/judge.h"
#include "tls/heartbeat.h"

#define HBM_MAX_RECS 4096

struct hbm_in {
	uint8_t *b;               /* heartbeat record bodies, end to end */
	size_t n;
	size_t ends[HBM_MAX_RECS]; /* offset where each record ends */
	size_t nrec;
};

struct hbm_out {
	int sentinel, probe, lax, foreign, requests, malformed, unfinished;
	unsigned disclosed, messages;
	/* Over-read bytes of probe-like responses, as the evidence hook should
	 * see them. */
	uint8_t *tail;
	size_t tail_n;
};

static inline void hbm_in_add(struct hbm_in *in, const uint8_t *b, size_t n)
{
	if (n > 0) {
		in->b = realloc(in->b, in->n + n);
		if (in->b == NULL)
			abort();
		memcpy(in->b + in->n, b, n);
		in->n += n;
	}
	if (in->nrec == HBM_MAX_RECS)
		abort();
	in->ends[in->nrec++] = in->n;
}

static inline void hbm_in_free(struct hbm_in *in)
{
	free(in->b);
	memset(in, 0, sizeof(*in));
}

/* Does b[0..n) equal the plan's stream `which` from offset 0? */
static inline int hbm_is_stream(const struct hb_plan *p, int which,
    const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != hb_payload_byte(p, which, i))
			return 0;
	return 1;
}

/* What our stale buffer holds at payload offset at of a probe echo: the
 * sentinel's payload, then its padding; -1 past both. */
static inline int hbm_stale(const struct hb_plan *p, size_t at)
{
	if (at < p->sentinel_len)
		return hb_payload_byte(p, 0, at);
	if (at < (size_t)p->sentinel_len + 16)
		return 0x50;
	return -1;
}

static inline void hbm_tail(struct hbm_out *o, const uint8_t *b, size_t n)
{
	if (n == 0)
		return;
	o->tail = realloc(o->tail, o->tail_n + n);
	if (o->tail == NULL)
		abort();
	memcpy(o->tail + o->tail_n, b, n);
	o->tail_n += n;
}

static inline void hbm_classify(const struct hb_plan *p, struct hbm_out *o,
    const uint8_t *pl, size_t len)
{
	size_t P = p->probe_len, K = p->k, i;

	if (len == p->sentinel_len && hbm_is_stream(p, 0, pl, len)) {
		o->sentinel = 1;
	} else if (K > 0 && len == P + K && hbm_is_stream(p, 1, pl, P)) {
		unsigned known = 0, unknown = 0, mism = 0;

		o->probe = 1;
		for (i = P; i < len; i++) {
			int want = hbm_stale(p, i);

			if (want < 0)
				unknown++;
			else {
				known++;
				mism += pl[i] != (uint8_t)want;
			}
		}
		o->disclosed += unknown + (mism ? known : 0);
	} else if (len == P && hbm_is_stream(p, 1, pl, P)) {
		o->lax = 1;
	} else {
		o->foreign = 1;
	}
}

/* Runs the model over in; o must be zeroed (tail may be NULL). */
static inline void hbm_run(const struct hb_plan *p, const struct hbm_in *in,
    struct hbm_out *o)
{
	size_t at = 0, r = 0;

	while (at < in->n) {
		size_t len, end, got;
		uint8_t type;

		/* Header: three bytes wherever they lie. */
		if (in->n - at < 3) {
			/* The type is judged once the header is whole. */
			o->unfinished = 1;
			return;
		}
		type = in->b[at];
		len = (size_t)in->b[at + 1] << 8 | in->b[at + 2];
		if (type != 1 && type != 2) {
			o->malformed = 1;
			return;
		}
		at += 3;
		got = in->n - at < len ? in->n - at : len;
		if (type == 2) {
			/* The over-read as the evidence hook streams it. */
			size_t P = p->probe_len;
			size_t pre = got < P ? got : P;

			if (hbm_is_stream(p, 1, in->b + at, pre) && got > P)
				hbm_tail(o, in->b + at + P, got - P);
		}
		if (got < len) {
			o->unfinished = 1;
			return;
		}
		o->messages++;
		if (type == 1)
			o->requests = 1;
		else
			hbm_classify(p, o, in->b + at, len);
		end = at + len;
		/* Padding: the rest of this record, then whole records until
		 * 16 bytes are in.  The message's last byte lies in the first
		 * record ending at or after end (a zero-length message ends
		 * with its header). */
		while (r < in->nrec && in->ends[r] < end)
			r++;
		if (r == in->nrec)
			return;   /* padding still to come: nothing more */
		{
			size_t pad = in->ends[r] - end;

			while (pad < 16) {
				r++;
				if (r == in->nrec)
					return;
				pad += in->ends[r] - in->ends[r - 1];
			}
		}
		at = in->ends[r];
		r++;
	}
}

/* The summary a reply of these records gives: unfinished and malformed
 * messages count as foreign. */
static inline void hbm_summary(const struct hbm_out *o, struct reply_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->sentinel_echoed = o->sentinel;
	s->probe_echoed = o->probe;
	s->lax_echoed = o->lax;
	s->foreign = o->foreign || o->unfinished || o->malformed;
	s->disclosed = o->disclosed;
	s->alert_desc = -1;
}

/* A byte stream of TLS records, as a peer sends it.  Returns 0, or -1 when
 * the bytes stop being TLS records (not_tls; the summary still holds what
 * came before).  A record header is judged as its bytes arrive: content
 * type 20..24, major version 3, length at most 16384 + 2048.  The first
 * complete alert record of two or more bytes gives alert_desc. */
static inline int hbm_scan(const struct hb_plan *p, const uint8_t *b,
    size_t n, struct reply_summary *s, struct hbm_out *o)
{
	struct hbm_in in;
	size_t pos = 0;
	int alert = -1, bad = 0;

	memset(&in, 0, sizeof(in));
	memset(o, 0, sizeof(*o));
	while (pos < n) {
		size_t len, have;
		uint8_t type = b[pos];

		if (type < 20 || type > 24 || (n - pos >= 2 && b[pos + 1] != 3)) {
			bad = 1;
			break;
		}
		if (n - pos < 5)
			break;
		len = (size_t)b[pos + 3] << 8 | b[pos + 4];
		if (len > 16384 + 2048) {
			bad = 1;
			break;
		}
		have = n - pos - 5 < len ? n - pos - 5 : len;
		if (type == 24) {
			if (have == len) {
				hbm_in_add(&in, b + pos + 5, have);
			} else if (have > 0) {
				/* A record cut off: its bytes, and no end. */
				in.b = realloc(in.b, in.n + have);
				if (in.b == NULL)
					abort();
				memcpy(in.b + in.n, b + pos + 5, have);
				in.n += have;
			}
		}
		if (type == 21 && have == len && len >= 2 && alert < 0)
			alert = b[pos + 6];
		pos += 5 + have;
	}
	hbm_run(p, &in, o);
	hbm_summary(o, s);
	s->alert_desc = alert;
	s->not_tls = bad;
	hbm_in_free(&in);
	return bad ? -1 : 0;
}

static inline enum hb_verdict hbm_verdict(const struct reply_summary *s,
    int ext)
{
	if (s->probe_echoed)
		return HBV_VULNERABLE;
	if (s->foreign || s->lax_echoed)
		return HBV_INCONCLUSIVE;
	if (s->sentinel_echoed || ext)
		return HBV_PATCHED;
	return HBV_NO_HEARTBEAT;
}

#endif
