#!/usr/bin/env bash
# heartcheck scan --openvpn --tls-auth: the control channel signed with an
# OpenVPN static key, and sent again when packets are lost.
#
# The fixture (fakeovpn with key=FILE:DIR) is vulnerable and patched
# through tls-auth, with and without a key direction and with SHA256; a
# wrong key, a missing key and the wrong direction are timeouts that say
# so; a server signing with another key is handshake-failed at once.  Lost
# resets and control packets are sent again, reordered and doubled server
# packets still give the verdict (a lost packet costs the 1 s before its
# copy: at least 900 ms by the clock of the result).  Debian's openvpn
# with tls-auth ta.key 0 (UDP and TCP) is no-heartbeat through the key,
# SHA256 too.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/udp.sh"
: "${HEARTCHECK:?}" "${FAKEOVPN:?}"

# A static key file as openvpn --genkey secret writes it.
genkey() {
  python3 - "$1" <<'PY'
import os, sys
k = os.urandom(256).hex()
with open(sys.argv[1], "w") as f:
    f.write("#\n# 2048 bit OpenVPN static key\n#\n"
            "-----BEGIN OpenVPN Static key V1-----\n")
    for i in range(0, 512, 32):
        f.write(k[i:i + 32] + "\n")
    f.write("-----END OpenVPN Static key V1-----\n")
PY
}
K=$E2E_TMP/fix.key; K2=$E2E_TMP/other.key
genkey "$K"; genkey "$K2"

"$FAKEOVPN" --lifetime 90 "vuln,key=$K:0" "fixed,key=$K:0" "vuln,key=$K:-" \
  "vuln,key=$K:0,md=SHA256" "vuln,key=$K:0" "vuln,key=$K:0" "vuln,key=$K:0" \
  "vuln,key=$K:0,nocheck" \
  >"$E2E_TMP/ready" 2>"$E2E_TMP/fakeovpn.err" &
E2E_PIDS+=($!)
"$FAKEOVPN" --lifetime 90 vuln,drop=reset vuln,drop=control vuln,reorder \
  vuln,dup "vuln,key=$K:0,drop=control,dup" \
  >"$E2E_TMP/ready2" 2>"$E2E_TMP/fakeovpn2.err" &
E2E_PIDS+=($!)
for i in $(seq 1 100); do
  grep -qx all-ready "$E2E_TMP/ready" && grep -qx all-ready "$E2E_TMP/ready2" &&
    break
  sleep 0.1
done
grep -qx all-ready "$E2E_TMP/ready2" || { echo "fakeovpn did not start"; exit 1; }
mapfile -t P < <(awk '$1 == "ready" { print $3 }' "$E2E_TMP/ready")
mapfile -t R < <(awk '$1 == "ready" { print $3 }' "$E2E_TMP/ready2")
t() { echo "127.0.0.1:$1"; }
scan() { # scan OUT ARGS...: one scan, its JSON lines in OUT
  local out=$1; shift
  "$HEARTCHECK" scan --openvpn --json --timeout 3000 "$@" >"$out"
  cat "$out"
}
# Scans run side by side (their pids in SCANS); waits for them only, not
# for the servers.
SCANS=()
bg() { "$@" & SCANS+=($!); }
waitscans() { wait "${SCANS[@]}"; SCANS=(); }
o1=$E2E_TMP/k1.jsonl o2=$E2E_TMP/k2.jsonl o3=$E2E_TMP/k3.jsonl
o4=$E2E_TMP/k4.jsonl o5=$E2E_TMP/k5.jsonl o6=$E2E_TMP/k6.jsonl
bg scan "$o1" --tls-auth "$K:1" "$(t ${P[0]})" "$(t ${P[1]})"
bg scan "$o2" --tls-auth "$K" "$(t ${P[2]})"
bg scan "$o3" --tls-auth "$K:1" --tls-auth-digest sha256 "$(t ${P[3]})"
bg scan "$o4" --tls-auth "$K2:1" "$(t ${P[4]})" "$(t ${P[7]})"
bg scan "$o5" "$(t ${P[5]})"
bg scan "$o6" --tls-auth "$K:0" "$(t ${P[6]})"
waitscans
v() { field "$1" "$(t "$2")" "$3"; }
check "tls-auth fixture vuln is vulnerable, 0 disclosed" \
  test "$(v "$o1" ${P[0]} verdict)/$(v "$o1" ${P[0]} disclosed)" = vulnerable/0
