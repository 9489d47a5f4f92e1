/*
 * Text and JSON Lines output.
 */
#include "report/out.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tls/tls.h"

void out_init(struct out *o, FILE *f, int json, int color)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->json = json;
	if (color < 0)
		color = isatty(fileno(f)) && !getenv("NO_COLOR");
	o->color = color && !json;
}

#define C(name, code) \
	const char *out_##name(const struct out *o) \
	{ \
		return o->color ? code : ""; \
	}
C(red, "\033[1;31m")
C(green, "\033[32m")
C(yellow, "\033[33m")
C(bold, "\033[1m")
C(reset, "\033[0m")
#undef C

void out_json(struct out *o, json_t *obj)
{
	if (!obj)
		return;
	json_dumpf(obj, o->f, JSON_COMPACT | JSON_ENSURE_ASCII |
	    JSON_REAL_PRECISION(9));
	fputc('\n', o->f);
	fflush(o->f);
	json_decref(obj);
}

void out_hexdump(FILE *f, const char *prefix, const unsigned char *b,
    size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i += 16) {
		fprintf(f, "%s%04zx ", prefix, i);
		for (j = i; j < i + 16; j++) {
			if (j < n)
				fprintf(f, " %02x", b[j]);
			else
				fputs("   ", f);
		}
		fputs("  ", f);
		for (j = i; j < i + 16 && j < n; j++)
			fputc(b[j] >= 0x20 && b[j] < 0x7f ? b[j] : '.', f);
		fputc('\n', f);
	}
}

static const char *verdict_color(const struct out *o, enum probe_verdict v)
{
	switch (v) {
	case PV_VULNERABLE: return out_red(o);
	case PV_PATCHED:
	case PV_NO_HEARTBEAT: return out_green(o);
	default: return out_yellow(o);
	}
}

static char *hex(const unsigned char *b, size_t n)
{
	static const char d[] = "0123456789abcdef";
	char *s = malloc(n * 2 + 1);
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < n; i++) {
		s[2 * i] = d[b[i] >> 4];
		s[2 * i + 1] = d[b[i] & 15];
	}
	s[2 * n] = '\0';
	return s;
}

json_t *out_scan_json(const struct scan_result *r)
{
	json_t *j = json_object();
	char vb[16];

	if (!j)
		return NULL;
	json_object_set_new(j, "type", json_string("scan"));
	json_object_set_new(j, "target", json_string(r->target));
	if (r->name && r->name[0])
		json_object_set_new(j, "name", json_string(r->name));
	json_object_set_new(j, "ip", r->ip[0] ? json_string(r->ip) :
	    json_null());
	json_object_set_new(j, "port", json_integer(r->port));
	json_object_set_new(j, "verdict",
	    json_string(probe_verdict_name(r->verdict)));
	json_object_set_new(j, "reason", json_string(r->reason));
	json_object_set_new(j, "version", r->version ?
	    json_string(tls_version_name(r->version, vb, sizeof(vb))) :
	    json_null());
	json_object_set_new(j, "heartbeat_ext", json_boolean(r->heartbeat_ext));
	json_object_set_new(j, "disclosed", json_integer(r->disclosed));
	json_object_set_new(j, "alert", r->alert >= 0 ?
	    json_integer(r->alert) : json_null());
	json_object_set_new(j, "attempts", json_integer(r->attempts));
	json_object_set_new(j, "strategy", r->strategy && r->attempts ?
	    json_string(r->strategy) : json_null());
	json_object_set_new(j, "nudges", json_integer(r->nudges));
	json_object_set_new(j, "bytes_sent", json_integer(r->bytes_sent));
	json_object_set_new(j, "bytes_received",
	    json_integer(r->bytes_received));
	json_object_set_new(j, "elapsed_ms",
	    json_real((double)(long long)(r->elapsed_ms * 10) / 10));
	if (r->leaked_len) {
		char *h = hex(r->leaked, r->leaked_len);

		if (h)
			json_object_set_new(j, "leaked_hex", json_string(h));
		free(h);
	}
	return j;
}

void out_scan_result(struct out *o, const struct scan_result *r)
{
	char vb[16];
	const char *vname = probe_verdict_name(r->verdict);

	if (o->json) {
		out_json(o, out_scan_json(r));
		return;
	}
	if (o->quiet && !probe_verdict_untested(r->verdict) &&
	    r->verdict != PV_VULNERABLE)
		return;
	fprintf(o->f, "%s%-16s%s %-28s %-8s %s\n", verdict_color(o, r->verdict),
	    vname, out_reset(o), r->target,
	    r->version ? tls_version_name(r->version, vb, sizeof(vb)) : "-",
	    r->reason);
	if (r->leaked_len) {
		fprintf(o->f, "    %zu bytes over-read, %u of them not ours:\n",
		    r->leaked_len, r->disclosed);
		out_hexdump(o->f, "    ", r->leaked, r->leaked_len);
	}
	fflush(o->f);
}

void out_scan_summary(struct out *o, const struct scan_stats *st,
    double seconds)
{
	int v;

	if (o->json) {
		json_t *j = json_object(), *c = json_object();

		json_object_set_new(j, "type", json_string("summary"));
		json_object_set_new(j, "endpoints", json_integer(
		    (json_int_t)st->done));
		for (v = 0; v < PV_COUNT; v++)
			json_object_set_new(c, probe_verdict_name(v),
			    json_integer((json_int_t)st->by_verdict[v]));
		json_object_set_new(j, "verdicts", c);
		json_object_set_new(j, "seconds", json_real(seconds));
		json_object_set_new(j, "peak_in_flight",
		    json_integer((json_int_t)st->peak_in_flight));
		out_json(o, j);
		return;
	}
	fprintf(o->f, "\n%s%llu endpoints in %.2f s:%s", out_bold(o),
	    (unsigned long long)st->done, seconds, out_reset(o));
	for (v = 0; v < PV_COUNT; v++)
		if (st->by_verdict[v])
			fprintf(o->f, " %s %llu,", probe_verdict_name(v),
			    (unsigned long long)st->by_verdict[v]);
	fputc('\n', o->f);
	if (st->by_verdict[PV_VULNERABLE])
		fprintf(o->f, "%sVulnerable endpoints found.%s Upgrade OpenSSL "
		    "to 1.0.1g or later (or your distribution's fixed "
		    "package), restart every service that uses it "
		    "(`heartcheck local` names them), then revoke and reissue "
		    "their certificates and keys.\n", out_red(o), out_reset(o));
	fflush(o->f);
}
