/*
 * Honest skips for cmocka tests.  cmocka reports a skipped test to its
 * caller as passed, so Meson would count it as OK.  Tests call hc_skip()
 * instead of skip(): it prints the reason ("SKIP: test: why", which
 * tests/run.sh shows in its summary) and counts the skip, and main returns
 * hc_run_group_tests(), which exits 77 (Meson's SKIP) when something was
 * skipped and nothing failed.  Include after <cmocka.h>.
 */
#ifndef HEARTCHECK_TESTS_HC_SKIP_H
#define HEARTCHECK_TESTS_HC_SKIP_H

#include <stdio.h>

static int hc_skipped __attribute__((unused));

#define hc_skip(...) do { \
	hc_skipped++; \
	printf("SKIP: %s: ", __func__); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	fflush(stdout); \
	skip(); \
} while (0)

static inline int hc_exit_code(int failed)
{
	if (failed)
		return 1;
	return hc_skipped ? 77 : 0;
}

#define hc_run_group_tests(t, setup, teardown) \
	hc_exit_code(cmocka_run_group_tests(t, setup, teardown))
#define hc_run_group_tests_name(name, t, setup, teardown) \
	hc_exit_code(cmocka_run_group_tests_name(name, t, setup, teardown))

#endif
