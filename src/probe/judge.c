/*
 * Verdict rules.
 */
#include "probe/judge.h"

#include <stdio.h>
#include <string.h>

#include "probe/reader.h"
#include "tls/tls.h"

void reply_from_reader(const struct hb_reader *r, struct reply_summary *s)
{
	s->sentinel_echoed = r->sentinel_echoed;
	s->probe_echoed = r->probe_echoed;
	s->lax_echoed = r->lax_echoed;
	/* A message begun and never finished proves nothing. */
	s->foreign = r->foreign || (r->hdr_have > 0 && !r->in_padding);
	s->disclosed = r->disclosed;
}

int reply_scan(const struct hb_plan *p, const uint8_t *buf, size_t len,
    struct reply_summary *out)
{
	struct reply_reader rr;
	const uint8_t *data;
	size_t used, dlen;
	enum rr_ev ev;

	memset(out, 0, sizeof(*out));
	out->alert_desc = -1;
	rr_init(&rr, p);
	do {
		ev = rr_step(&rr, buf, len, &used, &data, &dlen);
		buf += used;
		len -= used;
		if (ev == RR_ALERT && out->alert_desc < 0)
			out->alert_desc = rr.alert[1];
	} while (ev != RR_MORE && ev != RR_BAD);
	reply_from_reader(&rr.hb, out);
	if (ev == RR_BAD) {
		out->not_tls = 1;
		return -1;
	}
	return 0;
}

enum hb_verdict reply_judge(const struct reply_summary *s, int ext_echoed)
{
	if (s->probe_echoed)
		return HBV_VULNERABLE;
	if (s->foreign || s->lax_echoed)
		return HBV_INCONCLUSIVE;
	if (s->sentinel_echoed || ext_echoed)
		return HBV_PATCHED;
	return HBV_NO_HEARTBEAT;
}

const char *reply_reason(const struct reply_summary *s, int ext_echoed,
    char *why, size_t cap)
{
	const char *an =
	    s->alert_desc >= 0 ? tls_alert_name((unsigned)s->alert_desc) : NULL;
	char alert[64];

	if (s->alert_desc >= 0)
		snprintf(alert, sizeof(alert), "alert %d (%s)", s->alert_desc,
		    an ? an : "unknown");
	else
		snprintf(alert, sizeof(alert), "no alert");
	switch (reply_judge(s, ext_echoed)) {
	case HBV_VULNERABLE:
		if (s->disclosed == 0)
			snprintf(why, cap,
			    "heartbeat over-read proven: the "
			    "probe came back with our own stale sentinel bytes "
			    "(0 bytes of server memory disclosed)");
		else
			snprintf(why, cap,
			    "heartbeat over-read proven: the "
			    "probe came back with %u bytes of server memory",
			    s->disclosed);
		break;
	case HBV_INCONCLUSIVE:
		if (s->lax_echoed && !s->foreign)
			snprintf(why, cap,
			    "the probe came back without its "
			    "over-read: the padding check is missing, but no "
			    "over-read is proven");
		else
			snprintf(why, cap,
			    "heartbeat response matches no "
			    "request we sent; nothing proven");
		break;
	case HBV_PATCHED:
		if (s->sentinel_echoed)
			snprintf(why, cap,
			    "valid heartbeat echoed, over-length "
			    "request dropped (%s)",
			    alert);
		else
			snprintf(why, cap,
			    "heartbeat extension on, heartbeats "
			    "refused before the handshake (%s)",
			    alert);
		break;
	case HBV_NO_HEARTBEAT:
		snprintf(why, cap,
		    "no heartbeat extension and no heartbeat "
		    "echo (%s)",
		    alert);
		break;
	}
	return why;
}
