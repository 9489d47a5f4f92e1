/*
 * Target parsing and lazy expansion; the contract is in targets.h.
 *
 * Every address spec (single address, CIDR block, IPv4 range) is reduced to
 * a base address and a count of consecutive addresses, so the iterator has
 * only two kinds to walk: names and blocks.
 */
#include "net/targets_int.h"
#include "probe/preamble.h"
#include "util/ascii.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* Longest spec worth parsing: a 253-byte name, a dot, ":65535" and slack. */
#define SPEC_MAXLEN 300
/* How much of a bad input is echoed back in an error message. */
#define QUOTE_MAX 64

/*
 * Copies at most QUOTE_MAX bytes of s, replacing control and non-ASCII
 * bytes, because messages reach terminals and target files are untrusted.
 */
static void quote(char *dst, size_t cap, const char *s, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len && i < QUOTE_MAX && o + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (i < len && o + 4 < cap) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

__attribute__((format(printf, 5, 6))) static void fail(char *err,
    const char *what, const char *in, size_t inlen, const char *fmt, ...)
{
	char q[QUOTE_MAX + 8], why[160];
	va_list ap;

	if (err == NULL)
		return;
	quote(q, sizeof(q), in, inlen);
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(err, TGT_ERRMAX, "bad %s \"%s\": %s", what, q, why);
}

static void trim(const char **p, size_t *len)
{
	while (*len > 0 && is_space(**p)) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && is_space((*p)[*len - 1]))
		(*len)--;
}

/*
 * Parses a decimal number of 1..maxdig digits.  Returns 0, -1 when it is
 * not a number, or -2 when it has too many digits; leading zeros count.
 */
static int parse_uint(const char *p, size_t len, size_t maxdig, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++)
		if (!is_digit(p[i]))
			return -1;
	if (len > maxdig)
		return -2;
	for (i = 0; i < len; i++)
		v = v * 10 + (uint32_t)(p[i] - '0');
	*out = v;
	return 0;
}

/* Returns 0, -1 (not a number) or -2 (outside 1..65535). */
static int parse_port(const char *p, size_t len, uint16_t *out)
{
	uint32_t v;
	int r;

	if ((r = parse_uint(p, len, 5, &v)) != 0)
		return r;
	if (v == 0 || v > 65535)
		return -2;
	*out = (uint16_t)v;
	return 0;
}

