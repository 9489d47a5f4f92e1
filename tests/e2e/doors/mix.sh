#!/usr/bin/env bash
# One scan, many doors: TLS, STARTTLS (SMTP and IMAP fronts before the
# fakessl fixture), DTLS (fakedtls) and OpenVPN over UDP (fakeovpn) and
# over TCP, each named by its target's scheme (dtls://, smtp://, ...), in
# ONE heartcheck invocation.  --udp is given too: it applies to the target
# without a scheme only.  Every verdict, label and door is checked.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../dtls/udp.sh"
: "${HEARTCHECK:?}" "${FAKESSL:?}" "${FAKEDTLS:?}" "${FAKEOVPN:?}"
FRONT=$(cd "$(dirname "$0")/../starttls" && pwd)/front.py

ready() { # FILE: waits for "all-ready"
  local i
  for i in $(seq 1 100); do
    grep -qx all-ready "$1" && return 0
    sleep 0.1
  done
  echo "a fixture did not start: $1"; cat "$1" "$1.err" 2>/dev/null; exit 1
}
port() { awk -v m="$2" '$1 == "ready" && $2 == m { print $3; exit }' "$1"; }

"$FAKESSL" --lifetime 60 vuln:0 fixed:0 nohb:0 >"$E2E_TMP/tls" 2>"$E2E_TMP/tls.err" &
E2E_PIDS+=($!)
"$FAKEDTLS" --lifetime 60 vuln fixed nohb >"$E2E_TMP/dtls" 2>"$E2E_TMP/dtls.err" &
E2E_PIDS+=($!)
"$FAKEOVPN" --lifetime 60 vuln nohb >"$E2E_TMP/ovpn" 2>"$E2E_TMP/ovpn.err" &
E2E_PIDS+=($!)
ready "$E2E_TMP/tls"
ready "$E2E_TMP/dtls"
ready "$E2E_TMP/ovpn"
t_vuln=$(port "$E2E_TMP/tls" vuln) t_fixed=$(port "$E2E_TMP/tls" fixed)
t_nohb=$(port "$E2E_TMP/tls" nohb)
d_vuln=$(port "$E2E_TMP/dtls" vuln) d_fixed=$(port "$E2E_TMP/dtls" fixed)
d_nohb=$(port "$E2E_TMP/dtls" nohb)
o_vuln=$(port "$E2E_TMP/ovpn" vuln) o_nohb=$(port "$E2E_TMP/ovpn" nohb)
python3 "$FRONT" --backend "$t_vuln" --lifetime 60 smtp >"$E2E_TMP/fv" 2>"$E2E_TMP/fv.err" &
E2E_PIDS+=($!)
python3 "$FRONT" --backend "$t_fixed" --lifetime 60 imap >"$E2E_TMP/ff" 2>"$E2E_TMP/ff.err" &
E2E_PIDS+=($!)
ready "$E2E_TMP/fv"
ready "$E2E_TMP/ff"
s_smtp=$(port "$E2E_TMP/fv" smtp) s_imap=$(port "$E2E_TMP/ff" imap)
c_tcp=$(free_port) c_udp=$(free_udp_port)

# Debian's OpenVPN over TCP, when it is installed (scripts/deps.sh --test).
ovpn_tcp=
if command -v openvpn >/dev/null; then
  cert_pair
  ovpn_tcp=$(free_port)
  timeout 60 openvpn --dev null --tls-server --ca "$E2E_TMP/cert.pem" \
    --cert "$E2E_TMP/cert.pem" --key "$E2E_TMP/key.pem" --dh none \
    --proto tcp-server --local 127.0.0.1 --lport "$ovpn_tcp" --verb 1 \
    >"$E2E_TMP/openvpn.log" 2>&1 &
  E2E_PIDS+=($!)
  wait_listen "$ovpn_tcp" || exit 1
else
  echo "# openvpn is not installed: openvpn+tcp:// is checked on a closed port only"
fi

