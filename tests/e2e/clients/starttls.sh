#!/bin/bash
# heartcheck clients --starttls end to end: the fixture's OpenSSL
# 1.0.1f/1.0.1g client stand-in behind SMTP, IMAP, POP3 and FTP; real curl,
# openssl s_client and gnutls-cli behind each; plaintext clients that never
# ask for TLS, send garbage or overlong lines, stay silent or hang up.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"
H=$HEARTCHECK
FC=$FAKECLIENT
PC="$(dirname "$0")/plainclient.py"

run() { # run NAME PROTO VERDICT RC COMMAND...: one test through -- COMMAND
  local out="$E2E_TMP/$1.json" rc
  "$H" clients --json -t 6000 --starttls "$2" -- "${@:5}" >"$out" 2>"$E2E_TMP/$1.err"
  rc=$?
  check "$1: $3" test "$(jget "$out" 'o["verdict"]')" = "$3"
  check "$1: exit $4" test "$rc" = "$4"
  echo "# $1: $(jget "$out" 'o["verdict"], o["attempts"], o["elapsed_ms"], o["reason"]')"
}

# The fixture behind each protocol, in each library mode; the ladder's
# reconnections go through the preamble again (giveup: 2 and 3 runs).
for p in smtp imap pop3 ftp; do
  run "fixture $p vuln" $p vulnerable 1 "$FC" --mode vuln --starttls $p {}
  check "fixture $p vuln: 0 bytes disclosed" test "$(jget "$E2E_TMP/fixture $p vuln.json" 'o["disclosed"]')" = 0
  run "fixture $p fixed" $p patched 0 "$FC" --mode fixed --starttls $p {}
  run "fixture $p nohb" $p no-heartbeat 0 "$FC" --mode nohb --starttls $p {}
done
run "fixture smtp vuln giveup" smtp vulnerable 1 "$FC" --mode vuln --prog giveup --starttls smtp {}
check "fixture smtp vuln giveup: 2 connections" test "$(jget "$E2E_TMP/fixture smtp vuln giveup.json" 'o["attempts"]')" = 2
run "fixture imap fixed giveup" imap patched 0 "$FC" --mode fixed --prog giveup --starttls imap {}
check "fixture imap fixed giveup: 3 connections" test "$(jget "$E2E_TMP/fixture imap fixed giveup.json" 'o["attempts"]')" = 3
# The fixture checks the dialogue: it starts TLS only when offered.
check "fixture smtp: it sent EHLO" grep -q "C: EHLO" "$E2E_TMP/fixture smtp vuln.err"
check "fixture smtp: it saw STARTTLS offered and asked for it" grep -q "C: STARTTLS" "$E2E_TMP/fixture smtp vuln.err"
check "fixture ftp: FEAT lists AUTH TLS" grep -q "S:  AUTH TLS" "$E2E_TMP/fixture ftp vuln.err"

# A TLS client without --starttls waits for our greeting: the timeout
# says what to try.
out="$E2E_TMP/nogreet.json"
"$H" clients --json -t 800 -- "$FC" --mode vuln --starttls smtp --timeout 2000 {} >"$out" 2>/dev/null
check "a STARTTLS client without --starttls: timeout" test "$(jget "$out" 'o["verdict"]')" = timeout
check "  ... the reason says --starttls" grep -q -- "--starttls PROTO" "$out"

# Real clients.
real() { # real NAME PROTO VERDICT COMMAND...
  if ! command -v "$4" >/dev/null; then echo "ok - $1 # SKIP not installed"; return; fi
  run "real $1" "$2" "$3" "$([ "$3" = patched ] || [ "$3" = no-heartbeat ] && echo 0 || echo 3)" "${@:4}"
}
for p in smtp imap pop3 ftp; do
  if [ $p = smtp ]; then
    real "curl $p" $p no-heartbeat curl -sk --ssl-reqd "smtp://{}/" \
      --mail-from a@heartcheck.invalid --mail-rcpt b@heartcheck.invalid -T /dev/null
  else
    real "curl $p" $p no-heartbeat curl -sk --ssl-reqd "$p://{}/"
  fi
  real "s_client $p" $p no-heartbeat openssl s_client -starttls $p -connect "{}"
  real "gnutls-cli --heartbeat $p" $p patched gnutls-cli --insecure --heartbeat --starttls-proto=$p "{}"
done
check "real gnutls-cli --heartbeat: extension 15 offered" \
  test "$(jget "$E2E_TMP/real gnutls-cli --heartbeat imap.json" 'o["client_hello"]["heartbeat"]')" = True

# Plaintext clients that never start TLS get a verdict, never a silence.
plain() { # plain SCENARIO PROTO VERDICT PATTERN
  local out="$E2E_TMP/plain-$1-$2.json" t0 t1
  t0=$(date +%s%N)
  "$H" clients --json -t 1500 --starttls "$2" -- python3 "$PC" {} "$1" >"$out" 2>/dev/null
  t1=$(date +%s%N)
  check "plain $1 ($2): $3" test "$(jget "$out" 'o["verdict"]')" = "$3"
  check "plain $1 ($2): says \"$4\"" grep -q -- "$4" "$out"
  check "plain $1 ($2): under 2.5 s" test $(( (t1 - t0) / 1000000 )) -lt 2500
  echo "# $1/$2: $(jget "$out" 'o["verdict"], o["reason"]')"
}
plain quit smtp starttls-refused "quit (QUIT) without asking for STARTTLS; it sent MAIL in plaintext"
plain noops smtp starttls-refused "16 commands without asking for STARTTLS"
plain garbage smtp not-tls "binary bytes"
plain overlong imap not-tls "longer than 200 bytes"
plain http pop3 not-tls "an unknown first command"
plain tls ftp not-tls "implicit TLS"
plain hangup smtp handshake-failed "waiting for STARTTLS (the client's last command: EHLO)"
plain silent imap timeout "waiting for the client's first IMAP command"

# The listener mode with --starttls, two clients at once.
P=$(free_port)
"$H" clients --json --starttls pop3 --listen 127.0.0.1:"$P" --count 2 -t 3000 >"$E2E_TMP/l.json" 2>"$E2E_TMP/l.err" &
LPID=$!
E2E_PIDS+=("$LPID")
for i in $(seq 1 100); do grep -q "listening on" "$E2E_TMP/l.err" && break; sleep 0.05; done
"$FC" --mode vuln --starttls pop3 127.0.0.1:"$P" 2>/dev/null &
"$FC" --mode fixed --starttls pop3 127.0.0.1:"$P" 2>/dev/null
wait "$LPID"
lrc=$?
verdicts=$(python3 -c '
import json, sys
print(" ".join(sorted(json.loads(l)["verdict"] for l in open(sys.argv[1]) if json.loads(l).get("type") == "client")))' "$E2E_TMP/l.json")
check "listener --starttls pop3: patched and vulnerable" test "$verdicts" = "patched vulnerable"
check "listener --starttls pop3: exit 1" test "$lrc" = 1

# Usage.
"$H" clients --starttls gopher -- true >/dev/null 2>"$E2E_TMP/u.err"
check "--starttls gopher: exit 2" test $? = 2
check "  ... the protocols are listed" grep -q "smtp, imap, pop3, ftp" "$E2E_TMP/u.err"
"$H" clients --help | grep -q -- "--starttls PROTO"
check "clients --help lists --starttls" test $? = 0
finish
