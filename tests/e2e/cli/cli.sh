#!/usr/bin/env bash
# The command line: help, usage errors, malformed targets, target files,
# exit codes and JSON output.
. "$(dirname "$0")/../lib.sh"
: "${HEARTCHECK:?}"
H=$HEARTCHECK
closed=$(free_port)

check "--help exits 0 and shows usage" bash -c '"$0" --help | grep -q "usage: heartcheck"' "$H"
check "scan --help exits 0" bash -c '"$0" scan --help | grep -q -- "--leak"' "$H"
check "version prints the version" bash -c '"$0" version | grep -qE "^heartcheck [0-9]"' "$H"
"$H" frobnicate >/dev/null 2>&1; check "unknown command exits 2" test $? = 2
"$H" scan >/dev/null 2>"$E2E_TMP/err"; rc=$?
check "scan without targets exits 2" test $rc = 2
check "scan without targets gives a hint" grep -q "hint" "$E2E_TMP/err"
"$H" scan --concurrency 0 127.0.0.1 >/dev/null 2>&1; check "bad --concurrency exits 2" test $? = 2
"$H" scan --bogus 127.0.0.1 >/dev/null 2>&1; check "unknown option exits 2" test $? = 2
"$H" scan -p 0 127.0.0.1 >/dev/null 2>&1; check "port 0 exits 2" test $? = 2
"$H" scan --shard 3/2 127.0.0.1 >/dev/null 2>&1; check "bad --shard exits 2" test $? = 2

# A malformed target is reported and the others are still scanned.
"$H" scan --json "127.0.0.1:$closed" "10.0.0.0/33" "[::1" >"$E2E_TMP/o" 2>"$E2E_TMP/err"; rc=$?
check "malformed targets named on stderr" grep -q '10.0.0.0/33' "$E2E_TMP/err"
check "the good target still scanned" test "$(field "$E2E_TMP/o" "127.0.0.1:$closed" verdict)" = refused
check "errors appear in the JSON stream" grep -q '"type":"error"' "$E2E_TMP/o"
check "exit 3 with malformed targets" test $rc = 3
check "every stdout line is JSON" python3 -c '
import json,sys
[json.loads(l) for l in open(sys.argv[1])]' "$E2E_TMP/o"

# Target files and stdin.
printf '# comment\n\n127.0.0.1:%s\nnot a target!\n' "$closed" >"$E2E_TMP/targets"
"$H" scan --json -iL "$E2E_TMP/targets" >"$E2E_TMP/o" 2>"$E2E_TMP/err"
check "-iL file scanned" test "$(field "$E2E_TMP/o" "127.0.0.1:$closed" verdict)" = refused
check "-iL names the bad line" grep -q 'targets:4' "$E2E_TMP/err"
echo "127.0.0.1:$closed" | "$H" scan --json -iL - >"$E2E_TMP/o" 2>/dev/null
check "-iL - reads stdin" test "$(field "$E2E_TMP/o" "127.0.0.1:$closed" verdict)" = refused
"$H" scan --json -iL "$E2E_TMP/nonexistent" >/dev/null 2>"$E2E_TMP/err"; rc=$?
check "missing -iL file exits 2" test $rc = 2

# Ports and ranges expand; the summary counts them.
"$H" scan --json -p "$closed,$closed" 127.0.0.1-2 >"$E2E_TMP/o" 2>/dev/null
# Two addresses; the repeated port counts once.
check "range x ports expands, duplicates once" test "$(grep -c '"type":"scan"' "$E2E_TMP/o")" = 2

# Sharding: two shards together are the whole, and disjoint.
"$H" scan --json --shard 1/2 -p "$closed" 127.0.0.1-8 | grep '"type":"scan"' >"$E2E_TMP/s1"
"$H" scan --json --shard 2/2 -p "$closed" 127.0.0.1-8 | grep '"type":"scan"' >"$E2E_TMP/s2"
check "shards are disjoint and cover the range" python3 -c '
import json,sys
a={json.loads(l)["target"] for l in open(sys.argv[1])}
b={json.loads(l)["target"] for l in open(sys.argv[2])}
sys.exit(0 if not (a & b) and len(a | b) == 8 else 1)' "$E2E_TMP/s1" "$E2E_TMP/s2"

# Text output has no colour when not a terminal.
"$H" scan "127.0.0.1:$closed" >"$E2E_TMP/o" 2>&1
check "no escape codes off a terminal" bash -c '! grep -q $'"'"'\033'"'"' "$0"' "$E2E_TMP/o"
check "text names the verdict" grep -q refused "$E2E_TMP/o"
# unreachable and dns-error, inside an empty network namespace of our own,
# so nothing can leave this machine: no interface is up there.
if unshare -n true 2>/dev/null; then
  unshare -n "$H" scan --json 127.0.0.1:443 nonexistent.invalid >"$E2E_TMP/o" 2>/dev/null; rc=$?
  check "no route gives unreachable" test "$(field "$E2E_TMP/o" "127.0.0.1:443" verdict)" = unreachable
  check "an unresolvable name gives dns-error" grep -q '"verdict":"dns-error"' "$E2E_TMP/o"
  check "dns-error names the host" grep -q '"target":"nonexistent.invalid:443"' "$E2E_TMP/o"
  check "exit 3 when nothing could be tested" test $rc = 3
  finish
fi
# The other checks ran; any failure among them fails the test.
[ "$E2E_FAILS" -eq 0 ] || finish
echo "SKIP: cannot create a network namespace (unshare -n), so unreachable and dns-error were not checked"
exit 77
