#!/usr/bin/env bash
# heartcheck scan --udp against real DTLS servers started here:
# gnutls-serv --udp --heartbeat must be "patched" (it echoes extension 15
# and ends the handshake on a heartbeat), openssl s_server -dtls (OpenSSL
# 3, no heartbeat code) must be "no-heartbeat".
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/udp.sh"
: "${HEARTCHECK:?}"
command -v gnutls-serv >/dev/null && command -v openssl >/dev/null &&
  command -v ss >/dev/null || { echo "SKIP: gnutls-serv, openssl or ss missing"; exit 77; }
cert_pair
p_gnutls=$(free_udp_port); p_ossl=$(free_udp_port); p_ossl10=$(free_udp_port)
gnutls-serv --udp --heartbeat --port "$p_gnutls" \
  --x509certfile "$E2E_TMP/cert.pem" --x509keyfile "$E2E_TMP/key.pem" \
  >/dev/null 2>&1 &
E2E_PIDS+=($!)
openssl s_server -dtls -accept "127.0.0.1:$p_ossl" -cert "$E2E_TMP/cert.pem" \
  -key "$E2E_TMP/key.pem" -quiet </dev/null >/dev/null 2>&1 &
E2E_PIDS+=($!)
wait_udp "$p_gnutls" && wait_udp "$p_ossl" || exit 1

out=$E2E_TMP/out.jsonl
start=$(date +%s%N)
"$HEARTCHECK" scan --udp --json --timeout 5000 "127.0.0.1:$p_gnutls" \
  "127.0.0.1:$p_ossl" >"$out"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
cat "$out"
check "gnutls-serv --udp --heartbeat is patched" \
  test "$(field "$out" "127.0.0.1:$p_gnutls" verdict)" = patched
check "gnutls-serv echoed extension 15" \
  test "$(field "$out" "127.0.0.1:$p_gnutls" heartbeat_ext)" = true
check "gnutls-serv negotiated DTLSv1.2" \
  test "$(field "$out" "127.0.0.1:$p_gnutls" version)" = DTLSv1.2
check "openssl s_server -dtls is no-heartbeat" \
  test "$(field "$out" "127.0.0.1:$p_ossl" verdict)" = no-heartbeat
check "both within 2 s ($ms ms)" test "$ms" -lt 2000
finish
