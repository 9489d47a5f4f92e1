#!/usr/bin/env bash
# heartcheck diff and heartcheck report on two real scans of the fakessl
# fixture, changed between them: a vulnerable port becomes fixed, one
# disappears from the targets, a new vulnerable one appears, and a fixed one
# stops answering.  Then the HTML report: well-formed, vulnerable first, no
# fetch, nothing unescaped from a hostile input.
. "$(dirname "$0")/../lib.sh"
: "${HEARTCHECK:?}" "${FAKESSL:?}"
H=$HEARTCHECK
T=$E2E_TMP


# Run 1: A vulnerable, B fixed, C vulnerable, E fixed.  Run 2: A fixed
# now, B still fixed, C no longer scanned, D new and vulnerable, E no
# longer answers.
two_scans

# class FILE TARGET: the class of TARGET in diff --json output.
class() {
  python3 - "$@" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("type") == "diff" and o.get("target") == sys.argv[2]:
        print(o["class"]); break
else:
    print("<missing>")
PY
}

"$H" diff --json "$T/run1.jsonl" "$T/run2.jsonl" >"$T/diff.jsonl" 2>"$T/diff.err"
check "diff exits 1: something newly vulnerable" test $? = 1
check "A fixed" test "$(class "$T/diff.jsonl" "$L:$A")" = fixed
check "B unchanged, not listed" test "$(class "$T/diff.jsonl" "$L:$B")" = "<missing>"
check "C gone" test "$(class "$T/diff.jsonl" "$L:$C")" = gone
check "D newly vulnerable" test "$(class "$T/diff.jsonl" "$L:$D")" = newly-vulnerable
check "E newly untested" test "$(class "$T/diff.jsonl" "$L:$E")" = newly-untested
check "diff-summary last, with the counts" python3 - "$T/diff.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
s = lines[-1]
assert s["type"] == "diff-summary", s
assert (s["fixed"], s["gone"], s["newly_vulnerable"], s["newly_untested"],
        s["unchanged"], s["still_vulnerable"], s["new"], s["now_tested"]) == (1, 1, 1, 1, 1, 0, 0, 0), s
assert s["exit"] == 1 and s["old_run"]["bad_lines"] == 0, s
assert s["old_run"]["results"] == 5 and s["new_run"]["ignored"] == 1, s
assert all(o["type"] == "diff" for o in lines[:-1])
PY

"$H" diff --summary "$T/run1.jsonl" "$T/run2.jsonl" >"$T/sum" 2>&1
check "--summary exits 1" test $? = 1
check "--summary is the one line" test "$(cat "$T/sum")" = "heartcheck diff: 1 fixed, 0 still vulnerable, 1 newly vulnerable, 1 newly untested, 1 gone, 0 now tested, 0 new, 1 unchanged"

"$H" diff --color never "$T/run1.jsonl" "$T/run2.jsonl" >"$T/text" 2>&1
check "text: the newly vulnerable first" bash -c 'head -1 "$0" | grep -q "^newly vulnerable  *scan  *127.0.0.1:$1  (none) -> vulnerable"' "$T/text" "$D"
check "text: fixed line" grep -q "^fixed  *scan  *127.0.0.1:$A  vulnerable -> patched" "$T/text"
check "text: no colour when not a terminal" bash -c '! grep -q $'"'"'\x1b'"'"' "$0"' "$T/text"
check "text: ends with the summary" bash -c 'tail -1 "$0" | grep -q "^heartcheck diff: 1 fixed"' "$T/text"
"$H" diff --all --color never "$T/run1.jsonl" "$T/run2.jsonl" >"$T/all" 2>&1
check "--all lists the unchanged" grep -q "^unchanged  *scan  *127.0.0.1:$B" "$T/all"

