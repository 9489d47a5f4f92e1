/* Unit tests for target parsing, expansion, port lists, files and sharding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../hc_skip.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/targets.h"

/* Adds each spec and fails the test if any is refused. */
static struct tgt_set *set_of(const char *const *specs, size_t n)
{
	struct tgt_set *s = tgt_set_new();
	char err[TGT_ERRMAX];
	size_t i;

	assert_non_null(s);
	for (i = 0; i < n; i++) {
		if (tgt_set_add(s, specs[i], err) != 0)
			fail_msg("refused \"%s\": %s", specs[i], err);
	}
	return s;
}

/* Collects up to max endpoints; returns how many there were in total. */
static size_t collect(const struct tgt_set *s, struct tgt_endpoint *out, size_t max)
{
	struct tgt_iter *it = tgt_iter_new(s);
	struct tgt_endpoint e;
	size_t n = 0;

	assert_non_null(it);
	while (tgt_iter_next(it, &e) == 1) {
		if (n < max)
			out[n] = e;
		n++;
		assert_true(n <= 20000000);
	}
	tgt_iter_free(it);
	return n;
}

static void expect_one(const char *spec, int family, const char *name, uint16_t port,
		       const char *label)
{
	struct tgt_set *s = set_of(&spec, 1);
	struct tgt_endpoint e[2];

	assert_int_equal(collect(s, e, 2), 1);
	assert_int_equal(tgt_set_count(s), 1);
	assert_int_equal(e[0].family, family);
	assert_string_equal(e[0].name, name);
	assert_int_equal(e[0].port, port);
	assert_string_equal(e[0].label, label);
	tgt_set_free(s);
}

static void expect_error(const char *spec, const char *msg)
{
	struct tgt_set *s = tgt_set_new();
	char err[TGT_ERRMAX] = "";

	assert_int_equal(tgt_set_add(s, spec, err), -1);
	if (strstr(err, msg) == NULL)
		fail_msg("spec \"%s\": error \"%s\" lacks \"%s\"", spec, err, msg);
	assert_int_equal(tgt_set_count(s), 0);
	tgt_set_free(s);
}

