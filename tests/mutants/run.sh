#!/usr/bin/env bash
# Mutation testing: applies each deliberate one-line bug of mutants.txt to a
# scratch copy of the tree, one at a time, and runs the unit suite plus the
# mutant's end-to-end tests.  Every mutant must make some test fail.
#
#   tests/mutants/run.sh [MUTANT-ID...]
#
# The scratch copy and its build directory live in $MUTANTS_WORK (default
# build-mutants/ at the top of the tree) and are reused, so a second run
# rebuilds only what changed.  The last line is "N killed, N survived"; the
# exit status is non-zero when a mutant survived or is stale (its search
# string is missing or ambiguous, or it does not compile).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=${MUTANTS_WORK:-$top/build-mutants}
only=$(IFS=,; echo "$*")
exec python3 "$here/mutate.py" --list "${MUTANTS_LIST:-$here/mutants.txt}" \
  --work "$work" --top "$top" --only "$only"
