# Helpers shared by the end-to-end scripts.  Source it; it sets a trap that
# stops every background server the script started.
set -uo pipefail
E2E_PIDS=()
E2E_TMP=$(mktemp -d)
E2E_FAILS=0
cleanup() {
  local p
  for p in "${E2E_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${E2E_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$E2E_TMP"
}
trap cleanup EXIT

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT: waits up to 10 s for a listener on 127.0.0.1:PORT.
wait_port() {
  local i
  for i in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2
  return 1
}

check() { # check DESCRIPTION COMMAND...
  if "${@:2}"; then echo "ok - $1"; else echo "not ok - $1"; E2E_FAILS=$((E2E_FAILS+1)); fi
}

# field FILE TARGET KEY: the value of KEY in the JSON line whose target is TARGET.
field() {
  python3 - "$@" <<'PY'
import json, sys
path, target, key = sys.argv[1:4]
for line in open(path):
    o = json.loads(line)
    if o.get("target") == target:
        v = o.get(key)
        print(json.dumps(v) if not isinstance(v, str) else v)
        break
else:
    print("<missing>")
PY
}

cert_pair() { # writes $E2E_TMP/cert.pem and key.pem
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$E2E_TMP/key.pem" \
    -out "$E2E_TMP/cert.pem" -days 2 -subj /CN=localhost >/dev/null 2>&1
}

finish() {
  [ "$E2E_FAILS" -eq 0 ] || { echo "$E2E_FAILS check(s) failed"; exit 1; }
  exit 0
}

# start_fakessl SPEC...: the fakessl fixture ($FAKESSL) in the background
# until it says all-ready (at most 10 s); its pid in FX, stopped at exit.
FX=
start_fakessl() {
  "$FAKESSL" --lifetime 120 "$@" >"$E2E_TMP/fakessl.ready" 2>"$E2E_TMP/fakessl.err" &
  FX=$!
  E2E_PIDS+=("$FX")
  local i
  for i in $(seq 1 100); do
    grep -qx all-ready "$E2E_TMP/fakessl.ready" && return 0
    kill -0 "$FX" 2>/dev/null || break
    sleep 0.1
  done
  echo "fakessl did not start:"; cat "$E2E_TMP/fakessl.err"; exit 1
}
stop_fakessl() { kill "$FX" 2>/dev/null; wait "$FX" 2>/dev/null; }

# two_scans: two real scans of the fixture, changed between them: A is
# vulnerable then fixed, B fixed in both, C vulnerable then no longer
# scanned, D new and vulnerable, E fixed then no longer answering.  Sets
# L and A..E; writes $E2E_TMP/run1.jsonl and run2.jsonl.
two_scans() {
  L=127.0.0.1
  A=$(free_port); B=$(free_port); C=$(free_port); D=$(free_port); E=$(free_port)
  start_fakessl "vuln:$A" "fixed:$B" "vuln:$C" "fixed:$E"
  timeout -s KILL 60 "$HEARTCHECK" scan --json "$L:$A" "$L:$B" "$L:$C" "$L:$E" \
    >"$E2E_TMP/run1.jsonl" 2>"$E2E_TMP/run1.err"
  check "run 1 exits 1 (vulnerable found)" test $? = 1
  stop_fakessl
  start_fakessl "fixed:$A" "fixed:$B" "vuln:$D"
  timeout -s KILL 60 "$HEARTCHECK" scan --json "$L:$A" "$L:$B" "$L:$D" "$L:$E" \
    >"$E2E_TMP/run2.jsonl" 2>"$E2E_TMP/run2.err"
  check "run 2 exits 1 (vulnerable found)" test $? = 1
  stop_fakessl
}
