#!/usr/bin/env bash
# heartcheck scaling benchmark: endpoints/s, CPU and peak RSS as the target
# space grows from 1,024 endpoints to the whole of 127.0.0.0/8 (16,777,216),
# against closed loopback ports, which the kernel refuses at once; then, on
# a smaller field, side by side with nmap --script ssl-heartbleed and
# masscan --heartbleed.
#
#   bash bench/scale.sh
#
# Environment (all optional):
#   BUILD=DIR     build to use (default: build-bench/, release, built here)
#   BIG_LIMIT=S   seconds the 1M and 16M scans may run before SIGINT stops
#                 them (default 90); a stopped scan reports its rate over
#                 the part it did, and its RSS, which is the point here
#   SKIP_PEERS=1  heartcheck alone
#   KEEP=1        keep the work directory
#
# Traffic stays on 127.0.0.0/8.  Every command runs under `timeout`, the
# fixture exits by itself, and the run takes about seven minutes on two
# cores.  The table goes to stdout and to bench/scale.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$root/build-bench}
BIG_LIMIT=${BIG_LIMIT:-90}
CLOSED=1   # a port below 1024 that nothing listens on (checked below)

say() { printf 'scale: %s\n' "$*" >&2; }
die() { printf 'scale: FAIL: %s\n' "$*" >&2; exit 1; }

bash "$root/scripts/deps.sh" --test || die "could not install the build packages"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing [hint] apt-get install -y time"
. "$root/bench/build.sh"
bench_build "$root" "$BUILD"
HC=$BUILD/heartcheck
FAKESSL=$BUILD/tests/fixtures/fakessl
if ss -ltnH | awk '{print $4}' | grep -qE ":$CLOSED\$"; then
	die "something listens on port $CLOSED [hint] stop it or edit CLOSED"
fi
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -gt 65536 ]; then hard=65536; fi
ulimit -n "$hard"

work=$(mktemp -d "${TMPDIR:-/tmp}/heartcheck-scale.XXXXXX")
fixture_pid=
cleanup() {
	if [ -n "$fixture_pid" ]; then kill "$fixture_pid" 2>/dev/null || true; fi
	if [ "${KEEP:-0}" = 1 ]; then say "raw outputs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# run NAME LIMIT CMD...: wall, user, sys, max RSS (KiB) into $work/NAME.time;
# after LIMIT seconds the command gets SIGINT (heartcheck stops gracefully).
run() {
	local name=$1 limit=$2
	shift 2
	/usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" \
		timeout -s INT -k 30 "$limit" "$@" >"$work/$name.out" 2>"$work/$name.err" || true
}
# Endpoints reported in a JSON Lines output.
results() { grep -c '"type":"scan"' "$1" || true; }

rows=()
row() { rows+=("$*"); printf '%s\n' "$*"; }

# ------------------------------------------------- heartcheck alone
say "heartcheck alone on 127.0.0.0/8:$CLOSED (closed: refused at once)"
row "| targets | endpoints done | wall s | endpoints/s | CPU µs per endpoint | peak RSS | stopped |"
row "|---|---|---|---|---|---|---|"
for spec in 127.0.0.0/22 127.0.0.0/16 127.0.0.0/12 127.0.0.0/8; do
	case $spec in
		*/22) n=1024 limit=120 ;;
		*/16) n=65536 limit=300 ;;
		*/12) n=1048576 limit=$BIG_LIMIT ;;
		*/8) n=16777216 limit=$BIG_LIMIT ;;
	esac
	say "  $spec ($n endpoints, at most $limit s)"
	run "hc-$n" "$limit" "$HC" scan --json -p $CLOSED -c 1000 -t 2000 "$spec"
	read -r wall usr sys rss < <(tail -n 1 "$work/hc-$n.time")
	done_n=$(results "$work/hc-$n.out")
	stopped=no
	[ "$done_n" -lt "$n" ] && stopped="yes, after ${limit} s (SIGINT)"
	row "| $n ($spec) | $done_n | $wall | $(awk -v d="$done_n" -v w="$wall" 'BEGIN{printf "%.0f", d / w}') | $(awk -v d="$done_n" -v u="$usr" -v s="$sys" 'BEGIN{printf "%.0f", (u + s) * 1e6 / d}') | $((rss / 1024)).$((rss % 1024 * 10 / 1024)) MiB | $stopped |"
