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
	size_t take;

	*used = 0;
	*data = NULL;
	*dlen = 0;
	if (w->in_body) {
		if (w->left == 0) {
			w->in_body = 0;
			return HW_END;
		}
		if (n == 0)
			return HW_MORE;
		take = n < w->left ? n : w->left;
		w->left -= (uint32_t)take;
		*used = take;
		*data = p;
		*dlen = take;
		return HW_BODY;
	}
	if (n == 0)
		return HW_MORE;
	take = 4u - w->have;
	if (take > n)
		take = n;
	memcpy(w->hdr + w->have, p, take);
	w->have += (uint8_t)take;
	*used = take;
	if (w->have < 4)
		return HW_MORE;
	w->have = 0;
	w->type = w->hdr[0];
	w->len =
	    (uint32_t)w->hdr[1] << 16 | (uint32_t)w->hdr[2] << 8 | w->hdr[3];
	w->left = w->len;
	w->in_body = 1;
	return HW_START;
}
