/*
 * The messages of the error vocabulary (report/err.h).
 */
#include "report/err.h"

#include <errno.h>

const char *hc_strerror(int code)
{
	switch (code) {
	case HC_ERR_SUCCESS:
		return "success";
	case HC_ERR_INTERNAL:
		return "internal error";
	case HC_ERR_ALLOC_FAIL:
		return "out of memory";
	case HC_ERR_SYSTEM:
		return "system error";
	case HC_ERR_INVALID:
		return "invalid input";
	case HC_ERR_PARSE:
		return "cannot parse";
	case HC_ERR_TRUNCATED:
		return "truncated";
	case HC_ERR_NOT_FOUND:
		return "not found";
	case HC_ERR_TIMEOUT:
		return "deadline passed";
	case HC_ERR_OUTPUT:
		return "the output could not be written";
	case HC_ERR_LIMIT:
		return "limit reached";
	}
	return "unknown error code";
}

int hc_err_from_errno(int e)
{
	switch (e) {
	case 0:
		return HC_ERR_SUCCESS;
	case ENOMEM:
		return HC_ERR_ALLOC_FAIL;
	case ENOENT:
	case ENOTDIR:
		return HC_ERR_NOT_FOUND;
	case EINVAL:
		return HC_ERR_INVALID;
	case ETIMEDOUT:
		return HC_ERR_TIMEOUT;
	case EPIPE:
	case ENOSPC:
		return HC_ERR_OUTPUT;
	}
	return HC_ERR_SYSTEM;
}
