#!/usr/bin/env bash
# heartcheck local against a hostile local user.  One case per run:
#
#   many-images  a process maps a vulnerable libssl first, then 19 more
#                libssl/libcrypto copies: the vulnerable one is tested and
#                reported, nothing is dropped;
#   hostile-lib  libraries whose constructors, run in root's test helper,
#                read a root-only file (and another file) into the reply,
#                probe whether they can read them at all, and forge another
#                library's verdict: none of it reaches the report, and
#                neither file can be read;
#   fifo         a FIFO named libssl.so.9 in a library directory, and a FIFO
#                swapped in for a mapped library during the audit: the
#                audit finishes promptly and reports both;
#   tarpit       listeners that accept and never answer, or hold each
#                connection 2.9 s: `local --nagios` ends well inside
#                check_nrpe's 10 s and says what it did not finish;
#   names        a mapped file literally named "libssl.so.3 (deleted)", one
#                under a directory whose name has a newline (neither needs
#                a restart), and files named libssl.so.* that are empty,
#                text, a FIFO, a directory, a symlink loop (not-a-library).
. "$(dirname "$0")/../lib.sh"
: "${HEARTCHECK:?}" "${FAKELIB_VULN:?}" "${FAKELIB_FIXED:?}" "${TLSMAPPER:?}"
: "${MANYMAPPER:?}" "${HOSTILE_LEAK:?}" "${HOSTILE_PROBE:?}" "${HOSTILE_FORGE:?}"
: "${HOSTILE_SLOW:?}"
T=$E2E_TMP
case_=${1:?case}

if [ "$(id -u)" != 0 ]; then
  echo "SKIP: needs root (the audit reads other processes and drops privileges)"
  exit 77
fi

# mapper NAME PROGRAM ARGS...: starts a process that maps libraries.
mapper() {
  local name=$1 i; shift
  "$@" >"$T/$name.ready" 2>&1 &
  local pid=$!
  E2E_PIDS+=($pid)
  for i in $(seq 1 100); do grep -q ready "$T/$name.ready" && break; sleep 0.05; done
  grep -q ready "$T/$name.ready" || { echo "mapper $name: $(cat "$T/$name.ready")"; exit 1; }
  eval "pid_$name=$pid"
}

# obj FILE TYPE KEY VALUE FIELD: FIELD of the first object of TYPE whose KEY
# equals VALUE (numbers compared as text); "<missing>" when none.
obj() {
  python3 - "$@" <<'PY'
import json, sys
path, typ, key, val, field = sys.argv[1:6]
for line in open(path):
    o = json.loads(line)
    if o.get("type") == typ and str(o.get(key)) == val:
        v = o.get(field)
        if field == "libraries":
            v = "\n".join(l["path"] + "\t" + l["why"] for l in v)
        print(v if isinstance(v, str) else json.dumps(v)); break
else:
    print("<missing>")
PY
}

# patch FILE MARKER TEXT: writes TEXT after MARKER in a built library.
patch() {
  python3 - "$@" <<'PY'
import sys
path, marker, text = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
b = bytearray(open(path, "rb").read())
i = b.index(marker) + len(marker)
assert len(text) < 512 - len(marker)
b[i:i + 512 - len(marker)] = text + bytes(512 - len(marker) - len(text))
open(path, "wb").write(bytes(b))
PY
}

landlock_abi() {
  python3 -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))' 2>/dev/null || echo 0
}

case $case_ in
many-images)
  mkdir -p "$T/m/v"
  cp "$FAKELIB_VULN" "$T/m/v/libssl.so.1.0.0"
  libs=("$T/m/v/libssl.so.1.0.0")
  for i in $(seq 1 19); do
    mkdir -p "$T/m/$i"
    if [ $((i % 2)) = 0 ]; then n=libssl.so.1.0.$i; else n=libcrypto.so.1.0.$i; fi
    cp "$FAKELIB_FIXED" "$T/m/$i/$n"
    libs+=("$T/m/$i/$n")
  done
  mapper M "$MANYMAPPER" "${libs[@]}"
  out=$T/out.jsonl
  "$HEARTCHECK" local --json --no-packages --no-listeners >"$out"
  rc=$?
  l=$(obj "$out" process pid "$pid_M" libraries)
  check "all 20 images of the process are listed" test "$(printf '%s\n' "$l" | grep -c "$T/m/")" = 20
  check "the vulnerable image, mapped first, is tested" \
    grep -q "^$T/m/v/libssl.so.1.0.0	.*vulnerable" <<<"$l"
  check "the process must restart" test "$(obj "$out" process pid "$pid_M" restart)" = true
  check "its library is reported vulnerable" \
    test "$(obj "$out" library path "$T/m/v/libssl.so.1.0.0" verdict)" = vulnerable
  check "exit 1" test "$rc" = 1
  ;;

