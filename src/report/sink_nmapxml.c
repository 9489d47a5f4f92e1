/*
 * The nmap XML sink: the results as `nmap -oX` writes a scan with the
 * ssl-heartbleed script, so that tools that import nmap's XML take them
 * (docs/formats.md).  Each endpoint is one <host> with one <port>, written
 * as its result arrives; the document is closed at the end.
 *
 * A vulnerable endpoint's port carries <script id="ssl-heartbleed"> with
 * the output text and the structured table of nmap's vulns library; any
 * other verdict has no script element, as nmap writes none for a service
 * that is not vulnerable.  An endpoint without an address (a name that did
 * not resolve) has no <host>, as in nmap.
 *
 * Every string from a server, a target or a local process goes through
 * html_escape: controls and bytes that are not UTF-8 become "\xNN" (none
 * of them is allowed in XML 1.0), and & < > " ' become references.  The
 * line breaks of the script output are ours, written as "&#xa;".
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/err.h"
#include "report/html.h"
#include "report/sink.h"

#define CVE "CVE-2014-0160"
#define TITLE \
	"Heartbleed: the TLS heartbeat of OpenSSL 1.0.1 to 1.0.1f reads " \
	"past the request and returns memory of the process to the peer"
#define DESCRIPTION \
	"A heartbeat request whose length field claims more than its " \
	"payload makes a vulnerable OpenSSL echo up to 64 KiB of its " \
	"memory: keys, passwords, other users' traffic.  Fixed in " \
	"OpenSSL 1.0.1g."
static const char *const refs[] = {
	"https://cve.mitre.org/cgi-bin/cvename.cgi?name=" CVE,
	"https://www.openssl.org/news/secadv/20140407.txt",
};

struct nmapxml {
	int begun; /* <nmaprun> is written */
	unsigned long hosts; /* hosts written */
};

/* The time to print: SOURCE_DATE_EPOCH when set (reproducible output),
 * else now. */
static long long now(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (e && *e) {
		v = strtoll(e, &end, 10);
		if (!*end && v >= 0)
			return v;
	}
	return (long long)time(NULL);
}

/* nmap's startstr/timestr: "Mon Apr  7 00:00:00 2014", local time. */
static void timestr(long long t, char *buf, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) ||
	    !strftime(buf, cap, "%a %b %e %H:%M:%S %Y", &tm))
		snprintf(buf, cap, "%lld", t);
}

static int x_begin(struct sink *s)
{
	s->priv = calloc(1, sizeof(struct nmapxml));
	return s->priv ? HC_ERR_SUCCESS : HC_ERR_ALLOC_FAIL;
}

/* The document's head, before its first host or its run statistics. */
static void head(struct sink *s)
{
	struct nmapxml *x = s->priv;
	long long t = now();
	char ts[64];

	if (x->begun)
		return;
	x->begun = 1;
	timestr(t, ts, sizeof(ts));
	fprintf(s->out->f,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<!DOCTYPE nmaprun>\n"
	    "<nmaprun scanner=\"heartcheck\" args=\"heartcheck\" "
	    "start=\"%lld\" startstr=\"%s\" version=\"%s\" "
	    "xmloutputversion=\"1.05\">\n"
	    "<scaninfo type=\"connect\" protocol=\"tcp\" numservices=\"0\" "
	    "services=\"\"/>\n"
	    "<verbose level=\"0\"/>\n"
	    "<debugging level=\"0\"/>\n",
	    t, ts, HEARTCHECK_VERSION);
}

static void x_end(struct sink *s)
{
	struct nmapxml *x = s->priv;

	if (x && x->begun) {
		fputs("</nmaprun>\n", s->out->f);
		fflush(s->out->f);
	}
	free(x);
}

/* nmap's port state and its reason for a verdict. */
static void port_state(const struct res_endpoint *r, int udp,
    const char **state, const char **reason)
{
	if (!strcmp(r->verdict, "refused")) {
		*state = "closed";
		*reason = udp ? "port-unreach" : "conn-refused";
	} else if (!strcmp(r->verdict, "timeout")) {
		*state = udp ? "open|filtered" : "filtered";
		*reason = "no-response";
	} else if (!strcmp(r->verdict, "unreachable")) {
		*state = "filtered";
		*reason = "host-unreach";
	} else {
		*state = "open";
		*reason = udp ? "udp-response" : "syn-ack";
	}
}

/* The ssl-heartbleed script element of a vulnerable port: the output text
 * as nmap's vulns library lays it out, then its table. */
