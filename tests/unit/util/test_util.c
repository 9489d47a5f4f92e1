/* The line iterator and the character classes of src/util. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/ascii.h"
#include "util/lines.h"

/* Joins the lines of s with '|', marking a too-long one with '!'. */
static void walk(const char *s, size_t max, char *out, size_t cap)
{
	struct lines it;
	const char *l;
	size_t n, o = 0;
	int r, first = 1;

	lines_init(&it, s, strlen(s), max);
	out[0] = '\0';
	while ((r = lines_next(&it, &l, &n)) != LINES_END) {
		assert_true(o + n + 2 < cap);
		if (!first)
			out[o++] = '|';
		first = 0;
		if (r == LINES_TOO_LONG)
			out[o++] = '!';
		memcpy(out + o, l, n);
		o += n;
		out[o] = '\0';
	}
}

static void test_lines_split(void **state)
{
	char out[128];

	(void)state;
	walk("", LINES_ANY_LENGTH, out, sizeof(out));
	assert_string_equal(out, "");
	walk("a", LINES_ANY_LENGTH, out, sizeof(out));
	assert_string_equal(out, "a");
	walk("a\n", LINES_ANY_LENGTH, out, sizeof(out));
	assert_string_equal(out, "a");
	walk("a\n\nbc", LINES_ANY_LENGTH, out, sizeof(out));
	assert_string_equal(out, "a||bc");
	walk("\n\n", LINES_ANY_LENGTH, out, sizeof(out));
	assert_string_equal(out, "|");
}

static void test_lines_too_long(void **state)
{
	char out[128];

	(void)state;
	walk("abc\nabcdef\nab", 3, out, sizeof(out));
	assert_string_equal(out, "abc|!abc|ab");
	walk("abcd", 3, out, sizeof(out));
	assert_string_equal(out, "!abc");
}

static void test_lines_take_seek_whole(void **state)
{
	static const char buf[] = "one\ntwo\nrest";
	struct lines it;
	const char *l;
	size_t n;

	(void)state;
	lines_init(&it, buf, strlen(buf), LINES_ANY_LENGTH);
	assert_int_equal(lines_take(&it, &l, &n), LINES_OK);
	assert_int_equal(n, 3);
	assert_memory_equal(l, "one", 3);
	lines_seek(&it, buf + 6);
	assert_int_equal(lines_take(&it, &l, &n), LINES_OK);
	assert_memory_equal(l, "two", 3);
	assert_int_equal(lines_take(&it, &l, &n), LINES_END);
	assert_int_equal(it.n, 4);
	assert_memory_equal(it.p, "rest", 4);
	assert_int_equal(lines_next(&it, &l, &n), LINES_OK);
	assert_int_equal(n, 4);
	assert_int_equal(lines_whole(buf, strlen(buf)), 8);
	assert_int_equal(lines_whole("abc", 3), 0);
	assert_int_equal(lines_whole("", 0), 0);
}

static void test_ascii(void **state)
{
	int c;

	(void)state;
	for (c = -128; c < 256; c++) {
		int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F');

		assert_int_equal(is_digit(c), c >= '0' && c <= '9');
		assert_int_equal(is_alpha(c), (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z'));
		assert_int_equal(hex_value(c) >= 0, hex);
	}
	assert_int_equal(hex_value('f'), 15);
	assert_int_equal(hex_value('A'), 10);
	assert_true(is_hspace('\r') && !is_hspace('\n'));
	assert_true(is_space('\n') && is_space('\f') && !is_space('x'));
	assert_false(is_digit((char)0xb2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_split),
		cmocka_unit_test(test_lines_too_long),
		cmocka_unit_test(test_lines_take_seek_whole),
		cmocka_unit_test(test_ascii),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
