/*
 * Bounds of target input (src/net/targets.c): the longest line a target
 * file may have, what happens past it, and reversed port ranges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/targets.h"

static int add_text(struct tgt_set *s, const char *body, size_t len,
    char err[TGT_ERRMAX])
{
	FILE *f = fmemopen((void *)body, len, "r");
	int r;

	assert_non_null(f);
	r = tgt_set_add_stream(s, f, "mem", NULL, NULL, err);
	fclose(f);
	return r;
}

static void test_line_bound(void **state)
{
	size_t n = TGT_LINE_MAX + 64;
	char *body = malloc(n + 32), err[TGT_ERRMAX];
	struct tgt_set *s = tgt_set_new();

	(void)state;
	assert_non_null(body);
	/* A line of exactly TGT_LINE_MAX bytes is read (and is a bad target). */
	strcpy(body, "127.0.0.1\n");
	memset(body + 10, 'a', TGT_LINE_MAX);
	body[10 + TGT_LINE_MAX] = '\n';
	assert_int_equal(add_text(s, body, 11 + TGT_LINE_MAX, err), 1);
	assert_int_equal(tgt_set_count(s), 1);
	/* One byte more stops the file, naming the line. */
	memset(body + 10, 'a', TGT_LINE_MAX + 1);
	body[11 + TGT_LINE_MAX] = '\n';
	err[0] = '\0';
	assert_int_equal(add_text(s, body, 12 + TGT_LINE_MAX, err), -1);
	assert_non_null(strstr(err, "mem:2: line longer than 4096 bytes"));
	/* With no newline at all, and NULs: /dev/zero. */
	memset(body, 0, n);
	assert_int_equal(add_text(s, body, n, err), -1);
	assert_non_null(strstr(err, "mem:1: line longer than 4096 bytes, with NUL bytes"));
	free(body);
	tgt_set_free(s);
}

static void test_reversed_ports(void **state)
{
	struct tgt_set *s = tgt_set_new();
	char err[TGT_ERRMAX];

	(void)state;
	assert_int_equal(tgt_set_ports(s, "1-0", err), -1);
	assert_non_null(strstr(err, "range 1-0 is reversed"));
	assert_int_equal(tgt_set_ports(s, "80,443-0", err), -1);
	assert_non_null(strstr(err, "range 443-0 is reversed"));
	assert_int_equal(tgt_set_ports(s, "0-1", err), -1);
	assert_non_null(strstr(err, "ports must be 1..65535"));
	assert_int_equal(tgt_set_ports(s, "1-70000", err), -1);
	assert_non_null(strstr(err, "ports must be 1..65535"));
	assert_int_equal(tgt_set_ports(s, "1-1", err), 0);
	tgt_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_bound),
		cmocka_unit_test(test_reversed_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
