#!/usr/bin/env bash
# Runs every heartcheck test: unit and end-to-end tests on a normal build,
# the same again under AddressSanitizer + UBSan, and every fuzz target for a
# short bounded time, and the mutation harness (tests/mutants) as one more
# test.  A test that could not run its real check exits 77 (Meson's SKIP)
# and prints "SKIP: why"; the summary lists each skipped test with its
# reason.  The last line is "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
out=${HEARTCHECK_TEST_BUILD:-$top/build-test}
bash scripts/deps.sh --test || { echo "0 passed, 1 failed"; exit 1; }

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
results=$(mktemp)
skips=$(mktemp)
trap 'rm -f "$results" "$skips"' EXIT

# pass NAME SETUP-ARGS... -- TEST-ARGS...
pass() {
  local name=$1; shift
  local setup=() dir="$out/$name"
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do setup+=("$1"); shift; done
  shift
  echo "== $name: building" >&2
  if [ ! -f "$dir/build.ninja" ]; then
    if ! meson setup "$dir" "${setup[@]}" >"$out/$name.setup.log" 2>&1; then
      cat "$out/$name.setup.log" >&2
      echo "$name:build FAIL" >>"$results"; return
    fi
  fi
  if ! ninja -C "$dir" >"$out/$name.build.log" 2>&1; then
    tail -40 "$out/$name.build.log" >&2
    echo "$name:build FAIL" >>"$results"; return
  fi
  echo "== $name: testing" >&2
  rm -f "$dir/meson-logs/testlog.json"
  meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" >&2
  python3 - "$name" "$dir/meson-logs/testlog.json" "$skips" >>"$results" <<'PY'
import json, sys
name, path, skips = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    lines = open(path).read().splitlines()
except OSError:
    print(f"{name}:testlog ERROR"); sys.exit()
with open(skips, "a") as sk:
    for l in lines:
        t = json.loads(l)
        print(f"{name}:{t['name']} {t['result']}")
        if t["result"] == "SKIP":
            # Tests say why on a line of their own: "SKIP: why".
            why = [x.strip() for x in t.get("stdout", "").splitlines()
                   if x.startswith("SKIP: ") or "# SKIP" in x]
            sk.write(f"{name}:{t['name']}: {'; '.join(why) or 'no reason given'}\n")
PY
}

# The mutation harness as one test: every deliberate bug must be caught.
mutants() {
  echo "== mutants: running" >&2
  if MUTANTS_WORK="$out/mutants" bash tests/mutants/run.sh >"$out/mutants.log" 2>&1; then
    echo "mutants OK" >>"$results"
  else
    grep -E "^(SURVIVED|STALE|baseline)" "$out/mutants.log" >&2
    echo "mutants FAIL" >>"$results"
  fi
  tail -1 "$out/mutants.log" >&2
}

mkdir -p "$out"
pass plain --buildtype=debugoptimized -- --suite unit --suite e2e
mutants
pass asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
  -Dc_args=-fno-sanitize-recover=all -- --suite unit --suite e2e
CC=clang pass fuzz --buildtype=debug -Dfuzz=true -Dtests=false \
  -Db_sanitize=address,undefined -Db_lundef=false -- --suite fuzz

python3 - "$results" "$skips" <<'PY'
import sys
for line in open(sys.argv[2]):
    print(f"SKIPPED: {line.rstrip()}")
ok = {"OK", "EXPECTEDFAIL"}
skip = {"SKIP"}
p = f = s = 0
for line in open(sys.argv[1]):
    name, res = line.rsplit(" ", 1)
    res = res.strip()
    if res in ok: p += 1
    elif res in skip: s += 1
    else:
        f += 1
        print(f"FAILED: {name} ({res})")
print(f"{p} passed, {f} failed, {s} skipped")
sys.exit(1 if f else 0)
PY
