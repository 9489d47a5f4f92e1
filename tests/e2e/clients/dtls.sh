#!/bin/bash
# heartcheck clients --udp end to end: a model of the OpenSSL
# 1.0.1f/1.0.1g DTLS client (dtlsmodel.py) with and without our
# HelloVerifyRequest; real gnutls-cli --udp (with and without --heartbeat)
# and openssl s_client -dtls; a client that sends garbage; usage errors.
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

# Usage.
"$H" clients --udp -- true >/dev/null 2>"$E2E_TMP/u1.err"
check "--udp with a command: exit 2" test $? = 2
check "  ... said" grep -q -- "--listen only" "$E2E_TMP/u1.err"
"$H" clients --cookie --listen 127.0.0.1:1 >/dev/null 2>&1
check "--cookie without --udp: exit 2" test $? = 2
finish
