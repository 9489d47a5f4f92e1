#!/usr/bin/env bash
# heartcheck scan against real TLS stacks started here: GnuTLS with
# heartbeat on must be "patched", OpenSSL 3 must be "no-heartbeat"; a
# closed port and a non-TLS listener get their own verdicts.
. "$(dirname "$0")/../lib.sh"
: "${HEARTCHECK:?}"
cert_pair
p_ossl=$(free_port); p_gnutls=$(free_port); p_http=$(free_port); p_closed=$(free_port)

openssl s_server -accept "127.0.0.1:$p_ossl" -cert "$E2E_TMP/cert.pem" \
  -key "$E2E_TMP/key.pem" -quiet -naccept 50 </dev/null >/dev/null 2>&1 &
E2E_PIDS+=($!)
gnutls-serv --heartbeat --port "$p_gnutls" --x509certfile "$E2E_TMP/cert.pem" \
  --x509keyfile "$E2E_TMP/key.pem" >/dev/null 2>&1 &
E2E_PIDS+=($!)
python3 - "$p_http" <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); s.settimeout(60)
end = time.time() + 60
while time.time() < end:
    try: c, _ = s.accept()
    except OSError: break
    c.settimeout(2)
    try: c.recv(4096)
    except OSError: pass
    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"); c.close()
PY
E2E_PIDS+=($!)
wait_port "$p_ossl" && wait_port "$p_gnutls" && wait_port "$p_http" || exit 1

out=$E2E_TMP/out.jsonl
start=$(date +%s%N)
"$HEARTCHECK" scan --json --timeout 5000 "127.0.0.1:$p_ossl" "127.0.0.1:$p_gnutls" \
  "127.0.0.1:$p_http" "127.0.0.1:$p_closed" >"$out"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
cat "$out"
check "OpenSSL 3 s_server is no-heartbeat" test "$(field "$out" "127.0.0.1:$p_ossl" verdict)" = no-heartbeat
check "OpenSSL 3 negotiated TLSv1.2" test "$(field "$out" "127.0.0.1:$p_ossl" version)" = TLSv1.2
check "gnutls-serv --heartbeat is patched" test "$(field "$out" "127.0.0.1:$p_gnutls" verdict)" = patched
check "gnutls-serv echoed extension 15" test "$(field "$out" "127.0.0.1:$p_gnutls" heartbeat_ext)" = true
check "an HTTP listener is not-tls" test "$(field "$out" "127.0.0.1:$p_http" verdict)" = not-tls
check "a closed port is refused" test "$(field "$out" "127.0.0.1:$p_closed" verdict)" = refused
check "exit 3: some targets untestable, none vulnerable" test "$rc" = 3
check "verdicts without waiting for a timeout (${ms} ms < 3000)" test "$ms" -lt 3000

# Every TLS version the real OpenSSL 3 peer still speaks gives a verdict.
"$HEARTCHECK" scan --json --max-version tls1.2 "127.0.0.1:$p_gnutls" >"$out"
check "gnutls patched again (second connection)" test "$(field "$out" "127.0.0.1:$p_gnutls" verdict)" = patched
"$HEARTCHECK" scan --json --max-version tls1.1 "127.0.0.1:$p_gnutls" >"$out"
check "gnutls at TLS 1.1 is patched or handshake-failed, never vulnerable" \
  grep -qE '"verdict":"(patched|handshake-failed)"' "$out"

# Host names are resolved and sent as SNI.
"$HEARTCHECK" scan --json "localhost:$p_ossl" >"$out"
check "localhost resolves and is probed" grep -q '"name":"localhost"' "$out"
check "localhost:$p_ossl gets a verdict" grep -q '"verdict":"no-heartbeat"' "$out"
finish