hostile-lib)
  R=$T/root
  mkdir -p "$R/usr/lib" "$T/pub"
  chmod 755 "$T" "$T/pub"
  secret="HC-TOPSECRET-$RANDOM$RANDOM"
  printf '%s\n' "$secret" >"$T/secret"; chmod 600 "$T/secret"
  public="HC-OTHERFILE-$RANDOM$RANDOM"
  printf '%s\n' "$public" >"$T/pub/file"; chmod 644 "$T/pub/file"
  for l in "$HOSTILE_LEAK:libssl.so.1.0.0" "$HOSTILE_PROBE:libssl.so.1.0.3"; do
    cp "${l%%:*}" "$R/usr/lib/${l#*:}"
    patch "$R/usr/lib/${l#*:}" HCSECRETPATH: "$T/secret"
    patch "$R/usr/lib/${l#*:}" HCPUBLICPATH: "$T/pub/file"
  done
  cp "$HOSTILE_FORGE" "$R/usr/lib/libssl.so.1.0.2"
  out=$T/out.jsonl
  "$HEARTCHECK" local --root "$R" --json --no-packages --no-listeners --no-processes >"$out"
  "$HEARTCHECK" local --root "$R" --color never --no-packages --no-listeners --no-processes >"$T/text"
  cat "$out" "$T/text" >"$T/all"
  check "the leaking library is reported" \
    test "$(obj "$out" library path "$R/usr/lib/libssl.so.1.0.0" verdict)" != "<missing>"
  check "the root-only file's text is nowhere in the report" bash -c '! grep -q "$0" "$1"' "$secret" "$T/all"
  rr=$(obj "$out" library path "$R/usr/lib/libssl.so.1.0.3" reason)
  check "the probing library is reported" test "$rr" != "<missing>"
  check "the root-only file could not be read (no SIGUSR1)" bash -c '! grep -q SIGUSR1 <<<"$0"' "$rr"
  if [ "$(landlock_abi)" -ge 1 ]; then
    check "with Landlock, a world-readable file could not be read (no SIGUSR2)" \
      bash -c '! grep -q SIGUSR2 <<<"$0"' "$rr"
  fi
  check "the other file's text is nowhere in the report" bash -c '! grep -q "$0" "$1"' "$public" "$T/all"
  check "the forged text is nowhere in the report" bash -c '! grep -q FORGED "$0"' "$T/all"
  check "the forging library gets only its own verdict" \
    test "$(obj "$out" library path "$R/usr/lib/libssl.so.1.0.2" verdict)" = inconclusive
  check "no other library is reported" test "$(grep -c '"type":"library"' "$out")" = 3
  check "text: no forged 'patched' line" bash -c '! grep -q "^  patched" "$0"' "$T/text"
  ;;

fifo)
  # 1. A FIFO named like a library in a scanned directory.
  R=$T/root
  mkdir -p "$R/usr/lib"
  mkfifo "$R/usr/lib/libssl.so.9"
  t0=$(date +%s%N)
  timeout 60 "$HEARTCHECK" local --root "$R" --json --no-packages --no-listeners --no-processes >"$T/a.jsonl"
  rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "# FIFO in a library directory: ${ms} ms, rc $rc"
  check "a FIFO in a library directory does not hang the audit" test "$rc" != 124 -a "$ms" -lt 10000
  check "the FIFO is reported not-a-library" \
    test "$(obj "$T/a.jsonl" library path "$R/usr/lib/libssl.so.9" verdict)" = not-a-library
  check "the reason names the FIFO" bash -c 'grep -q "FIFO" <<<"$0"' \
    "$(obj "$T/a.jsonl" library path "$R/usr/lib/libssl.so.9" reason)"

  # 2. A FIFO swapped in for a mapped library while the audit runs: a slow
  #    library in the root is tested first and gives the time to swap.
  rm "$R/usr/lib/libssl.so.9"
  cp "$HOSTILE_SLOW" "$R/usr/lib/libssl.so.1.0.0"
  mkdir -p "$T/s"
  cp "$FAKELIB_VULN" "$T/s/libssl.so.1.0.0"
  mapper S "$TLSMAPPER" "$T/s/libssl.so.1.0.0" 120
  t0=$(date +%s%N)
  timeout 60 "$HEARTCHECK" local --root "$R" --json --no-packages --no-listeners >"$T/b.jsonl" &
  hc=$!
  sleep 1.2
  rm "$T/s/libssl.so.1.0.0" && mkfifo "$T/s/libssl.so.1.0.0"
  wait $hc
  rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "# FIFO swapped in for a mapped library: ${ms} ms, rc $rc"
  check "a FIFO swapped in does not hang the audit" test "$rc" != 124 -a "$ms" -lt 20000
  check "the swapped path is reported not-a-library" \
    test "$(obj "$T/b.jsonl" library path "$T/s/libssl.so.1.0.0" verdict)" = not-a-library
  check "the process still gets its restart: its image is vulnerable" \
    test "$(obj "$T/b.jsonl" process pid "$pid_S" restart)" = true
  check "... proven on the mapped image" \
    bash -c 'grep -q "vulnerable" <<<"$0"' "$(obj "$T/b.jsonl" process pid "$pid_S" libraries)"
  ;;

