#!/usr/bin/env bash
# One command on a fresh Debian machine: install what is missing, build,
# and run the main job (heartcheck with no arguments audits this host).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release -Dtests=false >/dev/null
ninja -C build >/dev/null
exec ./build/heartcheck "$@"
