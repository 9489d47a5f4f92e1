/*
 * A bounded iterator over the lines of a buffer.
 *
 * Lines end at '\n', which is not part of the line; a last line without
 * one is a line too, and an empty buffer has none.  "a\n" is one line and
 * "a\n\n" two, the second empty.  Nothing is copied: each line points into
 * the buffer, which the caller keeps alive.
 *
 *	struct lines it;
 *	const char *l;
 *	size_t n;
 *	int r;
 *
 *	lines_init(&it, buf, len, MAX);
 *	while ((r = lines_next(&it, &l, &n)) != LINES_END) {
 *		if (r == LINES_TOO_LONG)
 *			...;   (skip it, or give up)
 *		...
 *	}
 */
#ifndef HEARTCHECK_UTIL_LINES_H
#define HEARTCHECK_UTIL_LINES_H

#include <stddef.h>
#include <stdint.h>

/* For a caller whose buffer is already bounded: no line is too long. */
#define LINES_ANY_LENGTH SIZE_MAX

enum lines_result {
	LINES_END = 0, /* no line left */
	LINES_OK = 1, /* *line, *len hold the next line */
	LINES_TOO_LONG = 2, /* the next line is longer than max: *line, *len
			     * hold its first max bytes, and the iterator has
			     * moved past all of it */
};

struct lines {
	const char *p; /* the rest of the buffer, not yet returned */
	size_t n;
	size_t max; /* longest line returned as LINES_OK */
};

void lines_init(struct lines *it, const char *buf, size_t len, size_t max);

/* Takes the next line.  Returns a enum lines_result. */
int lines_next(struct lines *it, const char **line, size_t *len);

/* lines_next() for a line that ends in '\n' only: a last line without
 * one is LINES_END and stays in it->p, it->n (a reply cut short, a record
 * that follows the text). */
int lines_take(struct lines *it, const char **line, size_t *len);

/* Moves the iterator back to the start of the line that holds at, which
 * lies in what is left of the buffer, so that lines_next returns that line.
 * Lets a caller find lines by searching the buffer rather than by walking
 * every line. */
void lines_seek(struct lines *it, const char *at);

/* The length of buf's whole lines: up to and including its last '\n'. */
size_t lines_whole(const char *buf, size_t len);

#endif
