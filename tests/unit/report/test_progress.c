/*
 * The status file: what a progress of plain counts writes, for a fresh run,
 * a resumed one and a shard.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "report/progress.h"

static json_t *status(struct progress *p, const struct progress_counts *c,
    const char *state)
{
	json_error_t je;
	json_t *j;

	progress_status(p, c, state);
	j = json_load_file(p->status_file, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "type")),
	    "status");
	assert_string_equal(json_string_value(json_object_get(j, "state")),
	    state);
	return j;
}

#define INT(j, k) json_integer_value(json_object_get(j, k))

static void test_status_file(void **state)
{
	char dir[] = "/tmp/hc-progress-XXXXXX", path[64];
	struct progress p;
	struct progress_counts c = { .total = 100, .done = 10,
		.vulnerable = 1, .position = 12, .in_flight = 3 };
	json_t *j;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/status.json", dir);
	memset(&p, 0, sizeof(p));
	p.status_file = path;
	progress_start(&p);

	j = status(&p, &c, "running");
	assert_int_equal(INT(j, "done"), 10);
	assert_int_equal(INT(j, "total"), 100);
	assert_int_equal(INT(j, "in_flight"), 3);
	assert_int_equal(INT(j, "vulnerable"), 1);
	assert_int_equal(INT(j, "position"), 12);
	/* Too early for a rate: no estimate. */
	assert_true(json_is_null(json_object_get(j, "eta_s")));
	json_decref(j);

	/* Resumed: earlier runs count; a shard expects its share. */
	p.prev_done = 40;
	p.prev_vulnerable = 2;
	p.shard_n = 4;
	j = status(&p, &c, "stopped");
	assert_int_equal(INT(j, "done"), 50);
	assert_int_equal(INT(j, "vulnerable"), 3);
	assert_int_equal(INT(j, "total"), 50);  /* never below done */
	json_decref(j);
	c.total = 400;
	j = status(&p, &c, "done");
	assert_int_equal(INT(j, "total"), 100);
	json_decref(j);

	/* No status file, no line: nothing to do. */
	p.status_file = NULL;
	progress_status(&p, &c, "running");
	progress_update(&p, &c, 0);
	progress_clear(&p);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
