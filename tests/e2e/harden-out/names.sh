#!/usr/bin/env bash
# Hostile names from local users: a process whose name and command line
# carry terminal escapes and invalid UTF-8, mapping a libssl under a path
# that does too.  Text output must hold no raw control byte; JSON must keep
# every field, with the exact bytes in FIELD_b64.
. "$(dirname "$0")/../lib.sh"
: "${HEARTCHECK:?}" "${TLSMAPPER:?}"
T=$E2E_TMP
real=$(ldconfig -p | awk '/libssl\.so\.3 .*x86-64|libssl\.so\.3 \(libc6,x86-64\)/{print $NF; exit}')
[ -n "$real" ] || real=$(ldconfig -p | awk '/libssl\.so\.[0-9.]* /{print $NF; exit}')
if [ -z "$real" ]; then echo "ok - # SKIP no libssl on this machine"; exit 0; fi
base=$(basename "$real")

# comm comes from the name of the file executed: 15 bytes of it.
comm=$'\e[2J\e]0;pwned\a\xff'
argv0=$'\e[1;32mOK\e[0m \x9b\xc2\x85'
dir=$'\e[2J\e]0;lib\a\xfe\xc3'
mkdir -p "$T/$dir" "$T/gone/$dir"
ln -s "$TLSMAPPER" "$T/$comm"
cp "$real" "$T/$dir/$base"
cp "$real" "$T/gone/$dir/$base"
start() { # start NAME LIB: a process with comm and argv[0] as above
  bash -c 'exec -a "$1" "$2" "$3" 60' _ "$argv0" "$T/$comm" "$2" >"$T/$1.ready" 2>&1 &
  E2E_PIDS+=($!)
  eval "pid_$1=$!"
  for i in $(seq 1 100); do grep -q ready "$T/$1.ready" && break; sleep 0.05; done
}
start A "$T/$dir/$base"
start B "$T/gone/$dir/$base"
rm "$T/gone/$dir/$base"     # B must be restarted: printed with its names
check "the hostile processes run" grep -q ready "$T/B.ready"

args=(--no-listeners --no-packages --no-libtest --color never)
"$HEARTCHECK" local "${args[@]}" >"$T/text" 2>"$T/text.err"
check "text names the process to restart" grep -q "pid $pid_B" "$T/text"
check "no raw ESC, BEL or C1 in text output" python3 - "$T/text" "$T/text.err" <<'PY'
import re, sys
for f in sys.argv[1:]:
    b = open(f, "rb").read()
    bad = re.findall(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\x9b", b)
    if bad:
        print(f, bad[:5]); sys.exit(1)
PY
check "the escapes are shown as text" grep -qF '\x1b[2J\x1b]0;pwned\x07\xff' "$T/text"
check "the library path is shown escaped" grep -qF '\x1b]0;lib\x07\xfe\xc3/' "$T/text"

"$HEARTCHECK" local --json "${args[@]}" >"$T/json" 2>/dev/null
check "JSON keeps every field, and FIELD_b64 has the exact bytes" python3 - "$T/json" "$pid_A" "$pid_B" "$T/$dir/$base" "$T/gone/$dir/$base" <<'PY'
import base64, json, os, sys
path, pa, pb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
libA, libB = (os.fsencode(a) for a in sys.argv[4:6])
comm = b"\x1b[2J\x1b]0;pwned\x07\xff"
def raw(o, k):
    assert k in o, (k, o)
    if k + "_b64" in o:
        return base64.b64decode(o[k + "_b64"])
    return o[k].encode()
procs = {}
libs = []
for l in open(path):
    o = json.loads(l)
    if o["type"] == "process":
        procs[o["pid"]] = o
    if o["type"] == "library":
        libs.append(raw(o, "path"))
for pid, lib in ((pa, libA), (pb, libB)):
    o = procs[pid]
    assert raw(o, "comm") == comm, o
    assert "comm_b64" in o and "\\xff" in o["comm"], o
    assert raw(o, "cmdline").startswith(b"\x1b[1;32mOK\x1b[0m \x9b\xc2\x85 "), o
    paths = [raw(x, "path") for x in o["libraries"]]
    assert any(p == lib or p.startswith(lib + b" ") for p in paths), (paths, lib)
assert libA in libs, libs
PY
finish
