#!/usr/bin/env bash
# Scan operations at scale: exclusions (an excluded address is never
# connected to), the reserved-space refusal, SIGINT/SIGTERM then --resume
# (the runs together equal one uninterrupted run: no endpoint twice, none
# lost, the output appended, the exclusions kept), a second signal that
# aborts, corrupt and mismatched resume files, and the status file.
# Traffic stays on 127.0.0.0/8; the closed port is 1, where nothing listens.
. "$(dirname "$0")/../lib.sh"
: "${HEARTCHECK:?}" "${FAKESSL:?}"
H=$HEARTCHECK
cd "$E2E_TMP" || exit 1
CLOSED=1
if ss -ltnH 2>/dev/null | awk '{print $4}' | grep -qE ':1$'; then
  echo "1..0 # SKIP something listens on port 1"; exit 77
fi

# ------------------------------------------------------------ exclusions
"$FAKESSL" --lifetime 60 --stats "$E2E_TMP/conns" nohb:0,n=6 >fx &
E2E_PIDS+=($!)
for i in $(seq 1 100); do grep -q all-ready fx && break; sleep 0.05; done
mapfile -t P < <(awk '/^ready/{print $3}' fx)
check "fixture up with 6 listeners" test "${#P[@]}" = 6
printf '127.0.0.1:%s\n' "${P[4]}" >excl.txt
"$H" scan --json -t 3000 -o ex.jsonl "127.0.0.1:${P[0]}" "127.0.0.1:${P[1]}" \
  "127.0.0.1:${P[2]}" "127.0.0.1:${P[3]}" "127.0.0.1:${P[4]}" "localhost:${P[5]}" \
  --exclude "127.0.0.1:${P[1]},127.0.0.1:${P[2]}" --exclude-file excl.txt \
  --exclude 127.0.0.1:"${P[5]}"
rc=$?
sleep 0.5
check "exclusions: the scan ran (exit 0)" test "$rc" = 0
check "excluded endpoints never connected to" bash -c "
  for p in ${P[1]} ${P[2]} ${P[4]} ${P[5]}; do grep -q \"^conn \$p \" conns && exit 1; done; exit 0"
check "the others were" bash -c "grep -q '^conn ${P[0]} ' conns && grep -q '^conn ${P[3]} ' conns"
check "excluded endpoints not in the results" test "$(grep -c '"type":"scan"' ex.jsonl)" -le 3
check "a bad exclusion is refused like a bad target (exit 2)" \
  bash -c "'$H' scan 127.0.0.1 --exclude 10.0.0.0/33 2>err; test \$? = 2 && grep -q 'prefix length' err"
check "a target list that is all excluded is refused (exit 2)" \
  bash -c "'$H' scan 127.0.0.0/24 --exclude 127.0.0.0/8 2>err; test \$? = 2 && grep -q 'left after the exclusions' err"

# ----------------------------------------------------- reserved space
"$H" scan 224.0.0.0/30 127.0.0.1 2>res.err
rc=$?
check "multicast targets refused (exit 2)" test "$rc" = 2
check "with the range and a hint" bash -c "grep -q '224.0.0.0/4' res.err && grep -q '^\[hint\].*--include-reserved' res.err"
for t in 0.0.0.1 240.0.0.1 255.255.255.255 '[ff02::1]'; do
  "$H" scan "$t" >/dev/null 2>&1
  check "$t refused" test $? = 2
done
# The port-only exclusion leaves the reserved check in force; the override
# passes it, and no packet leaves since every endpoint is excluded anyway.
"$H" scan --json "0.0.0.0/30:$CLOSED" --exclude "0.0.0.0/30:$CLOSED" >/dev/null 2>&1
check "a port-only exclusion does not cover reserved space" test $? = 2
"$H" scan --json --include-reserved "0.0.0.0/30:$CLOSED" --exclude "0.0.0.0/30:$CLOSED" >inc.out 2>&1
check "--include-reserved lets it start" bash -c "test $? = 0 && grep -q '\"endpoints\":0' inc.out"
"$H" scan -q "127.0.0.1:$CLOSED" >/dev/null 2>&1
check "loopback is allowed" test $? = 3

# ------------------------------------------------- stop and resume
# The whole: 127.77.0.0/22 on the closed port, less an excluded /24, in
# sequential and random order, with a shard, each at a rate that makes it
# take two seconds; each run is stopped twice,
# once by SIGINT and once by SIGTERM, at random points.
verify() { # OUT WANT-COUNT: every endpoint once, none excluded, one summary
  python3 - "$1" "$2" <<'PY'
import json, sys
seen, summ, bad = {}, [], 0
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["type"] == "summary":
        summ.append(o); continue
    seen[o["target"]] = seen.get(o["target"], 0) + 1
twice = [t for t, n in seen.items() if n > 1]
excl = [t for t in seen if t.startswith("127.77.1.")]
if twice: print("twice:", twice[:5]); bad = 1
if excl: print("excluded but probed:", excl[:5]); bad = 1
if len(seen) != int(sys.argv[2]): print("endpoints:", len(seen), "want", sys.argv[2]); bad = 1
if len(summ) != 1 or summ[0]["endpoints"] != len(seen):
    print("summaries:", summ); bad = 1
sys.exit(bad)
PY
}
# Unstopped reference runs, for the shard's endpoint set.
"$H" scan --json -p $CLOSED 127.77.0.0/22 --exclude 127.77.1.0/24 --shard 2/3 \
  | python3 -c 'import json,sys; print("\n".join(sorted(json.loads(l)["target"] for l in sys.stdin if "\"scan\"" in l)))' >ref-shard
