/*
 * The result model: every kind of result heartcheck reports, defined once,
 * following docs/json-schema.md.  Plain structures of strings and numbers:
 * report/ knows nothing of the layers that produce them (the scan, the
 * local audit), which fill these in and hand them to a sink (sink.h).
 *
 * Strings are borrowed for the duration of the call; NULL means absent
 * (JSON null) where a field says "or NULL".
 */
#ifndef HEARTCHECK_REPORT_RESULT_H
#define HEARTCHECK_REPORT_RESULT_H

#include <stddef.h>
#include <stdint.h>

/* How a verdict reads, for colour and --quiet: proven safe, found bad
 * (vulnerable, or possibly so), or neither (not tested, unknown). */
enum res_grade {
	RES_GOOD,
	RES_BAD,
	RES_UNSURE,
};

/* "type": "scan": one endpoint probed. */
struct res_endpoint {
	const char *target;
	const char *name; /* host name, or "" / NULL */
	const char *ip; /* "" when no address was probed */
	uint16_t port;
	const char *verdict; /* a scan verdict keyword */
	enum res_grade grade; /* RES_UNSURE: not tested */
	int vulnerable;
	const char *reason;
	const char *version; /* "TLSv1.2", or NULL */
	int heartbeat_ext;
	unsigned disclosed;
	int alert; /* -1: none */
	unsigned attempts;
	const char *strategy; /* or NULL */
	unsigned nudges;
	uint32_t bytes_sent, bytes_received;
	double elapsed_ms;
	const uint8_t *leaked; /* --leak only */
	size_t leaked_len;
	const char *starttls; /* the STARTTLS protocol used, or NULL */
	const char *transport; /* "tcp", "udp", or NULL: not known */
};

/* "type": "listener": a local listening socket probed over loopback. */
struct res_listener {
	struct res_endpoint ep;
	long pid; /* 0: unknown */
	const char *comm; /* or NULL */
	const char *unit; /* or NULL */
	int no_service; /* refused or not TLS: nothing to report in
			 * text */
};

/* Where a library was found (bits of res_library.sources). */
enum {
	RES_SRC_LDCACHE = 1,
	RES_SRC_DIR = 2,
	RES_SRC_PROCESS = 4,
};

/* "type": "library": one libssl file judged. */
struct res_library {
	const char *path;
	const char *soname;
	const char *version; /* "" when unknown */
	const char *verdict; /* a library verdict keyword */
	enum res_grade grade;
	const char *reason;
	unsigned disclosed;
	const char *libcrypto; /* or NULL */
	unsigned sources; /* RES_SRC_* */
};

struct res_proc_lib {
	const char *path;
	const char *why; /* "deleted,vulnerable", or "" */
};

/* "type": "process": a process that maps libssl or libcrypto, or whose
 * maps could not be read. */
struct res_process {
	long pid;
	long long uid;
	const char *comm;
	const char *cmdline;
	const char *unit; /* or NULL */
	const char *container; /* or NULL */
	int restart; /* 1 yes, 0 no, -1 unknown (not examined) */
	int vulnerable; /* it maps an image proven vulnerable */
	int unreadable; /* its maps could not be read */
	int dropped; /* some images were not examined */
	const char *error; /* why (unreadable or dropped), or NULL */
	unsigned long long
	    start_time; /* its start in clock ticks after boot
			 * (/proc/PID/stat field 22); 0: not known.
			 * Optional: read back when present. */
	size_t nlibs;
	const struct res_proc_lib *libs;
};

/* "type": "package": an installed OpenSSL package. */
struct res_package {
	const char *name;
	const char *version;
	const char *arch;
	const char *verdict;
	enum res_grade grade;
	const char *fixed_in; /* or NULL */
	const char *advisory; /* or NULL */
	int confirmed;
	const char *reason;
};

/* "type": "restart": a unit to restart (unit, processes, command), or a
 * process outside any restartable unit (pid, comm, cmdline; command
 * NULL). */
struct res_restart {
	const char *unit;
	unsigned processes;
	const char *command;
	long pid;
	const char *comm;
	const char *cmdline;
	const char *why; /* loose process: what it maps, as in process */
	const char *where; /* loose process: its container or unit, or
			    * NULL */
};

