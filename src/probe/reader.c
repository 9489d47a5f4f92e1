/*
 * The reply reader.  See reader.h.
 */
#include "probe/reader.h"

#include <string.h>

#include "tls/tls.h"

void rr_init(struct reply_reader *r, const struct hb_plan *p)
{
	memset(r, 0, sizeof(*r));
	rec_stream_init(&r->rs, 0);
	hb_reader_init(&r->hb, p);
}

enum rr_ev rr_step(struct reply_reader *r, const uint8_t *b, size_t n,
    size_t *used, const uint8_t **data, size_t *dlen)
{
	size_t u, i, took = 0;
	enum rs_ev ev;

	for (;;) {
		ev =
		    rec_stream_step(&r->rs, b + took, n - took, &u, data, dlen);
		took += u;
		*used = took;
		switch (ev) {
		case RS_MORE:
			return RR_MORE;
		case RS_BAD:
			return RR_BAD;
		case RS_HEADER:
			if (r->rs.cur.type == TLS_CT_ALERT)
				r->alert_have = 0;
			break;
		case RS_BODY:
			switch (r->rs.cur.type) {
			case TLS_CT_HANDSHAKE:
				return RR_HANDSHAKE;
			case TLS_CT_ALERT:
				for (i = 0; i < *dlen && r->alert_have < 2; i++)
					r->alert[r->alert_have++] = (*data)[i];
				break;
			case TLS_CT_HEARTBEAT:
				/* After a malformed message the framing of the
				 * rest is a guess: it proves nothing. */
				if (r->hb_bad)
					break;
				if (hb_reader_feed(&r->hb, *data, *dlen) != 0) {
					r->hb_bad = 1;
					r->hb.foreign = 1;
				}
				return RR_HEARTBEAT;
			default:
				break;
			}
			break;
		case RS_END:
			if (r->rs.cur.type == TLS_CT_HEARTBEAT && !r->hb_bad)
				hb_reader_record_end(&r->hb);
			else if (r->rs.cur.type == TLS_CT_ALERT &&
			    r->alert_have == 2)
				return RR_ALERT;
			break;
		}
	}
}
