#!/usr/bin/env python3
"""Mutation testing for heartcheck: see run.sh for usage.

Copies the tree into a scratch directory, builds it once, checks that the
chosen tests pass on the unchanged code, then applies each mutant of the
list in turn, rebuilds incrementally in the same build directory, runs the
whole unit suite plus the mutant's end-to-end tests, and restores the file.
A mutant that no test fails "survived"; one whose search string is missing
or ambiguous, or that does not compile, is "stale" and fails the harness.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time


def unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(n, "\\" + n))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_list(path):
    mutants, cur = [], {}
    keys = {"id", "file", "find", "repl", "desc", "tests"}

    def flush(lineno):
        if not cur:
            return
        missing = {"id", "file", "find", "repl", "desc"} - cur.keys()
        if missing:
            sys.exit(f"{path}:{lineno}: mutant {cur.get('id', '?')} "
                     f"lacks {', '.join(sorted(missing))}")
        mutants.append(dict(cur))
        cur.clear()

    with open(path) as f:
        lines = f.read().split("\n")
    for no, line in enumerate(lines, 1):
        if line.startswith("#"):
            continue
        if not line.strip():
            flush(no)
            continue
        key, sep, val = line.partition(":")
        key = key.strip()
        if not sep or key not in keys:
            sys.exit(f"{path}:{no}: expected 'key: value', got {line!r}")
        if key in cur:
            sys.exit(f"{path}:{no}: {key} given twice")
        val = val[1:] if val.startswith(" ") else val
        cur[key] = unescape(val) if key in ("find", "repl") else val.strip()
    flush(len(lines))
    ids = [m["id"] for m in mutants]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        sys.exit(f"{path}: duplicate ids: {', '.join(sorted(dup))}")
    for m in mutants:
        m["tests"] = m.get("tests", "").split()
    return mutants


def tree_files(top):
    """Tracked files plus untracked ones that are not ignored."""
    r = subprocess.run(["git", "-C", top, "ls-files", "-z", "--cached",
                        "--others", "--exclude-standard"],
                       capture_output=True, check=True)
    return [p for p in r.stdout.decode().split("\0") if p]


def sync_tree(top, dst):
    """Copies the tree into dst, writing only files whose bytes differ, so
    that a reused build directory rebuilds only what changed."""
    n = 0
    for rel in tree_files(top):
        src = os.path.join(top, rel)
        if not os.path.isfile(src) or os.path.islink(src):
            if os.path.islink(src):
                d = os.path.join(dst, rel)
                os.makedirs(os.path.dirname(d), exist_ok=True)
                if os.path.lexists(d):
                    os.remove(d)
                os.symlink(os.readlink(src), d)
            continue
        d = os.path.join(dst, rel)
        with open(src, "rb") as f:
            data = f.read()
        try:
            with open(d, "rb") as f:
                same = f.read() == data
        except OSError:
            same = False
        if not same:
            os.makedirs(os.path.dirname(d), exist_ok=True)
            with open(d, "wb") as f:
                f.write(data)
            shutil.copymode(src, d)
            n += 1
    return n


def run(cmd, log, **kw):
    with open(log, "w") as f:
        return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, **kw).returncode


def meson_tests(build, names, log):
    """Runs the named tests; returns {short name: result}."""
    tl = os.path.join(build, "meson-logs", "testlog.json")
    if os.path.exists(tl):
        os.remove(tl)
    run(["meson", "test", "-C", build, "--no-rebuild", "--num-processes",
         os.environ.get("MUTANTS_JOBS", "2")] + names, log)
    res = {}
    try:
        for line in open(tl):
            t = json.loads(line)
            res[t["name"].split(" / ")[-1].split(":")[-1]] = t["result"]
    except OSError:
        pass
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--top", required=True)
    ap.add_argument("--only", default="", help="comma-separated mutant ids")
    a = ap.parse_args()

    t0 = time.monotonic()
    mutants = parse_list(a.list)
    if a.only:
        want = set(a.only.split(","))
        unknown = want - {m["id"] for m in mutants}
        if unknown:
            sys.exit(f"unknown mutant ids: {', '.join(sorted(unknown))}")
        mutants = [m for m in mutants if m["id"] in want]
    src = os.path.join(a.work, "src")
    build = os.path.join(a.work, "build")
    logs = os.path.join(a.work, "logs")
    os.makedirs(src, exist_ok=True)
    os.makedirs(logs, exist_ok=True)
    changed = sync_tree(a.top, src)
    print(f"scratch copy: {src} ({changed} files updated)", flush=True)

    # Check every mutant's search string before spending time on builds.
    stale = []
    for m in mutants:
        path = os.path.join(src, m["file"])
        try:
            text = open(path).read()
        except OSError as e:
            stale.append((m, f"cannot read {m['file']}: {e.strerror}"))
            continue
        n = text.count(m["find"])
        if n != 1:
            stale.append((m, f"search string found {n} times in {m['file']}"))
        m["text"] = text

    if not os.path.exists(os.path.join(build, "build.ninja")):
        if run(["meson", "setup", build, "--buildtype=plain",
                "-Db_sanitize=none"], os.path.join(logs, "setup.log"),
               cwd=src) != 0:
            sys.exit(f"meson setup failed: see {logs}/setup.log")
    if run(["ninja", "-C", build], os.path.join(logs, "build.log")) != 0:
        sys.exit(f"build of the unchanged tree failed: see {logs}/build.log")

    r = subprocess.run(["meson", "test", "-C", build, "--list"],
                       capture_output=True, text=True)
    all_tests = {}
    for line in r.stdout.splitlines():
        suite, _, name = line.rpartition(" / ")
        if suite:
            all_tests[name.strip()] = suite.split(":")[-1].strip()
    # The style check fails on any edit clang-format would lay out
    # differently, which says nothing about the code's meaning.
    unit = sorted(n for n, s in all_tests.items()
                  if s == "unit" and n != "unit-style")
    for m in mutants:
        bad = [t for t in m["tests"] if t not in all_tests]
        if bad:
            stale.append((m, f"unknown tests: {' '.join(bad)}"))

    # The baseline: every test any mutant uses must pass unmutated.
    needed = sorted(set(unit).union(*[set(m["tests"]) for m in mutants]))
    base = meson_tests(build, needed, os.path.join(logs, "baseline.log"))
    broken = sorted(t for t in needed if base.get(t) not in ("OK", "SKIP"))
    if broken:
        print(f"baseline FAILED (unmutated tree): {' '.join(broken)}; "
              f"see {logs}/baseline.log")
        print(f"0 killed, 0 survived")
        return 1
    skipped = sorted(t for t in needed if base.get(t) == "SKIP")
    if skipped:
        print(f"note: skipped on the unmutated tree: {' '.join(skipped)}")
    print(f"baseline: {len(needed)} tests pass ({time.monotonic() - t0:.0f} s)",
          flush=True)

    killed = survived = 0
    stale_ids = {m["id"] for m, _ in stale}
    for m, why in stale:
        print(f"STALE    {m['id']}: {why}")
    for m in mutants:
        if m["id"] in stale_ids:
            continue
        path = os.path.join(src, m["file"])
        t1 = time.monotonic()
        log = os.path.join(logs, m["id"] + ".log")
        try:
            with open(path, "w") as f:
                f.write(m["text"].replace(m["find"], m["repl"], 1))
            if run(["ninja", "-C", build], log) != 0:
                print(f"STALE    {m['id']}: does not compile (see {log})")
                stale_ids.add(m["id"])
                continue
            names = sorted(set(unit) | set(m["tests"]))
            res = meson_tests(build, names, log)
        finally:
            with open(path, "w") as f:
                f.write(m["text"])
        killers = sorted(t for t in names if res.get(t) not in ("OK", "SKIP"))
        dt = time.monotonic() - t1
        if killers:
            killed += 1
            print(f"killed   {m['id']} by {' '.join(killers)} ({dt:.0f} s)",
                  flush=True)
        else:
            survived += 1
            print(f"SURVIVED {m['id']}: {m['desc']} ({dt:.0f} s)", flush=True)
    # Leave the build directory matching the unchanged tree.
    run(["ninja", "-C", build], os.path.join(logs, "build.log"))
    print(f"{len(mutants)} mutants, {len(stale_ids)} stale, "
          f"{time.monotonic() - t0:.0f} s")
    print(f"{killed} killed, {survived} survived")
    return 1 if survived or stale_ids else 0


if __name__ == "__main__":
    sys.exit(main())