/* "type": "error": something that could not be done.  It counts towards
 * exit status 3. */
struct res_error {
	const char *stage; /* "processes", "listeners", ... or NULL for a
			    * target that could not be parsed */
	int code; /* HC_ERR_* (report/err.h) */
	const char *error; /* the message */
};

/* "type": "summary": the end of a scan. */
struct res_scan_summary {
	uint64_t endpoints;
	size_t nverdicts;
	const char *const *verdict_names;
	const uint64_t *verdict_counts;
	uint64_t vulnerable;
	double seconds;
	uint64_t peak_in_flight;
};

/* What a client offered in its ClientHello, for "type": "client". */
struct res_client_hello {
	const char *version; /* client_version, named */
	size_t nversions; /* supported_versions, named */
	const char *const *versions;
	unsigned suites; /* how many suites it offered */
	int heartbeat; /* extension 15 offered */
	int heartbeat_mode; /* its mode byte */
	const char *sni; /* "" or NULL when none */
};

/* "type": "client": one TLS client tested by heartcheck clients. */
struct res_client {
	const char *ip; /* the peer; "" or NULL when there was none */
	uint16_t port;
	const char *command; /* the command run (its argv[0]), or NULL */
	unsigned runs; /* with a command: how many times it ran */
	int command_status; /* its exit status, or -1 */
	int command_signal; /* the signal that ended it, or 0 */
	const char *verdict; /* a verdict keyword */
	enum res_grade grade; /* RES_UNSURE: not tested */
	int vulnerable;
	const char *reason;
	const struct res_client_hello *hello; /* NULL: none read */
	const char *version; /* the version answered with, or NULL */
	unsigned suite; /* the suite chosen, or 0 */
	int heartbeat_ext; /* the client offered extension 15 */
	unsigned disclosed;
	int alert; /* -1: none */
	unsigned attempts; /* connections */
	const char *strategy;
	unsigned nudges;
	uint32_t bytes_sent, bytes_received;
	double elapsed_ms;
};

/* "type": "summary": the end of heartcheck clients. */
struct res_client_summary {
	uint64_t clients;
	size_t nverdicts;
	const char *const *verdict_names;
	const uint64_t *verdict_counts;
	uint64_t vulnerable;
	double seconds;
};

/* The local audit's overall state, as a Nagios plugin reports it. */
enum res_state {
	RES_OK = 0,
	RES_WARNING = 1,
	RES_CRITICAL = 2,
	RES_UNKNOWN = 3,
};

/* "type": "local-summary": the end of a local audit; also what a sink sees
 * of the counts so far at the end of each section. */
struct res_local_summary {
	unsigned libraries, vulnerable_libraries, possibly_vulnerable_libraries;
	unsigned untested_libraries;
	unsigned processes, processes_with_tls, processes_need_restart;
	unsigned processes_vulnerable_loaded, processes_unreadable;
	unsigned listeners, listeners_tls, vulnerable_listeners;
	unsigned listeners_skipped;
	unsigned packages, vulnerable_packages;
	struct {
		unsigned libraries, processes, listeners, packages;
	} unfinished;
	unsigned errors; /* error results of the audit */
	struct {
		double processes, libraries, listeners, packages, total;
	} seconds;
	enum res_state state; /* one policy: audit_state() */
	int root; /* run as root */
};

/* Parts of the local audit, for the headings of text output. */
enum res_section {
	RES_SEC_LIBRARIES,
	RES_SEC_PROCESSES,
	RES_SEC_LISTENERS,
	RES_SEC_PACKAGES,
};

/* Sum of the summary's unfinished counts. */
unsigned res_unfinished(const struct res_local_summary *s);
/* What was not finished, for people: " 2 listeners, 1 library", or "". */
void res_unfinished_text(const struct res_local_summary *s, char *buf,
    size_t cap);

/* The client's "IP:PORT" ("[IPv6]:PORT"), or "-" without a peer; 64
 * bytes are room for any. */
void res_client_peer(const struct res_client *r, char *buf, size_t cap);

#endif
