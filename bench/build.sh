# Sourced by the benchmarks: bench_build ROOT BUILD makes BUILD a release
# tree of ROOT and brings heartcheck and the fixture up to date, so a
# benchmark never measures a stale binary or one built from another tree.
# Needs say() and die().
bench_build() {
	local root=$1 build=$2 src
	if [ ! -f "$build/build.ninja" ]; then
		say "building a release tree in $build"
		meson setup "$build" "$root" --buildtype=release >/dev/null ||
			die "meson setup $build failed"
	fi
	src=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["directories"]["source"])' \
		"$build/meson-info/meson-info.json" 2>/dev/null) ||
		die "$build is not a Meson build tree"
	[ "$(cd "$src" && pwd -P)" = "$(cd "$root" && pwd -P)" ] ||
		die "$build was set up from $src, not from $root [hint] give another BUILD"
	ninja -C "$build" heartcheck tests/fixtures/fakessl >/dev/null ||
		die "the build in $build failed"
}