/* inet_pton needs a terminated string; len is already bounded by the caller. */
static int pton(int af, const char *p, size_t len, uint8_t out[16])
{
	char buf[SPEC_MAXLEN + 1];

	if (len > SPEC_MAXLEN)
		return 0;
	memcpy(buf, p, len);
	buf[len] = '\0';
	memset(out, 0, 16);
	return inet_pton(af, buf, out) == 1;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* out = base + i over alen big-endian bytes; callers guarantee no overflow. */
void tgt_addr_add(uint8_t *out, const uint8_t *base, size_t alen, uint64_t i)
{
	unsigned carry = 0;
	size_t k;

	for (k = alen; k-- > 0;) {
		unsigned sum = base[k] + (unsigned)(i & 0xff) + carry;
		out[k] = (uint8_t)sum;
		carry = sum >> 8;
		i >>= 8;
	}
}

static int push_spec(struct tgt_set *s, const struct spec *sp)
{
	/* A streamed file's counting pass keeps nothing (targets_stream.c). */
	if (s->sink)
		return s->sink(s->sink_ctx, sp);
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		struct spec *nv = realloc(s->v, ncap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n++] = *sp;
	return 0;
}

static int parse_cidr(const char *h, size_t hlen, bool bracketed,
    struct spec *sp, const char *in, size_t inlen, char *err)
{
	const char *slash = memchr(h, '/', hlen);
	size_t alen = (size_t)(slash - h);
	uint32_t prefix;
	int bits, hostbits, r, k;

	if (!bracketed && pton(AF_INET, h, alen, sp->base)) {
		sp->family = AF_INET;
		bits = 32;
	} else if (pton(AF_INET6, h, alen, sp->base)) {
		sp->family = AF_INET6;
		bits = 128;
	} else {
		fail(err, "target", in, inlen,
		    "the address before '/' is not valid");
		return -1;
	}
	r = parse_uint(slash + 1, hlen - alen - 1, 3, &prefix);
	if (r != 0 || prefix > (uint32_t)bits) {
		fail(err, "target", in, inlen, "%s prefix length must be 0..%d",
		    bits == 32 ? "IPv4" : "IPv6", bits);
		return -1;
	}
	hostbits = bits - (int)prefix;
	if (hostbits > 24 && !sp->unbounded) {
		fail(err, "target", in, inlen,
		    "expands to 2^%d addresses, more than the limit of 2^24 "
		    "(use /%d or longer)",
		    hostbits, bits - 24);
		return -1;
	}
	/* Host bits typed by the user are cleared, as other scanners do. */
	for (k = 0; k < bits / 8; k++) {
		int keep = (int)prefix - k * 8;
		if (keep <= 0)
			sp->base[k] = 0;
		else if (keep < 8)
			sp->base[k] &= (uint8_t)(0xff00u >> keep);
	}
	sp->kind = SPEC_BLOCK;
	sp->hostbits = (int16_t)hostbits;
	sp->naddr = hostbits > 63 ? UINT64_MAX : UINT64_C(1) << hostbits;
	return 0;
}

/*
 * h is "A-B" or "A-N"; the caller has already parsed A into sp->base, which
 * is how it knew this was a range.
 */
static int parse_range(const char *h, size_t hlen, const char *dash,
    struct spec *sp, const char *in, size_t inlen, char *err)
{
	const char *e = dash + 1;
	size_t elen = hlen - (size_t)(e - h);
	uint8_t end[16];
	uint32_t lo, hi, oct;

	lo = get_be32(sp->base);
	if (memchr(e, '.', elen) != NULL) {
		if (!pton(AF_INET, e, elen, end)) {
			fail(err, "target", in, inlen,
			    "range end is not an IPv4 address");
			return -1;
		}
		hi = get_be32(end);
	} else {
		if (parse_uint(e, elen, 3, &oct) != 0 || oct > 255) {
			fail(err, "target", in, inlen,
			    "range end must be an IPv4 address or a last octet "
			    "0..255");
			return -1;
		}
		hi = (lo & 0xffffff00u) | oct;
	}
	if (hi < lo) {
		fail(err, "target", in, inlen, "range end is before its start");
		return -1;
	}
	if ((uint64_t)hi - lo + 1 > TGT_MAXEXPAND && !sp->unbounded) {
		fail(err, "target", in, inlen,
		    "range has %llu addresses, more than the limit of 2^24",
		    (unsigned long long)((uint64_t)hi - lo + 1));
		return -1;
	}
	sp->kind = SPEC_BLOCK;
	sp->family = AF_INET;
	sp->naddr = (uint64_t)hi - lo + 1;
	return 0;
}

/* Hostname syntax (RFC 1123, plus '_' which real internal names use). */
static int check_name(const char *h, size_t hlen, const char *in, size_t inlen,
    char *err)
{
	size_t i, lstart = 0, n = hlen;
	bool letter = false;

	if (n > 0 && h[n - 1] == '.')
		n--; /* A trailing dot marks a fully qualified name. */
	if (n == 0 || n > 253) {
		fail(err, "target", in, inlen,
		    "hostname must be 1..253 characters");
		return -1;
	}
	for (i = 0; i <= n; i++) {
		char c = i < n ? h[i] : '.';
		if (c == '.') {
			size_t llen = i - lstart;
			if (llen == 0) {
				fail(err, "target", in, inlen,
				    "hostname has an empty label");
				return -1;
			}
			if (llen > 63) {
				fail(err, "target", in, inlen,
				    "hostname label is longer than 63 "
				    "characters");
				return -1;
			}
			if (h[lstart] == '-' || h[i - 1] == '-') {
				fail(err, "target", in, inlen,
				    "hostname label starts or ends with '-'");
				return -1;
			}
			if (i < n)
				letter = false;
			lstart = i + 1;
			continue;
		}
		if (is_alpha(c)) {
			letter = true;
		} else if (!(is_digit(c) || c == '-' || c == '_')) {
			fail(err, "target", in, inlen,
			    "not an address, CIDR, range or hostname "
			    "(a hostname has only letters, digits, '-', '_' "
			    "and '.')");
			return -1;
		}
	}
	/*
	 * A top-level label is never all digits, so "1.2.3.256" or
	 * "10.0.0.300-5" is a mistyped address, not a name to look up.
	 */
	if (!letter) {
		fail(err, "target", in, inlen,
		    "not a valid IPv4 address, range or hostname");
		return -1;
	}
	return 0;
}

/* The doors besides the STARTTLS protocols of the registry. */
static const struct {
	const char *scheme;
	uint8_t kind;
	uint16_t port; /* the default, or 0 for the set's port list */
} doors[] = {
	{ "tls", TGT_DOOR_TLS, 0 },
	{ "dtls", TGT_DOOR_DTLS, 0 },
	{ "openvpn", TGT_DOOR_OPENVPN, 1194 },
	{ "openvpn+tcp", TGT_DOOR_OPENVPN_TCP, 1194 },
};

const char *tgt_door_scheme(const struct tgt_door *d)
{
	size_t i;

	if (d->kind == TGT_DOOR_STARTTLS)
		return d->preamble ? d->preamble->name : NULL;
	for (i = 0; i < sizeof(doors) / sizeof(doors[0]); i++)
		if (doors[i].kind == d->kind)
			return doors[i].scheme;
	return NULL;
}

/*
 * Takes "SCHEME://" off the front of *p, if there is one, into sp->door;
 * *defport gets the door's default port (0: the set's list).  Returns 0,
 * or -1 with err filled.
 */
static int parse_door(const char **p, size_t *len, struct spec *sp,
    uint16_t *defport, char *err)
{
	const char *in = *p, *sep = NULL;
	const struct preamble *pre;
	char name[32], list[128];
	size_t i, slen;

	*defport = 0;
	for (i = 0; i + 3 <= *len; i++)
		if (!memcmp(in + i, "://", 3)) {
			sep = in + i;
			break;
		}
	if (sep == NULL)
		return 0;
	slen = (size_t)(sep - in);
	if (slen > 0 && slen < sizeof(name)) {
		memcpy(name, in, slen);
		name[slen] = '\0';
		for (i = 0; i < sizeof(doors) / sizeof(doors[0]); i++)
			if (!strcasecmp(name, doors[i].scheme)) {
				sp->door.kind = doors[i].kind;
				*defport = doors[i].port;
			}
	}
	if (sp->door.kind == TGT_DOOR_OPTS && slen > 0 && slen < sizeof(name) &&
	    (pre = preamble_find(name)) != NULL) {
		sp->door.kind = TGT_DOOR_STARTTLS;
		sp->door.preamble = pre;
		*defport = pre->ports && pre->ports[0] ? pre->ports[0] : 0;
	}
	if (sp->door.kind == TGT_DOOR_OPTS) {
		preamble_names(list, sizeof(list));
		fail(err, "target", in, slen + 3,
		    "unknown scheme; use tls, dtls, openvpn, openvpn+tcp or %s",
		    list);
		return -1;
	}
	*p = sep + 3;
	*len -= slen + 3;
	if (*len == 0) {
		fail(err, "target", in, slen + 3, "no host after \"%.*s://\"",
		    (int)slen, in);
		return -1;
	}
	return 0;
}

/* Returns 0, -1 for a bad spec (err filled), or -2 when out of memory. */
static int add_spec(struct tgt_set *s, const char *p, size_t len, char *err)
{
	struct spec sp;
	const char *h, *dash, *colon = NULL, *in;
	size_t hlen, ncolon = 0, i, inlen;
	uint16_t defport;
	bool bracketed = false;
	int r;

	memset(&sp, 0, sizeof(sp));
	sp.hostbits = -1;
	sp.unbounded = s->unbounded;
	trim(&p, &len);
	if (len == 0) {
		fail(err, "target", p, len, "empty target");
		return -1;
	}
	if (len > SPEC_MAXLEN) {
		fail(err, "target", p, len, "longer than %d characters",
		    SPEC_MAXLEN);
		return -1;
	}
	in = p;
	inlen = len;
	if (parse_door(&p, &len, &sp, &defport, err) != 0)
		return -1;
	h = p;
	hlen = len;
	if (p[0] == '[') {
		const char *close = memchr(p, ']', len);
		if (close == NULL) {
			fail(err, "target", in, inlen,
			    "'[' without a matching ']'");
			return -1;
		}
		h = p + 1;
		hlen = (size_t)(close - h);
		bracketed = true;
		if (close + 1 < p + len) {
			if (close[1] != ':') {
				fail(err, "target", in, inlen,
				    "only \":port\" may follow ']'");
				return -1;
			}
			colon = close + 1;
		}
	} else {
		for (i = 0; i < len; i++) {
			if (p[i] == ':') {
				ncolon++;
				colon = p + i;
			}
		}
		/* Two or more colons: a bare IPv6 address, which carries no
		 * port. */
		if (ncolon == 1)
			hlen = (size_t)(colon - p);
		else
			colon = NULL;
	}
	if (colon != NULL) {
		r = parse_port(colon + 1, (size_t)(p + len - colon - 1),
		    &sp.port);
		if (r == -1) {
			fail(err, "target", in, inlen,
			    "the text after ':' is not a port number");
			return -1;
		}
		if (r == -2) {
			fail(err, "target", in, inlen, "port must be 1..65535");
			return -1;
		}
	}
	if (hlen == 0) {
		fail(err, "target", in, inlen, "no host or address");
		return -1;
	}

	if (memchr(h, '/', hlen) != NULL) {
		if ((r = parse_cidr(h, hlen, bracketed, &sp, in, inlen, err)) !=
		    0)
			return r;
	} else if (!bracketed && pton(AF_INET, h, hlen, sp.base)) {
		sp.kind = SPEC_BLOCK;
		sp.family = AF_INET;
		sp.naddr = 1;
	} else if (pton(AF_INET6, h, hlen, sp.base)) {
		sp.kind = SPEC_BLOCK;
		sp.family = AF_INET6;
		sp.naddr = 1;
	} else if (bracketed) {
		fail(err, "target", in, inlen,
		    "brackets must hold an IPv6 address or prefix");
		return -1;
	} else if ((dash = memchr(h, '-', hlen)) != NULL &&
	    pton(AF_INET, h, (size_t)(dash - h), sp.base)) {
		if ((r = parse_range(h, hlen, dash, &sp, in, inlen, err)) != 0)
			return r;
	} else if (ncolon > 1) {
		fail(err, "target", in, inlen, "not a valid IPv6 address");
		return -1;
	} else {
		if (check_name(h, hlen, in, inlen, err) != 0)
			return -1;
		sp.kind = SPEC_NAME;
		sp.family = AF_UNSPEC;
		sp.naddr = 1;
		if ((sp.name = strndup(h, hlen)) == NULL)
			goto oom;
	}
	if (sp.port == 0)
		sp.port = defport;
	if (push_spec(s, &sp) != 0)
		goto oom;
	return 0;
oom:
	free(sp.name);
	if (err != NULL)
		snprintf(err, TGT_ERRMAX, "out of memory while adding targets");
	return -2;
}

struct tgt_set *tgt_set_new(void)
{
	struct tgt_set *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if ((s->pr = malloc(sizeof(*s->pr))) == NULL) {
		free(s);
		return NULL;
	}
	s->pr[0].lo = s->pr[0].hi = 443;
	s->npr = 1;
	s->nports = 1;
	return s;
}

void tgt_set_free(struct tgt_set *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	free(s->pr);
	tgt_set_free_streams(s);
	free(s);
}

int tgt_set_add(struct tgt_set *s, const char *spec, char err[TGT_ERRMAX])
{
	if (spec == NULL) {
		if (err != NULL)
			snprintf(err, TGT_ERRMAX, "bad target: none given");
		return -1;
	}
	return add_spec(s, spec, strlen(spec), err) == 0 ? 0 : -1;
}

/*
 * Appends ports lo..hi that are not yet in seen, merging runs into ranges,
 * so "443,400-500" becomes 443, 400-442, 444-500.
 */
static int ports_append(struct prange **v, size_t *n, size_t *cap,
    uint8_t *seen, uint64_t *total, uint32_t lo, uint32_t hi)
{
	uint32_t p;

	for (p = lo; p <= hi; p++) {
		if (seen[p >> 3] & (1u << (p & 7)))
			continue;
		seen[p >> 3] |= (uint8_t)(1u << (p & 7));
		(*total)++;
		if (*n > 0 && (*v)[*n - 1].hi + 1u == p) {
			(*v)[*n - 1].hi = (uint16_t)p;
			continue;
		}
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 8;
			struct prange *nv = realloc(*v, ncap * sizeof(*nv));
			if (nv == NULL)
				return -1;
			*v = nv;
			*cap = ncap;
		}
		(*v)[*n].lo = (*v)[*n].hi = (uint16_t)p;
		(*n)++;
	}
	return 0;
}

