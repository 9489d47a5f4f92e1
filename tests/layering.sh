#!/bin/sh
# heartcheck's layers are kept apart by the build: each layer's library is
# compiled against an include root that holds only the layers it may use
# (see meson.build).  An include that names its header by a path relative
# to the source file ("../report/out.h") would go around that, so none may.
#
# usage: layering.sh SRCDIR
set -u
src=${1:?usage: layering.sh SRCDIR}
bad=$(grep -rn --include='*.[ch]' -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(\.\.|/|src/)' "$src")
if [ -n "$bad" ]; then
	printf '%s\n' "$bad"
	echo "not ok - an include names its header relative to the file, around the layers"
	exit 1
fi
echo "ok - every include names its header as \"layer/file.h\" or a file of its own directory"
