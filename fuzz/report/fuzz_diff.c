/*
 * libFuzzer target for the JSON Lines reader, the diff engine and the HTML
 * report: the input is two runs' lines, split at the first "\n--\n" (or in
 * half).  Every entry must be classified consistently with its two states,
 * the counts must add up, and the page must hold no markup but the
 * writer's own: each '<' starts one of its tags.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/diff.h"
#include "report/html.h"
#include "report/jsonl_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct both {
	struct html_report *r;
	struct diff *d;
	int side;
};

static void on_result(void *ctx, const struct jsonl_item *it)
{
	struct both *b = ctx;

	(void)diff_add(b->d, b->side, it);
	if (b->side == 1)
		(void)html_report_add(b->r, it);
}

static void on_error(void *ctx, int code, const char *msg)
{
	struct both *b = ctx;

	(void)code;
	if (strlen(msg) == 0)
		abort();
	diff_bad_line(b->d, b->side);
}

static void read_side(struct both *b, int side, const uint8_t *p, size_t n)
{
	struct jsonl_cb cb = { on_result, on_error, b };
	FILE *f;

	if (n == 0)
		return;
	if ((f = fmemopen((void *)p, n, "r")) == NULL)
		return;
	b->side = side;
	(void)jsonl_read(f, side ? "new" : "old", &cb, NULL);
	fclose(f);
}

static void check_tags(const char *page)
{
	static const char names[] = " !DOCTYPE html head meta title style "
	    "body h1 h2 p div b code svg text rect table thead tbody tr th td "
	    "caption small br pre ul li input label span ";
	const char *p = page;
	char name[16];
	size_t n;

	while ((p = strchr(p, '<')) != NULL) {
		p++;
		if (*p == '/')
			p++;
		for (n = 0; n + 3 < sizeof(name) && (p[n] == '!' ||
		    (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' &&
		    p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9')); n++)
			name[n + 1] = p[n];
		name[0] = ' ';
		name[n + 1] = ' ';
		name[n + 2] = '\0';
		if (n == 0 || (p[n] != ' ' && p[n] != '>') ||
		    !strstr(names, name))
			abort();
	}
}

static int expected(const struct diff_entry *e)
{
	enum diff_state o = e->old.state, n = e->new.state;

	if (n == DIFF_S_BAD)
		return o == DIFF_S_BAD ? DIFF_STILL_VULNERABLE :
		    DIFF_NEWLY_VULNERABLE;
	if (n == DIFF_S_ABSENT)
		return o == DIFF_S_BAD && e->kind != DIFF_K_SCAN &&
		    e->kind != DIFF_K_LISTENER ? DIFF_FIXED : DIFF_GONE;
	if (o == DIFF_S_ABSENT)
		return DIFF_NEW;
	if (n == DIFF_S_UNTESTED)
		return o == DIFF_S_UNTESTED ? DIFF_UNCHANGED :
		    DIFF_NEWLY_UNTESTED;
	return o == DIFF_S_BAD ? DIFF_FIXED : o == DIFF_S_UNTESTED ?
	    DIFF_NOW_TESTED : DIFF_UNCHANGED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diff d;
	struct both b;
	const uint8_t *sep = memmem(data, size, "\n--\n", 4);
	size_t cut = sep ? (size_t)(sep - data) + 1 : size / 2, i;
	unsigned long sum = 0;
	char *page = NULL, line[512], label[256];
	size_t len = 0;
	FILE *f;
	int x;

	diff_init(&d);
	b.d = &d;
	b.r = html_report_new();
	if (!b.r)
		return 0;
	read_side(&b, 0, data, cut);
	read_side(&b, 1, data + cut + (sep ? 3 : 0), size - cut - (sep ? 3 :
	    0));
	if (diff_finish(&d) == 0) {
		for (i = 0; i < d.n; i++) {
			const struct diff_entry *e = &d.e[i];

			if (e->old.state == DIFF_S_ABSENT &&
			    e->new.state == DIFF_S_ABSENT)
				abort();
			if ((int)e->cls != expected(e))
				abort();
			if (i && e->cls < d.e[i - 1].cls)
				abort();        /* worst first */
			(void)diff_label(e, label, sizeof(label));
		}
		for (i = 0; i < DIFF_NCLASS; i++)
			sum += d.counts[i];
		if (sum != d.n)
			abort();
		x = diff_exit_code(&d);
		if (x != 0 && x != 1 && x != 3)
			abort();
		diff_summary_line(&d, line, sizeof(line));
		if ((f = open_memstream(&page, &len)) != NULL) {
			(void)html_report_write(f, b.r, "t", &d, 1);
			fclose(f);
			if (page)
				check_tags(page);
			free(page);
		}
	}
	diff_free(&d);
	html_report_free(b.r);
	return 0;
}