tarpit)
  p1=$(free_port); p2=$(free_port)
  python3 - "$p1" "$p2" >"$T/pit" 2>&1 <<'PY' &
import socket, sys, threading, time
def serve(port, hold):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(128)
    def h(c):
        time.sleep(hold); c.close()
    while True:
        c, _ = s.accept(); threading.Thread(target=h, args=(c,), daemon=True).start()
threading.Thread(target=serve, args=(int(sys.argv[1]), 3600), daemon=True).start()
threading.Thread(target=serve, args=(int(sys.argv[2]), 2.9), daemon=True).start()
print("ready", flush=True)
time.sleep(120)
PY
  E2E_PIDS+=($!)
  wait_port "$p1" && wait_port "$p2" || exit 1
  t0=$(date +%s%N)
  timeout 60 "$HEARTCHECK" local --nagios >"$T/nagios"
  rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "# local --nagios with a tarpit and a 2.9 s holder: ${ms} ms, rc $rc: $(cut -d'|' -f1 "$T/nagios")"
  check "local --nagios ends well inside 10 s" test "$ms" -lt 8000
  check "the Nagios line says what it did not finish" grep -q "not finished: .*listener" "$T/nagios"
  check "and is not OK" bash -c '! grep -q "^HEARTCHECK OK" "$0"' "$T/nagios"
  # The listener budget is 3 s per endpoint across every connection: the
  # tarpit times out in it, and so does the holder, whose close at 2.9 s
  # leaves its version fallback 0.1 s.
  "$HEARTCHECK" local --json --no-packages --no-processes >"$T/l.jsonl"
  check "the tarpit is reported timeout" \
    test "$(obj "$T/l.jsonl" listener port "$p1" verdict)" = timeout
  check "the 2.9 s holder is reported timeout" \
    test "$(obj "$T/l.jsonl" listener port "$p2" verdict)" = timeout
  check "... and the reason names the deadline" \
    bash -c 'grep -q "deadline" <<<"$0"' "$(obj "$T/l.jsonl" listener port "$p2" reason)"
  check "the summary counts both as unfinished" \
    python3 -c 'import json,sys; s=[json.loads(l) for l in open(sys.argv[1])][-1]; sys.exit(0 if s["unfinished"]["listeners"] >= 2 else 1)' "$T/l.jsonl"
  ;;

names)
  mkdir -p "$T/d" "$T/nl
dir"
  cp "$FAKELIB_FIXED" "$T/d/libssl.so.3 (deleted)"
  cp "$FAKELIB_FIXED" "$T/nl
dir/libssl.so.3"
  mapper D "$TLSMAPPER" "$T/d/libssl.so.3 (deleted)" 120
  mapper N "$TLSMAPPER" "$T/nl
dir/libssl.so.3" 120
  R=$T/root
  mkdir -p "$R/usr/lib" "$R/usr/lib/libssl.so.d"
  : >"$R/usr/lib/libssl.so.0"
  echo "INPUT(-lssl)" >"$R/usr/lib/libssl.so.1"
  mkfifo "$R/usr/lib/libssl.so.7"
  ln -s libssl.so.loop "$R/usr/lib/libssl.so.loop"
  out=$T/out.jsonl
  timeout 60 "$HEARTCHECK" local --root "$R" --json --no-packages --no-listeners >"$out"
  check "a file literally named 'libssl.so.3 (deleted)' needs no restart" \
    test "$(obj "$out" process pid "$pid_D" restart)" = false
  check "... and is not called deleted" \
    bash -c '! grep -q "deleted$" <<<"$0"' "$(obj "$out" process pid "$pid_D" libraries)"
  check "a path with a newline needs no restart" \
    test "$(obj "$out" process pid "$pid_N" restart)" = false
  for f in "libssl.so.0:empty" "libssl.so.1:not an ELF" "libssl.so.7:FIFO" \
      "libssl.so.d:directory" "libssl.so.loop:loop"; do
    n=${f%%:*}; why=${f#*:}
    check "$n is not-a-library" \
      test "$(obj "$out" library path "$R/usr/lib/$n" verdict)" = not-a-library
    check "$n: the reason says $why" \
      bash -c 'grep -q "$0" <<<"$1"' "$why" "$(obj "$out" library path "$R/usr/lib/$n" reason)"
  done
  ;;
*)
  echo "unknown case $case_"; exit 2 ;;
esac
finish
