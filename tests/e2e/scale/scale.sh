#!/usr/bin/env bash
# 600 fixture endpoints at once: every verdict right, every endpoint
# reported exactly once, more probes in flight than a small window, and a
# summary that adds up.  Catches driver regressions the small tests miss.
. "$(dirname "$0")/../lib.sh"
: "${HEARTCHECK:?}" "${FAKESSL:?}"

"$FAKESSL" --lifetime 120 vuln:0,n=60 fixed:0,n=60 lax:0,n=30 nohb:0,n=400 \
  silent:0,n=10 http:0,n=20 alert:0,n=20 >"$E2E_TMP/fx" &
E2E_PIDS+=($!)
for i in $(seq 1 200); do grep -q all-ready "$E2E_TMP/fx" && break; sleep 0.05; done
check "fixture up with 600 listeners" test "$(grep -c '^ready' "$E2E_TMP/fx")" = 600
awk '/^ready/{print "127.0.0.1:" $3, $2}' "$E2E_TMP/fx" >"$E2E_TMP/want"
cut -d' ' -f1 "$E2E_TMP/want" >"$E2E_TMP/targets"

start=$(date +%s%N)
"$HEARTCHECK" scan --json -c 200 --timeout 2000 -iL "$E2E_TMP/targets" >"$E2E_TMP/out"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "exit 1: vulnerable endpoints found" test "$rc" = 1
check "600 endpoints in ${ms} ms, under 20 s" test "$ms" -lt 20000
check "every endpoint once, with the right verdict" python3 - "$E2E_TMP/want" "$E2E_TMP/out" <<'PY'
import json, sys
expect = {"vuln": {"vulnerable"}, "fixed": {"patched"}, "lax": {"patched"},
          "nohb": {"no-heartbeat"}, "silent": {"timeout"}, "http": {"not-tls"},
          "alert": {"handshake-failed"}}
want = dict(l.split() for l in open(sys.argv[1]))
got, summary, bad = {}, None, 0
for l in open(sys.argv[2]):
    o = json.loads(l)
    if o["type"] == "summary":
        summary = o
        continue
    if o["target"] in got:
        print("twice:", o["target"]); bad += 1
    got[o["target"]] = o
for t, mode in want.items():
    o = got.get(t)
    if o is None:
        print("missing:", t, mode); bad += 1
    elif o["verdict"] not in expect[mode]:
        print("wrong:", t, mode, o["verdict"], o["reason"]); bad += 1
    elif mode == "vuln" and o["disclosed"] != 0:
        print("disclosed:", t, o["disclosed"]); bad += 1
if summary is None or summary["endpoints"] != 600 or sum(summary["verdicts"].values()) != 600:
    print("summary does not add up:", summary); bad += 1
if summary and summary["peak_in_flight"] < 100:
    print("window never filled:", summary["peak_in_flight"]); bad += 1
sys.exit(1 if bad else 0)
PY
finish