# Exit codes: 0 when nothing is vulnerable or newly untested, 3 when
# something is newly untested.
grep -e "\"$L:$A\"" -e "\"$L:$B\"" "$T/run2.jsonl" >"$T/run2ab.jsonl"
grep -e "\"$L:$A\"" -e "\"$L:$B\"" -e "\"$L:$E\"" "$T/run2.jsonl" >"$T/run2abe.jsonl"
"$H" diff --summary "$T/run1.jsonl" "$T/run2ab.jsonl" >"$T/sum0"
check "exit 0 when all is fixed or gone" test $? = 0
check "summary of the clean diff" grep -q "^heartcheck diff: 1 fixed, 0 still vulnerable, 0 newly vulnerable, 0 newly untested, 2 gone" "$T/sum0"
"$H" diff --summary "$T/run1.jsonl" "$T/run2abe.jsonl" >/dev/null
check "exit 3 when something is newly untested" test $? = 3
"$H" diff --summary "$T/run1.jsonl" "$T/run1.jsonl" >/dev/null
check "exit 1 when still vulnerable" test $? = 1

# Bad and truncated lines: named FILE:LINE, the rest still compared.
{ head -1 "$T/run2ab.jsonl"; echo 'this is not JSON'; tail -n +2 "$T/run2ab.jsonl"; printf '{"type":"scan","target":"1'; } >"$T/bad.jsonl"
"$H" diff --summary "$T/run1.jsonl" "$T/bad.jsonl" >"$T/badsum" 2>"$T/bad.err"
check "bad lines: exit 3" test $? = 3
check "bad line named FILE:2" grep -q "bad.jsonl:2: not JSON" "$T/bad.err"
check "truncated line named FILE:4" grep -q "bad.jsonl:4: truncated line" "$T/bad.err"
check "the rest still compared" grep -q "^heartcheck diff: 1 fixed, .* 2 gone, .*; 2 input lines unreadable$" "$T/badsum"

# Usage errors and failed writes.
"$H" diff "$T/run1.jsonl" >/dev/null 2>&1; check "one file: exit 2" test $? = 2
"$H" diff "$T/run1.jsonl" "$T/nonexistent" >/dev/null 2>"$T/err"; check "missing file: exit 2" test $? = 2
check "missing file named" grep -q nonexistent "$T/err"
"$H" diff --bogus a b >/dev/null 2>&1; check "unknown option: exit 2" test $? = 2
check "diff --help" bash -c '"$0" diff --help | grep -q "usage: heartcheck diff"' "$H"
if [ -w /dev/full ]; then
  "$H" diff "$T/run1.jsonl" "$T/run2.jsonl" >/dev/full 2>/dev/null; check "write failure: exit 4" test $? = 4
  "$H" report "$T/run2.jsonl" >/dev/full 2>/dev/null; check "report write failure: exit 4" test $? = 4
fi

# The HTML report of run 2 against run 1.
"$H" report "$T/run2.jsonl" --before "$T/run1.jsonl" --title 'Q3 <check>' -o "$T/report.html" 2>"$T/report.err"
check "report exits 0" test $? = 0
check "no temporary file left" bash -c '[ "$(ls "$0" | grep -c "report.html")" = 1 ]' "$T"
"$H" report "$T/run2.jsonl" --before "$T/run1.jsonl" --title 'Q3 <check>' >"$T/stdout.html"
check "report to stdout" grep -q "</html>" "$T/stdout.html"
check "the report is well-formed, vulnerable first, with no fetch" python3 - "$T/report.html" "$L:$D" "$L:$A" <<'PY'
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "input", "link", "img"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.text = [], [], []
        self.section = None
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href", "action", "formaction", "srcset", "poster", "data") or (v and "://" in v):
                self.errors.append("fetch %s %s=%s" % (tag, k, v))
            if k == "id" and tag == "h2":
                self.section = v
        if tag in ("script", "iframe", "img", "link", "object", "embed"):
            self.errors.append("tag " + tag)
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unbalanced </%s> (open: %s)" % (tag, self.stack[-3:]))
        else:
            self.stack.pop()
    def handle_data(self, data):
        self.text.append((self.section, data))
page = open(sys.argv[1], encoding="utf-8").read()
p = P(); p.feed(page); p.close()
assert not p.errors, p.errors
assert not p.stack, p.stack
sections = [s for s, _ in p.text]
first_d = next(i for i, (s, t) in enumerate(p.text) if sys.argv[2] in t)
assert p.text[first_d][0] == "vulnerable", p.text[first_d]
assert sections.index("vulnerable") < sections.index("all")
assert any(s == "compare" and "newly vulnerable" in t for s, t in p.text)
assert any(s == "compare" and sys.argv[3] in t for s, t in p.text)
assert "Q3 <check>" in "".join(t for _, t in p.text)
assert "<check>" not in page
assert "http://" not in page and "https://" not in page
PY

