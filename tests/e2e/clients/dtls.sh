#!/bin/bash
# heartcheck clients --udp end to end: a model of the OpenSSL
# 1.0.1f/1.0.1g DTLS client (dtlsmodel.py) with and without our
# HelloVerifyRequest; real gnutls-cli --udp (with and without --heartbeat)
# and openssl s_client -dtls; a client that sends garbage; the same
# through -- COMMAND, and commands that exit at once, hang or do not
# exist; usage errors.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"
H=$HEARTCHECK
DM="$(dirname "$0")/dtlsmodel.py"

# udp NAME VERDICT "HEARTCHECK OPTIONS" COMMAND...: one client against a
# --count 1 listener; {PORT} in COMMAND becomes the port.
udp() {
  local name=$1 want=$2 opts=$3 out="$E2E_TMP/$1.json" P i rc
  shift 3
  if ! command -v "$1" >/dev/null; then echo "ok - $name # SKIP not installed"; return; fi
  P=$(free_port)
  # shellcheck disable=SC2086
  "$H" clients --udp $opts --json --listen 127.0.0.1:"$P" --count 1 -t 4000 \
    >"$out" 2>"$E2E_TMP/$name.err" &
  local hp=$!
  E2E_PIDS+=("$hp")
  for i in $(seq 1 100); do grep -q "listening on" "$E2E_TMP/$name.err" && break; sleep 0.05; done
  timeout 6 "${@//\{PORT\}/$P}" </dev/null >"$E2E_TMP/$name.client" 2>&1
  wait "$hp"
  rc=$?
  check "$name: $want" test "$(jget "$out" 'o["verdict"]')" = "$want"
  case $want in
    vulnerable) check "$name: exit 1" test "$rc" = 1 ;;
    patched|no-heartbeat) check "$name: exit 0" test "$rc" = 0 ;;
    *) check "$name: exit 3" test "$rc" = 3 ;;
  esac
  echo "# $name: $(jget "$out" 'o["verdict"], o["version"], o["strategy"], o["elapsed_ms"], o["reason"]')"
}

for ck in "" --cookie; do
  udp "model vuln $ck" vulnerable "$ck" python3 "$DM" "127.0.0.1:{PORT}" vuln
  check "model vuln $ck: 0 bytes disclosed" test "$(jget "$E2E_TMP/model vuln $ck.json" 'o["disclosed"]')" = 0
  udp "model fixed $ck" patched "$ck" python3 "$DM" "127.0.0.1:{PORT}" fixed
  udp "model nohb $ck" no-heartbeat "$ck" python3 "$DM" "127.0.0.1:{PORT}" nohb
done
check "the strategy is dtls" test "$(jget "$E2E_TMP/model vuln .json" 'o["strategy"]')" = dtls
check "the version is DTLS 1.2" test "$(jget "$E2E_TMP/model vuln .json" 'o["version"]')" = DTLSv1.2
udp "garbage" not-tls "" python3 "$DM" "127.0.0.1:{PORT}" garbage

# Real clients.
udp "gnutls-cli --udp --heartbeat" patched "" gnutls-cli --udp --insecure --heartbeat -p "{PORT}" 127.0.0.1
udp "gnutls-cli --udp --heartbeat, cookie" patched --cookie gnutls-cli --udp --insecure --heartbeat -p "{PORT}" 127.0.0.1
udp "gnutls-cli --udp, DTLS 1.0" patched "" gnutls-cli --udp --insecure --heartbeat --priority NORMAL:-VERS-ALL:+VERS-DTLS1.0 -p "{PORT}" 127.0.0.1
check "gnutls-cli --udp, DTLS 1.0: answered in DTLS 1.0" test "$(jget "$E2E_TMP/gnutls-cli --udp, DTLS 1.0.json" 'o["version"]')" = DTLSv1.0
udp "s_client -dtls1" no-heartbeat "" openssl s_client -dtls1 -cipher DEFAULT@SECLEVEL=0 -connect "127.0.0.1:{PORT}"
udp "gnutls-cli --udp" no-heartbeat "" gnutls-cli --udp --insecure -p "{PORT}" 127.0.0.1
udp "s_client -dtls" no-heartbeat "" openssl s_client -dtls -connect "127.0.0.1:{PORT}"
udp "s_client -dtls1_2, cookie" no-heartbeat --cookie openssl s_client -dtls1_2 -connect "127.0.0.1:{PORT}"
check "gnutls-cli --udp --heartbeat offers extension 15" \
  test "$(jget "$E2E_TMP/gnutls-cli --udp --heartbeat.json" 'o["client_hello"]["heartbeat"]')" = True