L=127.0.0.1
targets=(
  "tls://$L:$t_vuln" "TLS://$L:$t_nohb" "$L:$d_fixed"
  "dtls://$L:$d_vuln" "dtls://$L:$d_nohb"
  "openvpn://$L:$o_vuln" "openvpn://$L:$o_nohb"
  "smtp://$L:$s_smtp" "imap://$L:$s_imap"
  "openvpn+tcp://$L:$c_tcp" "openvpn://$L:$c_udp" "smtp://localhost:$c_tcp"
)
[ -n "$ovpn_tcp" ] && targets+=("openvpn+tcp://$L:$ovpn_tcp")
out=$E2E_TMP/out.jsonl
start=$(date +%s%N)
"$HEARTCHECK" scan --udp --json -t 4000 "${targets[@]}" >"$out" 2>"$E2E_TMP/err"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
cat "$out"
v() { field "$out" "$1" "$2"; }
is() { # DESCRIPTION TARGET KEY VALUE
  check "$1 ($(v "$2" "$3"))" test "$(v "$2" "$3")" = "$4"
}
is "tls:// is TLS over TCP despite --udp: vulnerable" "tls://$L:$t_vuln" verdict vulnerable
is "  ... 0 bytes disclosed" "tls://$L:$t_vuln" disclosed 0
is "  ... plain TLS, no STARTTLS" "tls://$L:$t_vuln" starttls null
is "TLS:// (any case) is labelled tls:// and no-heartbeat" "tls://$L:$t_nohb" verdict no-heartbeat
is "no scheme: --udp applies, DTLS patched" "$L:$d_fixed" verdict patched
is "  ... decided by the DTLS engine" "$L:$d_fixed" strategy dtls
is "dtls:// vulnerable" "dtls://$L:$d_vuln" verdict vulnerable
is "  ... the DTLS engine" "dtls://$L:$d_vuln" strategy dtls
is "dtls:// no-heartbeat" "dtls://$L:$d_nohb" verdict no-heartbeat
is "openvpn:// vulnerable inside the control channel" "openvpn://$L:$o_vuln" verdict vulnerable
is "  ... 0 bytes disclosed" "openvpn://$L:$o_vuln" disclosed 0
is "openvpn:// no-heartbeat" "openvpn://$L:$o_nohb" verdict no-heartbeat
is "smtp:// vulnerable behind the SMTP dialogue" "smtp://$L:$s_smtp" verdict vulnerable
is "  ... says smtp" "smtp://$L:$s_smtp" starttls smtp
is "imap:// patched behind the IMAP dialogue" "imap://$L:$s_imap" verdict patched
is "  ... says imap" "imap://$L:$s_imap" starttls imap
is "openvpn+tcp:// on a closed port: refused" "openvpn+tcp://$L:$c_tcp" verdict refused
is "  ... by TCP" "openvpn+tcp://$L:$c_tcp" reason "connection refused"
is "openvpn:// on a closed port: refused" "openvpn://$L:$c_udp" verdict refused
check "  ... by ICMP, over UDP" grep -q "port unreachable (ICMP)" <<<"$(v "openvpn://$L:$c_udp" reason)"
is "a name keeps its door through the lookup" "smtp://localhost:$c_tcp ($L)" verdict refused
is "transport: tls:// over tcp" "tls://$L:$t_vuln" transport tcp
is "transport: --udp over udp" "$L:$d_fixed" transport udp
is "transport: openvpn:// over udp" "openvpn://$L:$o_vuln" transport udp
is "transport: openvpn+tcp:// over tcp" "openvpn+tcp://$L:$c_tcp" transport tcp
is "transport: smtp:// over tcp" "smtp://$L:$s_smtp" transport tcp
if [ -n "$ovpn_tcp" ]; then
  is "openvpn+tcp:// to Debian's OpenVPN: no-heartbeat" "openvpn+tcp://$L:$ovpn_tcp" verdict no-heartbeat
fi
check "every target once, each result with its door" python3 - "$out" "${#targets[@]}" <<'PY'
import json, sys
res = [json.loads(l) for l in open(sys.argv[1])]
scan = [o for o in res if o["type"] == "scan"]
labels = [o["target"] for o in scan]
want = int(sys.argv[2])
# localhost may resolve to ::1 as well: one more result, same door.
ok = len(labels) == len(set(labels)) and want <= len(labels) <= want + 1
ok = ok and all("://" in t for t in labels if not t.startswith("127.0.0.1:"))
summary = [o for o in res if o["type"] == "summary"]
ok = ok and len(summary) == 1 and summary[0]["endpoints"] == len(scan)
sys.exit(0 if ok else 1)
PY
check "exit 1: vulnerable found" test "$rc" = 1
check "one invocation, within the budget ($ms ms)" test "$ms" -lt 9000

# An unknown door is a bad target, as any other (exit 3), and the message
# names the valid ones.
"$HEARTCHECK" scan "https://$L:$t_vuln" >/dev/null 2>"$E2E_TMP/bad.err"
rc=$?
cat "$E2E_TMP/bad.err"
check "an unknown scheme is a bad target (exit $rc)" test "$rc" = 3
check "  ... naming the valid schemes" grep -q "unknown scheme; use tls, dtls, openvpn, openvpn+tcp or smtp" "$E2E_TMP/bad.err"
check "dtls:// without a host is refused" bash -c "'$HEARTCHECK' scan dtls:// 2>&1 | grep -q 'no host after'"
finish