# A hostile input: every field is text, nothing is markup.
cat >"$T/hostile.jsonl" <<'J'
{"type":"scan","target":"<script>alert(1)</script>:443","ip":"10.0.0.1","port":443,"verdict":"vulnerable","reason":"proof \"<img src=x onerror=alert(1)>\" \u001b[2J \u0007x","version":"<b>","strategy":"</td></tr></table><script>","disclosed":5,"attempts":1}
{"type":"scan","target":"10.0.0.2:443","ip":"10.0.0.2","port":443,"verdict":"<svg onload=alert(1)>","reason":"<iframe src='https://evil.example/'>"}
{"type":"process","pid":1,"comm":"</style><script>","cmdline":"<a href=\"http://evil.example/\">x</a>","unit":"x'\"><script>.service","restart":true,"libraries":[{"path":"/lib/\u00ff<libssl>.so","why":"deleted"}]}
{"type":"restart","unit":"x'\"><script>.service","processes":1,"command":"systemctl restart 'x'\"><script>.service'"}
{"type":"error","stage":"<x>","error":"</ul><script>alert(1)</script>"}
{"type":"scan","target":"nul\u0000<script>","verdict":"vulnerable"}
J
printf '\xff\xfe<script>not json\n' >>"$T/hostile.jsonl"
"$H" report "$T/hostile.jsonl" --title '</title><script>alert(1)</script>' -o "$T/hostile.html" 2>"$T/hostile.err"
check "hostile report: exit 3 (a line not read)" test $? = 3
check "hostile report: a NUL is a bad line" grep -q "hostile.jsonl:6: not JSON" "$T/hostile.err"
check "hostile report: the bad line named" grep -q "hostile.jsonl:7" "$T/hostile.err"
check "hostile report: no script, no markup from the input" python3 - "$T/hostile.html" <<'PY'
import sys, re
from html.parser import HTMLParser
page = open(sys.argv[1], "rb").read().decode("utf-8")
assert "<script" not in page.lower(), "raw script"
assert "<img" not in page and "<iframe" not in page and "<svg onload" not in page
assert "&lt;script&gt;alert(1)&lt;/script&gt;:443" in page
tags = set()
class P(HTMLParser):
    def handle_starttag(self, tag, attrs):
        tags.add(tag)
        for k, v in attrs:
            assert k not in ("src", "href") and not k.startswith("on"), (tag, k, v)
P().feed(page)
allowed = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p",
           "div", "b", "code", "svg", "text", "rect", "table", "thead",
           "tbody", "tr", "th", "td", "caption", "small", "br", "pre", "ul", "li",
           "input", "label", "span"}
assert tags <= allowed, tags - allowed
assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", page), "control byte"
PY

# -o into a directory that does not exist: exit 4, nothing left behind.
"$H" report "$T/run2.jsonl" -o "$T/nodir/r.html" 2>/dev/null; check "report -o unwritable: exit 4" test $? = 4
"$H" report >/dev/null 2>&1; check "report without input: exit 2" test $? = 2
"$H" report "$T/nonexistent" >/dev/null 2>&1; check "report of a missing file: exit 2" test $? = 2
check "report --help" bash -c '"$0" report --help | grep -q "usage: heartcheck report"' "$H"

# Rendered in a headless browser, when one is installed (optional).
for b in chromium chromium-browser; do
  if command -v "$b" >/dev/null 2>&1; then
    # Chromium's own background requests go to a closed loopback port,
    # and no name is looked up.
    if timeout 60 "$b" --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$T/chromium" --proxy-server="http://$L:$(free_port)" \
        --host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE $L" \
        --dump-dom "file://$T/report.html" >"$T/dom.html" 2>/dev/null; then
      check "chromium renders the report" grep -q "newly vulnerable" "$T/dom.html"
    fi
    break
  fi
done
finish
