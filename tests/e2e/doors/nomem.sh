#!/usr/bin/env bash
# Every endpoint that could not be done is a result, never a silence: when
# no probe can be allocated (nomem.c, preloaded), each endpoint of every
# door, literal or looked up, is "inconclusive" with the reason, the
# summary counts them, and the exit status says some were not tested.
. "$(dirname "$0")/../lib.sh"
: "${HEARTCHECK:?}" "${NOMEM:?}"
# (Registered only in builds without a sanitizer: see meson.build.)
p=$(free_port)
out=$E2E_TMP/out.jsonl
LD_PRELOAD=$NOMEM "$HEARTCHECK" scan --json -t 2000 "127.0.0.1:$p" \
  "dtls://127.0.0.1:$p" "openvpn+tcp://127.0.0.1:$p" "smtp://localhost:$p" \
  >"$out" 2>"$E2E_TMP/err"
rc=$?
cat "$out" "$E2E_TMP/err"
check "exit 3: endpoints not tested" test "$rc" = 3
check "one inconclusive result per endpoint, with the reason" python3 - "$out" <<'PY'
import json, sys
res = [json.loads(l) for l in open(sys.argv[1])]
scan = [o for o in res if o["type"] == "scan"]
summ = [o for o in res if o["type"] == "summary"]
ok = len(scan) >= 4 and len(summ) == 1 and summ[0]["endpoints"] == len(scan)
for o in scan:
    ok = ok and o["verdict"] == "inconclusive"
    ok = ok and o["reason"] == "not probed: cannot start the probe: out of memory"
    ok = ok and o["ip"] and o["port"] > 0
targets = {o["target"].split(" ")[0] for o in scan}
ok = ok and {t.split("127.0.0.1:")[0] for t in targets if "127.0.0.1" in t} >= {"", "dtls://", "openvpn+tcp://"}
ok = ok and any(t.startswith("smtp://localhost:") for t in targets)
sys.exit(0 if ok else 1)
PY
check "nothing said only on stderr" test ! -s "$E2E_TMP/err"
finish
