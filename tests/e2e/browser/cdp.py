#!/usr/bin/env python3
"""Open heartcheck's HTML report in headless Chromium and check what a
person sees.

Chromium is driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: NUL-terminated JSON on fds 3 and 4), so no
library is needed.  The page itself has no script; the checks run as
DevTools evaluations, which the page's Content-Security-Policy does not
govern.

usage: cdp.py CHROMIUM REPORT.html OUTDIR NAME EXPECT.json

EXPECT.json: {"cards": {"vulnerable": N, ...}, "rows": {"bad": N,
"unsure": N, "good": N}, "compare": bool}

Writes OUTDIR/NAME-desktop.png, NAME-phone.png, NAME-print.png and
NAME.pdf.  Prints "ok - ..." lines; exits 1 on the first failed check.
"""
import base64
import fcntl
import json
import os
import select
import subprocess
import sys
import tempfile
import time

DEADLINE = time.monotonic() + 50


class Chrome:
    def __init__(self, exe, args):
        self.to_r, self.to_w = os.pipe()
        self.from_r, self.from_w = os.pipe()

        def fds():
            # Out of the way first: either may be 3 or 4 already.
            r = fcntl.fcntl(self.to_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(self.from_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)

        # pass_fds is applied after preexec_fn: keep 3 and 4.
        self.proc = subprocess.Popen(
            [exe, "--remote-debugging-pipe"] + args + ["about:blank"],
            preexec_fn=fds, pass_fds=(3, 4),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(self.to_r)
        os.close(self.from_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read(self):
        left = DEADLINE - time.monotonic()
        if left <= 0:
            raise TimeoutError("chromium did not answer in time")
        r, _, _ = select.select([self.from_r], [], [], left)
        if not r:
            raise TimeoutError("chromium did not answer in time")
        d = os.read(self.from_r, 1 << 20)
        if not d:
            raise EOFError("chromium closed the pipe")
        self.buf += d

    def _message(self):
        while b"\0" not in self.buf:
            self._read()
        m, self.buf = self.buf.split(b"\0", 1)
        return json.loads(m)

    def call(self, method, session=None, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._message()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method):
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._message())

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


FAILS = 0


def proxy_port():
    """A loopback port that nothing listens on: connections are refused."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return str(port)


def check(desc, ok, detail=""):
    global FAILS
    if ok:
        print("ok - " + desc)
    else:
        print("not ok - %s %s" % (desc, detail))
        FAILS += 1


def main():
    exe, report, outdir, name, expect_path = sys.argv[1:6]
    expect = json.load(open(expect_path))
    url = "file://" + os.path.abspath(report)
    profile = tempfile.mkdtemp(prefix="hc-chromium-")
    c = Chrome(exe, ["--headless", "--no-sandbox", "--disable-gpu",
                     "--disable-quic", "--no-first-run",
                     "--disable-background-networking",
                     "--disable-component-update", "--disable-sync",
                     "--hide-scrollbars", "--user-data-dir=" + profile,
                     # Chromium's own background requests stay on
                     # loopback (a closed port), and no name is looked up.
                     "--proxy-server=http://127.0.0.1:" + proxy_port(),
                     "--host-resolver-rules=MAP * ~NOTFOUND , "
                     "EXCLUDE 127.0.0.1"])
    try:
        t = c.call("Target.createTarget", url="about:blank")
        s = c.call("Target.attachToTarget", targetId=t["targetId"],
                   flatten=True)["sessionId"]
        c.call("Page.enable", s)
        c.call("Network.enable", s)
        c.call("Emulation.setDeviceMetricsOverride", s, width=1280,
               height=900, deviceScaleFactor=1, mobile=False)
        c.call("Page.navigate", s, url=url)
        c.wait_event("Page.loadEventFired")

        def js(expr):
            r = c.call("Runtime.evaluate", s, expression=expr,
                       returnByValue=True)
            if "exceptionDetails" in r:
                raise RuntimeError("%s: %s" % (expr, r["exceptionDetails"]))
            return r["result"].get("value")

        def cards(section):
            """The cards under the heading section, as rendered: label ->
            number."""
            return js("""(() => { const o = {};
                document.querySelectorAll('#%s + .cards .card').forEach(c => {
                  const b = c.querySelector('b');
                  o[c.textContent.slice(b.textContent.length).trim()] =
                    Number(b.textContent); });
                return o; })()""" % section)

        summary = cards("summary")
        for k, v in expect["cards"].items():
            check("card %r shows %d" % (k, v), summary.get(k) == v, summary)

        rows_js = """(() => {
            const t = document.querySelector('#all + .filter table');
            return Array.from(t.tBodies[0].rows).map(r => [r.className,
              getComputedStyle(r).display !== 'none']); })()"""
        rows = js(rows_js)
        by = {}
        for cls, _ in rows:
            by[cls] = by.get(cls, 0) + 1
        check("all results: rows per state %s" % expect["rows"],
              by == expect["rows"], by)
        rank = {"bad": 0, "unsure": 1, "good": 2}
        order = [rank[c] for c, _ in rows]
        check("all results: worst first", order == sorted(order), order)
        check("all results: every row shown at first",
              all(v for _, v in rows))

        # The filter is radio buttons and CSS: click each label as a
        # person would and count the rows left on screen.
        for fid, cls in (("f-bad", "bad"), ("f-unsure", "unsure"),
                         ("f-good", "good"), ("f-all", None)):
            js("document.querySelector('label[for=%s]').click()" % fid)
            shown = js(rows_js)
            vis = [c for c, v in shown if v]
            want = [c for c, _ in shown if cls is None or c == cls]
            check("filter %s shows %d rows, all %s" % (fid, len(want),
                  cls or "states"), vis == want, vis)

        if expect.get("compare"):
            comp = cards("compare")
            for k, v in expect["compare_cards"].items():
                check("comparison card %r shows %d" % (k, v),
                      comp.get(k) == v, comp)

        def shot(path, width, mobile, full=True):
            c.call("Emulation.setDeviceMetricsOverride", s, width=width,
                   height=800, deviceScaleFactor=1, mobile=mobile)
            js("void document.body.offsetHeight")
            h = js("document.documentElement.scrollHeight") if full else 800
            png = c.call("Page.captureScreenshot", s, format="png",
                         captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": width,
                               "height": min(h, 6000), "scale": 1})
            with open(path, "wb") as f:
                f.write(base64.b64decode(png["data"]))
            return js("document.documentElement.scrollWidth")

        # A keyword (a kind, a verdict, a change) is one line, never
        # broken inside a word.
        broken_js = """Array.from(document.querySelectorAll(
            '.scroll td:nth-child(1), .scroll td:nth-child(3), .scroll th'))
            .filter(e => e.offsetParent !== null && e.textContent.trim() &&
              !e.querySelector('code') &&
              (() => { const r = document.createRange(); r.selectNodeContents(e);
                const tops = new Set(Array.from(r.getClientRects()).map(
                  x => Math.round(x.top)));
                return tops.size > e.textContent.trim().split(/\\s+/).length;
              })()).map(e => e.textContent)"""
        w = shot(os.path.join(outdir, name + "-desktop.png"), 1280, False)
        check("desktop: no sideways scrolling", w <= 1280, w)
        b = js(broken_js)
        check("desktop: no keyword broken inside a word", b == [], b)
        shot(os.path.join(outdir, name + "-phone-top.png"), 390, True, False)
        w = shot(os.path.join(outdir, name + "-phone.png"), 390, True)
        check("phone (390 px): no sideways scrolling of the page", w <= 390,
              w)
        over = js("""Array.from(document.querySelectorAll('body *')).filter(
            e => !e.closest('.scroll') &&
                 e.getBoundingClientRect().right > 391).map(e => e.tagName +
                 '.' + e.className).slice(0, 5)""")
        check("phone: nothing outside a scroll box is wider than the screen",
              over == [], over)
        b = js(broken_js)
        check("phone: no keyword broken inside a word", b == [], b)
        c.call("Emulation.setEmulatedMedia", s, media="print")
        shot(os.path.join(outdir, name + "-print.png"), 800, False)
        b = js(broken_js)
        check("print: no keyword broken inside a word", b == [], b)
        hidden = js("""getComputedStyle(document.querySelector(
            '.filter label')).display""")
        check("print: the filter controls are hidden", hidden == "none",
              hidden)
        c.call("Emulation.setEmulatedMedia", s, media="")
        pdf = c.call("Page.printToPDF", s, printBackground=True)
        with open(os.path.join(outdir, name + ".pdf"), "wb") as f:
            f.write(base64.b64decode(pdf["data"]))
        check("print: a PDF is made", len(pdf["data"]) > 1000)

        # Everything the page asked the network for.
        urls = [e["params"]["request"]["url"] for e in c.events
                if e.get("method") == "Network.requestWillBeSent"]
        others = [u for u in urls if u != url and not u.startswith("data:")]
        check("the page requested nothing but itself", others == [] and
              url in urls, urls)
    finally:
        c.close()
        subprocess.run(["rm", "-rf", profile])
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
