#!/usr/bin/env bash
# A failed write stops the run with a message and exit code 4 (UNKNOWN, 3,
# for a Nagios check); a closed pipe ends a scan at once.
. "$(dirname "$0")/../lib.sh"
: "${HEARTCHECK:?}" "${FAKESSL:?}"
H=$HEARTCHECK

"$FAKESSL" --lifetime 60 vuln:0 silent:0,n=200 >"$E2E_TMP/fx" &
E2E_PIDS+=($!)
for i in $(seq 1 200); do grep -q all-ready "$E2E_TMP/fx" && break; sleep 0.05; done
awk '/^ready/{print "127.0.0.1:" $3}' "$E2E_TMP/fx" >"$E2E_TMP/targets"
head -1 "$E2E_TMP/targets" >"$E2E_TMP/one"

full() { # full NAME WANT_RC ARGS...: runs heartcheck ARGS > /dev/full
  local name=$1 want=$2 rc
  shift 2
  timeout -s KILL 60 "$H" "$@" >/dev/full 2>"$E2E_TMP/err"; rc=$?
  check "$name > /dev/full exits $want (got $rc)" test "$rc" = "$want"
  check "$name > /dev/full says so" grep -q "cannot write to standard output: No space left on device" "$E2E_TMP/err"
}
full "scan --json" 4 scan --json -iL "$E2E_TMP/one"
full "scan (text)" 4 scan -iL "$E2E_TMP/one"
full "scan --json, only bad targets" 4 scan --json 'not a target!'
full "local --openmetrics" 4 local --openmetrics --no-libtest --no-listeners --no-packages
full "local --json" 4 local --json --no-libtest --no-listeners --no-packages
full "local (text)" 4 local --no-libtest --no-listeners --no-packages
full "local --nagios" 3 local --nagios --no-libtest --no-listeners --no-packages
full "--help" 4 --help
full "scan --help" 4 scan --help

# The documented metrics recipe must not publish an empty file.
d=$E2E_TMP/textfile
mkdir -p "$d"
ln -s /dev/full "$d/heartcheck.prom.tmp"
"$H" local --openmetrics --no-libtest --no-listeners --no-packages >"$d/heartcheck.prom.tmp" 2>/dev/null
case $? in 0|1|3) mv "$d/heartcheck.prom.tmp" "$d/heartcheck.prom" ;; esac
check "the metrics recipe keeps no file when the write failed" test ! -e "$d/heartcheck.prom"

# One answer at once, 200 servers that never answer: head takes the first
# line and leaves; the scan must not wait out the 20 s deadline.
start=$(date +%s%N)
timeout -s KILL 50 "$H" scan --timeout 20000 -iL "$E2E_TMP/targets" 2>"$E2E_TMP/err" | head -1 >"$E2E_TMP/first"
rcs=("${PIPESTATUS[@]}")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "scan | head -1 ends in ${ms} ms, under 5 s" test "$ms" -lt 5000
check "head got the vulnerable endpoint" grep -q '^vulnerable' "$E2E_TMP/first"
check "the scan exits 4 on the closed pipe (got ${rcs[0]})" test "${rcs[0]}" = 4
check "and says the output was closed" grep -q "standard output was closed" "$E2E_TMP/err"

start=$(date +%s%N)
timeout -s KILL 50 "$H" scan --json --timeout 20000 -iL "$E2E_TMP/targets" 2>/dev/null | head -1 >/dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "scan --json | head -1 ends in ${ms} ms, under 5 s" test "$ms" -lt 5000
finish
