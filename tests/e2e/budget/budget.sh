#!/usr/bin/env bash
# --timeout is a budget per endpoint, across every connection and the name
# lookup: a server that stalls until just before each deadline, or a name
# server that never answers, must not stretch it.
. "$(dirname "$0")/../lib.sh"
: "${HEARTCHECK:?}"
H=$HEARTCHECK

# A server that accepts, waits 0.35 s and closes without a word, on every
# connection: each close invites a version fallback.
port=$(free_port)
python3 - "$port" <<'PY' &
import socket, sys, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
end = time.time() + 30
def stall(c):
    time.sleep(0.35); c.close()
while time.time() < end:
    s.settimeout(1)
    try: c, _ = s.accept()
    except socket.timeout: continue
    threading.Thread(target=stall, args=(c,), daemon=True).start()
PY
E2E_PIDS+=($!)
wait_port "$port" || exit 1
start=$(date +%s%N)
"$H" scan --json --timeout 500 "127.0.0.1:$port" >"$E2E_TMP/o" 2>"$E2E_TMP/err"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "a stalling server costs one budget, not one per fallback ($ms ms)" test "$ms" -lt 1200
check "and it is reported untested" bash -c 'v=$(python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())[\"verdict\"])" "$0"); [ "$v" = timeout ] || [ "$v" = handshake-failed ]' "$E2E_TMP/o"
check "elapsed_ms stays within the budget" python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).readline())
assert o["elapsed_ms"] <= 650, o' "$E2E_TMP/o"

# A name server that never answers, inside a namespace of our own: the
# lookup's share of the budget runs out and the endpoint says so.
if unshare -r -n -m true 2>/dev/null; then
  cat >"$E2E_TMP/resolv.conf" <<'R'
nameserver 127.0.0.1
options timeout:5 attempts:2
R
  cat >"$E2E_TMP/dns.sh" <<'S'
ip link set lo up
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
open(sys.argv[1], "w").close()
end = time.time() + 20
s.settimeout(0.5)
while time.time() < end:
    try: s.recv(512)
    except socket.timeout: pass
' "$3.ready" &
for i in $(seq 1 50); do [ -e "$3.ready" ] && break; sleep 0.1; done
mount --bind "$1" /etc/resolv.conf
start=$(date +%s%N)
"$2" scan --json --timeout 600 never-answers.test:443 >"$3" 2>/dev/null
echo "rc=$? ms=$(( ($(date +%s%N) - start) / 1000000 ))"
kill %1
S
  out=$(unshare -r -n -m bash "$E2E_TMP/dns.sh" "$E2E_TMP/resolv.conf" "$H" "$E2E_TMP/dns.json")
  ms=${out##*ms=}
  check "a silent name server costs the budget, not the resolver's 10 s ($out)" test "${ms:-99999}" -lt 2500
  check "the lookup is reported as a dns-error past the budget" python3 -c '
import json, sys
o = [json.loads(l) for l in open(sys.argv[1]) if "\"scan\"" in l][0]
assert o["verdict"] == "dns-error", o
assert "600 ms" in o["reason"], o
assert o["elapsed_ms"] >= 550, o' "$E2E_TMP/dns.json"
else
  echo "SKIP: no user and network namespaces here; the lookup budget was not checked"
  skipped=1
fi
[ "$E2E_FAILS" -eq 0 ] && [ "${skipped:-0}" = 1 ] && exit 77
finish
