#!/bin/sh
# The house style of src/ is what .clang-format says: a file that
# clang-format would change fails.  The output of clang-format differs
# between its major versions, so this check runs with the one the project
# is formatted with (Debian's clang-format 14) and is skipped elsewhere.
#
# usage: style.sh TOP
set -u
top=${1:?usage: style.sh TOP}
cd "$top" || exit 1
if ! command -v clang-format >/dev/null 2>&1; then
	echo "SKIP: clang-format is not installed (scripts/deps.sh --test installs it)"
	exit 77
fi
major=$(clang-format --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
if [ "$major" != 14 ]; then
	echo "SKIP: clang-format $major formats differently from version 14"
	exit 77
fi
files=$(git ls-files 'src/*.c' 'src/*.h' 2>/dev/null) ||
	files=$(find src -name '*.[ch]')
if ! clang-format --dry-run --Werror $files; then
	echo "not ok - run: clang-format -i \$(git ls-files 'src/*.[ch]')"
	exit 1
fi
echo "ok - src/ is formatted as .clang-format says"
