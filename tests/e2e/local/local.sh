#!/usr/bin/env bash
# heartcheck local against real processes and listeners started here:
#   V  maps a vulnerable libssl (the 1.0.1f stand-in)         -> restart: vulnerable
#   D  maps a copy of this machine's libssl that is deleted   -> restart: deleted
#   DV maps a vulnerable copy that a fixed file replaced, the
#      way dpkg upgrades (rename over)                        -> restart: deleted + vulnerable,
#      proven on the mapped image through /proc/PID/map_files
#   OK maps an untouched copy                                 -> no restart
# and a vulnerable and an OpenSSL 3 listener on loopback ports.
. "$(dirname "$0")/../lib.sh"
: "${HEARTCHECK:?}" "${FAKESSL:?}" "${FAKEDTLS:?}" "${FAKELIB_VULN:?}" "${FAKELIB_FIXED:?}" "${TLSMAPPER:?}"
T=$E2E_TMP
real=$(ldconfig -p | awk '/libssl\.so\.3 .*x86-64|libssl\.so\.3 \(libc6,x86-64\)/{print $NF; exit}')
[ -n "$real" ] || real=$(ldconfig -p | awk '/libssl\.so\.3 /{print $NF; exit}')

mapper() { # mapper NAME LIBRARY: starts a process that maps LIBRARY
  "$TLSMAPPER" "$2" 120 >"$T/$1.ready" 2>&1 &
  local pid=$!
  E2E_PIDS+=($pid)
  local i
  for i in $(seq 1 100); do grep -q ready "$T/$1.ready" && break; sleep 0.05; done
  eval "pid_$1=$pid"
}

mkdir -p "$T/v" "$T/d" "$T/dv" "$T/ok"
cp "$FAKELIB_VULN" "$T/v/libssl.so.1.0.0"
cp "$real" "$T/d/libssl.so.3"
cp "$FAKELIB_VULN" "$T/dv/libssl.so.1.0.0"
cp "$real" "$T/ok/libssl.so.3"
mapper V "$T/v/libssl.so.1.0.0"
mapper D "$T/d/libssl.so.3"
mapper DV "$T/dv/libssl.so.1.0.0"
mapper OK "$T/ok/libssl.so.3"
rm "$T/d/libssl.so.3"
cp "$FAKELIB_FIXED" "$T/dv/.new" && mv "$T/dv/.new" "$T/dv/libssl.so.1.0.0"

# Listeners: the 1.0.1f stand-in and a real OpenSSL 3.
"$FAKESSL" --lifetime 120 vuln:0 >"$T/fx" &
E2E_PIDS+=($!)
for i in $(seq 1 100); do grep -q all-ready "$T/fx" && break; sleep 0.05; done
p_vuln=$(awk '/^ready vuln/{print $3}' "$T/fx")
cert_pair
p_ossl=$(free_port)
openssl s_server -accept "127.0.0.1:$p_ossl" -cert "$T/cert.pem" -key "$T/key.pem" \
  -quiet -naccept 20 </dev/null >/dev/null 2>&1 &
E2E_PIDS+=($!)
wait_port "$p_ossl" || exit 1

