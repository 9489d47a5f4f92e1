/* Unit tests for the resume file (src/net/resume.c): round trip, escaping,
 * and every way a file is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/resume.h"

static char dir[] = "/tmp/hc-test-resume-XXXXXX";
static char path[256], data[256];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/scan.resume", dir);
	snprintf(data, sizeof(data), "%s/targets.txt", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	unlink(data);
	return rmdir(dir);
}

static void put(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void sample(struct resume *r)
{
	memset(r, 0, sizeof(*r));
	r->position = 596;
	r->end = 1024;
	r->random = 1;
	r->seed = UINT64_MAX;
	r->json = 1;
	r->shard = strdup("2/8");
	r->ports = strdup("443,8443");
	r->output = strdup("/tmp/out put%\n.jsonl");
	assert_int_equal(resume_push(&r->targets, &r->ntargets, "10.0.0.0/8"), 0);
	assert_int_equal(resume_push(&r->targets, &r->ntargets, "[::1]:443"), 0);
	assert_int_equal(resume_push(&r->excludes, &r->nexcludes, "10.1.0.0/16,host.example"), 0);
	r->done = 446;
	r->verdicts[PV_REFUSED] = 440;
	r->verdicts[PV_VULNERABLE] = 6;
	r->seconds = 1.5;
	r->runs = 2;
}

static void test_round_trip(void **state)
{
	struct resume a, b;
	char err[RESUME_ERRMAX];

	(void)state;
	sample(&a);
	put(data, "127.0.0.1\n");
	a.inputs = calloc(1, sizeof(*a.inputs));
	a.inputs[0].path = strdup(data);
	a.ninputs = 1;
	assert_int_equal(resume_fill_file(&a.inputs[0], err), 0);
	assert_int_equal(a.inputs[0].size, 10);
	assert_int_equal(resume_write(path, &a, err), 0);
	assert_int_equal(resume_read(path, &b, err), 0);
	assert_int_equal(b.position, 596);
	assert_int_equal(b.end, 1024);
	assert_int_equal(b.random, 1);
	assert_true(b.seed == UINT64_MAX);
	assert_int_equal(b.json, 1);
	assert_string_equal(b.shard, "2/8");
	assert_string_equal(b.ports, "443,8443");
	assert_string_equal(b.output, "/tmp/out put%\n.jsonl");
	assert_int_equal(b.ntargets, 2);
	assert_string_equal(b.targets[1], "[::1]:443");
	assert_int_equal(b.nexcludes, 1);
	assert_string_equal(b.excludes[0], "10.1.0.0/16,host.example");
	assert_int_equal(b.ninputs, 1);
	assert_int_equal(b.inputs[0].size, 10);
	assert_true(b.inputs[0].hash == a.inputs[0].hash);
	assert_int_equal(b.done, 446);
	assert_int_equal(b.verdicts[PV_VULNERABLE], 6);
	assert_int_equal(b.runs, 2);
	/* The file it names is unchanged; then it changes. */
	assert_int_equal(resume_check_file(&b.inputs[0], err), 0);
	put(data, "127.0.0.2\n");
	assert_int_equal(resume_check_file(&b.inputs[0], err), -1);
	assert_non_null(strstr(err, "changed since"));
	unlink(data);
	assert_int_equal(resume_check_file(&b.inputs[0], err), -1);
	assert_non_null(strstr(err, "cannot open"));
	resume_free(&a);
	resume_free(&b);
	/* Standard input cannot be recorded. */
	{
		struct resume_file f = { strdup("-"), 0, 0 };

		assert_int_equal(resume_fill_file(&f, err), -1);
		assert_non_null(strstr(err, "standard input"));
		free(f.path);
	}
}

/* Reads text as a resume file and expects a refusal naming why. */
static void refused(const char *text, const char *why)
{
	struct resume r;
	char err[RESUME_ERRMAX] = "";

	put(path, text);
	if (resume_read(path, &r, err) != -1)
		fail_msg("accepted: %s", text);
	if (!strstr(err, why))
		fail_msg("\"%s\" lacks \"%s\"", err, why);
}