static void test_single_targets(void **state)
{
	uint8_t a[16];
	struct tgt_set *s;
	struct tgt_endpoint e[1];
	const char *spec = "[2001:db8::1]:443";

	(void)state;
	expect_one("example.com", AF_UNSPEC, "example.com", 443, "example.com:443");
	expect_one("example.com:8443", AF_UNSPEC, "example.com", 8443, "example.com:8443");
	expect_one("  Example.COM.  ", AF_UNSPEC, "Example.COM.", 443, "Example.COM.:443");
	expect_one("localhost", AF_UNSPEC, "localhost", 443, "localhost:443");
	expect_one("my-host_1.internal:1", AF_UNSPEC, "my-host_1.internal", 1,
		   "my-host_1.internal:1");
	expect_one("1.2.3.4", AF_INET, "", 443, "1.2.3.4:443");
	expect_one("1.2.3.4:65535", AF_INET, "", 65535, "1.2.3.4:65535");
	expect_one("[2001:db8::1]:443", AF_INET6, "", 443, "[2001:db8::1]:443");
	expect_one("[2001:DB8::1]", AF_INET6, "", 443, "[2001:db8::1]:443");
	expect_one("::1", AF_INET6, "", 443, "[::1]:443");
	expect_one("2001:db8::1", AF_INET6, "", 443, "[2001:db8::1]:443");
	/* A bare IPv6 address never carries a port: this is one address. */
	expect_one("2001:db8::1:443", AF_INET6, "", 443, "[2001:db8::1:443]:443");

	s = set_of(&spec, 1);
	assert_int_equal(collect(s, e, 1), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", a), 1);
	assert_memory_equal(e[0].addr, a, 16);
	tgt_set_free(s);
}

static void test_cidr_v4(void **state)
{
	const char *specs[] = { "10.0.0.0/24" };
	struct tgt_endpoint e[256];
	struct tgt_set *s;

	(void)state;
	s = set_of(specs, 1);
	assert_int_equal(tgt_set_count(s), 256);
	assert_int_equal(collect(s, e, 256), 256);
	assert_string_equal(e[0].label, "10.0.0.0:443");
	assert_string_equal(e[1].label, "10.0.0.1:443");
	assert_string_equal(e[255].label, "10.0.0.255:443");
	assert_int_equal(e[255].family, AF_INET);
	assert_int_equal(e[255].addr[3], 255);
	tgt_set_free(s);

	expect_one("10.1.2.3/32", AF_INET, "", 443, "10.1.2.3:443");
	specs[0] = "10.1.2.3/31:8443"; /* Host bits are cleared. */
	s = set_of(specs, 1);
	assert_int_equal(collect(s, e, 4), 2);
	assert_string_equal(e[0].label, "10.1.2.2:8443");
	assert_string_equal(e[1].label, "10.1.2.3:8443");
	tgt_set_free(s);

	specs[0] = "10.0.0.5/22";
	s = set_of(specs, 1);
	assert_int_equal(collect(s, e, 256), 1024);
	assert_string_equal(e[0].label, "10.0.0.0:443");
	tgt_set_free(s);

	/* A /8 is at the cap and stays lazy: count without materialising. */
	specs[0] = "10.0.0.0/8";
	s = set_of(specs, 1);
	assert_int_equal(tgt_set_count(s), 1u << 24);
	{
		struct tgt_iter *it = tgt_iter_new(s);
		struct tgt_endpoint x;
		assert_int_equal(tgt_iter_next(it, &x), 1);
		assert_string_equal(x.label, "10.0.0.0:443");
		assert_int_equal(tgt_iter_next(it, &x), 1);
		assert_string_equal(x.label, "10.0.0.1:443");
		tgt_iter_free(it);
	}
	tgt_set_free(s);

	expect_error("10.0.0.0/7", "expands to 2^25 addresses");
	expect_error("0.0.0.0/0", "expands to 2^32 addresses");
	expect_error("10.0.0.0/33", "IPv4 prefix length must be 0..32");
	expect_error("10.0.0.0/", "IPv4 prefix length must be 0..32");
	expect_error("10.0.0.0/x", "IPv4 prefix length must be 0..32");
	expect_error("10.0.0.0/0024", "IPv4 prefix length must be 0..32");
	expect_error("10.0.0/24", "the address before '/' is not valid");
	expect_error("[10.0.0.0/24]", "the address before '/' is not valid");
}

static void test_exact_message(void **state)
{
	struct tgt_set *s = tgt_set_new();
	char err[TGT_ERRMAX];

	(void)state;
	assert_int_equal(tgt_set_add(s, "10.0.0.0/33", err), -1);
	assert_string_equal(err, "bad target \"10.0.0.0/33\": IPv4 prefix length must be 0..32");
	/* Control bytes from an untrusted file never reach the terminal. */
	assert_int_equal(tgt_set_add(s, "a\x1b[2Jb", err), -1);
	assert_null(strchr(err, '\x1b'));
	tgt_set_free(s);
}

static void test_cidr_v6(void **state)
{
	const char *specs[] = { "2001:db8::/120" };
	struct tgt_endpoint e[256];
	struct tgt_set *s;

	(void)state;
	s = set_of(specs, 1);
	assert_int_equal(collect(s, e, 256), 256);
	assert_string_equal(e[0].label, "[2001:db8::]:443");
	assert_string_equal(e[255].label, "[2001:db8::ff]:443");
	tgt_set_free(s);

	specs[0] = "[2001:db8::1234/126]:8443";
	s = set_of(specs, 1);
	assert_int_equal(collect(s, e, 4), 4);
	assert_string_equal(e[0].label, "[2001:db8::1234]:8443");
	assert_string_equal(e[3].label, "[2001:db8::1237]:8443");
	tgt_set_free(s);

	/* The carry across bytes must be right: the last of a /112. */
	specs[0] = "2001:db8:0:0:0:0:7:0/112";
	s = set_of(specs, 1);
	{
		static struct tgt_endpoint big[65536];
		assert_int_equal(collect(s, big, 65536), 65536);
		assert_string_equal(big[256].label, "[2001:db8::7:100]:443");
		assert_string_equal(big[65535].label, "[2001:db8::7:ffff]:443");
	}
	tgt_set_free(s);

	expect_one("::1/128", AF_INET6, "", 443, "[::1]:443");
	specs[0] = "2001:db8::/104";
	s = set_of(specs, 1);
	assert_int_equal(tgt_set_count(s), 1u << 24);
	tgt_set_free(s);
	expect_error("2001:db8::/103", "expands to 2^25 addresses");
	expect_error("::/0", "expands to 2^128 addresses");
	expect_error("::1/129", "IPv6 prefix length must be 0..128");
	expect_error("[::1/129]:443", "IPv6 prefix length must be 0..128");
}

static void test_ranges(void **state)
{
	const char *specs[] = { "10.0.0.1-10.0.0.20" };
	struct tgt_endpoint e[32];
	struct tgt_set *s;

	(void)state;
	s = set_of(specs, 1);
	assert_int_equal(collect(s, e, 32), 20);
	assert_string_equal(e[0].label, "10.0.0.1:443");
	assert_string_equal(e[19].label, "10.0.0.20:443");
	tgt_set_free(s);

	specs[0] = "10.0.0.1-20:8443";
	s = set_of(specs, 1);
	assert_int_equal(collect(s, e, 32), 20);
	assert_string_equal(e[19].label, "10.0.0.20:8443");
	tgt_set_free(s);

	specs[0] = "10.0.0.250-10.0.1.5";
	s = set_of(specs, 1);
	assert_int_equal(collect(s, e, 32), 12);
	assert_string_equal(e[6].label, "10.0.1.0:443");
	tgt_set_free(s);

	expect_one("10.0.0.7-7", AF_INET, "", 443, "10.0.0.7:443");
	expect_error("10.0.0.5-3", "range end is before its start");
	expect_error("10.0.0.5-10.0.0.1", "range end is before its start");
	expect_error("10.0.0.1-256", "last octet 0..255");
	expect_error("10.0.0.1-", "last octet 0..255");
	expect_error("10.0.0.1-x", "last octet 0..255");
	expect_error("10.0.0.1-10.0.0.300", "range end is not an IPv4 address");
	expect_error("0.0.0.0-255.255.255.255", "more than the limit of 2^24");
	expect_error("10.0.0.300-5", "not a valid IPv4 address, range or hostname");
}

static void test_syntax_errors(void **state)
{
	char longname[300], longlabel[80], label[100], huge[302];
	struct tgt_set *s;
	struct tgt_endpoint e[1];
	const char *p = longname;
	char err[TGT_ERRMAX];

	(void)state;
	expect_error("", "empty target");
	expect_error("   ", "empty target");
	expect_error("host:0", "port must be 1..65535");
	expect_error("host:65536", "port must be 1..65535");
	expect_error("host:9999999999", "port must be 1..65535");
	expect_error("host:", "not a port number");
	expect_error("host:https", "not a port number");
	expect_error("host:-1", "not a port number");
	expect_error(":443", "no host or address");
	expect_error("[]:443", "no host or address");
	expect_error("[::1", "'[' without a matching ']'");
	expect_error("[::1]443", "only \":port\" may follow ']'");
	expect_error("[::1]:0", "port must be 1..65535");
	expect_error("[10.0.0.1]:443", "brackets must hold an IPv6 address");
	expect_error("[example.com]", "brackets must hold an IPv6 address");
	expect_error("2001:db8::zz", "not a valid IPv6 address");
	expect_error("fe80::1%eth0", "not a valid IPv6 address");
	expect_error("bad host", "a hostname has only letters");
	expect_error("bad!host", "a hostname has only letters");
	expect_error("a..b", "empty label");
	expect_error(".a", "empty label");
	expect_error("-a.com", "starts or ends with '-'");
	expect_error("a-.com", "starts or ends with '-'");
	expect_error("1.2.3.256", "not a valid IPv4 address, range or hostname");
	expect_error("1.2.3", "not a valid IPv4 address, range or hostname");
	expect_error("443", "not a valid IPv4 address, range or hostname");

	memset(longlabel, 'a', 64);
	strcpy(longlabel + 64, ".com");
	expect_error(longlabel, "longer than 63");
	longlabel[1] = '.'; /* Now the long label has 62 characters. */
	snprintf(label, sizeof(label), "%s:443", longlabel);
	expect_one(longlabel, AF_UNSPEC, longlabel, 443, label);

	/* 4 x 63-byte labels and dots: 255 characters, over the 253 limit. */
	memset(longname, 'b', sizeof(longname));
	longname[63] = longname[127] = longname[191] = '.';
	longname[255] = '\0';
	expect_error(longname, "1..253 characters");
	longname[253] = '\0';
	s = set_of(&p, 1);
	assert_int_equal(collect(s, e, 1), 1);
	assert_string_equal(e[0].name, longname);
	assert_int_equal(strlen(e[0].label), 253 + 4);

	memset(huge, 'c', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	expect_error(huge, "longer than 300 characters");
	assert_int_equal(tgt_set_add(s, NULL, err), -1);
	assert_int_equal(tgt_set_count(s), 1);
	tgt_set_free(s);
}

static void test_ports(void **state)
{
	const char *specs[] = { "example.com", "10.0.0.1:25", "10.0.0.2-3" };
	struct tgt_endpoint e[64];
	struct tgt_set *s;
	char err[TGT_ERRMAX];

	(void)state;
	s = set_of(specs, 3);
	assert_int_equal(tgt_set_count(s), 1 + 1 + 2);
	/* Ports apply to specs added before them; an explicit port wins. */
	assert_int_equal(tgt_set_ports(s, "443,8443,9000-9010", err), 0);
	assert_int_equal(tgt_set_count(s), 13 + 1 + 2 * 13);
	assert_int_equal(collect(s, e, 64), 40);
	assert_string_equal(e[0].label, "example.com:443");
	assert_string_equal(e[1].label, "example.com:8443");
	assert_string_equal(e[2].label, "example.com:9000");
	assert_string_equal(e[12].label, "example.com:9010");
	assert_string_equal(e[13].label, "10.0.0.1:25");
	assert_string_equal(e[14].label, "10.0.0.2:443");
	assert_string_equal(e[27].label, "10.0.0.3:443");
	assert_string_equal(e[39].label, "10.0.0.3:9010");

	/* Duplicates are dropped and the typed order is kept. */
	assert_int_equal(tgt_set_ports(s, "8443, 443 ,400-500,443,65535,1", err), 0);
	assert_int_equal(tgt_set_count(s), 104 + 1 + 2 * 104);
	assert_int_equal(collect(s, e, 64), 104 + 1 + 2 * 104);
	assert_int_equal(e[0].port, 8443);
	assert_int_equal(e[1].port, 443);
	assert_int_equal(e[2].port, 400);
	assert_int_equal(e[44].port, 442);
	assert_int_equal(e[45].port, 444);

	assert_int_equal(tgt_set_ports(s, "1-65535", err), 0);
	assert_int_equal(tgt_set_count(s), 65535 + 1 + 2 * 65535);
	assert_int_equal(tgt_set_ports(s, "65535", err), 0);
	assert_int_equal(tgt_set_count(s), 4);

	/* A refused list leaves the previous one in force. */
	static const struct {
		const char *list, *msg;
	} bad[] = {
		{ "0", "ports must be 1..65535" },
		{ "65536", "ports must be 1..65535" },
		{ "1-65536", "ports must be 1..65535" },
		{ "0-10", "ports must be 1..65535" },
		{ "9010-9000", "range 9010-9000 is reversed" },
		{ "", "empty item" },
		{ " ", "empty item" },
		{ ",443", "empty item" },
		{ "443,", "empty item" },
		{ "443,,80", "empty item" },
		{ "https", "\"https\" is not a port or port range" },
		{ "443-", "is not a port or port range" },
		{ "-443", "is not a port or port range" },
		{ "1-2-3", "is not a port or port range" },
		{ "+443", "is not a port or port range" },
		{ NULL, "empty item" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(tgt_set_ports(s, bad[i].list, err), -1);
		if (strstr(err, bad[i].msg) == NULL || strncmp(err, "bad port list", 13) != 0)
			fail_msg("list \"%s\": error \"%s\"", bad[i].list ? bad[i].list : "(null)", err);
		assert_int_equal(tgt_set_count(s), 4);
	}
	tgt_set_free(s);
}

static void test_format(void **state)
{
	uint8_t a[16] = { 0 };
	char out[64];

	(void)state;
	a[0] = 192; a[1] = 0; a[2] = 2; a[3] = 1;
	tgt_format(AF_INET, a, 443, out, sizeof(out));
	assert_string_equal(out, "192.0.2.1:443");
	memset(a, 0, sizeof(a));
	a[15] = 1;
	tgt_format(AF_INET6, a, 8443, out, sizeof(out));
	assert_string_equal(out, "[::1]:8443");
	tgt_format(AF_INET6, a, 8443, out, 5);
	assert_string_equal(out, "[::1");
	out[0] = 'x';
	tgt_format(AF_INET6, a, 8443, out, 0);
	assert_int_equal(out[0], 'x');
}

struct errs {
	int n;
	char msg[8][512];
};

static void on_err(void *ctx, const char *msg)
{
	struct errs *e = ctx;

	if (e->n < 8)
		snprintf(e->msg[e->n], sizeof(e->msg[0]), "%s", msg);
	e->n++;
}

static void test_file(void **state)
{
	char path[] = "/tmp/heartcheck-targets-XXXXXX";
	const char body[] =
		"# targets for the nightly scan\n"
		"\n"
		"  example.com  \n"
		"10.0.0.1-3   # three hosts\r\n"
		"bad host name\n"
		"\t[::1]:8443\t\n"
		"10.0.0.0/33\n"
		"   # indented comment\n"
		"last.example:25";   /* No final newline. */
	struct tgt_endpoint e[16];
	struct tgt_set *s = tgt_set_new();
	struct errs errs = { 0 };
	char err[TGT_ERRMAX];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, body, sizeof(body) - 1), (ssize_t)(sizeof(body) - 1));
	close(fd);

	assert_int_equal(tgt_set_add_file(s, path, on_err, &errs, err), 2);
	assert_int_equal(errs.n, 2);
	assert_non_null(strstr(errs.msg[0], ":5: bad target \"bad host name\""));
	assert_non_null(strstr(errs.msg[0], path));
	assert_non_null(strstr(errs.msg[1], ":7: bad target \"10.0.0.0/33\": IPv4 prefix"));
	assert_int_equal(collect(s, e, 16), 6);
	assert_string_equal(e[0].label, "example.com:443");
	assert_string_equal(e[1].label, "10.0.0.1:443");
	assert_string_equal(e[3].label, "10.0.0.3:443");
	assert_string_equal(e[4].label, "[::1]:8443");
	assert_string_equal(e[5].label, "last.example:25");

	/* Without a callback the count is still right. */
	assert_int_equal(tgt_set_add_file(s, path, NULL, NULL, err), 2);
	assert_int_equal(tgt_set_count(s), 12);

	/* "-" reads standard input. */
	assert_non_null(freopen(path, "r", stdin));
	assert_int_equal(tgt_set_add_file(s, "-", on_err, &errs, err), 2);
	assert_non_null(strstr(errs.msg[2], "<stdin>:5: "));
	assert_int_equal(tgt_set_count(s), 18);
	unlink(path);

	assert_int_equal(tgt_set_add_file(s, path, on_err, &errs, err), -1);
	assert_non_null(strstr(err, "cannot open targets file"));
	assert_non_null(strstr(err, "No such file"));
	tgt_set_free(s);
}

static void test_stream_nul(void **state)
{
	static const char body[] = "a.example\nb\0c.example\n\n1.2.3.4";
	struct tgt_set *s = tgt_set_new();
	struct errs errs = { 0 };
	char err[TGT_ERRMAX];
	FILE *f = fmemopen((void *)body, sizeof(body) - 1, "r");

	(void)state;
	assert_non_null(f);
	assert_int_equal(tgt_set_add_stream(s, f, "mem", on_err, &errs, err), 1);
	assert_string_equal(errs.msg[0], "mem:2: line contains a NUL byte");
	assert_int_equal(tgt_set_count(s), 2);
	fclose(f);
	tgt_set_free(s);
}

static void test_shard_parse(void **state)
{
	struct tgt_set *s = tgt_set_new();
	char err[TGT_ERRMAX];
	static const char *const bad[] = {
		"0/4", "5/4", "1/0", "0/0", "a/b", "1/", "/4", "1-4", "", "1/4/", " 1/4", "-1/4",
		"1/9999999999",
	};

	(void)state;
	assert_int_equal(tgt_set_shard(s, "1/1", err), 0);
	assert_int_equal(tgt_set_shard(s, "4/4", err), 0);
	assert_int_equal(tgt_set_shard(s, "1/4", err), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(tgt_set_shard(s, bad[i], err), -1);
		if (strncmp(err, "bad shard \"", 11) != 0)
			fail_msg("shard \"%s\": error \"%s\"", bad[i], err);
	}
	tgt_set_free(s);
}

/*
 * The partition property: over 1/N..N/N every endpoint of the whole is in
 * exactly one shard, in the same order as in the unsharded walk.
 */
static void test_shard_partition(void **state)
{
	static const char *const specs[] = {
		"10.9.0.0/22", "2001:db8::/122", "example.com", "Example.org:8443",
		"10.20.0.1-10.20.0.200", "[::1]:443",
	};
	static const unsigned ns[] = { 1, 2, 3, 7, 16 };
	struct tgt_set *s = set_of(specs, sizeof(specs) / sizeof(specs[0]));
	struct tgt_endpoint *all, e;
	unsigned *owner;
	char err[TGT_ERRMAX];
	size_t n, total;

	(void)state;
	assert_int_equal(tgt_set_ports(s, "443,8443", err), 0);
	total = (size_t)tgt_set_count(s);
	assert_int_equal(total, (1024 + 64 + 1 + 200) * 2 + 1 + 1);
	all = calloc(total, sizeof(*all));
	owner = calloc(total, sizeof(*owner));
	assert_non_null(all);
	assert_non_null(owner);
	assert_int_equal(collect(s, all, total), total);

	for (size_t ni = 0; ni < sizeof(ns) / sizeof(ns[0]); ni++) {
		unsigned N = ns[ni];
		memset(owner, 0, total * sizeof(*owner));
		for (unsigned k = 1; k <= N; k++) {
			char kn[32];
			struct tgt_iter *it;
			size_t j = 0, got = 0;

			snprintf(kn, sizeof(kn), "%u/%u", k, N);
			assert_int_equal(tgt_set_shard(s, kn, err), 0);
			it = tgt_iter_new(s);
			assert_non_null(it);
			while (tgt_iter_next(it, &e) == 1) {
				while (j < total && strcmp(all[j].label, e.label) != 0)
					j++;
				assert_true(j < total);
				assert_int_equal(owner[j], 0);
				owner[j] = k;
				assert_true(tgt_in_shard(s, &e));
				j++;
				got++;
			}
			tgt_iter_free(it);
			/* Every shard gets a fair share of a few thousand endpoints. */
			assert_true(got * N * 2 >= total && got * N <= total * 2);
		}
		for (n = 0; n < total; n++) {
			if (owner[n] == 0)
				fail_msg("%s is in no shard of %u", all[n].label, N);
		}
	}

	/* A name's shard does not change once the driver fills in an address. */
	assert_int_equal(tgt_set_shard(s, "1/2", err), 0);
	e = all[1024 * 2 + 128];
	assert_string_equal(e.label, "example.com:443");
	{
		int before = tgt_in_shard(s, &e);
		e.family = AF_INET;
		e.addr[0] = 127;
		e.addr[3] = 1;
		assert_int_equal(tgt_in_shard(s, &e), before);
		/* Names are case-insensitive, and so is their shard. */
		strcpy(e.name, "EXAMPLE.com");
		assert_int_equal(tgt_in_shard(s, &e), before);
	}
	free(owner);
	free(all);
	tgt_set_free(s);
}

static void test_count_large(void **state)
{
	static const char *const specs[] = { "10.0.0.0/8", "2001:db8::/104", "x.example" };
	struct tgt_set *s = set_of(specs, 3);
	char err[TGT_ERRMAX];

	(void)state;
	assert_int_equal(tgt_set_ports(s, "1-65535", err), 0);
	assert_true(tgt_set_count(s) == (2 * (UINT64_C(1) << 24) + 1) * 65535);
	tgt_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_targets),
		cmocka_unit_test(test_cidr_v4),
		cmocka_unit_test(test_exact_message),
		cmocka_unit_test(test_cidr_v6),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_stream_nul),
		cmocka_unit_test(test_shard_parse),
		cmocka_unit_test(test_shard_partition),
		cmocka_unit_test(test_count_large),
	};

	return hc_run_group_tests(tests, NULL, NULL);
}
