#!/usr/bin/env bash
# Per server program: how long a verdict takes and how many bytes cross the
# wire, for heartcheck and for nmap's ssl-heartbleed, on the same loopback
# endpoints of the fakessl fixture (docs/probe.md §4 describes the
# programs).
#
#   bash bench/programs.sh
#
# Environment (all optional):
#   BUILD=DIR   release build to use (default build-bench/, built when missing)
#   RUNS=N      heartcheck runs per endpoint, median reported (default 5)
#   SKIP_NMAP=1 leave nmap out
#
# Everything stays on 127.0.0.1, every tool runs under `timeout`, and the
# fixture exits by itself.  The table goes to stdout and to
# bench/programs.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$root/build-bench}
RUNS=${RUNS:-5}
SLOW_MS=1000

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: FAIL: %s\n' "$*" >&2; exit 1; }

bash "$root/scripts/deps.sh" --test || die "could not install the build packages"
. "$root/bench/build.sh"
bench_build "$root" "$BUILD"
HC=$BUILD/heartcheck
FAKESSL=$BUILD/tests/fixtures/fakessl
[ "${SKIP_NMAP:-0}" = 1 ] || command -v nmap >/dev/null ||
	die "nmap is missing [hint] apt-get install -y nmap, or SKIP_NMAP=1"

work=$(mktemp -d "${TMPDIR:-/tmp}/heartcheck-bench.XXXXXX")
fixture_pid=
cleanup() {
	[ -z "$fixture_pid" ] || kill "$fixture_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

progs=(classic edge giveup slow limited)
libs=(vuln fixed nohb)
specs=()
for p in "${progs[@]}"; do
	for l in "${libs[@]}"; do
		extra=
		[ "$p" = slow ] && extra=",slow_ms=$SLOW_MS"
		specs+=("$l:0,prog=$p$extra")
	done
done
"$FAKESSL" --lifetime 1800 --stats "$work/stats" "${specs[@]}" >"$work/ready" 2>"$work/fixture.err" &
fixture_pid=$!
for ((i = 0; i < 200; i++)); do
	grep -q '^all-ready' "$work/ready" 2>/dev/null && break
	kill -0 "$fixture_pid" 2>/dev/null || die "the fixture did not start [hint] see $work/fixture.err"
	sleep 0.1
done
mapfile -t ports < <(awk '$1 == "ready" {print $3}' "$work/ready")
[ "${#ports[@]}" -eq "${#specs[@]}" ] || die "expected ${#specs[@]} listeners"

# Bytes the fixture counted for PORT since the stats file had LINES lines.
bytes_since() { # PORT LINES -> "rx tx conns"
	tail -n +"$(($2 + 1))" "$work/stats" |
		awk -v p="$1" '$1 == "conn" && $2 == p {rx += $3; tx += $4; n++} END {printf "%d %d %d\n", rx, tx, n}'
}
lines() { wc -l <"$work/stats" 2>/dev/null || echo 0; }

rows=()
i=0
for p in "${progs[@]}"; do
	for l in "${libs[@]}"; do
		port=${ports[$i]}; i=$((i + 1))
		# heartcheck: the engine's own elapsed_ms, median of RUNS.
		ms=(); v=; strat=; sent=; recv=; conns=
		for ((r = 0; r < RUNS; r++)); do
			out=$(timeout 60 "$HC" scan --json --timeout 8000 "127.0.0.1:$port" | head -n 1 || true)
			ms+=("$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["elapsed_ms"])' "$out")")
			# heartcheck counts its own bytes; they are the same each run.
			read -r v strat sent recv conns < <(python3 -c 'import json,sys; o=json.loads(sys.argv[1]); print(o["verdict"], o["strategy"], o["bytes_sent"], o["bytes_received"], o["attempts"])' "$out")
		done
		hc_ms=$(printf '%s\n' "${ms[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
		row="| $p | $l | $v ($strat) | $hc_ms | $sent / $recv | $conns"
		if [ "${SKIP_NMAP:-0}" = 1 ]; then
			row+=" | - | - | - |"
		else
			# Let the slow program finish with heartcheck's last
			# connection, so its bytes are not counted as nmap's.
			[ "$p" = slow ] && sleep 2.5
			before=$(lines)
			t0=$(date +%s%N)
			nout=$(timeout 120 nmap -Pn -n -p "$port" --script ssl-heartbleed 127.0.0.1 2>&1 || true)
			nms=$(( ($(date +%s%N) - t0) / 1000000 ))
			sleep 0.05
			read -r nrx ntx nconns < <(bytes_since "$port" "$before")
			if grep -q 'State: VULNERABLE' <<<"$nout"; then nv=vulnerable; else nv="not vulnerable"; fi
			row+=" | $nv | $nms | $nrx / $ntx |"
		fi
		say "$row"
		rows+=("$row")
	done
done

{
	echo "# Verdict latency and bytes per server program"
	echo
	echo "Measured by \`bench/programs.sh\` on $(date -u +%Y-%m-%d), $(nproc) CPUs, loopback, fixture program modes as in docs/probe.md §4 (slow: ${SLOW_MS} ms per heartbeat). heartcheck: the median of $RUNS runs of its own \`elapsed_ms\`, and its own byte counts (\`bytes_sent\`, \`bytes_received\`: TCP payload over every connection). nmap: \`nmap -Pn -n -p PORT --script ssl-heartbleed\`, wall time of the whole command (its start-up included); its bytes are TCP payload counted by the fixture."
	echo
	echo "| program | library | heartcheck verdict (strategy) | heartcheck ms | heartcheck bytes sent / received | connections | nmap verdict | nmap ms | nmap bytes sent / received |"
	echo "|---|---|---|---|---|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
} | tee "$root/bench/programs.md"