int tgt_set_ports(struct tgt_set *s, const char *list, char err[TGT_ERRMAX])
{
	struct prange *v = NULL;
	size_t n = 0, cap = 0, len;
	uint64_t total = 0;
	uint8_t *seen = NULL;
	const char *p, *end;
	int ret = -1;

	if (list == NULL)
		list = "";
	len = strlen(list);
	if ((seen = calloc(65536 / 8, 1)) == NULL)
		goto oom;
	p = list;
	end = list + len;
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *ie = comma ? comma : end, *it = p, *dash;
		size_t ilen = (size_t)(ie - p);
		uint16_t lo = 0, hi = 0;
		int r;

		trim(&it, &ilen);
		if (ilen == 0) {
			fail(err, "port list", list, len, "empty item");
			goto out;
		}
		dash = memchr(it, '-', ilen);
		if (dash == NULL) {
			r = parse_port(it, ilen, &lo);
			hi = lo;
		} else {
			const char *a = it, *b = dash + 1;
			size_t alen = (size_t)(dash - it),
			       blen = ilen - alen - 1;
			uint32_t va, vb;

			trim(&a, &alen);
			trim(&b, &blen);
			/* "1-0" is reversed before it is out of range. */
			if (parse_uint(a, alen, 5, &va) == 0 &&
			    parse_uint(b, blen, 5, &vb) == 0 && vb < va) {
				fail(err, "port list", list, len,
				    "range %u-%u is reversed", (unsigned)va,
				    (unsigned)vb);
				goto out;
			}
			r = parse_port(a, alen, &lo);
			if (r == 0)
				r = parse_port(b, blen, &hi);
		}
		if (r == -1) {
			char q[QUOTE_MAX + 8];
			quote(q, sizeof(q), it, ilen);
			fail(err, "port list", list, len,
			    "\"%s\" is not a port or port range", q);
			goto out;
		}
		if (r == -2) {
			fail(err, "port list", list, len,
			    "ports must be 1..65535");
			goto out;
		}
		if (hi < lo) {
			fail(err, "port list", list, len,
			    "range %u-%u is reversed", (unsigned)lo,
			    (unsigned)hi);
			goto out;
		}
		if (ports_append(&v, &n, &cap, seen, &total, lo, hi) != 0)
			goto oom;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	free(s->pr);
	s->pr = v;
	s->npr = n;
	s->nports = total;
	v = NULL;
	ret = 0;
	goto out;
oom:
	if (err != NULL)
		snprintf(err, TGT_ERRMAX,
		    "out of memory while parsing the port list");
out:
	free(v);
	free(seen);
	return ret;
}

