#!/usr/bin/env bash
# The HTML report in a real browser: two real scans of the fakessl fixture
# (a vulnerable port fixed, one gone, one newly vulnerable, one that stops
# answering), heartcheck report of each and of the comparison, opened in
# headless Chromium (cdp.py): the rendered counts, the worst-first order,
# the CSS filter clicked as a person would, no sideways scrolling at phone
# width, the print view; screenshots and a PDF are kept in the build
# directory to look at.
. "$(dirname "$0")/chromium.sh"
HERE=$(dirname "$0")


two_scans

"$H" report "$T/run1.jsonl" -o "$T/one.html"
check "report of run 1 written" test $? = 0
"$H" report "$T/run2.jsonl" --before "$T/run1.jsonl" -o "$T/two.html"
check "report of run 2 against run 1 written" test $? = 0
# Long words from hostile or odd inputs: a 300-character target, a deep
# path, a long title.  The page must still fit a phone.
python3 - "$T/run1.jsonl" "$T/long.jsonl" <<'PY'
import json, sys
long = "x" * 300 + ".example:443"
lines = open(sys.argv[1]).read().splitlines()
lines.append(json.dumps({"type": "scan", "target": long, "name": long,
    "ip": "127.0.0.9", "port": 443, "verdict": "vulnerable",
    "reason": "proven " + "y" * 200, "version": "TLSv1.2", "attempts": 1}))
lines.append(json.dumps({"type": "library", "path": "/" + "/".join(["d" * 30] * 12) + "/libssl.so.1.0.0",
    "soname": "libssl.so.1.0.0", "version": "OpenSSL 1.0.1f 6 Jan 2014",
    "verdict": "vulnerable", "reason": "proven", "disclosed": 0,
    "sources": ["directory"]}))
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
"$H" report "$T/long.jsonl" --title "$(printf 'T%.0s' $(seq 1 120))" -o "$T/long.html"
check "report with long words written" test $? = 0

mkdir -p "$OUTDIR"
cat >"$T/one.json" <<'J'
{"cards": {"vulnerable": 2, "processes to restart": 0, "not tested": 0, "tested safe": 2},
 "rows": {"bad": 2, "good": 2}}
J
cat >"$T/two.json" <<'J'
{"cards": {"vulnerable": 1, "processes to restart": 0, "not tested": 1, "tested safe": 2},
 "rows": {"bad": 1, "unsure": 1, "good": 2}, "compare": true,
 "compare_cards": {"newly vulnerable": 1, "still vulnerable": 0, "newly untested": 1,
                   "fixed": 1, "gone": 1, "unchanged": 1}}
J
cat >"$T/long.json" <<'J'
{"cards": {"vulnerable": 4, "not tested": 0, "tested safe": 2},
 "rows": {"bad": 4, "good": 2}}
J
for n in one two long; do
  start=$(date +%s.%N)
  timeout -s KILL 60 python3 "$HERE/cdp.py" "$CHROMIUM" "$T/$n.html" "$OUTDIR" "$n" "$T/$n.json" >"$T/$n.out" 2>&1
  rc=$?
  end=$(date +%s.%N)
  cat "$T/$n.out"
  check "report $n in the browser ($(python3 -c "print(f'{$end-$start:.1f}')") s)" test $rc = 0
  for s in desktop phone print; do
    check "screenshot $n-$s.png kept" python3 -c '
import sys; b = open(sys.argv[1], "rb").read(); assert b[:8] == b"\x89PNG\r\n\x1a\n" and len(b) > 5000' "$OUTDIR/$n-$s.png"
  done
done
cp "$T/one.html" "$T/two.html" "$T/long.html" "$OUTDIR/"
echo "screenshots and pages in $OUTDIR"
finish
