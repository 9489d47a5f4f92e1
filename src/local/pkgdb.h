/*
 * The installed-package databases: dpkg, rpm, apk, and the Gentoo and
 * pacman directory trees.  pkgdb_scan() reads them under a root directory
 * and reports a judged finding (see advisory.h) for every installed
 * OpenSSL package.
 *
 * Contract: the *_parse() functions are pure, read only the `len` bytes
 * given (no NUL terminator needed), never fail on hostile input and call
 * back with NUL-terminated strings that live until the callback returns.
 * They return how many entries they reported.  Entries whose fields exceed
 * PKGDB_FIELD_MAX bytes are skipped, not truncated, because a truncated
 * version could be judged wrongly.
 *
 * pkgdb_scan() is the only function here with I/O.  It runs `rpm` without
 * a shell, with a deadline, and only when an rpm database exists under the
 * root and no dpkg database does: on a dpkg system an rpm database belongs
 * to rpm installed as a tool, not to the system's own packages.
 */
#ifndef HEARTCHECK_LOCAL_PKGDB_H
#define HEARTCHECK_LOCAL_PKGDB_H

#include <stddef.h>

#include "local/advisory.h"

#define PKGDB_FIELD_MAX 255

/* How long rpm may take before it is killed. */
#define PKGDB_RPM_TIMEOUT_MS 20000

typedef void (*pkgdb_entry_cb)(void *ctx, const char *name, const char *version,
    const char *arch, const char *status);

/*
 * Parses /var/lib/dpkg/status: RFC 822-style stanzas separated by blank
 * lines, field names case-insensitive, continuation lines starting with a
 * space or tab.  Calls back once per stanza with a Package field, with
 * the Version, Architecture and Status values ("" when absent).
 */
int dpkg_status_parse(const char *buf, size_t len, pkgdb_entry_cb cb,
    void *ctx);

/* Parses /lib/apk/db/installed ("P:" name, "V:" version, "A:" arch);
 * status is always "installed". */
int apk_installed_parse(const char *buf, size_t len, pkgdb_entry_cb cb,
    void *ctx);

typedef void (*rpm_entry_cb)(void *ctx, const char *name, const char *epoch,
    const char *version, const char *release, const char *arch);

/* Parses the output of
 * rpm -qa --qf '%{NAME}\t%{EPOCHNUM}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\n'.
 * Lines without exactly five fields are skipped. */
int rpm_qa_parse(const char *buf, size_t len, rpm_entry_cb cb, void *ctx);

/* Parses /etc/redhat-release ("CentOS release 6.5 (Final)"), for releases
 * that predate os-release.  Returns 0, or -EINVAL when it is not one. */
int redhat_release_parse(const char *buf, size_t len, struct os_release *out);

/* Reads ROOT/etc/os-release, then ROOT/usr/lib/os-release, then
 * ROOT/etc/redhat-release.  Returns 0 or -ENOENT. */
int os_release_load(const char *root, struct os_release *out);

/*
 * Reports every installed OpenSSL package under root ("/" in production).
 * os may be NULL, and then it is read from root.  Returns the number of
 * findings reported, or a negative errno value when no package database
 * could be read at all (-ENOENT when there is none).  err receives a
 * message whenever something could not be read, even on partial success.
 */
int pkgdb_scan(const char *root, const struct os_release *os,
    void (*cb)(void *ctx, const struct pkg_finding *f), void *ctx, char *err,
    size_t errcap);

#endif
