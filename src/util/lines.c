/*
 * A bounded iterator over the lines of a buffer.  See lines.h.
 */
#include "util/lines.h"

#include <string.h>

void lines_init(struct lines *it, const char *buf, size_t len, size_t max)
{
	it->p = buf;
	it->n = buf != NULL ? len : 0;
	it->max = max;
}

static int take(struct lines *it, const char **line, size_t *len,
    int terminated)
{
	const char *nl;
	size_t n;

	if (it->n == 0)
		return LINES_END;
	nl = memchr(it->p, '\n', it->n);
	if (nl == NULL && terminated)
		return LINES_END;
	n = nl != NULL ? (size_t)(nl - it->p) : it->n;
	*line = it->p;
	it->p += n + (nl != NULL);
	it->n -= n + (nl != NULL);
	if (n > it->max) {
		*len = it->max;
		return LINES_TOO_LONG;
	}
	*len = n;
	return LINES_OK;
}

int lines_next(struct lines *it, const char **line, size_t *len)
{
	return take(it, line, len, 0);
}

int lines_take(struct lines *it, const char **line, size_t *len)
{
	return take(it, line, len, 1);
}

void lines_seek(struct lines *it, const char *at)
{
	const char *nl;

	if (at < it->p || at > it->p + it->n)
		return;
	nl = memrchr(it->p, '\n', (size_t)(at - it->p));
	if (nl != NULL) {
		it->n -= (size_t)(nl + 1 - it->p);
		it->p = nl + 1;
	}
}

size_t lines_whole(const char *buf, size_t len)
{
	const char *nl = len > 0 ? memrchr(buf, '\n', len) : NULL;

	return nl != NULL ? (size_t)(nl + 1 - buf) : 0;
}