/* The sample written, then edited by fn before being read back. */
static void edited(void (*fn)(char *text), const char *why)
{
	struct resume a;
	char err[RESUME_ERRMAX], text[4096];
	FILE *f;
	size_t n;

	sample(&a);
	assert_int_equal(resume_write(path, &a, err), 0);
	resume_free(&a);
	f = fopen(path, "r");
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	fn(text);
	refused(text, why);
}

static void flip_digit(char *t) { *strstr(t, "position 596") = 'P'; }
static void more_position(char *t) { memcpy(strstr(t, "position 596"), "position 597", 12); }
static void truncate_end(char *t) { t[strlen(t) - 5] = '\0'; }
static void drop_checksum(char *t) { *strstr(t, "checksum ") = '\0'; }

static void test_refused(void **state)
{
	struct resume r;
	char err[RESUME_ERRMAX];

	(void)state;
	assert_int_equal(resume_read("/nonexistent/scan.resume", &r, err), -1);
	assert_non_null(strstr(err, "cannot open"));
	refused("", "not a heartcheck resume file");
	refused("position 1\n", "not a heartcheck resume file");
	refused("heartcheck-resume 2\nposition 1\n", "not a heartcheck resume file");
	refused("heartcheck-resume 1\nposition 1\n", "corrupt");
	/* Edited by hand: the checksum no longer matches. */
	edited(flip_digit, "corrupt");
	edited(more_position, "checksum");
	edited(truncate_end, "corrupt");
	edited(drop_checksum, "corrupt");
}

/* Fields checked one by one: bodies with a correct checksum. */
static void with_sum(const char *body, const char *why)
{
	char text[4096];
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t i;

	for (i = 0; body[i]; i++) {
		h ^= (uint8_t)body[i];
		h *= UINT64_C(0x100000001b3);
	}
	snprintf(text, sizeof(text), "%schecksum %016llx\n", body, (unsigned long long)h);
	refused(text, why);
}

static void test_fields(void **state)
{
	static const char head[] = "heartcheck-resume 1\n";
	static const char *bad[] = {
		"position 5\nend 4\ntarget 10.0.0.1\n@",
		"position 1\nend 4\n@",
		"position 1\nend 4\ntarget 10.0.0.1\n",
		"position 1\nend 4\ntarget 10.0.0.1\nverdicts 0 0 x\n",
		"position x\nend 4\ntarget 10.0.0.1\n@",
		"position 1\nend 4\ntarget 10.0.0.1\n@frobnicate 1\n",
		"position 1\nend 4\ntarget 10%G0.0.1\n@",
		"position 1\nend 4\ntarget 10.0.0.1\nrandom 2\n@",
		"position 1\nend 4\ntarget 10.0.0.1\ninput-sum 3 00\n@",
		"position 1\nend 4\ntarget 10.0.0.1\nshard 1/2\nshard 1/2\n@",
		"position 18446744073709551616\nend 4\ntarget 10.0.0.1\n@",
	};
	char body[1024], verdicts[128] = "verdicts";
	size_t i, k, o;
	int v;

	(void)state;
	/* '@' stands for a good verdicts line, of however many verdicts. */
	for (v = 0; v < PV_COUNT; v++)
		strcat(verdicts, " 0");
	strcat(verdicts, "\n");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = (size_t)snprintf(body, sizeof(body), "%s", head);
		for (k = 0; bad[i][k]; k++)
			o += (size_t)snprintf(body + o, sizeof(body) - o, bad[i][k] == '@' ?
			    "%s" : "%.1s", bad[i][k] == '@' ? verdicts : &bad[i][k]);
		with_sum(body, "corrupt");
	}
	/* The same bodies are accepted with the fields right. */
	snprintf(body, sizeof(body), "%sposition 1\nend 4\ntarget 10.0.0.1\n%s", head,
		 verdicts);
	{
		char text[2048];
		uint64_t h = UINT64_C(0xcbf29ce484222325);
		struct resume r;
		char err[RESUME_ERRMAX];

		for (k = 0; body[k]; k++) {
			h ^= (uint8_t)body[k];
			h *= UINT64_C(0x100000001b3);
		}
		snprintf(text, sizeof(text), "%schecksum %016llx\n", body,
			 (unsigned long long)h);
		put(path, text);
		assert_int_equal(resume_read(path, &r, err), 0);
		assert_int_equal(r.position, 1);
		resume_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_fields),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
