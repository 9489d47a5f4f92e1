/*
 * libFuzzer target for html_escape: arbitrary bytes (controls, NULs, bytes
 * that are not UTF-8, markup) into an output of a size the input picks.
 * The output must never hold '<', '>', a quote or a control byte, every
 * '&' must start a whole reference, and a cut output must be a prefix of
 * the whole one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *s)
{
	static const char *const refs[] = { "&amp;", "&lt;", "&gt;", "&quot;",
		"&#39;" };
	size_t i, k;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '<' || c == '>' || c == '"' || c == '\'' || c < 0x20 ||
		    c == 0x7f)
			abort();
		if (c != '&')
			continue;
		for (k = 0; k < 5; k++)
			if (!strncmp(s + i, refs[k], strlen(refs[k])))
				break;
		if (k == 5)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap, need, n;
	char *whole, *cut;

	if (size < 1)
		return 0;
	cap = data[0];
	data++;
	size--;
	need = html_escape(NULL, 0, (const char *)data, size);
	if ((whole = malloc(need + 1)) == NULL)
		return 0;
	n = html_escape(whole, need + 1, (const char *)data, size);
	if (n != need || strlen(whole) != need)
		abort();
	check(whole);
	if ((cut = malloc(cap + 1)) != NULL) {
		n = html_escape(cut, cap, (const char *)data, size);
		if (n != need)
			abort();
		if (cap) {
			if (strlen(cut) >= cap ||
			    strncmp(cut, whole, strlen(cut)) != 0)
				abort();
			check(cut);
		}
		free(cut);
	}
	free(whole);
	return 0;
}
