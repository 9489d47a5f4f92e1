#!/bin/sh
# Makes the include root of one layer of heartcheck: a directory that holds
# a link to src/LAYER and to src/DIR for every layer it may use, and nothing
# else.  Compiled against that root, a source of LAYER that includes a
# header of a layer above it fails to build.
#
# usage: layer-include-root.sh ROOT SRCDIR LAYER [BELOW...]
set -eu
root=$1
src=$2
shift 2
rm -rf "$root"
mkdir -p "$root"
for d in "$@"; do
	test -d "$src/$d"
	ln -s "$src/$d" "$root/$d"
done
