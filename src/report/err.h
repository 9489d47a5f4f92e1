/*
 * One error vocabulary: negative codes and one table of messages, in the
 * style of OpenSSH's ssherr.h.  Functions return 0 or an HC_ERR_* code and
 * clean up through one "goto out".  An error that ends part of the work is
 * reported as a result (struct res_error), never only on stderr.
 */
#ifndef HEARTCHECK_REPORT_ERR_H
#define HEARTCHECK_REPORT_ERR_H

#define HC_ERR_SUCCESS 0
#define HC_ERR_INTERNAL -1 /* a bug: a state that should not occur */
#define HC_ERR_ALLOC_FAIL -2 /* out of memory */
#define HC_ERR_SYSTEM -3 /* a system call failed: see errno */
#define HC_ERR_INVALID -4 /* bad input: a target, an argument */
#define HC_ERR_PARSE -5 /* a record that could not be parsed */
#define HC_ERR_TRUNCATED -6 /* input ended inside a record */
#define HC_ERR_NOT_FOUND -7 /* a file or directory is missing */
#define HC_ERR_TIMEOUT -8 /* the deadline passed first */
#define HC_ERR_OUTPUT -9 /* the report could not be written */
#define HC_ERR_LIMIT -10 /* a bound was reached (a queue is full) */

/* A message for an HC_ERR_* code; never NULL. */
const char *hc_strerror(int code);

/* The code for an errno value (ENOMEM, ENOENT, ...). */
int hc_err_from_errno(int e);

#endif
