#!/usr/bin/env bash
# The HTML report makes no network request, even when its input was made
# by hostile servers and users: markup in every string that could fetch
# (img, link, iframe, script, CSS url(), a meta refresh).  Headless
# Chromium opens the page with a net log (--log-net-log) and a proxy that
# records every connection (--proxy-server); no request of the page may
# appear in either.  A control page that does fetch proves that both
# would see it.  Name lookups are disabled (--host-resolver-rules), and
# the proxy keeps Chromium's own background requests on loopback.
. "$(dirname "$0")/chromium.sh"

# The recorder: a proxy and a web server in one, writing each request line.
RP=$(free_port)
python3 - "$RP" "$T/recorded" <<'PY' &
import socket, sys, threading, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(50); s.settimeout(1)
log = open(sys.argv[2], "a", buffering=1)
end = time.monotonic() + 110
def serve(c):
    c.settimeout(3)
    try:
        line = c.recv(4096).split(b"\r\n", 1)[0]
        log.write(line.decode("latin-1") + "\n")
        c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    except OSError:
        pass
    c.close()
while time.monotonic() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
E2E_PIDS+=($!)
wait_port "$RP"
: >"$T/recorded"

# open NAME FILE: the page in headless Chromium; its DOM after load in
# $T/NAME.dom, its net log in $T/NAME.netlog.
open_page() {
  local prof
  prof=$(mktemp -d)
  timeout -s KILL 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$prof" \
    --proxy-server="http://$L:$RP" \
    --host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE $L" \
    --log-net-log="$T/$1.netlog" --virtual-time-budget=3000 \
    --dump-dom "file://$2" >"$T/$1.dom" 2>"$T/$1.err"
  local rc=$?
  rm -rf "$prof"
  return $rc
}

# page_requests NETLOG: the URLs the page asked for (not Chromium's own
# background requests, whose initiator is "not an origin").
page_requests() {
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = {v: k for k, v in d["constants"]["logEventTypes"].items()}
urls, jobs, own = {}, [], set()
for e in d["events"]:
    p, src = e.get("params", {}), e["source"]["id"]
    if "url" in p:
        urls.setdefault(src, p["url"])
    if names.get(e["type"]) == "URL_REQUEST_START_JOB":
        jobs.append(src)
        if p.get("initiator") == "not an origin":
            own.add(src)
for src in dict.fromkeys(jobs):
    if src not in own:
        print(urls.get(src, "<a request without its URL>"))
PY
}

# The control: a page that fetches, directly and through the proxy.
cat >"$T/control.html" <<HTML
<!doctype html><html><body>
<img src="http://$L:$RP/control-direct.png">
<img src="http://control.invalid/control-proxied.png">
</body></html>
HTML
open_page control "$T/control.html"
check "control page opened" test $? = 0
page_requests "$T/control.netlog" >"$T/control.req"
check "control: the net log is read" test $? = 0
check "control: the net log shows the page's requests" \
  grep -q "control-direct.png" "$T/control.req"
check "control: the recorder saw the direct request" grep -q "GET /control-direct.png" "$T/recorded"
check "control: the recorder saw the proxied one" grep -q "control.invalid/control-proxied.png" "$T/recorded"

# A real scan's results, and lines as a hostile server or user would shape
# them: every string field tries to fetch.
P=$(free_port)
start_fakessl "vuln:$P"
timeout -s KILL 60 "$H" scan --json "$L:$P" >"$T/scan.jsonl" 2>/dev/null
check "scan of the fixture exits 1" test $? = 1
python3 - "$T/scan.jsonl" "$L" "$RP" <<'PY'
import json, sys
path, host, port = sys.argv[1:4]
leak = "http://%s:%s/leak" % (host, port)
bad = ('<img src="%s-img"><link rel="stylesheet" href="%s-css">'
       '<iframe src="%s-frame"></iframe><script src="%s-js"></script>'
       '</style><style>body{background:url(%s-cssurl)}</style>'
       '<meta http-equiv="refresh" content="0;url=%s-refresh">'
       '"><img src=http://leak.invalid/quoted>'
       % ((leak,) * 6))
with open(path, "a") as f:
    f.write(json.dumps({"type": "scan", "target": bad, "name": bad,
        "ip": "127.0.0.9", "port": 443, "verdict": "vulnerable",
        "reason": bad, "version": "TLSv1.2", "heartbeat_ext": True,
        "disclosed": 0, "alert": None, "attempts": 1, "strategy": "flight",
        "nudges": 0, "starttls": None, "bytes_sent": 1, "bytes_received": 1,
        "elapsed_ms": 1.0}) + "\n")
    f.write(json.dumps({"type": "library", "path": bad, "soname": bad,
        "version": bad, "verdict": "vulnerable", "reason": bad,
        "disclosed": 0, "sources": ["directory"]}) + "\n")
    f.write(json.dumps({"type": "process", "pid": 7, "uid": 0, "comm": bad,
        "cmdline": bad, "unit": bad, "restart": True,
        "libraries": [{"path": bad, "why": "deleted"}]}) + "\n")
PY
"$H" report "$T/scan.jsonl" --title '<img src="http://leak.invalid/title">' -o "$T/hostile.html"
check "report of the hostile results written" test $? = 0
: >"$T/recorded"
open_page hostile "$T/hostile.html"
check "hostile report opened" test $? = 0
page_requests "$T/hostile.netlog" >"$T/hostile.req"
check "hostile: the net log is read" test $? = 0
check "the net log shows no request of the page" test ! -s "$T/hostile.req"
cat "$T/hostile.req"
check "the recorder saw nothing of the page" bash -c '! grep -E "leak|/control" "$0"' "$T/recorded"
check "the hostile strings are text on the page, not elements" python3 - "$T/hostile.dom" <<'PY'
import sys
d = open(sys.argv[1]).read()
assert "&lt;img src=" in d, "hostile text missing"
for tag in ("<img", "<iframe", "<script", "<link", '<meta http-equiv="refresh"'):
    assert tag not in d.lower(), tag
PY
cp "$T/hostile.html" "$OUTDIR/" 2>/dev/null || { mkdir -p "$OUTDIR"; cp "$T/hostile.html" "$OUTDIR/"; }
finish
