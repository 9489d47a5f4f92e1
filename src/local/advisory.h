/*
 * The CVE-2014-0160 advisory table and the verdict for one installed
 * OpenSSL package.
 *
 * Contract: everything here is pure; no file is read.  advisory_judge()
 * first applies the upstream version rule (0.9.8 and 1.0.0 have no
 * heartbeat code, 1.1.1 and 3.x removed it, 1.0.1g and later, 1.0.2 from
 * beta2 and 1.1.0 carry the fix).  Only an upstream version in the
 * vulnerable range (1.0.1 to 1.0.1f, 1.0.2-beta1) is looked up in the
 * distribution table, because distributions backported the fix without
 * changing the upstream version.  A version string never proves a library
 * vulnerable on its own; the reason text says what the verdict rests on,
 * and `confirmed` is 0 when the table row (or the lack of one) is not
 * backed by a confirmed advisory.
 *
 * Table comparisons ignore the epoch on both sides: advisories list
 * version-release, and a release's builds share one epoch (RHEL's openssl
 * carries epoch 1, which would otherwise beat every unprefixed row).
 */
#ifndef HEARTCHECK_LOCAL_ADVISORY_H
#define HEARTCHECK_LOCAL_ADVISORY_H

#include <stddef.h>

#include "local/pkgver.h"

enum pkg_verdict { PKG_FIXED, PKG_VULNERABLE, PKG_NOT_AFFECTED, PKG_UNKNOWN };

/* "fixed", "vulnerable", "not-affected", "unknown". */
const char *pkg_verdict_name(enum pkg_verdict v);

struct os_release {
	char id[64];
	char version_id[64];
	char id_like[128];
	char pretty[128];
};

/*
 * Parses os-release(5) text: KEY=VALUE lines, '#' comments, values bare or
 * in single or double quotes (with backslash escapes inside double quotes).
 * Over-long values are truncated.  ID defaults to "linux" as the format
 * specifies.  Returns 0, or -EINVAL for NULL arguments.
 */
int os_release_parse(const char *buf, size_t len, struct os_release *out);

struct pkg_finding {
	char name[128];
	char version[128];
	char arch[32];
	enum pkg_verdict verdict;
	char fixed_in[128];
	char advisory[64];
	char reason[256];
	int confirmed;
};

/*
 * Judges one installed package version on a given OS.  scheme is an enum
 * pkg_scheme and says how to read `version` (the full version with any
 * epoch and revision).  os may be NULL when the release is not known.
 * Fills *out (arch is left empty for the caller) and returns 0, or -EINVAL
 * for bad arguments.
 */
int advisory_judge(const struct os_release *os, const char *pkgname,
    const char *version, int scheme, struct pkg_finding *out);

/* Whether a package name belongs to OpenSSL's library or tool packages,
 * whose version follows the OpenSSL source version. */
int advisory_pkg_relevant(const char *name);

/* The one vulnerable-version rule, for a library's version string as
 * OpenSSL prints it ("OpenSSL 1.0.1f 6 Jan 2014"): 1 when the version is
 * 1.0.1 to 1.0.1f or 1.0.2-beta1, else 0.  Not proof: distributions
 * backport fixes. */
int openssl_version_vulnerable(const char *s);

/* How an advisory row matches os-release's VERSION_ID. */
enum advisory_match {
	ADV_REL_ANY, /* rolling or every release */
	ADV_REL_EXACT, /* VERSION_ID equals release */
	ADV_REL_MAJOR, /* the leading number equals release ("6" matches "6.5")
			*/
	ADV_REL_MIN_MAJOR, /* leading number at least release, or no VERSION_ID
			      (testing) */
};

struct advisory_row {
	const char *label; /* "Debian 7 wheezy" */
	const char *ids; /* os-release IDs, space separated */
	int match; /* enum advisory_match */
	const char *release;
	const char *packages; /* binary package names, space separated */
	const char *fixed_in; /* first fixed version, without epoch */
	int scheme; /* enum pkg_scheme */
	const char *advisory;
	int confirmed;
};

/* The table, for documentation and tests. */
const struct advisory_row *advisory_rows(size_t *n);

/* The row for this OS and package, or NULL. */
const struct advisory_row *advisory_find(const struct os_release *os,
    const char *pkgname);

#endif