check "tls-auth fixture fixed is patched" \
  test "$(v "$o1" ${P[1]} verdict)" = patched
check "without a key direction both sides use key 0: vulnerable" \
  test "$(v "$o2" ${P[2]} verdict)" = vulnerable
check "tls-auth with SHA256: vulnerable" \
  test "$(v "$o3" ${P[3]} verdict)" = vulnerable
check "another key: a timeout" test "$(v "$o4" ${P[4]} verdict)" = timeout
# The key serves an openvpn:// target as well as --openvpn.
od=$E2E_TMP/door.jsonl
"$HEARTCHECK" scan --json --timeout 3000 --tls-auth "$K:1" \
  "openvpn://127.0.0.1:${P[0]}" >"$od"
check "tls-auth through an openvpn:// door, without --openvpn: vulnerable" \
  test "$(field "$od" "openvpn://127.0.0.1:${P[0]}" verdict)" = vulnerable
check "  ... saying the server does not hold this key" \
  grep -q "does not hold this tls-auth key" <<<"$(v "$o4" ${P[4]} reason)"
check "no key: a timeout saying the server needs the tls-auth key" \
  grep -q "needs the tls-auth key" <<<"$(v "$o5" ${P[5]} reason)"
check "the server's direction (0) on our side too: a timeout" \
  test "$(v "$o6" ${P[6]} verdict)" = timeout
check "a server signing with another key: handshake-failed" \
  test "$(v "$o4" ${P[7]} verdict)" = handshake-failed
check "  ... at once, naming the HMAC ($(v "$o4" ${P[7]} elapsed_ms) ms)" \
  python3 -c "import sys; sys.exit(not (float(sys.argv[1]) < 900 and 'HMAC' in sys.argv[2]))" \
  "$(v "$o4" ${P[7]} elapsed_ms)" "$(v "$o4" ${P[7]} reason)"
check "the fixture saw packets fail its HMAC check" \
  grep -q "failed the tls-auth HMAC" "$E2E_TMP/fakeovpn.err"

# Loss, reordering and copies (the fixture without tls-auth, and once with).
o7=$E2E_TMP/loss.jsonl o8=$E2E_TMP/loss-auth.jsonl
bg scan "$o7" "$(t ${R[0]})" "$(t ${R[1]})" "$(t ${R[2]})" "$(t ${R[3]})"
bg scan "$o8" --tls-auth "$K:1" "$(t ${R[4]})"
waitscans
ms() { python3 -c "import sys; print(int(float(sys.argv[1])))" "$1"; }
check "first reset lost: vulnerable after the reset is sent again" \
  test "$(v "$o7" ${R[0]} verdict)" = vulnerable -a \
  "$(ms "$(v "$o7" ${R[0]} elapsed_ms)")" -ge 900
check "first control packet lost: vulnerable after it is sent again" \
  test "$(v "$o7" ${R[1]} verdict)" = vulnerable -a \
  "$(ms "$(v "$o7" ${R[1]} elapsed_ms)")" -ge 900
check "  ... the fixture dropped both" \
  test "$(grep -c "dropped the first" "$E2E_TMP/fakeovpn2.err")" -ge 2
check "server packets in reverse order: vulnerable" \
  test "$(v "$o7" ${R[2]} verdict)" = vulnerable
check "  ... the fixture did reverse them" \
  grep -q "packets in reverse order" "$E2E_TMP/fakeovpn2.err"
check "every server packet twice: vulnerable" \
  test "$(v "$o7" ${R[3]} verdict)" = vulnerable
check "tls-auth with a lost control packet and copies: vulnerable" \
  test "$(v "$o8" ${R[4]} verdict)" = vulnerable

if ! command -v openvpn >/dev/null; then
  echo "SKIP: openvpn is not installed (scripts/deps.sh --test installs it)"
  finish
