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
#   E's directory is covered by an empty tmpfs (in
#     the same namespace)                            -> E "deleted": the
#     file is still linked, so its maps line has no "(deleted)", but its
#     path no longer exists;
#   C's copy is left alone                           -> C maps it, no reason.
# Without a mount namespace, D and E cannot be set up: the other checks
# still run, and the test then exits 77 (skipped) saying so.
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
		umount "$T/e" 2>/dev/null
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
mkdir "$T/a" "$T/b" "$T/c" "$T/d" "$T/e" "$T/keep" || fail "mkdir"

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
E=
if [ "$PROCS_E2E_NS" = 1 ]; then
	start_mapper d; D=${PIDS[3]}
	start_mapper e; E=${PIDS[4]}
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
	mount -t tmpfs none "$T/e" || fail "tmpfs over E's directory"
	grep -q "$T/e/libssl.so.3 (deleted)" "/proc/$E/maps" &&
		fail "E's maps line says deleted"
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
	grep -qx "lib $E deleted $T/e/libssl.so.3" "$OUT" ||
		fail "E not deleted (its path is gone)"
fi
grep -qx "lib $C none $T/c/libssl.so.3" "$OUT" || fail "C not seen"
grep "^lib $C " "$OUT" | grep -vq "^lib $C none " &&
	fail "C has a restart reason"
# Each helper also maps the system's libcrypto, which is current.
grep -q "^lib $A none .*/libcrypto.so.3$" "$OUT" || fail "A's libcrypto"

# The plan lists A, B, D and E, never C: by PID when they run outside a
# restartable systemd unit, else through their unit.  The unit is this
# script's own (the helpers are its children), named in /proc/self/cgroup.
sed -n '/^plan-begin$/,/^plan-end$/p' "$OUT" >"$T/plan"
grep -q "^restart pid $C " "$T/plan" && fail "C in the restart plan"
unit=$(awk -v p="$A" '$1 == "proc" && $2 == p { print $3 }' "$OUT")
[ -n "$unit" ] || fail "no proc line for A"
for p in $B $C $D $E; do
	grep -q "^proc $p $unit " "$OUT" || fail "pid $p is not in A's unit $unit"
done
if [ "$unit" != - ]; then
	# Every part of the unit name ("user@1000.service/app.service") is a
	# component of this script's cgroup path.
	for part in ${unit//\// }; do
		grep -q "/$part\(/\|$\)" /proc/self/cgroup ||
			fail "unit $unit is not in this process's cgroup"
	done
elif grep -qE '/[^/]+\.service(/|$)' /proc/self/cgroup; then
	fail "no unit found, but /proc/self/cgroup names a service"
fi
inner=${unit#*/}
if [ "$unit" = - ] || [[ "$inner" != *.service ]] || [[ "$inner" == *@.service ]]; then
	grep -q "^restart pid $A (.*# deleted" "$T/plan" ||
		fail "A not in the plan"
	grep -q "^restart pid $B (.*# deleted" "$T/plan" ||
		fail "B not in the plan"
	if [ -n "$D" ]; then
		grep -q "^restart pid $D (.*# replaced" "$T/plan" ||
			fail "D not in the plan"
		grep -q "^restart pid $E (.*# deleted" "$T/plan" ||
			fail "E not in the plan"
	fi
else
	want=$((2 + (${D:+2}+0)))
	grep -qE "^systemctl (--user -M [0-9]+@ )?restart $inner +# $want process(es)?$" "$T/plan" ||
		fail "the plan does not restart $unit for its $want processes"
fi
grep -q '^stats ' "$OUT" || fail "no stats"

echo "ok: A=$A deleted, B=$B deleted (renamed over), C=$C untouched," \
    "D=${D:-not run} replaced, E=${E:-not run} deleted (path gone)"
grep '^stats ' "$OUT"
if [ -z "$D" ]; then
	echo "SKIP: no private mount namespace could be made, so the" \
	    "replaced (D) and path-gone (E) cases did not run"
	exit 77
fi
exit 0
