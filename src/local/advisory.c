/*
 * The CVE-2014-0160 advisory table and the per-package verdict.
 */
#include "local/advisory.h"
#include "util/ascii.h"
#include "util/lines.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct advisory_row rows[] = {
	{ "Debian 7 wheezy", "debian", ADV_REL_MAJOR, "7",
	    "libssl1.0.0 openssl", "1.0.1e-2+deb7u5", PKG_SCHEME_DEB,
	    "DSA-2896-1", 1 },
	/* Jessie and later shipped fixed versions; the row only matters
	 * for a testing system still carrying an early 1.0.1 build. */
	{ "Debian 8 jessie and later, testing, sid", "debian",
	    ADV_REL_MIN_MAJOR, "8", "libssl1.0.0 openssl", "1.0.1g",
	    PKG_SCHEME_DEB, "", 0 },
	{ "Ubuntu 12.04", "ubuntu", ADV_REL_EXACT, "12.04",
	    "libssl1.0.0 openssl", "1.0.1-4ubuntu5.12", PKG_SCHEME_DEB,
	    "USN-2165-1", 1 },
	{ "Ubuntu 12.10", "ubuntu", ADV_REL_EXACT, "12.10",
	    "libssl1.0.0 openssl", "1.0.1c-3ubuntu2.7", PKG_SCHEME_DEB,
	    "USN-2165-1", 1 },
	{ "Ubuntu 13.10", "ubuntu", ADV_REL_EXACT, "13.10",
	    "libssl1.0.0 openssl", "1.0.1e-3ubuntu1.2", PKG_SCHEME_DEB,
	    "USN-2165-1", 1 },
	/* 14.04 was released after the fix; its 1.0.1f carries the patch. */
	{ "Ubuntu 14.04", "ubuntu", ADV_REL_EXACT, "14.04",
	    "libssl1.0.0 openssl", "1.0.1f-1ubuntu2", PKG_SCHEME_DEB, "", 0 },
	{ "RHEL 6", "rhel", ADV_REL_MAJOR, "6", "openssl openssl-libs",
	    "1.0.1e-16.el6_5.7", PKG_SCHEME_RPM, "RHSA-2014:0376", 1 },
	{ "CentOS 6", "centos", ADV_REL_MAJOR, "6", "openssl openssl-libs",
	    "1.0.1e-16.el6_5.7", PKG_SCHEME_RPM, "CESA-2014:0376", 1 },
	{ "Fedora 19", "fedora", ADV_REL_EXACT, "19", "openssl openssl-libs",
	    "1.0.1e-37.fc19.1", PKG_SCHEME_RPM, "", 0 },
	{ "Fedora 20", "fedora", ADV_REL_EXACT, "20", "openssl openssl-libs",
	    "1.0.1e-37.fc20.1", PKG_SCHEME_RPM, "", 0 },
	{ "Amazon Linux AMI", "amzn", ADV_REL_ANY, "", "openssl",
	    "1.0.1e-37.66.amzn1", PKG_SCHEME_RPM, "ALAS-2014-320", 1 },
	{ "openSUSE 12.3", "opensuse", ADV_REL_EXACT, "12.3",
	    "openssl libopenssl1_0_0", "1.0.1e-1.44.1", PKG_SCHEME_RPM,
	    "openSUSE-SU-2014:0492-1", 1 },
	{ "openSUSE 13.1", "opensuse", ADV_REL_EXACT, "13.1",
	    "openssl libopenssl1_0_0", "1.0.1e-11.32.1", PKG_SCHEME_RPM,
	    "openSUSE-SU-2014:0492-1", 1 },
	{ "Gentoo", "gentoo", ADV_REL_ANY, "", "dev-libs/openssl openssl",
	    "1.0.1g", PKG_SCHEME_APK, "GLSA 201404-07", 1 },
	/* Arch writes the letter as its own segment ("1.0.1.g"), and pacman
	 * compares like rpm, so "1.0.1.g" and "1.0.1g" are equal there. */
	{ "Arch Linux", "arch", ADV_REL_ANY, "", "openssl", "1.0.1.g",
	    PKG_SCHEME_RPM, "", 0 },
	{ "Alpine Linux", "alpine", ADV_REL_ANY, "",
	    "openssl libssl1.0 libcrypto1.0", "1.0.1g-r0", PKG_SCHEME_APK, "",
	    0 },
};

const struct advisory_row *advisory_rows(size_t *n)
{
	if (n)
		*n = sizeof(rows) / sizeof(rows[0]);
	return rows;
}