fi
cert_pair
openvpn --genkey secret "$E2E_TMP/ta.key" >/dev/null 2>&1
ta=$E2E_TMP/ta.key
# Point-to-point servers take one client and restart after a TLS error,
# so every scan that gets through gets a server of its own.
p_ok=$(free_udp_port); p_sha=$(free_udp_port); p_bad=$(free_udp_port)
p_tok=$(free_port); p_tbad=$(free_port)
for spec in "udp:$p_ok:" "udp:$p_sha:--auth SHA256" "udp:$p_bad:" \
    "tcp-server:$p_tok:" "tcp-server:$p_tbad:"; do
  proto=${spec%%:*}; rest=${spec#*:}; port=${rest%%:*}
  # shellcheck disable=SC2086
  timeout 80 openvpn --dev null --tls-server --ca "$E2E_TMP/cert.pem" \
    --cert "$E2E_TMP/cert.pem" --key "$E2E_TMP/key.pem" --dh none \
    --proto "$proto" --local 127.0.0.1 --lport "$port" --verb 3 \
    --tls-auth "$ta" 0 ${rest#*:} >"$E2E_TMP/openvpn-$port.log" 2>&1 &
  E2E_PIDS+=($!)
done
wait_udp "$p_ok" && wait_udp "$p_sha" && wait_udp "$p_bad" &&
  wait_listen "$p_tok" && wait_listen "$p_tbad" || exit 1
r1=$E2E_TMP/r1.jsonl r2=$E2E_TMP/r2.jsonl r3=$E2E_TMP/r3.jsonl
r4=$E2E_TMP/r4.jsonl r5=$E2E_TMP/r5.jsonl r6=$E2E_TMP/r6.jsonl
r7=$E2E_TMP/r7.jsonl
start=$(date +%s%N)
"$HEARTCHECK" scan --openvpn --json --timeout 2500 --tls-auth "$ta:1" \
  "$(t $p_ok)" >"$r1"
ms_ok=$(( ($(date +%s%N) - start) / 1000000 ))
bg scan "$r2" --tls-auth "$ta:1" --tls-auth-digest SHA256 "$(t $p_sha)"
bg scan "$r3" "$(t $p_bad)"
waitscans
bg scan "$r4" --tls-auth "$K:1" "$(t $p_bad)"
bg "$HEARTCHECK" scan --openvpn-tcp --json --timeout 2500 --tls-auth "$ta:1" \
  "$(t $p_tok)" >"$r6"
bg "$HEARTCHECK" scan --openvpn-tcp --json --timeout 2500 --tls-auth "$K:1" \
  "$(t $p_tbad)" >"$r7"
waitscans
scan "$r5" --tls-auth "$ta" "$(t $p_bad)"
cat "$r1" "$r6" "$r7"
check "openvpn with tls-auth, scanned with its key (:1): no-heartbeat" \
  test "$(field "$r1" "$(t $p_ok)" verdict)" = no-heartbeat
check "  ... TLS negotiated through the signed channel" \
  grep -q "TLSv1" <<<"$(field "$r1" "$(t $p_ok)" version)"
check "  ... within the budget ($ms_ok ms)" test "$ms_ok" -lt 2500
check "openvpn with tls-auth and auth SHA256: no-heartbeat" \
  test "$(field "$r2" "$(t $p_sha)" verdict)" = no-heartbeat
check "openvpn with tls-auth, no key: a timeout that needs the key" \
  grep -q "needs the tls-auth key" <<<"$(field "$r3" "$(t $p_bad)" reason)"
check "openvpn with tls-auth, another key: a timeout" \
  test "$(field "$r4" "$(t $p_bad)" verdict)" = timeout
check "  ... saying the server does not hold this key" \
  grep -q "does not hold this tls-auth key" \
  <<<"$(field "$r4" "$(t $p_bad)" reason)"
check "openvpn with tls-auth, no key direction: not through" \
  test "$(field "$r5" "$(t $p_bad)" verdict)" = timeout
check "openvpn saw our HMAC fail" \
  grep -q "packet HMAC authentication failed" "$E2E_TMP/openvpn-$p_bad.log"
check "openvpn over TCP with tls-auth, with its key: no-heartbeat" \
  test "$(field "$r6" "$(t $p_tok)" verdict)" = no-heartbeat
check "openvpn over TCP with tls-auth, another key: says so" \
  grep -q "does not hold this tls-auth key" \
  <<<"$(field "$r7" "$(t $p_tbad)" reason)"
finish