for mode in seq random shard; do
  extra=(); want=768
  case $mode in
    random) extra=(--random --seed 99) ;;
    shard) extra=(--random --shard 2/3); want=$(wc -l <ref-shard) ;;
  esac
  rm -f "r-$mode" "o-$mode.jsonl"
  "$H" scan --json -p $CLOSED 127.77.0.0/22 --exclude 127.77.1.0/24 "${extra[@]}" \
    --rate $((want / 2)) -o "o-$mode.jsonl" --resume-file "r-$mode" 2>/dev/null &
  pid=$!
  sleep "0.$((RANDOM % 5 + 3))"
  kill -INT "$pid"; wait "$pid"; rc1=$?
  n1=$(wc -l <"o-$mode.jsonl")
  head -n "$n1" "o-$mode.jsonl" >first
  "$H" scan --resume "r-$mode" --rate $((want / 2)) 2>/dev/null &
  pid=$!
  sleep "0.$((RANDOM % 4 + 2))"
  kill -TERM "$pid"; wait "$pid"; rc2=$?
  check "$mode: SIGINT exits 130, SIGTERM 143" test "$rc1:$rc2" = "130:143"
  check "$mode: the resume file keeps the exclusion" grep -q '^exclude 127.77.1.0/24' "r-$mode"
  "$H" scan --resume "r-$mode" 2>/dev/null
  check "$mode: the last run completes (exit 3: refused)" test $? = 3
  check "$mode: the output was appended to, not truncated" cmp -s first <(head -n "$n1" "o-$mode.jsonl")
  check "$mode: three runs = one run: every endpoint once, none excluded" verify "o-$mode.jsonl" "$want"
  check "$mode: a completed scan removes its resume file" test ! -e "r-$mode"
  if [ "$mode" = shard ]; then
    check "shard: the same endpoints as the unstopped shard" cmp -s ref-shard \
      <(python3 -c 'import json,sys; print("\n".join(sorted(json.loads(l)["target"] for l in open(sys.argv[1]) if "\"scan\"" in l)))' o-shard.jsonl)
  fi
done

# A second signal aborts the probes in flight at once.
"$FAKESSL" --lifetime 60 silent:0,n=4 >fx2 &
E2E_PIDS+=($!)
for i in $(seq 1 100); do grep -q all-ready fx2 && break; sleep 0.05; done
awk '/^ready/{print "127.0.0.1:" $3}' fx2 >silent.txt
"$H" scan --json -t 30000 -iL silent.txt -o ab.jsonl --resume-file r-ab 2>/dev/null &
pid=$!
sleep 0.5; kill -INT "$pid"; sleep 0.5
check "after one signal the probes in flight go on" kill -0 "$pid"
start=$(date +%s%N); kill -INT "$pid"; wait "$pid"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "a second signal aborts within 2 s (${ms} ms)" test "$ms" -lt 2000
check "the aborted probes are reported inconclusive" test "$(grep -c '"verdict":"inconclusive"' ab.jsonl)" = 4

# Corrupt and mismatched resume files.
for i in $(seq 0 1023); do echo "127.78.$((i / 256)).$((i % 256))"; done >list.txt
"$H" scan --json -p $CLOSED -iL list.txt --rate 300 -o m.jsonl --resume-file r-m 2>/dev/null &
pid=$!; sleep 0.5; kill -INT "$pid"; wait "$pid"
check "resume file written" test -s r-m
cp r-m r-m.bak
sed -i 's/^position .*/position 3/' r-m
"$H" scan --resume r-m 2>err; rc=$?
check "an edited resume file is refused as corrupt (exit 2)" bash -c "test $rc = 2 && grep -q corrupt err"
printf 'not a resume file\n' >r-bad
"$H" scan --resume r-bad 2>err; rc=$?
check "a file of something else is refused (exit 2)" bash -c "test $rc = 2 && grep -q 'not a heartcheck resume file' err"
"$H" scan --resume missing-file 2>err; rc=$?
check "a missing resume file is refused (exit 2)" test $rc = 2
cp r-m.bak r-m
"$H" scan --resume r-m 127.0.0.1 2>err; rc=$?
check "targets given again with --resume are refused (exit 2)" bash -c "test $rc = 2 && grep -q 'do not give them again' err"
echo 127.0.0.9 >>list.txt
"$H" scan --resume r-m 2>err; rc=$?
check "a target file changed since is refused (exit 2)" bash -c "test $rc = 2 && grep -q 'changed since' err"
check "and the output is left alone" test "$(grep -c . m.jsonl)" -gt 0

# Status file: JSON, rewritten while running, final state done.
"$H" scan --json -p $CLOSED 127.79.0.0/22 --rate 300 --status-file st.json -o s.jsonl &
pid=$!
for i in $(seq 1 30); do
  sleep 0.2
  python3 -c 'import json; o = json.load(open("st.json")); exit(not (o["state"] == "running" and o["done"] > 0))' 2>/dev/null &&
    { cp st.json st-mid.json; break; }
done
wait "$pid"
check "status file while running" python3 -c '
import json, sys
o = json.load(open("st-mid.json"))
assert o["state"] == "running" and o["total"] == 1024 and 0 < o["done"] < 1024, o
assert o["rate"] > 0 and o["eta_s"] is not None, o'
check "status file at the end" python3 -c '
import json
o = json.load(open("st.json"))
assert o["state"] == "done" and o["done"] == 1024 and o["in_flight"] == 0, o'
check "no temporary status file left" bash -c "! ls st.json.tmp.* 2>/dev/null"
finish