int tgt_set_shard(struct tgt_set *s, const char *kn, char err[TGT_ERRMAX])
{
	const char *slash;
	size_t len;
	uint32_t k, n;

	if (kn == NULL)
		kn = "";
	len = strlen(kn);
	slash = memchr(kn, '/', len);
	/* Nine digits keep N within 32 bits; nobody runs a billion shards. */
	if (slash == NULL || parse_uint(kn, (size_t)(slash - kn), 9, &k) != 0 ||
	    parse_uint(slash + 1, len - (size_t)(slash - kn) - 1, 9, &n) != 0) {
		fail(err, "shard", kn, len,
		    "expected K/N with 1 <= K <= N, e.g. 1/4");
		return -1;
	}
	if (n == 0 || k == 0 || k > n) {
		fail(err, "shard", kn, len, "K must be 1..N and N at least 1");
		return -1;
	}
	s->shard_k = k;
	s->shard_n = n;
	return 0;
}

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/*
 * FNV-1a alone leaves the low bits weak for a small N, so the splitmix64
 * finaliser spreads every input bit over the result.
 */
static uint64_t endpoint_hash(const struct tgt_endpoint *e)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	uint8_t tag, port[2];

	port[0] = (uint8_t)(e->port >> 8);
	port[1] = (uint8_t)e->port;
	if (e->name[0] != '\0') {
		size_t i, n = strnlen(e->name, sizeof(e->name));
		tag = 'N';
		h = fnv1a(h, &tag, 1);
		/* DNS names are case-insensitive, so their shard is too. */
		for (i = 0; i < n; i++) {
			uint8_t c = (uint8_t)tolower((unsigned char)e->name[i]);
			h = fnv1a(h, &c, 1);
		}
	} else {
		tag = e->family == AF_INET ? 4 : 6;
		h = fnv1a(h, &tag, 1);
		h = fnv1a(h, e->addr, e->family == AF_INET ? 4 : 16);
	}
	h = fnv1a(h, port, 2);
	h ^= h >> 30;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 27;
	h *= UINT64_C(0x94d049bb133111eb);
	h ^= h >> 31;
	return h;
}

