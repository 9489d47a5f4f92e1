#!/bin/bash
# STARTTLS end to end through scripted plaintext fronts (front.py): each
# speaks one protocol's server side, then relays the connection to the
# fakessl fixture, so the TLS behind SMTP, IMAP, ... is a vulnerable
# (1.0.1f) or a fixed (1.0.1g) one.  Also: refusals in the server's own
# words, a service that does not speak the protocol, a mute one, and the
# port-based default.  programs.sh runs the same fronts before every server
# program of the fixture.
set -u
: "${HEARTCHECK:?}" "${FAKESSL:?}"
. "$(dirname "$0")/lib.sh"
FAILS=0

"$FAKESSL" --lifetime 120 vuln:0 fixed:0 http:0 >"$TMP/fx" 2>"$TMP/fx.err" &
E2E_PIDS+=($!)
wait_ready "$TMP/fx" $!
vuln=$(port_of "$TMP/fx" vuln)
fixed=$(port_of "$TMP/fx" fixed)
http=$(port_of "$TMP/fx" http)

PROTOS=(smtp lmtp imap pop3 ftp nntp sieve irc xmpp xmpp-server ldap postgres mysql
        telnet rdp)
specs=()
for p in "${PROTOS[@]}"; do specs+=("$p" "$p:refuse"); done
specs+=(smtp:mute)
python3 "$HERE/front.py" --backend "$vuln" --lifetime 120 "${specs[@]}" \
    >"$TMP/fv" 2>"$TMP/fv.err" &
E2E_PIDS+=($!)
wait_ready "$TMP/fv" $!
python3 "$HERE/front.py" --backend "$fixed" --lifetime 120 "${PROTOS[@]}" \
    >"$TMP/ff" 2>"$TMP/ff.err" &
E2E_PIDS+=($!)
wait_ready "$TMP/ff" $!

# expect NAME FILE VERDICT DISCLOSED STARTTLS [REASON-SUBSTRING]
expect() {
    python3 - "$@" <<'PY'
import json, sys
name, path, verdict, disclosed, starttls = sys.argv[1:6]
want_reason = sys.argv[6] if len(sys.argv) > 6 else None
res = [json.loads(l) for l in open(path) if l.strip()]
res = [o for o in res if o.get("type") == "scan"]
if len(res) != 1:
    print("not ok - %s: %d results" % (name, len(res))); sys.exit(1)
o = res[0]
bad = []
if o["verdict"] != verdict: bad.append("verdict %s" % o["verdict"])
if disclosed != "-" and o["disclosed"] != int(disclosed):
    bad.append("disclosed %s" % o["disclosed"])
if (o.get("starttls") or "null") != starttls:
    bad.append("starttls %s" % o.get("starttls"))
if want_reason and want_reason not in o["reason"]:
    bad.append("reason lacks %r" % want_reason)
print("%s - %s: %s (%s ms) %s" % ("not ok" if bad else "ok", name,
      o["verdict"], o["elapsed_ms"], o["reason"][:110]))
if bad:
    print("  # " + "; ".join(bad)); sys.exit(1)
PY
    [ $? -eq 0 ] || FAILS=$((FAILS + 1))
}

scan() { # OUT ARGS...
    local out=$1; shift
    "$HEARTCHECK" scan --json -t 4000 "$@" >"$out" 2>"$out.err"
    echo $? >"$out.rc"
}

for p in "${PROTOS[@]}"; do
    scan "$TMP/$p.v" --starttls "$p" --xmpp-host fixture \
        "127.0.0.1:$(port_of "$TMP/fv" "$p")"
    expect "vulnerable behind $p" "$TMP/$p.v" vulnerable 0 "$p"
    [ "$(cat "$TMP/$p.v.rc")" = 1 ] || { echo "not ok - $p exit $(cat "$TMP/$p.v.rc")"; FAILS=$((FAILS + 1)); }
    scan "$TMP/$p.f" --starttls "$p" --xmpp-host fixture \
        "127.0.0.1:$(port_of "$TMP/ff" "$p")"
    expect "patched behind $p" "$TMP/$p.f" patched 0 "$p"
    scan "$TMP/$p.r" --starttls "$p" --xmpp-host fixture \
        "127.0.0.1:$(port_of "$TMP/fv" "$p:refuse")"
    expect "refusal behind $p" "$TMP/$p.r" starttls-refused 0 "$p"
    [ "$(cat "$TMP/$p.r.rc")" = 3 ] || { echo "not ok - $p refusal exit $(cat "$TMP/$p.r.rc")"; FAILS=$((FAILS + 1)); }
done

# The server's own words, escaped.
expect "SMTP refusal quoted and escaped" "$TMP/smtp.r" starttls-refused 0 smtp \
    '454 4.7.0 TLS not available: \x22no key\x22\x07 today'
expect "vsftpd's 500 OOPS is a refusal" "$TMP/ftp.r" starttls-refused 0 ftp \
    '500 OOPS: SSL: cannot load RSA certificate'
expect "PostgreSQL N is a refusal" "$TMP/postgres.r" starttls-refused 0 postgres \
    'does not accept SSL'

# A service that does not speak the protocol, and one that says nothing.
scan "$TMP/other" --starttls smtp "127.0.0.1:$(port_of "$TMP/fv" imap)"
expect "an IMAP server under --starttls smtp" "$TMP/other" not-tls 0 smtp \
    'does not speak SMTP: not an SMTP greeting: "* OK'
scan "$TMP/http" --starttls smtp -t 700 "127.0.0.1:$http"
expect "an HTTP server waits for its request: a timeout saying so" \
    "$TMP/http" timeout 0 smtp 'the server sent nothing'
scan "$TMP/mute" --starttls smtp -t 700 "127.0.0.1:$(port_of "$TMP/fv" smtp:mute)"
expect "a mute SMTP service times out, saying where" "$TMP/mute" timeout 0 smtp \
    'waiting for the 220 greeting'

# Plain TLS on the same fixture: --starttls none and auto on a high port.
scan "$TMP/plain" --starttls none "127.0.0.1:$vuln"
expect "--starttls none is plain TLS" "$TMP/plain" vulnerable 0 null
scan "$TMP/auto" "127.0.0.1:$fixed"
expect "auto on a port of no STARTTLS protocol is plain TLS" "$TMP/auto" patched 0 null

# A name that is not a protocol is a usage error.
"$HEARTCHECK" scan --starttls gopher 127.0.0.1:1 >/dev/null 2>"$TMP/usage.err"
rc=$?
if [ "$rc" = 2 ] && grep -q 'smtp, lmtp' "$TMP/usage.err"; then
    echo "ok - --starttls gopher is a usage error listing the protocols"
else
    echo "not ok - --starttls gopher: exit $rc"; FAILS=$((FAILS + 1))
fi

[ "$FAILS" -eq 0 ] || { echo "$FAILS check(s) failed"; exit 1; }
echo "all STARTTLS front checks passed"
