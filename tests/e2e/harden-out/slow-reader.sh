#!/usr/bin/env bash
# A reader of standard output that stalls longer than --timeout must not
# turn answers into timeouts: output never blocks the probes.
. "$(dirname "$0")/../lib.sh"
: "${HEARTCHECK:?}" "${FAKESSL:?}"

# 100 vulnerable servers; a second set of 100 sends its answers in 64-byte
# pieces 2 ms apart, so that those are still arriving when the first
# results have filled the pipe.
"$FAKESSL" --lifetime 60 vuln:0,n=100 vuln:0,n=100,split=64 >"$E2E_TMP/fx" &
E2E_PIDS+=($!)
for i in $(seq 1 200); do grep -q all-ready "$E2E_TMP/fx" && break; sleep 0.05; done
awk '/^ready/{print "127.0.0.1:" $3}' "$E2E_TMP/fx" >"$E2E_TMP/targets2"
check "fixture up with 200 vulnerable listeners" test "$(wc -l <"$E2E_TMP/targets2")" = 200

count() { # count FILE: vulnerable results, and whether a summary ends it
  python3 - "$1" <<'PY'
import json, sys
n, last = 0, None
for l in open(sys.argv[1]):
    o = json.loads(l)
    last = o.get("type")
    n += o.get("verdict") == "vulnerable"
print(n, last)
PY
}

# The consumer reads nothing for 3 s, six times --timeout.  Each endpoint
# is listed twice, so that the results (about 130 KiB) overflow a default
# pipe of 64 KiB while the paced answers are still arriving.
"$HEARTCHECK" scan --json --timeout 500 -iL "$E2E_TMP/targets2" -iL "$E2E_TMP/targets2" \
  2>"$E2E_TMP/err" | (sleep 3; cat) >"$E2E_TMP/out"
check "a pipe that stalls 3 s: all 400 reported vulnerable" test "$(count "$E2E_TMP/out")" = "400 summary"

# The same through a pipe of one page, so that even the first few results
# fill it (a default pipe holds 64 KiB, about 200 of these lines).
python3 - "$HEARTCHECK" "$E2E_TMP/targets2" >"$E2E_TMP/out2" <<'PY'
import fcntl, os, subprocess, sys, time
r, w = os.pipe()
try:
    fcntl.fcntl(w, 1031, 4096)  # F_SETPIPE_SZ
except OSError:
    pass
p = subprocess.Popen([sys.argv[1], "scan", "--json", "--timeout", "500",
                      "-iL", sys.argv[2]], stdout=w)
os.close(w)
time.sleep(3)
while True:
    b = os.read(r, 65536)
    if not b:
        break
    sys.stdout.buffer.write(b)
sys.exit(p.wait())
PY
rc=$?
check "a one-page pipe that stalls 3 s: all 200 reported vulnerable" test "$(count "$E2E_TMP/out2")" = "200 summary"
check "exit 1" test "$rc" = 1

# Results held for a stalled reader stay bounded: past 64 KiB queued, no
# new probe starts, so 2,000 results (about 650 KiB) cannot all be done
# before the reader comes back after 2 s.
for i in $(seq 10); do cat "$E2E_TMP/targets2"; done >"$E2E_TMP/targets10"
"$HEARTCHECK" scan --json --timeout 2000 -iL "$E2E_TMP/targets10" 2>/dev/null |
  (sleep 2; cat) >"$E2E_TMP/out4"
check "a stalled reader holds the scan: 2000 results, the scan waited" python3 - "$E2E_TMP/out4" <<'PY'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
s = objs[-1]
assert s["type"] == "summary" and s["verdicts"]["vulnerable"] == 2000, s
assert s["seconds"] > 1.5, s
PY

# A terminal stopped with Ctrl-S stalls the progress line on stderr the same
# way: that must not stop the probes either.
python3 - "$HEARTCHECK" "$E2E_TMP/targets2" >"$E2E_TMP/out3" <<'PY'
import os, pty, select, subprocess, sys, time
master, slave = pty.openpty()
os.write(master, b"\x13")  # Ctrl-S: output to the terminal stops
time.sleep(0.2)
p = subprocess.Popen([sys.argv[1], "scan", "--json", "--timeout", "500",
                      "-iL", sys.argv[2]], stdout=subprocess.PIPE,
                     stderr=slave)
os.close(slave)
time.sleep(3)
os.write(master, b"\x11")  # Ctrl-Q
out = p.stdout.read()
while select.select([master], [], [], 0.2)[0]:
    try:
        if not os.read(master, 65536):
            break
    except OSError:
        break
p.wait()
sys.stdout.buffer.write(out)
PY
check "a terminal stopped 3 s with Ctrl-S: all 200 reported vulnerable" test "$(count "$E2E_TMP/out3")" = "200 summary"
finish