# A mail service on its well-known port, speaking STARTTLS before the
# 1.0.1f stand-in: the first of these ports that is free here.
p_mail= mail_proto=
for pp in 587:smtp 24:lmtp 110:pop3 143:imap 21:ftp; do
  port=${pp%%:*}
  (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && continue
  p_mail=$port mail_proto=${pp#*:}
  break
done
if [ -n "$p_mail" ]; then
  python3 "$(dirname "$0")/../starttls/front.py" --backend "$p_vuln" --lifetime 120 \
    "$mail_proto" >"$T/front" 2>&1 &
  E2E_PIDS+=($!)
  for i in $(seq 1 100); do grep -q all-ready "$T/front" && break; sleep 0.05; done
  p_front=$(awk '$1 == "ready" {print $3; exit}' "$T/front")
  socat "TCP-LISTEN:$p_mail,bind=127.0.0.1,reuseaddr,fork" "TCP:127.0.0.1:$p_front" &
  E2E_PIDS+=($!)
  wait_port "$p_mail" || exit 1
fi

# UDP: a DTLS server (the fixture's 1.0.1f model) and a silent UDP socket,
# each in a process that maps a libssl, and a silent UDP socket in one that
# maps none, which is left alone.
mkdir -p "$T/u"
cp "$FAKELIB_VULN" "$T/u/libssl.so.1.0.0"
# In a sanitizer build the stand-in needs the ASan runtime loaded first.
asan_rt=$(ldd "$FAKELIB_VULN" 2>/dev/null | awk '/libasan/ {print $3; exit}')
preload="${asan_rt:+$asan_rt }$T/u/libssl.so.1.0.0"
LD_PRELOAD="$preload" "$FAKEDTLS" --lifetime 120 vuln >"$T/dx" 2>&1 &
E2E_PIDS+=($!)
for i in $(seq 1 100); do grep -qx all-ready "$T/dx" && break; sleep 0.05; done
p_dtls=$(awk '$1 == "ready" {print $3; exit}' "$T/dx")
udp_silent() { # udp_silent FILE [PRELOAD]: a UDP socket that reads and never answers
  LD_PRELOAD="${2:-}" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
end = time.time() + 120
while time.time() < end:
    s.settimeout(1)
    try: s.recv(65536)
    except socket.timeout: pass
' >"$1" &
  E2E_PIDS+=($!)
  for i in $(seq 1 100); do [ -s "$1" ] && break; sleep 0.05; done
}
udp_silent "$T/us1" "$preload"
udp_silent "$T/us2"
p_usilent=$(cat "$T/us1") p_uplain=$(cat "$T/us2")

out=$T/local.jsonl
"$HEARTCHECK" local --json --no-packages --timeout 5000 >"$out"
rc=$?

proc() { # proc PID KEY: a field of the process object for PID
  python3 - "$out" "$1" "$2" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("type") == "process" and o.get("pid") == int(sys.argv[2]):
        v = o.get(sys.argv[3])
        if sys.argv[3] == "libraries":
            v = ",".join(x["why"] for x in v)
        print(json.dumps(v) if not isinstance(v, str) else v); break
else:
    print("<missing>")
PY
}
listener() { # listener tcp|dtls PORT KEY: a field of that listener on 127.x
  python3 - "$out" "$1" "$2" "$3" <<'PY'
import json, sys
path, door, port, key = sys.argv[1:5]
for l in open(path):
    o = json.loads(l)
    if (o.get("type") == "listener" and o.get("port") == int(port)
            and o.get("ip", "").startswith("127.")
            and o.get("target", "").startswith("dtls://") == (door == "dtls")):
        v = o.get(key); print(json.dumps(v) if not isinstance(v, str) else v); break
else:
    print("<missing>")
PY
}

check "every line is JSON" python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$out"
check "V (maps a vulnerable libssl) must restart" test "$(proc "$pid_V" restart)" = true
check "V's reason is vulnerable" grep -q vulnerable <<<"$(proc "$pid_V" libraries)"
check "D (deleted copy) must restart" test "$(proc "$pid_D" restart)" = true
check "D's reason is deleted" grep -q deleted <<<"$(proc "$pid_D" libraries)"
check "D's reason is not vulnerable (OpenSSL 3 image)" bash -c '! grep -q vulnerable <<<"$0"' "$(proc "$pid_D" libraries)"
check "DV (vulnerable image, fixed file on disk) must restart" test "$(proc "$pid_DV" restart)" = true
check "DV's reasons are exactly deleted and vulnerable (its mapped image is proven vulnerable)" \
  test "$(proc "$pid_DV" libraries)" = "deleted,vulnerable"
check "OK (untouched copy) is listed" test "$(proc "$pid_OK" pid)" = "$pid_OK"
check "OK need not restart" test "$(proc "$pid_OK" restart)" = false
# The mappers are this script's children, so they share its systemd unit
# (if any, as /proc/self/cgroup names it).  Outside a restartable service
# the advice names each pid; inside one, it restarts the unit.
unit=$(proc "$pid_V" unit)
check "V, D, DV and OK share one unit" test "$(proc "$pid_D" unit)/$(proc "$pid_DV" unit)/$(proc "$pid_OK" unit)" = "$unit/$unit/$unit"
if [ "$unit" = null ]; then
  check "no unit, and /proc/self/cgroup names no service" bash -c '! grep -qE "/[^/]+\.service(/|$)" /proc/self/cgroup'
else
  check "the unit $unit is in /proc/self/cgroup" bash -c 'for p in ${0//\// }; do grep -q "/$p\(/\|$\)" /proc/self/cgroup || exit 1; done' "$unit"
fi
inner=${unit#*/}
if [ "$unit" = null ] || [[ "$inner" != *.service ]] || [[ "$inner" == *@.service ]]; then
  check "restart advice names V's pid" grep -q "\"type\":\"restart\".*\"pid\":$pid_V\b" "$out"
  check "restart advice names D's pid" grep -q "\"type\":\"restart\".*\"pid\":$pid_D\b" "$out"
  check "restart advice names DV's pid" grep -q "\"type\":\"restart\".*\"pid\":$pid_DV\b" "$out"
  check "no restart advice for OK" bash -c '! grep -q "\"type\":\"restart\".*\"pid\":$0\b" "$1"' "$pid_OK" "$out"
else
  check "restart advice names the unit $unit" python3 -c '
import json, sys
sys.exit(0 if any(o.get("type") == "restart" and o.get("unit") == sys.argv[2]
                  for o in map(json.loads, open(sys.argv[1]))) else 1)' "$out" "$unit"
fi
check "the vulnerable library V maps is reported as a vulnerable library" \
  grep -q "\"type\":\"library\",\"path\":\"$T/v/libssl.so.1.0.0\".*\"verdict\":\"vulnerable\"" "$out"
check "this machine's libssl tests no-heartbeat" \
  grep -q "\"path\":\"$(readlink -f "$real")\".*\"verdict\":\"no-heartbeat\"" "$out"
check "the vulnerable listener is found and probed" test "$(listener tcp "$p_vuln" verdict)" = vulnerable
check "the vulnerable listener's owner is named" test "$(listener tcp "$p_vuln" comm)" = fakessl
check "the OpenSSL 3 listener is no-heartbeat" test "$(listener tcp "$p_ossl" verdict)" = no-heartbeat
if [ -n "$p_mail" ]; then
  check "the $mail_proto listener on $p_mail is probed through STARTTLS" \
    test "$(listener tcp "$p_mail" starttls)" = "$mail_proto"
  check "the $mail_proto listener on $p_mail is vulnerable" \
    test "$(listener tcp "$p_mail" verdict)" = vulnerable
  "$HEARTCHECK" local --no-packages --no-processes --no-libtest --timeout 5000 \
    >"$T/ltext" 2>&1
  check "text names the STARTTLS protocol of the $mail_proto listener" \
    grep -q "127.0.0.1:$p_mail .*(STARTTLS $mail_proto)" "$T/ltext"
else
  echo "ok - # SKIP no well-known mail port is free here"
fi
check "the DTLS server in a libssl process is probed over UDP, and vulnerable" \
  test "$(listener dtls "$p_dtls" verdict)" = vulnerable
check "the DTLS server's owner is named" test "$(listener dtls "$p_dtls" comm)" = fakedtls
check "a silent UDP socket in a libssl process is not a DTLS service (no timeout)" \
  test "$(listener dtls "$p_usilent" verdict)" = not-tls
check "a UDP socket in a process without libssl is not probed" \
  test "$(listener dtls "$p_uplain" verdict)" = "<missing>"
check "exit 1: something vulnerable or to restart" test "$rc" = 1

# Text mode ends with what to do.
"$HEARTCHECK" local --no-packages --no-listeners >"$T/text" 2>&1
check "text lists the restart" grep -q "$pid_D" "$T/text"
check "text says what to do" grep -q "What to do" "$T/text"
"$HEARTCHECK" local --nagios --no-packages --no-listeners >"$T/nagios"; rc=$?
check "nagios: CRITICAL while vulnerable code is loaded" grep -q "^HEARTCHECK CRITICAL" "$T/nagios"
check "nagios exit 2" test "$rc" = 2
"$HEARTCHECK" local --openmetrics --no-packages --no-listeners >"$T/om"
check "openmetrics counts the restarts" grep -qE "^heartcheck_processes_need_restart [3-9]" "$T/om"
check "openmetrics ends with # EOF" test "$(tail -1 "$T/om")" = "# EOF"
finish
