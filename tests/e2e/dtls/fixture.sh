#!/usr/bin/env bash
# heartcheck scan --udp against the fakedtls fixture (docs/probe.md §6):
# vulnerable with 0 bytes disclosed, patched, no-heartbeat, DTLS 1.0-only
# (refusing 1.2) and 1.2 servers, a lossy path that drops the first hello
# and the first HelloVerifyRequest, a silent UDP port and a closed one.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/udp.sh"
: "${HEARTCHECK:?}" "${FAKEDTLS:?}"

"$FAKEDTLS" --lifetime 60 vuln fixed nohb vuln,refuse12 vuln,dtls12 \
  fixed,dtls12 vuln,drop,retx=300 fixed,drop,retx=300 \
  >"$E2E_TMP/ready" 2>"$E2E_TMP/fakedtls.err" &
E2E_PIDS+=($!)
for i in $(seq 1 100); do
  grep -qx all-ready "$E2E_TMP/ready" && break
  sleep 0.1
done
grep -qx all-ready "$E2E_TMP/ready" || { echo "fakedtls did not start"; exit 1; }
mapfile -t P < <(awk '$1 == "ready" { print $3 }' "$E2E_TMP/ready")
p_vuln=${P[0]} p_fixed=${P[1]} p_nohb=${P[2]} p_v10=${P[3]} p_v12=${P[4]}
p_f12=${P[5]} p_vdrop=${P[6]} p_fdrop=${P[7]}

# A bound UDP socket that never answers, and a port with nothing on it.
p_silent=$(free_udp_port)
python3 - "$p_silent" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
time.sleep(30)
PY
E2E_PIDS+=($!)
wait_udp "$p_silent" || exit 1
p_closed=$(free_udp_port)

t() { echo "127.0.0.1:$1"; }
out=$E2E_TMP/out.jsonl
start=$(date +%s%N)
"$HEARTCHECK" scan --udp --json --timeout 8000 "$(t $p_vuln)" "$(t $p_fixed)" \
  "$(t $p_nohb)" "$(t $p_v10)" "$(t $p_v12)" "$(t $p_f12)" "$(t $p_vdrop)" \
  "$(t $p_fdrop)" "$(t $p_closed)" >"$out"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
cat "$out"
v() { field "$out" "$(t "$1")" "$2"; }
check "vuln is vulnerable" test "$(v $p_vuln verdict)" = vulnerable
check "vuln: 0 bytes disclosed" test "$(v $p_vuln disclosed)" = 0
check "vuln: the proof is our own sentinel record" \
  grep -q "start of our own sentinel record" <<<"$(v $p_vuln reason)"
check "vuln: DTLSv1.0" test "$(v $p_vuln version)" = DTLSv1.0
check "vuln: strategy dtls" test "$(v $p_vuln strategy)" = dtls
check "fixed is patched" test "$(v $p_fixed verdict)" = patched
check "fixed echoed extension 15" test "$(v $p_fixed heartbeat_ext)" = true
check "nohb is no-heartbeat" test "$(v $p_nohb verdict)" = no-heartbeat
check "nohb: alert 10" test "$(v $p_nohb alert)" = 10
check "1.0-only (refuses 1.2) is vulnerable after fallback" \
  test "$(v $p_v10 verdict)" = vulnerable
check "1.0-only: two sockets, DTLSv1.0" \
  test "$(v $p_v10 attempts)/$(v $p_v10 version)" = 2/DTLSv1.0
check "1.2 vuln is vulnerable in DTLSv1.2" \
  test "$(v $p_v12 verdict)/$(v $p_v12 version)" = vulnerable/DTLSv1.2
check "1.2 fixed is patched in DTLSv1.2" \
  test "$(v $p_f12 verdict)/$(v $p_f12 version)" = patched/DTLSv1.2
check "lossy vuln (first hello and HVR lost) is vulnerable" \
  test "$(v $p_vdrop verdict)" = vulnerable
check "lossy fixed is patched" test "$(v $p_fdrop verdict)" = patched
check "closed UDP port is refused" test "$(v $p_closed verdict)" = refused
check "exit status 1 (vulnerable found)" test "$rc" = 1
check "whole scan under 6 s ($ms ms)" test "$ms" -lt 6000

# Silence costs the budget and nothing more.
out2=$E2E_TMP/silent.jsonl
start=$(date +%s%N)
"$HEARTCHECK" scan --udp --json --timeout 1500 "$(t $p_silent)" >"$out2"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
cat "$out2"
check "silent UDP port is timeout" test "$(field "$out2" "$(t $p_silent)" verdict)" = timeout
check "silent: two ClientHello copies in 1.5 s" \
  grep -q "2 ClientHello copies" <<<"$(field "$out2" "$(t $p_silent)" reason)"
check "silent: exit status 3" test "$rc" = 3
check "silent: within the budget ($ms ms)" test "$ms" -lt 2500

# Text output and --dtls, the alias.
txt=$("$HEARTCHECK" scan --dtls --timeout 3000 --color never "$(t $p_vuln)")
check "--dtls text output names the verdict" grep -q "^VULNERABLE\|vulnerable" <<<"$txt"
finish
