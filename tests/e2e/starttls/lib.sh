# Shared by fronts.sh and programs.sh, on top of tests/e2e/lib.sh (its
# scratch directory, and the servers in E2E_PIDS stopped on exit): the
# "ready" lines of the fixture and of the fronts.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$E2E_TMP

# wait_ready FILE PID: until the server writing FILE says all-ready.
wait_ready() {
    local i
    for i in $(seq 1 100); do
        grep -qx all-ready "$1" && return 0
        kill -0 "$2" 2>/dev/null || break
        sleep 0.1
    done
    echo "not ok - a server did not become ready: $1"; cat "$1" "$1.err"; exit 1
}

# port_of FILE SPEC: the port a fixture or front listens on for SPEC.
port_of() { awk -v s="$2" '$1 == "ready" && $2 == s { print $3; exit }' "$1"; }
