#!/usr/bin/env bash
# heartcheck scan --openvpn: TLS inside OpenVPN's control channel over UDP.
# The fixture behind the OpenVPN framing (fakeovpn: fakessl_core as the
# library) is vulnerable, patched and no-heartbeat as on TCP; one that
# drops every packet, as tls-auth does, is a timeout naming the key.
# Debian's openvpn (OpenSSL 3; --dev null, so no tun device is needed) is
# no-heartbeat without tls-auth and a timeout with it (tlsauth.sh scans it
# with the key).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/udp.sh"
: "${HEARTCHECK:?}" "${FAKEOVPN:?}"

"$FAKEOVPN" --lifetime 60 vuln fixed nohb vuln,tlsauth \
  >"$E2E_TMP/ready" 2>"$E2E_TMP/fakeovpn.err" &
E2E_PIDS+=($!)
for i in $(seq 1 100); do
  grep -qx all-ready "$E2E_TMP/ready" && break
  sleep 0.1
done
grep -qx all-ready "$E2E_TMP/ready" || { echo "fakeovpn did not start"; exit 1; }
mapfile -t P < <(awk '$1 == "ready" { print $3 }' "$E2E_TMP/ready")
t() { echo "127.0.0.1:$1"; }
out=$E2E_TMP/out.jsonl
"$HEARTCHECK" scan --openvpn --json --timeout 2500 "$(t ${P[0]})" \
  "$(t ${P[1]})" "$(t ${P[2]})" "$(t ${P[3]})" >"$out"
rc=$?
cat "$out"
v() { field "$out" "$(t "$1")" "$2"; }
check "fixture vuln is vulnerable, 0 disclosed" \
  test "$(v ${P[0]} verdict)/$(v ${P[0]} disclosed)" = vulnerable/0
check "fixture fixed is patched" test "$(v ${P[1]} verdict)" = patched
check "fixture nohb is no-heartbeat" test "$(v ${P[2]} verdict)" = no-heartbeat
check "tls-auth fixture is a timeout naming the key" \
  grep -q "tls-auth" <<<"$(v ${P[3]} reason)"
check "exit status 1" test "$rc" = 1

if ! command -v openvpn >/dev/null; then
  echo "SKIP: openvpn is not installed (scripts/deps.sh --test installs it)"
  finish
fi
cert_pair
openvpn --genkey secret "$E2E_TMP/ta.key" >/dev/null 2>&1
p_plain=$(free_udp_port); p_auth=$(free_udp_port)
for spec in "$p_plain:" "$p_auth:--tls-auth $E2E_TMP/ta.key 0"; do
  # shellcheck disable=SC2086
  timeout 60 openvpn --dev null --tls-server --ca "$E2E_TMP/cert.pem" \
    --cert "$E2E_TMP/cert.pem" --key "$E2E_TMP/key.pem" --dh none \
    --proto udp --local 127.0.0.1 --lport "${spec%%:*}" --verb 1 \
    ${spec#*:} >"$E2E_TMP/openvpn-${spec%%:*}.log" 2>&1 &
  E2E_PIDS+=($!)
done
wait_udp "$p_plain" && wait_udp "$p_auth" || exit 1
out2=$E2E_TMP/real.jsonl
start=$(date +%s%N)
"$HEARTCHECK" scan --openvpn --json --timeout 2500 "$(t $p_plain)" \
  "$(t $p_auth)" >"$out2"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
cat "$out2"
check "openvpn (OpenSSL 3) is no-heartbeat" \
  test "$(field "$out2" "$(t $p_plain)" verdict)" = no-heartbeat
check "openvpn negotiated TLSv1.2 or better through the control channel" \
  grep -q "TLSv1" <<<"$(field "$out2" "$(t $p_plain)" version)"
check "openvpn with tls-auth is a timeout naming the key" \
  test "$(field "$out2" "$(t $p_auth)" verdict)" = timeout
check "  ... reason names tls-auth" \
  grep -q "tls-auth" <<<"$(field "$out2" "$(t $p_auth)" reason)"
check "within the budget ($ms ms)" test "$ms" -lt 3500

# The same over TCP (--openvpn-tcp): packets with a 2-byte length.
p_tplain=$(free_port); p_tauth=$(free_port); p_tclosed=$(free_port)
for spec in "$p_tplain:" "$p_tauth:--tls-auth $E2E_TMP/ta.key 0"; do
  # shellcheck disable=SC2086
  timeout 60 openvpn --dev null --tls-server --ca "$E2E_TMP/cert.pem" \
    --cert "$E2E_TMP/cert.pem" --key "$E2E_TMP/key.pem" --dh none \
    --proto tcp-server --local 127.0.0.1 --lport "${spec%%:*}" --verb 1 \
    ${spec#*:} >"$E2E_TMP/openvpn-tcp-${spec%%:*}.log" 2>&1 &
  E2E_PIDS+=($!)
done
wait_listen "$p_tplain" && wait_listen "$p_tauth" || exit 1
out3=$E2E_TMP/tcp.jsonl
"$HEARTCHECK" scan --openvpn-tcp --json --timeout 2500 "$(t $p_tplain)" \
  "$(t $p_tauth)" "$(t $p_tclosed)" >"$out3"
cat "$out3"
check "openvpn over TCP is no-heartbeat" \
  test "$(field "$out3" "$(t $p_tplain)" verdict)" = no-heartbeat
check "openvpn over TCP with tls-auth names the key" \
  grep -q "tls-auth" <<<"$(field "$out3" "$(t $p_tauth)" reason)"
check "a closed TCP port is refused" \
  test "$(field "$out3" "$(t $p_tclosed)" verdict)" = refused
finish
