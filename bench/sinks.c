/*
 * Sink throughput: 100000 endpoint results (10% vulnerable, 60% patched,
 * 30% refused) through each format that heartcheck scan offers, written
 * by the real asynchronous writer to a file, then the summary.  Prints one
 * line per format: results per second and bytes written.
 *
 *   build/tests/unit/report/bench-sinks [N] [DIR]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report/out.h"
#include "report/sink.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "vulnerable", "patched",
		"refused" };
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	uint64_t counts[3] = { 0 };
	size_t i;

	for (i = 0; sink_table[i]; i++) {
		const struct sink_ops *ops = sink_table[i];
		struct res_scan_summary ss = { 0 };
		struct out out;
		struct sink s;
		struct stat st;
		char path[4096], target[64], ip[32];
		unsigned long k;
		double t0, t;
		FILE *f;

		if (!(ops->commands & SINK_SCAN))
			continue;
		snprintf(path, sizeof(path), "%s/bench-sink-%d.out", dir,
		    (int)getpid());
		if (!(f = fopen(path, "w"))) {
			perror(path);
			return 1;
		}
		t0 = now();
		out_init(&out, f, 1, 0);
		if (sink_open(&s, ops, &out, 0) != 0)
			return 1;
		for (k = 0; k < n; k++) {
			int v = k % 10 == 0 ? 0 : k % 10 < 7 ? 1 : 2;
			struct res_endpoint e = {
				.target = target, .ip = ip, .port = 443,
				.verdict = names[v],
				.grade = v == 0 ? RES_BAD :
				    v == 1	? RES_GOOD :
						  RES_UNSURE,
				.vulnerable = v == 0,
				.reason = v == 2 ? "connection refused" :
						   "heartbeat answered as "
						   "the verdict says",
				.version = v == 2 ? NULL : "TLSv1.2",
				.heartbeat_ext = v != 2, .alert = -1,
				.attempts = 1, .strategy = "flight",
				.bytes_sent = 459, .bytes_received = 1327,
				.elapsed_ms = 4.2,
			};

			snprintf(ip, sizeof(ip), "10.%lu.%lu.%lu",
			    (k >> 16) & 255, (k >> 8) & 255, k & 255);
			snprintf(target, sizeof(target), "%s:443", ip);
			counts[v]++;
			sink_endpoint(&s, &e);
		}
		ss.endpoints = n;
		ss.nverdicts = 3;
		ss.verdict_names = names;
		ss.verdict_counts = counts;
		sink_scan_summary(&s, &ss);
		sink_close(&s);
		if (out_close(&out) != 0)
			return 1;
		t = now() - t0;
		fclose(f);
		if (stat(path, &st) != 0)
			return 1;
		unlink(path);
		printf("%-10s %lu results in %.3f s: %.0f results/s, %lld "
		       "bytes (%.0f bytes/result)\n",
		    ops->name, n, t, (double)n / t, (long long)st.st_size,
		    (double)st.st_size / (double)n);
		counts[0] = counts[1] = counts[2] = 0;
	}
	return 0;
}