done

# Streaming a million names (not scanned: a reserved target stops the run
# after the file is read).  No name may be looked up: the binary must
# refuse the reserved target first, and where a network namespace can be
# made the step runs in one with no network at all.
"$HC" scan 224.0.0.1 >/dev/null 2>&1 && rc=0 || rc=$?
[ "$rc" = 2 ] || die "heartcheck did not refuse a reserved target (exit $rc): the names step would look names up"
nonet=()
if unshare -n true 2>/dev/null; then nonet=(unshare -n); fi
seq -f 'host%.0f.invalid' 1 1000000 >"$work/names.txt"
run names 120 "${nonet[@]}" "$HC" scan -iL "$work/names.txt" 224.0.0.1
read -r wall usr sys rss < <(tail -n 1 "$work/names.time")
row ""
row "Reading 1,000,000 host names with -iL (streamed): $wall s, peak RSS $((rss / 1024)) MiB."

# ---------------------------------------------------------------- peers
if [ "${SKIP_PEERS:-0}" != 1 ]; then
	row ""
	row "| tool | field | wall s | endpoints/s | CPU s | peak RSS | verdicts |"
	row "|---|---|---|---|---|---|---|"
	# Field 1: 4,096 closed endpoints.  Field 2: 100 TLS endpoints of the
	# fixture, 10 vulnerable and 90 without heartbeat.
	"$FAKESSL" --lifetime 600 vuln:0,n=10 nohb:0,n=90 >"$work/fx" 2>"$work/fx.err" &
	fixture_pid=$!
	for i in $(seq 1 200); do grep -q all-ready "$work/fx" && break; sleep 0.1; done
	grep -q all-ready "$work/fx" || die "the fixture did not start"
	awk '/^ready/{print "127.0.0.1:" $3}' "$work/fx" >"$work/tls.txt"
	vulnports=$(awk '/^ready vuln/{print $3}' "$work/fx" | paste -sd, -)
	tlsports=$(awk '/^ready/{print $3}' "$work/fx" | paste -sd, -)

	run hc-closed 120 "$HC" scan --json -p $CLOSED 127.1.0.0/20
	read -r wall usr sys rss < <(tail -n 1 "$work/hc-closed.time")
	row "| heartcheck | 4,096 closed | $wall | $(awk -v w="$wall" 'BEGIN{printf "%.0f", 4096 / w}') | $(awk -v u="$usr" -v s="$sys" 'BEGIN{print u + s}') | $((rss / 1024)) MiB | $(results "$work/hc-closed.out") refused |"
	run hc-tls 120 "$HC" scan --json -t 3000 -iL "$work/tls.txt"
	read -r wall usr sys rss < <(tail -n 1 "$work/hc-tls.time")
	row "| heartcheck | 100 TLS | $wall | $(awk -v w="$wall" 'BEGIN{printf "%.0f", 100 / w}') | $(awk -v u="$usr" -v s="$sys" 'BEGIN{print u + s}') | $((rss / 1024)) MiB | $(grep -c '"verdict":"vulnerable"' "$work/hc-tls.out") of 10 vulnerable found |"

	if command -v nmap >/dev/null; then
		say "  nmap on 4,096 closed endpoints and on 100 TLS endpoints"
		run nmap-closed 300 nmap -Pn -n -T4 -p $CLOSED --script ssl-heartbleed 127.1.0.0/20
		read -r wall usr sys rss < <(tail -n 1 "$work/nmap-closed.time")
		row "| nmap -T4 --script ssl-heartbleed | 4,096 closed | $wall | $(awk -v w="$wall" 'BEGIN{printf "%.0f", 4096 / w}') | $(awk -v u="$usr" -v s="$sys" 'BEGIN{print u + s}') | $((rss / 1024)) MiB | $(grep -c 'closed' "$work/nmap-closed.out" || true) hosts closed |"
		run nmap-tls 300 nmap -Pn -n -T4 -p "$tlsports" --script ssl-heartbleed 127.0.0.1
		read -r wall usr sys rss < <(tail -n 1 "$work/nmap-tls.time")
		row "| nmap -T4 --script ssl-heartbleed | 100 TLS | $wall | $(awk -v w="$wall" 'BEGIN{printf "%.1f", 100 / w}') | $(awk -v u="$usr" -v s="$sys" 'BEGIN{print u + s}') | $((rss / 1024)) MiB | $(grep -c 'State: VULNERABLE' "$work/nmap-tls.out" || true) of 10 vulnerable found |"
	fi

	# masscan: Debian's package.  It sends raw packets through a network
	# interface with its own TCP stack.  It is pinned to lo (-e lo) so
	# that nothing leaves the machine: without -e it picks the default
	# interface and sends its SYNs for 127.0.0.1 there.
	if ! command -v masscan >/dev/null; then
		say "  installing masscan"
		SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq masscan >/dev/null 2>&1 || true
	fi
	if command -v masscan >/dev/null; then
		mver=$( (masscan --version 2>/dev/null || true) | grep -om1 '[0-9]\+\.[0-9]\+\.[0-9]\+' || true)
		lo_args=(-e lo --router-mac 00-00-00-00-00-00 --source-mac 00-00-00-00-00-00 --rate 1000 --wait 2)
		say "  masscan --heartbleed on the vulnerable ports, then without it"
		run masscan 20 masscan 127.0.0.1 -p "$vulnports" --heartbleed "${lo_args[@]}"
		read -r wall usr sys rss < <(tail -n 1 "$work/masscan.time")
		why=$(cat "$work/masscan.err" "$work/masscan.out" | tr '\r' '\n' | grep -m1 -iE 'fail|error|unknown|cannot|could not' | tr '|' '/' || true)
		found=$(grep -ci 'vuln' "$work/masscan.out" || true)
		row "| masscan $mver --heartbleed -e lo | 10 vulnerable TLS | $wall | - | $(awk -v u="$usr" -v s="$sys" 'BEGIN{print u + s}') | $((rss / 1024)) MiB | $found found; it said: ${why:-nothing} |"
		run masscan-syn 20 masscan 127.0.0.1 -p "$vulnports" "${lo_args[@]}"
		why=$(cat "$work/masscan-syn.err" "$work/masscan-syn.out" | tr '\r' '\n' | grep -m1 -iE 'fail|error|unknown|cannot|could not' | tr '|' '/' || true)
		row "| masscan $mver, port scan only, -e lo | 10 open TLS ports | - | - | - | - | $(grep -c 'open' "$work/masscan-syn.out" || true) found; it said: ${why:-nothing} |"
	else
		row "| masscan | - | - | - | - | - | not installable here |"
	fi
	row "| zmap | - | - | - | - | - | does not apply: zmap scans for open ports (SYN), it has no Heartbleed probe |"
fi

{
	echo "# Scaling benchmark"
	echo
	echo "Produced by \`bench/scale.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), shared), $("$HC" --version 2>/dev/null | head -1), build $(basename "$BUILD")."
	echo "Closed endpoints are 127.0.0.0/8 addresses on port $CLOSED: the kernel refuses each connection at once, so the scan measures heartcheck's own cost per endpoint (a socket, a connect, a close, a result line)."
	echo "Scans that would run past ${BIG_LIMIT} s get SIGINT, stop gracefully and are reported over the endpoints they did."
	echo
	printf '%s\n' "${rows[@]}"
} >"$root/bench/scale.md"
say "written to bench/scale.md"
