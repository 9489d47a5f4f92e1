#!/bin/bash
# Every STARTTLS protocol before every server program of the fixture
# (docs/probe.md §4: classic, edge, giveup, slow, limited), vulnerable
# (1.0.1f) and fixed (1.0.1g): one front.py relays each protocol's
# dialogue to each of the ten fixture listeners, and one scan per protocol
# (--starttls is one per run) takes all ten, the fifteen scans at once.
# Each cell must get its verdict from the strategy its program needs, with
# 0 bytes disclosed, and the dialogue again on every connection: giveup
# makes the ladder reconnect (large-record), two or three times.
set -u
: "${HEARTCHECK:?}" "${FAKESSL:?}"
. "$(dirname "$0")/lib.sh"

SLOW_MS=100
PROTOS=(smtp lmtp imap pop3 ftp xmpp xmpp-server ldap postgres mysql nntp
        sieve irc telnet rdp)
specs=()
cells=()
for lib in vuln fixed; do
    for prog in classic edge giveup slow limited; do
        extra=
        [ "$prog" = slow ] && extra=",slow_ms=$SLOW_MS"
        specs+=("$lib:0,prog=$prog$extra")
        cells+=("$lib $prog")
    done
done
t0=$(date +%s%N)
"$FAKESSL" --lifetime 120 "${specs[@]}" >"$TMP/fx" 2>"$TMP/fx.err" &
E2E_PIDS+=($!)
wait_ready "$TMP/fx" $!
mapfile -t backends < <(awk '$1 == "ready" { print $3 }' "$TMP/fx")
[ "${#backends[@]}" -eq "${#specs[@]}" ] ||
    { echo "not ok - ${#backends[@]} fixture listeners"; exit 1; }

fronts=()
for p in "${PROTOS[@]}"; do
    for b in "${backends[@]}"; do fronts+=("$p@$b"); done
done
python3 "$HERE/front.py" --lifetime 120 "${fronts[@]}" \
    >"$TMP/front" 2>"$TMP/front.err" &
E2E_PIDS+=($!)
wait_ready "$TMP/front" $!

# cells: TARGET PROTO LIB PROG, one line per endpoint scanned.
: >"$TMP/cells"
scans=()
for p in "${PROTOS[@]}"; do
    targets=()
    for i in "${!backends[@]}"; do
        port=$(port_of "$TMP/front" "$p@${backends[$i]}")
        targets+=("127.0.0.1:$port")
        echo "127.0.0.1:$port $p ${cells[$i]}" >>"$TMP/cells"
    done
    "$HEARTCHECK" scan --json -t 6000 --starttls "$p" --xmpp-host fixture \
        "${targets[@]}" >"$TMP/$p.json" 2>"$TMP/$p.err" &
    scans+=($!)
done
rc_bad=0
for i in "${!scans[@]}"; do
    wait "${scans[$i]}"
    rc=$?
    # 1: a vulnerable endpoint was found, as in every scan here.
    [ "$rc" = 1 ] || { echo "not ok - scan ${PROTOS[$i]}: exit $rc"; cat "$TMP/${PROTOS[$i]}.err"; rc_bad=1; }
done
t1=$(date +%s%N)
echo "# ${#PROTOS[@]} scans of ${#backends[@]} endpoints each in $(( (t1 - t0) / 1000000 )) ms"

python3 - "$TMP/cells" "$SLOW_MS" "$TMP" <<'PY'
import glob, json, os, sys

cells = {}
for line in open(sys.argv[1]):
    t, proto, lib, prog = line.split()
    cells[t] = (proto, lib, prog)
slow_ms = int(sys.argv[2])
res = {}
for path in glob.glob(os.path.join(sys.argv[3], "*.json")):
    for line in open(path):
        o = json.loads(line)
        if o.get("type") == "scan":
            res[o["target"]] = o

want_verdict = {"vuln": "vulnerable", "fixed": "patched"}
# A relayed connection may split or join the records of one write, so a
# program that answers the flight may answer it after the first nudge;
# the one that gives up needs the large-record rung: its answer on the
# 2nd connection (vulnerable), or the valid heartbeat's on a 3rd
# (patched).  No cell waits for the deadline: only the sleeping program
# is slow, by about one sleep per heartbeat.
fails = ok = 0
for t, (proto, lib, prog) in sorted(cells.items(),
                                    key=lambda kv: (kv[1], kv[0])):
    o = res.get(t)
    label = f"{proto:11} {lib:5} {prog:7}"
    if o is None:
        print(f"not ok - {label} no result"); fails += 1; continue
    why = []
    if o["verdict"] != want_verdict[lib]:
        why.append(f"verdict {o['verdict']} ({o['reason'][:80]})")
    if o["starttls"] != proto:
        why.append(f"starttls {o['starttls']}")
    if o["disclosed"] != 0:
        why.append(f"disclosed {o['disclosed']}")
    if prog == "giveup":
        n = 2 if lib == "vuln" else 3
        if o["strategy"] != "large-record" or o["attempts"] != n:
            why.append(f"strategy {o['strategy']} attempts {o['attempts']}"
                       f" (want large-record, {n})")
    else:
        if o["strategy"] not in ("flight", "nudge") or o["attempts"] != 1:
            why.append(f"strategy {o['strategy']} attempts {o['attempts']}")
        if not 0 <= o["nudges"] <= 12:
            why.append(f"nudges {o['nudges']}")
    limit = 3 * slow_ms + 3000 if prog == "slow" else 3000
    if o["elapsed_ms"] > limit:
        why.append(f"elapsed {o['elapsed_ms']} ms > {limit}")
    if why:
        print(f"not ok - {label} " + "; ".join(why)); fails += 1
    else:
        ok += 1
        print(f"ok - {label} {o['verdict']:10} {o['strategy']:12} "
              f"attempts={o['attempts']} nudges={o['nudges']} "
              f"{o['elapsed_ms']} ms")
print(f"{ok} passed, {fails} failed")
sys.exit(1 if fails else 0)
PY
py=$?
[ "$py" -eq 0 ] && [ "$rc_bad" -eq 0 ] || exit 1
exit 0