int tgt_in_shard(const struct tgt_set *s, const struct tgt_endpoint *e)
{
	if (s->shard_n <= 1)
		return 1;
	return endpoint_hash(e) % s->shard_n == s->shard_k - 1u;
}

void tgt_format(int family, const uint8_t *addr, uint16_t port, char *out,
    size_t cap)
{
	char a[INET6_ADDRSTRLEN];

	if (cap == 0)
		return;
	if (family == AF_INET && inet_ntop(AF_INET, addr, a, sizeof(a)) != NULL)
		snprintf(out, cap, "%s:%u", a, (unsigned)port);
	else if (family == AF_INET6 &&
	    inet_ntop(AF_INET6, addr, a, sizeof(a)) != NULL)
		snprintf(out, cap, "[%s]:%u", a, (unsigned)port);
	else
		snprintf(out, cap, "?:%u", (unsigned)port);
}

static void report_line(void (*on_error)(void *, const char *), void *ctx,
    const char *name, unsigned long lineno, const char *why)
{
	char msg[TGT_ERRMAX + 256];

	if (on_error == NULL)
		return;
	snprintf(msg, sizeof(msg), "%.200s:%lu: %s", name, lineno, why);
	on_error(ctx, msg);
}

/*
 * Reads one line of at most TGT_LINE_MAX bytes (without its newline) into
 * buf.  Returns 1, 0 at the end of the file, or -1 when the line is longer
 * (the rest of the file is not read).  *nul says whether it had a NUL.
 */