static void script(FILE *f, const struct res_endpoint *r)
{
	size_t i;

	fputs("<script id=\"ssl-heartbleed\" output=\"&#xa;  VULNERABLE:&#xa;"
	      "  " TITLE "&#xa;    State: VULNERABLE&#xa;"
	      "    IDs:  CVE:" CVE "&#xa;    Risk factor: High&#xa;"
	      "      " DESCRIPTION "&#xa;"
	      "    Disclosure date: 2014-04-07&#xa;"
	      "    Check results:&#xa;      ",
	    f);
	html_puts(f, r->reason);
	fputs("&#xa;    References:&#xa;", f);
	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
		fprintf(f, "      %s&#xa;", refs[i]);
	fputs("\">"
	      "<table key=\"" CVE "\">\n"
	      "<elem key=\"title\">" TITLE "</elem>\n"
	      "<elem key=\"state\">VULNERABLE</elem>\n"
	      "<table key=\"ids\">\n<elem>CVE:" CVE "</elem>\n</table>\n"
	      "<table key=\"description\">\n<elem>" DESCRIPTION
	      "</elem>\n</table>\n"
	      "<table key=\"dates\">\n<table key=\"disclosure\">\n"
	      "<elem key=\"year\">2014</elem>\n"
	      "<elem key=\"month\">04</elem>\n"
	      "<elem key=\"day\">07</elem>\n</table>\n</table>\n"
	      "<elem key=\"disclosure\">2014-04-07</elem>\n"
	      "<table key=\"check_results\">\n<elem>",
	    f);
	html_puts(f, r->reason);
	fputs("</elem>\n</table>\n<table key=\"refs\">\n", f);
	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
		fprintf(f, "<elem>%s</elem>\n", refs[i]);
	fputs("</table>\n</table>\n</script>", f);
}

/* One endpoint as one host with one port. */
static void host(struct sink *s, const struct res_endpoint *r)
{
	struct nmapxml *x = s->priv;
	FILE *f = s->out->f;
	long long end = now(), start;
	const char *state, *reason;
	int udp = r->transport ? !strcmp(r->transport, "udp") :
				 r->strategy && !strcmp(r->strategy, "dtls");

	if (!r->ip || !r->ip[0])
		return;
	head(s);
	start = end - (long long)(r->elapsed_ms / 1000);
	port_state(r, udp, &state, &reason);
	x->hosts++;
	fprintf(f,
	    "<host starttime=\"%lld\" endtime=\"%lld\"><status state=\"up\" "
	    "reason=\"user-set\" reason_ttl=\"0\"/>\n<address addr=\"",
	    start, end);
	html_puts(f, r->ip);
	fprintf(f, "\" addrtype=\"%s\"/>\n<hostnames>\n",
	    strchr(r->ip, ':') ? "ipv6" : "ipv4");
	if (r->name && r->name[0]) {
		fputs("<hostname name=\"", f);
		html_puts(f, r->name);
		fputs("\" type=\"user\"/>\n", f);
	}
	fprintf(f,
	    "</hostnames>\n<ports><port protocol=\"%s\" portid=\"%u\">"
	    "<state state=\"%s\" reason=\"%s\" reason_ttl=\"0\"/>",
	    udp ? "udp" : "tcp", r->port, state, reason);
	/* A TLS handshake seen: nmap's "ssl", or the STARTTLS protocol. */
	if (r->version) {
		fputs("<service name=\"", f);
		html_puts(f, r->starttls ? r->starttls : "ssl");
		fputs("\" method=\"probed\" conf=\"10\"/>", f);
	}
	if (r->vulnerable)
		script(f, r);
	fputs("</port>\n</ports>\n</host>\n", f);
	fflush(f);
}

static void x_endpoint(struct sink *s, const struct res_endpoint *r)
{
	host(s, r);
}

static void x_listener(struct sink *s, const struct res_listener *r)
{
	host(s, &r->ep);
}

static void runstats(struct sink *s, uint64_t n, uint64_t vulnerable,
    double seconds)
{
	struct nmapxml *x = s->priv;
	long long t;
	char ts[64];

	head(s);
	t = now();
	timestr(t, ts, sizeof(ts));
	fprintf(s->out->f,
	    "<runstats><finished time=\"%lld\" timestr=\"%s\" "
	    "summary=\"heartcheck done: %llu endpoints in %.2f "
	    "seconds; %llu vulnerable\" elapsed=\"%.2f\" exit=\"success\"/>"
	    "<hosts up=\"%lu\" down=\"0\" total=\"%lu\"/>\n</runstats>\n",
	    t, ts, (unsigned long long)n, seconds,
	    (unsigned long long)vulnerable, seconds, x->hosts, x->hosts);
}

static void x_scan_summary(struct sink *s, const struct res_scan_summary *r)
{
	runstats(s, r->endpoints, r->vulnerable, r->seconds);
}

static void x_local_summary(struct sink *s, const struct res_local_summary *r)
{
	runstats(s, r->listeners, r->vulnerable_listeners, r->seconds.total);
}

const struct sink_ops sink_nmapxml_ops = {
	.name = "nmap-xml",
	.commands = SINK_SCAN | SINK_LOCAL,
	.document = 1,
	.begin = x_begin,
	.end = x_end,
	.endpoint = x_endpoint,
	.listener = x_listener,
	.scan_summary = x_scan_summary,
	.local_summary = x_local_summary,
};