# Through -- COMMAND: heartcheck binds a free UDP port on 127.0.0.1, puts
# it in for {}, {host} and {port}, and reports once the command has ended.
cmd() { # cmd NAME VERDICT "HEARTCHECK OPTIONS" COMMAND...
  local name=$1 want=$2 opts=$3 out="$E2E_TMP/cmd-$1.json" rc t0 t1
  shift 3
  if ! command -v "$1" >/dev/null; then echo "ok - cmd $name # SKIP not installed"; return; fi
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  "$H" clients --udp $opts --json -t 4000 -- "$@" >"$out" 2>"$E2E_TMP/cmd-$name.err"
  rc=$?
  t1=$(date +%s%N)
  check "cmd $name: $want" test "$(jget "$out" 'o["verdict"]')" = "$want"
  check "cmd $name: one result" test "$(grep -c '"type":"client"' "$out")" = 1
  check "cmd $name: the command is named" test "$(jget "$out" 'o["command"]')" = "$(basename "$1")"
  case $want in
    vulnerable) check "cmd $name: exit 1" test "$rc" = 1 ;;
    patched|no-heartbeat) check "cmd $name: exit 0" test "$rc" = 0 ;;
    *) check "cmd $name: exit 3" test "$rc" = 3 ;;
  esac
  check "cmd $name: under 6 s" test $(( (t1 - t0) / 1000000 )) -lt 6000
  echo "# cmd $name: $(jget "$out" 'o["verdict"], o["elapsed_ms"], o["command_status"], o["command_signal"], o["reason"]')"
}
cmd "gnutls-cli --udp --heartbeat" patched "" gnutls-cli --udp --heartbeat --insecure -p "{port}" "{host}"
check "cmd gnutls-cli: the client was on 127.0.0.1" test "$(jget "$E2E_TMP/cmd-gnutls-cli --udp --heartbeat.json" 'o["ip"]')" = 127.0.0.1
cmd "gnutls-cli --udp --heartbeat, cookie" patched --cookie gnutls-cli --udp --heartbeat --insecure -p "{port}" "{host}"
cmd "s_client -dtls" no-heartbeat "" openssl s_client -dtls -connect "{}"
cmd "model vuln" vulnerable "" python3 "$DM" "{}" vuln
check "cmd model vuln: 0 bytes disclosed" test "$(jget "$E2E_TMP/cmd-model vuln.json" 'o["disclosed"]')" = 0
check "cmd model vuln: the command's exit status" test "$(jget "$E2E_TMP/cmd-model vuln.json" 'o["command_status"]')" = 0
cmd "model vuln, cookie" vulnerable --cookie python3 "$DM" "{host}:{port}" vuln
cmd "model fixed" patched "" python3 "$DM" "{}" fixed
cmd "model garbage" not-tls "" python3 "$DM" "{}" garbage
cmd "model partial" handshake-failed "" python3 "$DM" "{}" partial
check "cmd model partial: says the hello never completed" grep -q "exited with status 0 without a complete ClientHello" "$E2E_TMP/cmd-model partial.json"
cmd "true" handshake-failed "" true
check "cmd true: says the command sent nothing" grep -q "exited with status 0 without sending a datagram" "$E2E_TMP/cmd-true.json"
cmd "false" handshake-failed "" false
check "cmd false: its exit status" test "$(jget "$E2E_TMP/cmd-false.json" 'o["command_status"]')" = 1
t0=$(date +%s%N)
"$H" clients --udp --json -t 1000 -- sleep 30 >"$E2E_TMP/sleep.json" 2>/dev/null
rc=$?
t1=$(date +%s%N)
check "cmd sleep 30: timeout" test "$(jget "$E2E_TMP/sleep.json" 'o["verdict"]')" = timeout
check "  ... one result" test "$(grep -c '"type":"client"' "$E2E_TMP/sleep.json")" = 1
check "  ... killed by SIGTERM" test "$(jget "$E2E_TMP/sleep.json" 'o["command_signal"]')" = 15
check "  ... within 3 s" test $(( (t1 - t0) / 1000000 )) -lt 3000
check "  ... exit 3" test "$rc" = 3
"$H" clients --udp -- /nonexistent/client {} >/dev/null 2>"$E2E_TMP/nx.err"
check "cmd that does not exist: exit 2" test $? = 2
check "  ... said" grep -q "cannot run" "$E2E_TMP/nx.err"

# Usage.
"$H" clients --udp --starttls smtp -- true >/dev/null 2>"$E2E_TMP/u1.err"
check "--udp with --starttls: exit 2" test $? = 2
check "  ... said" grep -q -- "no STARTTLS over DTLS" "$E2E_TMP/u1.err"
"$H" clients --cookie --listen 127.0.0.1:1 >/dev/null 2>&1
check "--cookie without --udp: exit 2" test $? = 2
finish