static int read_line(FILE *f, char *buf, size_t *len, int *nul)
{
	size_t n = 0;
	int c;

	*nul = 0;
	while ((c = getc_unlocked(f)) != EOF) {
		if (c == '\n')
			break;
		if (c == '\0')
			*nul = 1;
		if (n == TGT_LINE_MAX) {
			*len = n;
			return -1;
		}
		buf[n++] = (char)c;
	}
	*len = n;
	if (c == EOF && n == 0)
		return 0;
	return 1;
}

int tgt_set_add_stream(struct tgt_set *s, FILE *f, const char *name,
    void (*on_error)(void *ctx, const char *msg), void *ctx,
    char err[TGT_ERRMAX])
{
	char *line = NULL, why[TGT_ERRMAX], spare[TGT_ERRMAX];
	unsigned long lineno = 0, specs = 0;
	int bad = 0, ret = -1, got, nul;
	size_t len;

	if (err == NULL)
		err = spare;
	if ((line = malloc(TGT_LINE_MAX + 1)) == NULL) {
		snprintf(err, TGT_ERRMAX, "out of memory while reading %.200s",
		    name);
		return -1;
	}
	/* Both bounds stop the whole file: past them it is not a list of
	 * targets (a binary file, /dev/zero), and reading on would only use up
	 * memory. */
	while ((got = read_line(f, line, &len, &nul)) != 0) {
		const char *p;
		char *hash;
		int r;

		lineno++;
		if (got < 0) {
			snprintf(err, TGT_ERRMAX,
			    "%.150s:%lu: line longer than %d "
			    "bytes%s: not a list of targets",
			    name, lineno, TGT_LINE_MAX,
			    nul ? ", with NUL bytes" : "");
			goto out;
		}
		if (nul) {
			report_line(on_error, ctx, name, lineno,
			    "line contains a NUL byte");
			bad++;
			continue;
		}
		if (memchr(line, '\0', len) != NULL) {
			report_line(on_error, ctx, name, lineno,
			    "line contains a NUL byte");
			bad++;
			continue;
		}
		if ((hash = memchr(line, '#', len)) != NULL)
			len = (size_t)(hash - line);
		p = line;
		trim(&p, &len);
		if (len == 0)
			continue;
		if (++specs > TGT_FILE_MAXSPECS) {
			snprintf(err, TGT_ERRMAX,
			    "%.150s:%lu: more than %lu targets in "
			    "one file; split it",
			    name, lineno, (unsigned long)TGT_FILE_MAXSPECS);
			goto out;
		}
		r = add_spec(s, p, len, why);
		if (r == -2) {
			snprintf(err, TGT_ERRMAX, "%s", why);
			goto out;
		}
		if (r != 0) {
			report_line(on_error, ctx, name, lineno, why);
			bad++;
		}
	}
	if (ferror(f)) {
		snprintf(err, TGT_ERRMAX, "cannot read targets from %.200s: %s",
		    name, strerror(errno));
		goto out;
	}
	ret = bad;
out:
	free(line);
	return ret;
}

int tgt_set_add_file(struct tgt_set *s, const char *path,
    void (*on_error)(void *ctx, const char *msg), void *ctx,
    char err[TGT_ERRMAX])
{
	char spare[TGT_ERRMAX];
	FILE *f;
	int r;

	if (err == NULL)
		err = spare;
	if (strcmp(path, "-") == 0)
		return tgt_set_add_stream(s, stdin, "<stdin>", on_error, ctx,
		    err);
	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, TGT_ERRMAX,
		    "cannot open targets file \"%.200s\": %s", path,
		    strerror(errno));
		return -1;
	}
	r = tgt_set_add_stream(s, f, path, on_error, ctx, err);
	fclose(f);
	return r;
}
