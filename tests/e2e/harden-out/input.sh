#!/usr/bin/env bash
# Smaller items: bounded target input, a reversed port range, the summary
# of a scan whose targets were all bad, and --concurrency never raised.
. "$(dirname "$0")/../lib.sh"
: "${HEARTCHECK:?}" "${FAKESSL:?}"
H=$HEARTCHECK

# -iL /dev/zero: refused at once, not read until memory runs out.  The
# address-space cap keeps a build without the bound from taking the
# machine's memory; a sanitizer build needs its large shadow mappings.
vlimit=2000000
ldd "$H" 2>/dev/null | grep -q 'lib[at]san' && vlimit=unlimited
(ulimit -v "$vlimit"; timeout -s KILL 20 "$H" scan -iL /dev/zero >/dev/null 2>"$E2E_TMP/err"); rc=$?
check "-iL /dev/zero exits 2 (got $rc)" test "$rc" = 2
check "-iL /dev/zero names file and line" grep -q "/dev/zero:1: line longer than 4096 bytes" "$E2E_TMP/err"
{ echo 127.0.0.1:1; head -c 5000 /dev/zero | tr '\0' a; echo; } >"$E2E_TMP/long"
timeout -s KILL 20 "$H" scan -iL "$E2E_TMP/long" >/dev/null 2>"$E2E_TMP/err"; rc=$?
check "a 5000-byte line exits 2 (got $rc)" test "$rc" = 2
check "a 5000-byte line is named by file:line" grep -q "long:2: line longer than 4096 bytes" "$E2E_TMP/err"
{ head -c 4096 /dev/zero | tr '\0' a; echo; } >"$E2E_TMP/ok"
timeout -s KILL 20 "$H" scan -iL "$E2E_TMP/ok" >/dev/null 2>"$E2E_TMP/err"; rc=$?
check "a 4096-byte line is only a bad target (exit 3, got $rc)" test "$rc" = 3

# -p 1-0 is reversed, not out of range.
"$H" scan -p 1-0 127.0.0.1 >/dev/null 2>"$E2E_TMP/err"; rc=$?
check "-p 1-0 exits 2" test "$rc" = 2
check "-p 1-0 says the range is reversed" grep -q "range 1-0 is reversed" "$E2E_TMP/err"

# Only bad targets: the JSON stream still ends with a summary.
"$H" scan --json 'not a target!' '10.0.0.0/33' >"$E2E_TMP/o" 2>/dev/null; rc=$?
check "only bad targets: exit 3" test "$rc" = 3
check "only bad targets: a summary line, last" python3 - "$E2E_TMP/o" <<'PY'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert [o["type"] for o in objs] == ["error", "error", "summary"], objs
assert objs[-1]["endpoints"] == 0
PY

# A low open-file limit lowers a large window, never raises a small one.
"$FAKESSL" --lifetime 60 fixed:0,n=20 >"$E2E_TMP/fx" &
E2E_PIDS+=($!)
for i in $(seq 1 200); do grep -q all-ready "$E2E_TMP/fx" && break; sleep 0.05; done
awk '/^ready/{print "127.0.0.1:" $3}' "$E2E_TMP/fx" >"$E2E_TMP/targets"
(ulimit -n 60; "$H" scan --json -c 1 -iL "$E2E_TMP/targets" >"$E2E_TMP/o" 2>"$E2E_TMP/err")
check "-c 1 under a limit of 60 files: not raised" bash -c '! grep -q "concurrency lowered" "$0"' "$E2E_TMP/err"
check "-c 1: one probe in flight at most" python3 - "$E2E_TMP/o" <<'PY'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])][-1]
assert s["type"] == "summary" and s["endpoints"] == 20 and s["peak_in_flight"] == 1, s
PY
(ulimit -n 60; "$H" scan --json -c 500 -iL "$E2E_TMP/targets" >/dev/null 2>"$E2E_TMP/err")
check "-c 500 under a limit of 60 files: lowered" grep -q "concurrency lowered to 16" "$E2E_TMP/err"

# Arguments echoed in messages are escaped.
"$H" scan --max-version $'\e[2Jtls9' 127.0.0.1 2>"$E2E_TMP/err"
"$H" scan $'--\e]0;pwned\a' 127.0.0.1 2>>"$E2E_TMP/err"
"$H" $'\e[31mfrob' 2>>"$E2E_TMP/err"
"$H" scan --json $'\e[2Jhost!' >/dev/null 2>>"$E2E_TMP/err"
check "no raw ESC or BEL in messages" python3 -c '
import sys; b = open(sys.argv[1], "rb").read()
sys.exit(1 if b"\x1b" in b or b"\x07" in b else 0)' "$E2E_TMP/err"
check "the escape is shown as \\x1b" grep -q 'x1b\[2Jtls9' "$E2E_TMP/err"
finish
