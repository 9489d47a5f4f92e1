#!/usr/bin/env bash
# heartcheck benchmark: heartcheck, nmap, sslscan and testssl.sh on the same
# field of loopback endpoints served by the fakessl fixture.
#
#   bash bench/run.sh
#
# Environment (all optional):
#   BUILD=DIR        release build to use (default: build-bench/ in the repo,
#                    configured and built here when missing)
#   RUNS=N           heartcheck repetitions per field, median reported (3)
#   SKIP_NMAP=1, SKIP_SSLSCAN=1, SKIP_TESTSSL=1   leave a tool out
#   KEEP=1           keep the work directory with every raw output
#
# Everything stays on 127.0.0.1.  Every tool runs under `timeout`, the
# fixture exits by itself after its lifetime, and the whole run takes about
# seven minutes on two cores.  The table goes to stdout and, with the machine
# and the exact commands, to bench/results.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$root/build-bench}
RUNS=${RUNS:-3}
HC_TIMEOUT_MS=2000
FIELD=1000

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: FAIL: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- set up
# The project's own packages, then what only the benchmark uses.
bash "$root/scripts/deps.sh" --test || die "could not install the build packages"
for p in time perl testssl.sh; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="${missing:-} $p"
done
if [ -n "${missing:-}" ]; then
	say "installing$missing"
	SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	# shellcheck disable=SC2086
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null ||
		die "could not install$missing"
fi
for t in nmap sslscan awk perl timeout; do
	command -v "$t" >/dev/null || die "$t is missing [hint] apt-get install -y $t"
done
[ -x /usr/bin/time ] || die "/usr/bin/time is missing [hint] apt-get install -y time"
TESTSSL=$(command -v testssl || command -v testssl.sh || true)

. "$root/bench/build.sh"
bench_build "$root" "$BUILD"
HC=$BUILD/heartcheck
FAKESSL=$BUILD/tests/fixtures/fakessl

# 1,000 probes and 2,000 listeners need descriptors: take the hard limit.
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -gt 65536 ]; then hard=65536; fi
ulimit -n "$hard"
[ "$(ulimit -n)" -ge 4096 ] || die "ulimit -n is $(ulimit -n), need 4096 [hint] raise the hard limit (ulimit -Hn) or run as root"