const char *pkg_verdict_name(enum pkg_verdict v)
{
	switch (v) {
	case PKG_FIXED:
		return "fixed";
	case PKG_VULNERABLE:
		return "vulnerable";
	case PKG_NOT_AFFECTED:
		return "not-affected";
	case PKG_UNKNOWN:
	default:
		return "unknown";
	}
}

/* Copies with truncation; dst is always terminated. */
static void copy_n(char *dst, size_t cap, const char *src, size_t n)
{
	if (cap == 0)
		return;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* --- os-release --------------------------------------------------------- */

/* Decodes one value into dst, following the shell-like quoting that
 * os-release(5) allows. */
static void os_value(const char *v, size_t n, char *dst, size_t cap)
{
	size_t i = 0, o = 0;
	char q = 0;

	while (
	    n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	if (n > 0 && (v[0] == '"' || v[0] == '\'')) {
		q = v[0];
		i = 1;
	}
	for (; i < n && o + 1 < cap; i++) {
		char c = v[i];

		if (q && c == q)
			break;
		if (q == '"' && c == '\\' && i + 1 < n) {
			c = v[++i];
		} else if (!q && c == '\\' && i + 1 < n) {
			c = v[++i];
		}
		dst[o++] = c;
	}
	if (cap)
		dst[o < cap ? o : cap - 1] = '\0';
}

static int key_is(const char *k, size_t kn, const char *name)
{
	return strlen(name) == kn && memcmp(k, name, kn) == 0;
}

int os_release_parse(const char *buf, size_t len, struct os_release *out)
{
	struct lines it;
	const char *line;
	size_t ln;

	if (!out || (!buf && len))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	lines_init(&it, buf, len, LINES_ANY_LENGTH);
	while (lines_next(&it, &line, &ln) != LINES_END) {
		const char *eq;
		size_t k = 0;

		while (k < ln && (line[k] == ' ' || line[k] == '\t'))
			k++;
		line += k;
		ln -= k;
		if (ln == 0 || line[0] == '#')
			continue;
		eq = memchr(line, '=', ln);
		if (!eq)
			continue;
		k = (size_t)(eq - line);
		if (key_is(line, k, "ID"))
			os_value(eq + 1, ln - k - 1, out->id, sizeof(out->id));
		else if (key_is(line, k, "VERSION_ID"))
			os_value(eq + 1, ln - k - 1, out->version_id,
			    sizeof(out->version_id));
		else if (key_is(line, k, "ID_LIKE"))
			os_value(eq + 1, ln - k - 1, out->id_like,
			    sizeof(out->id_like));
		else if (key_is(line, k, "PRETTY_NAME"))
			os_value(eq + 1, ln - k - 1, out->pretty,
			    sizeof(out->pretty));
	}
	if (out->id[0] == '\0')
		copy_n(out->id, sizeof(out->id), "linux", 5);
	return 0;
}

/* --- package names ------------------------------------------------------ */

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

int advisory_pkg_relevant(const char *name)
{
	static const char *const exact[] = {
		"openssl",
		"openssl-libs",
		"openssl-devel",
		"openssl-static",
		"openssl-perl",
		"dev-libs/openssl",
		"libssl-dev",
		"libssl-doc",
		"libopenssl-devel",
	};
	size_t k;

	if (!name)
		return 0;
	for (k = 0; k < sizeof(exact) / sizeof(exact[0]); k++)
		if (strcmp(name, exact[k]) == 0)
			return 1;
	/* Versioned library packages: libssl1.0.0, libssl3t64, libcrypto1.0,
	 * libopenssl1_0_0, openssl1.0, openssl-1_0_0, openssl-1.0.  Names like
	 * openssl-pkcs11 come from other sources and are left out. */
	if (has_prefix(name, "libssl") && is_digit((unsigned char)name[6]))
		return 1;
	if (has_prefix(name, "libcrypto") && is_digit((unsigned char)name[9]))
		return 1;
	if (has_prefix(name, "libopenssl") && is_digit((unsigned char)name[10]))
		return 1;
	if (has_prefix(name, "openssl") && is_digit((unsigned char)name[7]))
		return 1;
	if (has_prefix(name, "openssl-") && is_digit((unsigned char)name[8]))
		return 1;
	return 0;
}

/* --- upstream version rule ---------------------------------------------- */

enum upstream_class {
	UP_UNKNOWN,
	UP_NO_HEARTBEAT,
	UP_VULNERABLE,
	UP_FIXED,
	UP_REMOVED
};

/* Reads a decimal number of at most 6 digits; returns the index after it,
 * or 0 when there is none. */
static size_t read_num(const char *s, size_t n, size_t i, long *v)
{
	size_t start = i;

	*v = 0;
	while (i < n && is_digit((unsigned char)s[i]) && i - start < 6)
		*v = *v * 10 + (s[i++] - '0');
	if (i == start || (i < n && is_digit((unsigned char)s[i])))
		return 0;
	return i;
}

/* The beta number after "beta" anywhere in s, or -1. */
static long beta_number(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 4 < n; i++) {
		long v;

		if (memcmp(s + i, "beta", 4) == 0 && read_num(s, n, i + 4, &v))
			return v;
	}
	return -1;
}

/*
 * Classifies the OpenSSL version at the start of s (which has no epoch):
 * "1.0.1e", "1.0.1.g" (Arch), "1.0.2~beta1", "3.0.11".  The whole string
 * is searched for a beta marker, because rpm distributions put it in the
 * release ("1.0.2-0.1.beta1").
 */
static enum upstream_class classify(const char *s, size_t n, char *up,
    size_t upcap)
{
	long major, minor, patch;
	size_t i, j;
	char letter = 0;
	int more_letters = 0;

	copy_n(up, upcap, "", 0);
	if (!(i = read_num(s, n, 0, &major)) || i >= n || s[i] != '.')
		return UP_UNKNOWN;
	if (!(i = read_num(s, n, i + 1, &minor)))
		return UP_UNKNOWN;
	patch = 0;
	if (i < n && s[i] == '.' && i + 1 < n &&
	    is_digit((unsigned char)s[i + 1]))
		if (!(i = read_num(s, n, i + 1, &patch)))
			return UP_UNKNOWN;
	/* An optional patch letter, possibly written as its own segment. */
	j = i;
	if (j + 1 < n && s[j] == '.' && is_lower((unsigned char)s[j + 1]))
		j++;
	if (j < n && is_lower((unsigned char)s[j]) &&
	    !(n - j >= 4 && memcmp(s + j, "beta", 4) == 0)) {
		letter = s[j++];
		while (j < n && is_lower((unsigned char)s[j])) {
			more_letters = 1;
			j++;
		}
		i = j;
	}
	copy_n(up, upcap, s, i);

	if (major == 0)
		return UP_NO_HEARTBEAT;
	if (major >= 2)
		return UP_REMOVED;
	if (minor >= 2)
		return UP_REMOVED;
	if (minor == 1)
		return patch >= 1 ? UP_REMOVED : UP_FIXED;
	/* 1.0.x */
	if (patch == 0)
		return UP_NO_HEARTBEAT;
	if (patch == 1) {
		if (letter == 0)
			return UP_VULNERABLE;
		if (letter >= 'g' || more_letters)
			return UP_FIXED;
		return UP_VULNERABLE;
	}
	if (patch == 2 && beta_number(s, n) == 1)
		return UP_VULNERABLE;
	return UP_FIXED;
}

int openssl_version_vulnerable(const char *s)
{
	const char *p = s ? strstr(s, "OpenSSL ") : NULL;
	char up[32];

	if (!p)
		return 0;
	p += 8;
	return classify(p, strcspn(p, " "), up, sizeof(up)) == UP_VULNERABLE;
}

/* --- table lookup ------------------------------------------------------- */

static int word_in(const char *list, const char *word)
{
	size_t wl = strlen(word);
	const char *p = list;

	if (wl == 0)
		return 0;
	while (*p) {
		size_t l;

		while (*p == ' ')
			p++;
		l = strcspn(p, " ");
		if (l == wl && memcmp(p, word, wl) == 0)
			return 1;
		p += l;
	}
	return 0;
}

static long leading_major(const char *v)
{
	long m = 0;
	size_t i = 0;

	if (!is_digit((unsigned char)v[0]))
		return -1;
	while (is_digit((unsigned char)v[i]) && i < 6)
		m = m * 10 + (v[i++] - '0');
	return m;
}

static int release_matches(const struct advisory_row *r, const char *vid)
{
	switch (r->match) {
	case ADV_REL_ANY:
		return 1;
	case ADV_REL_EXACT:
		return strcmp(vid, r->release) == 0;
	case ADV_REL_MAJOR:
		return vid[0] &&
		    leading_major(vid) == leading_major(r->release);
	case ADV_REL_MIN_MAJOR:
		return vid[0] == '\0' ||
		    leading_major(vid) >= leading_major(r->release);
	default:
		return 0;
	}
}

const struct advisory_row *advisory_find(const struct os_release *os,
    const char *pkgname)
{
	const struct advisory_row *fallback = NULL;
	size_t k;

	if (!os || !pkgname)
		return NULL;
	for (k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		const struct advisory_row *r = &rows[k];

		if (!word_in(r->ids, os->id) ||
		    !release_matches(r, os->version_id))
			continue;
		if (word_in(r->packages, pkgname))
			return r;
		/* Other binary packages of the same source carry the same
		 * version, so the row still applies to them. */
		if (!fallback && advisory_pkg_relevant(pkgname))
			fallback = r;
	}
	return fallback;
}

/* --- verdict ------------------------------------------------------------ */

/* The version without its epoch: the table lists none (see advisory.h). */
static const char *skip_epoch(const char *v, int scheme)
{
	const char *c = strchr(v, ':');
	size_t k = 0;

	if (!c)
		return v;
	if (scheme == PKG_SCHEME_DEB)
		return c + 1;
	while (is_digit((unsigned char)v[k]))
		k++;
	return v[k] == ':' ? v + k + 1 : v;
}

int advisory_judge(const struct os_release *os, const char *pkgname,
    const char *version, int scheme, struct pkg_finding *out)
{
	const struct advisory_row *row;
	const char *v;
	char up[64];
	enum upstream_class cls;
	int c;

	if (!out || !pkgname || !version)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	copy_n(out->name, sizeof(out->name), pkgname, strlen(pkgname));
	copy_n(out->version, sizeof(out->version), version, strlen(version));
	if (scheme != PKG_SCHEME_DEB && scheme != PKG_SCHEME_RPM &&
	    scheme != PKG_SCHEME_APK)
		return -EINVAL;

	v = skip_epoch(version, scheme);
	cls = classify(v, strlen(v), up, sizeof(up));
	out->confirmed = 1;
	switch (cls) {
	case UP_NO_HEARTBEAT:
		out->verdict = PKG_NOT_AFFECTED;
		snprintf(out->reason, sizeof(out->reason),
		    "upstream %s predates heartbeat support (0.9.8 and 1.0.0 "
		    "have no heartbeat code)",
		    up);
		return 0;
	case UP_REMOVED:
		out->verdict = PKG_NOT_AFFECTED;
		snprintf(out->reason, sizeof(out->reason),
		    "upstream %s has no heartbeat code (removed in 1.1.1)", up);
		return 0;
	case UP_FIXED:
		out->verdict = PKG_FIXED;
		snprintf(out->reason, sizeof(out->reason),
		    "upstream %s includes the bounds check (1.0.1g and later)",
		    up);
		/* Name the release's advisory too, for people who track them.
		 */
		if ((row = advisory_find(os, pkgname)) != NULL) {
			copy_n(out->fixed_in, sizeof(out->fixed_in),
			    row->fixed_in, strlen(row->fixed_in));
			copy_n(out->advisory, sizeof(out->advisory),
			    row->advisory, strlen(row->advisory));
		}
		return 0;
	case UP_UNKNOWN:
		out->verdict = PKG_UNKNOWN;
		out->confirmed = 0;
		snprintf(out->reason, sizeof(out->reason),
		    "cannot read an OpenSSL version from \"%.64s\"", version);
		return 0;
	case UP_VULNERABLE:
		break;
	}

	row = advisory_find(os, pkgname);
	if (!row) {
		/* Without a row only the upstream version speaks, and a
		 * version string is not proof (distributions backported). */
		out->verdict = PKG_UNKNOWN;
		out->confirmed = 0;
		snprintf(out->reason, sizeof(out->reason),
		    "possibly vulnerable: upstream %.40s is in the vulnerable "
		    "range and no advisory row covers %.40s %.20s; "
		    "a backported fix is possible, so test the library itself",
		    up, os ? os->id : "this system", os ? os->version_id : "");
		return 0;
	}
	copy_n(out->fixed_in, sizeof(out->fixed_in), row->fixed_in,
	    strlen(row->fixed_in));
	copy_n(out->advisory, sizeof(out->advisory), row->advisory,
	    strlen(row->advisory));
	out->confirmed = row->confirmed;
	c = pkgver_cmp(row->scheme, v, row->fixed_in);
	out->verdict = c >= 0 ? PKG_FIXED : PKG_VULNERABLE;
	snprintf(out->reason, sizeof(out->reason),
	    "%.60s %s the first fixed %.40s for %s%s%s%s", v,
	    c >= 0 ? "is at or above" : "is older than", row->fixed_in,
	    row->label, row->advisory[0] ? " (" : "", row->advisory,
	    row->advisory[0] ? ")" : "");
	if (!row->confirmed) {
		size_t l = strlen(out->reason);

		snprintf(out->reason + l, sizeof(out->reason) - l,
		    "; this table row is unconfirmed");
	}
	return 0;
}
