#!/bin/bash
# heartcheck clients end to end: the fixture's OpenSSL 1.0.1f/1.0.1g client
# stand-in in every library and program mode, through `-- COMMAND` and
# through the listener; real curl, openssl s_client, gnutls-cli and wget; clients
# that send garbage, hang, or never connect; usage errors.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"
H=$HEARTCHECK
FC=$FAKECLIENT

# One fixture client through -- COMMAND: verdict and exit code.
fixture() { # fixture MODE PROG VERDICT RC [CONNECTIONS]
  local out="$E2E_TMP/fx-$1-$2.json" rc t0 t1
  t0=$(date +%s%N)
  "$H" clients --json -t 8000 -- "$FC" --mode "$1" --prog "$2" {} \
    >"$out" 2>"$E2E_TMP/fx-$1-$2.err"
  rc=$?
  t1=$(date +%s%N)
  check "fixture $1/$2: $3" test "$(jget "$out" 'o["verdict"]')" = "$3"
  check "fixture $1/$2: exit $4" test "$rc" = "$4"
  check "fixture $1/$2: 0 bytes disclosed" test "$(jget "$out" 'o["disclosed"]')" = 0
  check "fixture $1/$2: under 5 s" test $(( (t1 - t0) / 1000000 )) -lt 5000
  [ -n "${5:-}" ] && check "fixture $1/$2: $5 connection(s)" \
    test "$(jget "$out" 'o["attempts"]')" = "$5"
  echo "# $1/$2: $(jget "$out" 'o["verdict"], o["strategy"], o["attempts"], o["elapsed_ms"], o["reason"]')"
}

fixture vuln every vulnerable 1 1
fixture vuln edge vulnerable 1 1
fixture vuln giveup vulnerable 1 2
fixture fixed every patched 0 1
fixture fixed edge patched 0 1
fixture fixed giveup patched 0 3
fixture nohb every no-heartbeat 0 1
fixture nohb edge no-heartbeat 0 1
fixture nohb giveup no-heartbeat 0 1

out="$E2E_TMP/v10.json"
"$H" clients --json -- "$FC" --mode vuln --version tls1.0 {} >"$out" 2>/dev/null
check "fixture vuln at TLS 1.0: vulnerable" test "$(jget "$out" 'o["verdict"]')" = vulnerable
check "fixture vuln at TLS 1.0: version" test "$(jget "$out" 'o["version"]')" = TLSv1.0
out="$E2E_TMP/ssl3.json"
"$H" clients --json -- "$FC" --mode vuln --version ssl3 --no-ext {} >"$out" 2>/dev/null
check "fixture vuln SSLv3 without extensions: vulnerable" test "$(jget "$out" 'o["verdict"]')" = vulnerable
check "fixture vuln SSLv3: no extension 15 offered" test "$(jget "$out" 'o["client_hello"]["heartbeat"]')" = False