work=$(mktemp -d "${TMPDIR:-/tmp}/heartcheck-bench.XXXXXX")
fixture_pid=
cleanup() {
	if [ -n "$fixture_pid" ]; then kill "$fixture_pid" 2>/dev/null || true; fi
	if [ "${KEEP:-0}" = 1 ]; then say "raw outputs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# ------------------------------------------------------------- the field
# Field A has the mix of a published nmap measurement: 30 vuln,
# 30 fixed, 900 nohb, 20 silent and 20 refused.  Field B replaces the 20
# silent ones with nohb, so its wall time is not set by a timeout.  The
# ports lie below the ephemeral range, where no client socket of ours or
# of a parallel test can take them, and are checked free by binding them
# all once with the fixture itself.
eph_lo=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
span=$((2 * FIELD))
[ "$eph_lo" -gt $((1024 + span)) ] || eph_lo=65535

wait_ready() { # FILE PID: wait up to 20 s for "all-ready"
	local i
	for ((i = 0; i < 200; i++)); do
		grep -q '^all-ready' "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

base=
for ((try = 0; try < 10; try++)); do
	cand=$((10000 + (RANDOM * 32768 + RANDOM) % (eph_lo - 10000 - span)))
	"$FAKESSL" --lifetime 30 "nohb:$cand-$((cand + span - 1))" >"$work/bindtest.out" 2>"$work/bindtest.err" &
	pid=$!
	if wait_ready "$work/bindtest.out" "$pid"; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		base=$cand
		break
	fi
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
done
[ -n "$base" ] || die "no free block of $span loopback ports below $eph_lo [hint] see $work/bindtest.err"

# Consecutive ranges: vuln, fixed, nohb, silent, then the refused ports,
# where nobody listens.
declare -A lo hi
layout() { # FIELD-LETTER START NOHB SILENT
	local f=$1 p=$2
	lo[$f.vuln]=$p; hi[$f.vuln]=$((p + 29)); p=$((p + 30))
	lo[$f.fixed]=$p; hi[$f.fixed]=$((p + 29)); p=$((p + 30))
	lo[$f.nohb]=$p; hi[$f.nohb]=$((p + $3 - 1)); p=$((p + $3))
	if [ "$4" -gt 0 ]; then lo[$f.silent]=$p; hi[$f.silent]=$((p + $4 - 1)); p=$((p + $4)); fi
	lo[$f.refused]=$p; hi[$f.refused]=$((p + 19))
}
layout A "$base" 900 20
layout B $((base + FIELD)) 920 0

specs=()
for f in A B; do
	for m in vuln fixed nohb silent; do
		[ -n "${lo[$f.$m]:-}" ] && specs+=("$m:${lo[$f.$m]}-${hi[$f.$m]}")
	done
done
seq -f '127.0.0.1:%g' "$base" $((base + FIELD - 1)) >"$work/targets-A.txt"
seq -f '127.0.0.1:%g' $((base + FIELD)) $((base + span - 1)) >"$work/targets-B.txt"

fixture_cmd=("$FAKESSL" --lifetime 900 "${specs[@]}")
"${fixture_cmd[@]}" >"$work/fixture.out" 2>"$work/fixture.err" &
fixture_pid=$!
wait_ready "$work/fixture.out" "$fixture_pid" || die "the fixture did not start [hint] see $work/fixture.err"
[ "$(grep -c '^ready ' "$work/fixture.out")" -eq $((span - 40)) ] ||
	die "the fixture opened $(grep -c '^ready ' "$work/fixture.out") listeners, expected $((span - 40))"
say "field A: ports $base-$((base + FIELD - 1)), field B: ports $((base + FIELD))-$((base + span - 1))"

# An awk program that maps a port to its group, for fast scoring.
group_awk() { # FIELD
	local m s=""
	for m in vuln fixed nohb silent refused; do
		[ -n "${lo[$1.$m]:-}" ] && s+="if (p >= ${lo[$1.$m]} && p <= ${hi[$1.$m]}) return \"$m\"; "
	done
	printf 'function grp(p) { %s return "none" }\n' "$s"
}

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# -------------------------------------------------------------- heartcheck
# Each line is stamped with the time it arrived, since results stream in
# completion order; the last non-silent result is when the field minus its
# silent endpoints was fully classified.
hc_run() { # FIELD RUN
	local f=$1 r=$2 out=$work/hc-$1-$2
	set +e
	timeout 120 /usr/bin/time -f '%e %U %S %M' -o "$out.time" \
		"$HC" scan --json --timeout "$HC_TIMEOUT_MS" -iL "$work/targets-$f.txt" 2>"$out.err" |
		perl -MTime::HiRes=time -ne 'BEGIN { $| = 1 } printf "%.6f %s", time, $_' >"$out.jsonl"
	set -e
	grep -q '"type":"summary"' "$out.jsonl" || die "heartcheck run $f/$r ended without a summary [hint] see $out.err"
	# One line of figures: wall user sys rss_kb peak_in_flight t_nonsilent
	# then the per-group verdict counts.
	awk -v tf="$(tail -n 1 "$out.time")" "$(group_awk "$f")"'
		function field(s, k,   m) {
			if (match(s, "\"" k "\":[^,}]*")) { m = substr(s, RSTART + length(k) + 3, RLENGTH - length(k) - 3); gsub(/"/, "", m); return m }
			return ""
		}
		/"type":"scan"/ {
			g = grp(field($0, "port") + 0); v = field($0, "verdict")
			n[g " " v]++
			if (g != "silent" && $1 > last) last = $1
		}
		/"type":"summary"/ { pif = field($0, "peak_in_flight"); end = $1 }
		END {
			split(tf, t, " ")
			# The summary is written just before exit, so the wall time minus
			# the gap from the last non-silent result to the summary is when
			# that result came.  This does not depend on when the stamper
			# itself started.
			ns = t[1] - (end - last); if (ns < 0) ns = 0
			printf "%s %s %s %s %s %.3f", t[1], t[2], t[3], t[4], pif, ns
			printf " vuln=%d fixed=%d nohb=%d silent=%d refused=%d", n["vuln vulnerable"], n["fixed patched"], n["nohb no-heartbeat"], n["silent timeout"], n["refused refused"]
			wrong = 0
			for (k in n) if (k !~ /^(vuln vulnerable|fixed patched|nohb no-heartbeat|silent timeout|refused refused)$/) { printf " WRONG[%s]=%d", k, n[k]; wrong += n[k] }
			printf " wrong=%d\n", wrong
		}' "$out.jsonl"
}

# Baseline: the resident size of a scan of one endpoint, so memory per
# in-flight probe excludes the binary, libuv and the allocator's arenas.
one=$(awk '$1 == "ready" && $2 == "nohb" {print $3; exit}' "$work/fixture.out")
base_rss=()
for ((r = 1; r <= RUNS; r++)); do
	timeout 30 /usr/bin/time -f '%M' -o "$work/base.time" "$HC" scan --json --timeout "$HC_TIMEOUT_MS" "127.0.0.1:$one" >/dev/null 2>&1 || true
	base_rss+=("$(tail -n 1 "$work/base.time")")
done
BASE_KB=$(printf '%s\n' "${base_rss[@]}" | median)
say "heartcheck baseline RSS (1 endpoint): $BASE_KB KB"

declare -A HCROW HCOK HCVULN HCLAST
for f in A B; do
	: >"$work/hc-$f.runs"
	for ((r = 1; r <= RUNS; r++)); do
		hc_run "$f" "$r" >>"$work/hc-$f.runs"
		say "heartcheck field $f run $r: $(tail -n 1 "$work/hc-$f.runs")"
	done
	# Median of each figure across runs: wall, cpu, rss, in-flight, t_nonsilent.
	med() { awk -v c="$1" '{print $c}' "$work/hc-$f.runs" | median; }
	cpu_med=$(awk '{print $2 + $3}' "$work/hc-$f.runs" | median)
	HCROW[$f]="$(med 1) $cpu_med $(med 4) $(med 5) $(med 6)"
	# Correctness must hold in every run, not just in the median one.
	HCOK[$f]=$(awk '{w += substr($NF, 7)} END {print w + 0}' "$work/hc-$f.runs")
	HCVULN[$f]=$(awk '{for (i = 7; i <= NF; i++) if ($i ~ /^vuln=/) print substr($i, 6)}' "$work/hc-$f.runs" | sort -n | head -n 1)
	HCLAST[$f]=$(tail -n 1 "$work/hc-$f.runs" | cut -d' ' -f7-)
done

# ------------------------------------------------- nmap, sslscan, testssl
# These three spend nearly all their time waiting on timeouts, so they run
# side by side: nmap on field A, nmap on field B, and the sequential
# samples of sslscan and testssl.sh.  Each one's CPU and memory come from
# its own rusage, so running them together changes only their wall times,
# and only a little.  heartcheck ran alone, before them.
NMAP_LIMIT=${NMAP_LIMIT:-480}

# -Pn: the host is up, skip discovery; -n: no DNS; -T4: nmap's "aggressive"
# timing, the usual choice on a fast network; one host, many ports.
nmap_ports() { # FIELD: the listened and refused ports, as ranges
	local f=$1 m s=""
	for m in vuln fixed nohb silent refused; do
		[ -n "${lo[$f.$m]:-}" ] && s+="${lo[$f.$m]}-${hi[$f.$m]},"
	done
	echo "${s%,}"
}
nmap_field() { # FIELD
	local out=$work/nmap-$1
	timeout "$NMAP_LIMIT" /usr/bin/time -f '%e %U %S %M' -o "$out.time" \
		nmap -Pn -n -T4 -p "$(nmap_ports "$1")" --script ssl-heartbleed 127.0.0.1 >"$out.txt" 2>"$out.err" || true
}

# sslscan and testssl.sh take one target at a time: a sample of field A,
# sequentially, extrapolated to the field's mix.
SS_SAMPLE=${SS_SAMPLE:-"nohb:10 vuln:5 fixed:5 silent:1 refused:1"}
TS_SAMPLE=${TS_SAMPLE:-"nohb:1 vuln:1 fixed:1"}
sample_ports() { # FIELD GROUP COUNT
	seq "${lo[$1.$2]}" $((${lo[$1.$2]} + $3 - 1))
}
sample_tool() { # NAME SAMPLE LIMIT COMMAND...: appends "group port wall user sys rss verdict"
	local name=$1 sample=$2 limit=$3 gc g c p v f
	shift 3
	: >"$work/$name.rows"
	for gc in $sample; do
		g=${gc%%:*} c=${gc##*:}
		for p in $(sample_ports A "$g" "$c"); do
			f=$work/$name-$p
			timeout "$limit" /usr/bin/time -f '%e %U %S %M' -o "$f.time" \
				"$@" "127.0.0.1:$p" >"$f.txt" 2>&1 || true
			# sslscan prints one line per version, testssl.sh one line.
			v=no-verdict
			grep -Eqi 'not vulnerable( to heartbleed| \(OK\))' "$f.txt" && v=not-vulnerable
			grep -Eq '^(SSLv3|TLSv1\.[0-3]) +vulnerable to heartbleed|Heartbleed.*VULNERABLE' "$f.txt" && v=vulnerable
			echo "$g $p $(tail -n 1 "$f.time") $v" >>"$work/$name.rows"
		done
	done
}

jobs_pids=()
if [ "${SKIP_NMAP:-0}" != 1 ]; then
	for f in A B; do
		nmap_field "$f" &
		jobs_pids+=($!)
	done
fi
(
	[ "${SKIP_SSLSCAN:-0}" = 1 ] || sample_tool sslscan "$SS_SAMPLE" 90 sslscan --no-colour
	[ "${SKIP_TESTSSL:-0}" = 1 ] || [ -z "$TESTSSL" ] ||
		sample_tool testssl "$TS_SAMPLE" 120 "$TESTSSL" --quiet --color 0 --warnings off -H
) &
jobs_pids+=($!)
say "nmap (up to $NMAP_LIMIT s), sslscan and testssl.sh are running side by side"
for pid in "${jobs_pids[@]}"; do wait "$pid" || true; done

declare -A NMROW NMVULN NMLINE
for f in A B; do
	out=$work/nmap-$f
	[ -f "$out.txt" ] || continue
	# Score per port: a port line opens a block, "State: VULNERABLE" marks it.
	NMLINE[$f]=$(awk "$(group_awk "$f")"'
		/^[0-9]+\/tcp/ { split($1, a, "/"); port = a[1] + 0; state[port] = $2 }
		/State: VULNERABLE/ { vul[port] = 1 }
		/^Not shown:/ { hidden = $0 }
		END {
			for (p in state) st[grp(p) " " state[p]]++
			for (p in vul) { g = grp(p); if (g == "vuln") good++; else bad++ }
			printf "vulnerable: %d/30 of vuln, %d elsewhere;", good, bad
			for (k in st) printf " %s=%d", k, st[k]
			printf "; %s\n", hidden
		}' "$out.txt")
	NMVULN[$f]=$(grep -c 'State: VULNERABLE' "$out.txt" || true)
	# A run cut short by the limit leaves no figures: time was killed too.
	NMROW[$f]=$(tail -n 1 "$out.time" 2>/dev/null | awk 'NF == 4 && $1 ~ /^[0-9.]+$/')
	say "nmap field $f: ${NMROW[$f]:-killed at $NMAP_LIMIT s} | ${NMLINE[$f]}"
done

# ------------------------------------------------------------------ table
# Field A mix, for extrapolating a per-endpoint sample to 1,000.
declare -A MIX=([nohb]=900 [vuln]=30 [fixed]=30 [silent]=20 [refused]=20)

table=$work/table.md
{
	echo '| tool | endpoints | wall s | non-silent classified by | endpoints/s (all / non-silent) | CPU µs/probe | peak RSS MB | bytes/in-flight probe | vulnerable found |'
	echo '|---|---|---|---|---|---|---|---|---|'
	for f in A B; do
		read -r wall cpu rss pif tns <<<"${HCROW[$f]}"
		if [ "$f" = A ]; then ns=$((FIELD - 20)) label="field A (20 silent)"; else ns=$FIELD label="field B (no silent)"; fi
		awk -v l="$label" -v n="$FIELD" -v ns="$ns" -v w="$wall" -v c="$cpu" -v r="$rss" -v b="$BASE_KB" \
			-v p="$pif" -v t="$tns" -v v="${HCVULN[$f]}" -v runs="$RUNS" 'BEGIN {
			printf "| heartcheck, %s, median of %d | %d | %.2f | %.2f s | %.0f / %.0f | %.0f | %.1f | %.0f (peak %d in flight) | %d/30 |\n",
				l, runs, n, w, t, n / w, ns / t, c / n * 1e6, r / 1024, (r - b) * 1024 / p, p, v }'
	done
	for f in A B; do
		[ -n "${NMLINE[$f]:-}" ] || continue
		if [ "$f" = A ]; then label="field A (20 silent)"; else label="field B (no silent)"; fi
		if [ -z "${NMROW[$f]:-}" ]; then
			echo "| nmap -T4 ssl-heartbleed, $label | $FIELD | > $NMAP_LIMIT (killed at the limit, no output) | - | < $((FIELD / NMAP_LIMIT + 1)) / - | - | - | n/a | - |"
			continue
		fi
		read -r wall u s rss <<<"${NMROW[$f]}"
		awk -v l="$label" -v n="$FIELD" -v w="$wall" -v c="$(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}')" \
			-v r="$rss" -v v="${NMVULN[$f]}" -v f="$f" 'BEGIN {
			ns = (f == "B") ? sprintf("%.2f s (= wall)", w) : "not reported per port"
			nsr = (f == "B") ? sprintf("%.0f", n / w) : "-"
			printf "| nmap -T4 ssl-heartbleed, %s | %d | %.2f | %s | %.1f / %s | %.0f | %.1f | n/a | %d/30 |\n",
				l, n, w, ns, n / w, nsr, c / n * 1e6, r / 1024, v }'
	done
	for tool in sslscan testssl; do
		rows=$work/$tool.rows
		[ -s "$rows" ] || continue
		[ "$tool" = sslscan ] && name="sslscan (sample, sequential)" || name="testssl.sh -H (sample, sequential)"
		awk -v name="$name" -v mix="$(for k in "${!MIX[@]}"; do printf '%s=%s ' "$k" "${MIX[$k]}"; done)" '
			BEGIN { n = split(mix, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], a, "="); want[a[1]] = a[2] } }
			{ g = $1; cnt[g]++; wall[g] += $3; tot += $3; cpu += $4 + $5; if ($6 > rss) rss = $6
			  if ($7 == "vulnerable" && g == "vuln") vf++; if (g == "vuln") nv++; seen++
			  if (g != "silent") nstot += $3 }
			END {
				for (g in want) if (cnt[g]) { ext += want[g] * wall[g] / cnt[g]; covered += want[g] }
				extra = (covered < 1000) ? sprintf(" (%d endpoints of unsampled kinds counted at the sample mean)", 1000 - covered) : ""
				if (covered < 1000) ext += (1000 - covered) * tot / seen
				printf "| %s | %d | %.2f (sample); extrapolated to 1,000: %.0f%s | extrapolated: %.0f s | %.2f / - (extrapolated: %.2f) | %.0f | %.1f | n/a (1 at a time) | %d/%d of the sample |\n",
					name, seen, tot, ext, extra, ext - ((cnt["silent"]) ? want["silent"] * wall["silent"] / cnt["silent"] : 0),
					seen / tot, 1000 / ext, cpu / seen * 1e6, rss / 1024, vf, nv }' "$rows"
	done
} >"$table"

# -------------------------------------------------------------- report
machine="$(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
{
	echo '# heartcheck benchmark results'
	echo
	echo "Machine: $machine. Client and fixture share the machine and talk over loopback."
	echo
	echo "heartcheck ran alone; nmap (both fields), sslscan and testssl.sh then ran side by side (see README.md)."
	echo
	cat "$table"
	echo
	echo '## Correctness, per endpoint group'
	echo
	for f in A B; do
		echo "- heartcheck field $f, every run: ${HCOK[$f]} wrong verdicts in total; last run: ${HCLAST[$f]}"
	done
	for f in A B; do
		[ -n "${NMLINE[$f]:-}" ] && echo "- nmap field $f: ${NMLINE[$f]}"
	done
	for tool in sslscan testssl; do
		[ -s "$work/$tool.rows" ] || continue
		echo "- $tool, per endpoint (group port wall user sys rssKB verdict):"
		echo
		echo '```'
		cat "$work/$tool.rows"
		echo '```'
	done
	[ -n "$TESTSSL" ] || echo "- testssl.sh: not installed, left out (Debian package: testssl.sh)."
	echo
	echo '## Commands'
	echo
	echo 'Paths shortened: `heartcheck` and `fakessl` are the release-build binaries.'
	echo
	echo '```'
	echo "fakessl --lifetime 900 ${specs[*]}"
	echo "heartcheck scan --json --timeout $HC_TIMEOUT_MS -iL targets-A.txt   # 127.0.0.1:$base .. 127.0.0.1:$((base + FIELD - 1)), $RUNS runs"
	echo "heartcheck scan --json --timeout $HC_TIMEOUT_MS -iL targets-B.txt   # 127.0.0.1:$((base + FIELD)) .. 127.0.0.1:$((base + span - 1)), $RUNS runs"
	echo "heartcheck scan --json --timeout $HC_TIMEOUT_MS 127.0.0.1:$one   # baseline RSS, $RUNS runs"
	for f in A B; do
		echo "nmap -Pn -n -T4 -p $(nmap_ports "$f") --script ssl-heartbleed 127.0.0.1"
	done
	echo "sslscan --no-colour 127.0.0.1:PORT   # one at a time: $SS_SAMPLE of field A"
	echo "testssl --quiet --color 0 --warnings off -H 127.0.0.1:PORT   # one at a time: $TS_SAMPLE of field A"
	echo '```'
	echo
	echo 'Each is run under `/usr/bin/time -f "%e %U %S %M"` (wall, user, system, peak RSS in KB).'
} >"$work/results.md"

cp "$work/results.md" "$root/bench/results.md"
cat "$table"
say "written: bench/results.md"
