/*
 * Handshake-message walker.
 */
#include "tls/handshake.h"

#include <string.h>

void hs_walker_init(struct hs_walker *w)
{
	memset(w, 0, sizeof(*w));
}

enum hw_ev hs_walker_step(struct hs_walker *w, const uint8_t *p, size_t n,
    size_t *used, const uint8_t **data, size_t *dlen)
{
	switch (framer_step(&w->fr, w->hdr, sizeof(w->hdr), p, n, used, data,
	    dlen)) {
	case FR_MORE:
		return HW_MORE;
	case FR_BODY:
		return HW_BODY;
	case FR_END:
		return HW_END;
	case FR_HDR:
		break;
	}
	if (w->fr.have < sizeof(w->hdr))
		return HW_MORE;
	w->type = w->hdr[0];
	w->len =
	    (uint32_t)w->hdr[1] << 16 | (uint32_t)w->hdr[2] << 8 | w->hdr[3];
	framer_body(&w->fr, w->len);
	return HW_START;
}