# The listener: several clients, one result each, until SIGINT.
P=$(free_port)
"$H" clients --json --listen 127.0.0.1:"$P" -t 1500 >"$E2E_TMP/l.json" 2>"$E2E_TMP/l.err" &
LPID=$!
E2E_PIDS+=("$LPID")
for i in $(seq 1 100); do grep -q "listening on" "$E2E_TMP/l.err" && break; sleep 0.05; done
check "listener says where it listens" grep -q "listening on 127.0.0.1:$P" "$E2E_TMP/l.err"
"$FC" --mode vuln --prog every 127.0.0.1:"$P" 2>/dev/null
"$FC" --mode fixed --prog edge 127.0.0.1:"$P" 2>/dev/null
"$FC" --mode vuln --prog giveup 127.0.0.1:"$P" 2>/dev/null
python3 - "$P" <<'PY'
import socket, sys, time
p = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", p)); s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"); time.sleep(0.2); s.close()
s = socket.create_connection(("127.0.0.1", p)); s.sendall(bytes(range(7, 200))); time.sleep(0.2); s.close()
h = socket.create_connection(("127.0.0.1", p)); time.sleep(2.0); h.close()
PY
kill -INT "$LPID"
wait "$LPID"
lrc=$?
verdicts=$(python3 -c '
import json, sys
print(" ".join(sorted(json.loads(l)["verdict"] for l in open(sys.argv[1]) if json.loads(l).get("type") == "client")))' "$E2E_TMP/l.json")
echo "# listener verdicts: $verdicts"
for v in vulnerable patched inconclusive not-tls timeout; do
  check "listener: a $v client" grep -qw -- "$v" <<<"$verdicts"
done
check "listener: not-tls twice (HTTP and garbage)" test "$(grep -ow not-tls <<<"$verdicts" | wc -l)" -ge 2
check "listener: the giveup client is told to use -- COMMAND" grep -q -- "-- COMMAND" "$E2E_TMP/l.json"
check "listener: HTTP named" grep -q "plaintext HTTP request" "$E2E_TMP/l.json"
check "listener: a summary line on SIGINT" grep -q '"type":"summary"' "$E2E_TMP/l.json"
check "listener: exit 1 (a vulnerable client)" test "$lrc" = 1

# Listener in text, with --count.
P=$(free_port)
"$H" clients --color never --listen 127.0.0.1:"$P" --count 1 >"$E2E_TMP/t.txt" 2>"$E2E_TMP/t.err" &
TPID=$!
E2E_PIDS+=("$TPID")
for i in $(seq 1 100); do grep -q "listening on" "$E2E_TMP/t.err" && break; sleep 0.05; done
"$FC" --mode vuln 127.0.0.1:"$P" 2>/dev/null
wait "$TPID"
trc=$?
check "text: vulnerable line" grep -q "^vulnerable .*0 bytes of client memory disclosed" "$E2E_TMP/t.txt"
check "text: --count 1 exits by itself, 1" test "$trc" = 1

# --strategy large: a listener for a client that gives up, started by hand.
P=$(free_port)
"$H" clients --json --strategy large --listen 127.0.0.1:"$P" --count 1 >"$E2E_TMP/sl.json" 2>"$E2E_TMP/sl.err" &
SPID=$!
E2E_PIDS+=("$SPID")
for i in $(seq 1 100); do grep -q "listening on" "$E2E_TMP/sl.err" && break; sleep 0.05; done
"$FC" --mode vuln --prog giveup 127.0.0.1:"$P" 2>/dev/null
wait "$SPID"
check "--strategy large: a giveup client is vulnerable on one connection" \
  test "$(jget "$E2E_TMP/sl.json" 'o["verdict"], o["strategy"], o["attempts"]')" = "('vulnerable', 'large-record', 1)"

# Real clients.
real() { # real NAME VERDICT COMMAND...
  local out="$E2E_TMP/real-$1.json"
  if ! command -v "$3" >/dev/null; then echo "ok - $1 # SKIP not installed"; return; fi
  "$H" clients --json -t 8000 -- "${@:3}" >"$out" 2>"$E2E_TMP/real-$1.err"
  check "real $1: $2" test "$(jget "$out" 'o["verdict"]')" = "$2"
  echo "# $1: $(jget "$out" 'o["verdict"], o["elapsed_ms"], o["reason"]')"
}
real curl no-heartbeat curl -sk "https://{}/"
real s_client no-heartbeat openssl s_client -connect "{}"
real gnutls-cli-heartbeat patched gnutls-cli --heartbeat --insecure "{}"
real gnutls-cli no-heartbeat gnutls-cli --insecure "{}"
# {host} and {port}, for a client that takes them apart.
real gnutls-cli-host-port patched gnutls-cli --heartbeat --insecure -p "{port}" "{host}"
real s_client-host-port no-heartbeat openssl s_client -connect "{host}:{port}"
# wget on Debian is built with GnuTLS, without heartbeats: it offers no
# extension 15 and closes on our heartbeat record with no alert.
real wget no-heartbeat wget --no-check-certificate -O /dev/null "https://{}/"
if command -v wget >/dev/null; then
  check "real wget: no extension 15 offered" test "$(jget "$E2E_TMP/real-wget.json" 'o["client_hello"]["heartbeat"]')" = False
  check "real wget: GnuTLS says so" grep -q "GnuTLS" "$E2E_TMP/real-wget.err"
fi

# Commands that never connect, hang, or do not exist.
"$H" clients --json -- true >"$E2E_TMP/true.json" 2>/dev/null
rc=$?
check "a command that exits without connecting: handshake-failed" test "$(jget "$E2E_TMP/true.json" 'o["verdict"]')" = handshake-failed
check "  ... exit 3" test "$rc" = 3
t0=$(date +%s)
"$H" clients --json -t 1000 -- sleep 30 >"$E2E_TMP/sleep.json" 2>/dev/null
rc=$?
t1=$(date +%s)
check "a command that hangs: timeout" test "$(jget "$E2E_TMP/sleep.json" 'o["verdict"]')" = timeout
check "  ... killed within 4 s" test $((t1 - t0)) -lt 4
check "  ... killed by a signal" test "$(jget "$E2E_TMP/sleep.json" 'o["command_signal"]')" != None
check "  ... exit 3" test "$rc" = 3
"$H" clients -- /nonexistent/client {} >/dev/null 2>"$E2E_TMP/nx.err"
check "a command that does not exist: exit 2" test $? = 2
check "  ... said" grep -q "cannot run" "$E2E_TMP/nx.err"

# Output that cannot be written.
"$H" clients --json -- "$FC" --mode vuln {} >/dev/full 2>"$E2E_TMP/full.err"
check "standard output full: exit 4" test $? = 4
check "  ... said" grep -q "cannot write" "$E2E_TMP/full.err"

# Usage.
"$H" clients --help | grep -q -- "-- COMMAND"
check "clients --help" test $? = 0
"$H" clients --listen nonsense >/dev/null 2>&1
check "--listen nonsense: exit 2" test $? = 2
"$H" clients --count 0 >/dev/null 2>&1
check "--count 0: exit 2" test $? = 2
"$H" clients --strategy huge >/dev/null 2>&1
check "--strategy huge: exit 2" test $? = 2
finish
