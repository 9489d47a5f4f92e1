#!/bin/bash
# End-to-end test of the process audit against real processes.
#
#   procs.sh PROCSCAN TLSMAPPER
#
# Helper processes each dlopen() their own copy of this machine's
# libssl.so.3.  Then:
#   A's copy is deleted                              -> A "deleted";
#   B's copy stays hard-linked elsewhere while a new
#     file is renamed over its path, as dpkg does     -> B "deleted": the
#     kernel marks the mapping by its name, not by the inode's link count;
#   D's path is covered by a bind mount of another
#     file (in a private mount namespace, when one
#     can be made)                                   -> D "replaced": its
#     maps line has no "(deleted)", only the inode tells;
#   C's copy is left alone                           -> C maps it, no reason.
set -u

PROCSCAN=$1
TLSMAPPER=$2

# A private mount namespace lets the test cover a file without touching
# the rest of the machine.  Without one, the "replaced" case is skipped.
if [ -z "${PROCS_E2E_NS:-}" ]; then
	for u in "unshare -m --propagation private" "unshare -rm --propagation private"; do
		if $u true 2>/dev/null; then
			PROCS_E2E_NS=1 exec $u "$0" "$@"
		fi
	done
	PROCS_E2E_NS=0
fi

T=
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	if [ -n "$T" ]; then
		umount "$T/d/libssl.so.3" 2>/dev/null
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*" >&2
	[ -n "${OUT:-}" ] && [ -f "$OUT" ] && sed 's/^/  | /' "$OUT" >&2
	exit 1
}

LIB=$(ldconfig -p | awk '$1 == "libssl.so.3" { print $NF; exit }')
if [ -z "$LIB" ] || [ ! -r "$LIB" ]; then
	echo "SKIP: no libssl.so.3 on this machine"
	exit 77
fi
LIB=$(readlink -f "$LIB")

T=$(mktemp -d "${TMPDIR:-/tmp}/procs-e2e-XXXXXX") || fail "mktemp"
mkdir "$T/a" "$T/b" "$T/c" "$T/d" "$T/keep" || fail "mkdir"

# Starts a helper on a copy and waits (at most 5 s) until it has mapped it.
start_mapper() {
	local name=$1 i
	cp "$LIB" "$T/$name/libssl.so.3" || fail "copy $LIB"
	"$TLSMAPPER" "$T/$name/libssl.so.3" 60 >"$T/$name.out" 2>&1 &
	PIDS+=($!)
	for i in $(seq 1 50); do
		grep -q ready "$T/$name.out" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "helper $name did not map its library: $(cat "$T/$name.out")"
}

start_mapper a; A=${PIDS[0]}
start_mapper b; B=${PIDS[1]}
start_mapper c; C=${PIDS[2]}
D=
if [ "$PROCS_E2E_NS" = 1 ]; then
	start_mapper d; D=${PIDS[3]}
fi

rm "$T/a/libssl.so.3" || fail "delete A's copy"
ln "$T/b/libssl.so.3" "$T/keep/libssl.so.3" || fail "hard link"
cp "$LIB" "$T/b/new" || fail "copy new"
mv -f "$T/b/new" "$T/b/libssl.so.3" || fail "rename over B's copy"
if [ -n "$D" ]; then
	cp "$LIB" "$T/d.new" || fail "copy new"
	mount --bind "$T/d.new" "$T/d/libssl.so.3" || fail "bind mount"
	grep -q "$T/d/libssl.so.3 (deleted)" "/proc/$D/maps" &&
		fail "D's maps line says deleted"
fi
grep -q "$T/a/libssl.so.3 (deleted)" "/proc/$A/maps" ||
	fail "A's maps line does not say deleted"

OUT=$T/scan.out
"$PROCSCAN" /proc >"$OUT" 2>&1 || fail "procscan exited $?"

grep -qx "lib $A deleted $T/a/libssl.so.3" "$OUT" || fail "A not deleted"
grep -qx "lib $B deleted $T/b/libssl.so.3" "$OUT" || fail "B not deleted"
if [ -n "$D" ]; then
	grep -qx "lib $D replaced $T/d/libssl.so.3" "$OUT" ||
		fail "D not replaced"
fi
grep -qx "lib $C none $T/c/libssl.so.3" "$OUT" || fail "C not seen"
grep "^lib $C " "$OUT" | grep -vq "^lib $C none " &&
	fail "C has a restart reason"
# Each helper also maps the system's libcrypto, which is current.
grep -q "^lib $A none .*/libcrypto.so.3$" "$OUT" || fail "A's libcrypto"

# The plan lists A, B and D (by PID, or through their unit), never C.
sed -n '/^plan-begin$/,/^plan-end$/p' "$OUT" >"$T/plan"
grep -q "^restart pid $C " "$T/plan" && fail "C in the restart plan"
if grep -q "^proc $A - " "$OUT"; then
	grep -q "^restart pid $A (.*# deleted" "$T/plan" ||
		fail "A not in the plan"
	grep -q "^restart pid $B (.*# deleted" "$T/plan" ||
		fail "B not in the plan"
	if [ -n "$D" ]; then
		grep -q "^restart pid $D (.*# replaced" "$T/plan" ||
			fail "D not in the plan"
	fi
fi
grep -q '^stats ' "$OUT" || fail "no stats"

echo "ok: A=$A deleted, B=$B deleted (renamed over), C=$C untouched," \
    "D=${D:-skipped} replaced"
grep '^stats ' "$OUT"
exit 0
