#!/usr/bin/env bash
# test_install.sh — `cmake --install` into a temporary prefix, then use it as an outside project
# would: the installed yoso runs, the example program builds with `pkg-config --cflags --libs
# yoso` alone and with find_package(yoso), and both answer; the man page, bash completion,
# SONAME and (where dpkg-deb exists) `cpack -G DEB` are checked too.
#
#   tests/test_install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$(cd "${1:?usage: test_install.sh BUILD_DIR SOURCE_DIR}" && pwd)"
src="$(cd "${2:?}" && pwd)"
model="$src/tests/data/fillmask/model"
text="Paris is the [MASK] of France."
work="$(mktemp -d /tmp/yoso-install-XXXXXX)"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
fail() { echo "test_install: FAILED: $*" >&2; exit 1; }
# a sanitized library (tools/valgrind/sanitizers.sh) needs sanitized programs
san=""
if grep -q '^YOSO_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then san="-fsanitize=address,undefined"; fi

cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }
libdir="$(dirname "$(find "$prefix" -name yoso.pc -path '*/pkgconfig/*')")/.."
libdir="$(cd "$libdir" && pwd)"
for f in bin/yoso include/yoso.h share/man/man1/yoso.1 share/bash-completion/completions/yoso; do
  [ -e "$prefix/$f" ] || fail "$f was not installed"
done
[ -e "$libdir/cmake/yoso/yosoConfig.cmake" ] || fail "no CMake package"
if [ -e "$libdir/libyoso.so" ]; then
  soname="$(readelf -d "$libdir/libyoso.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')"
  [ "$soname" = libyoso.so.0 ] || fail "SONAME is '$soname', not libyoso.so.0"
  [ -e "$libdir/libyoso.so.0.1.0" ] || fail "no versioned libyoso.so.0.1.0"
  echo "test_install: shared libyoso, SONAME $soname"
else
  [ -e "$libdir/libyoso.a" ] || fail "neither libyoso.so nor libyoso.a was installed"
  echo "test_install: static libyoso.a"
fi

# the installed binary finds its library (RPATH $ORIGIN/../lib…)
export YOSO_CACHE_DIR="$build/test-cache"
env -u LD_LIBRARY_PATH "$prefix/bin/yoso" --version | head -1
env -u LD_LIBRARY_PATH "$prefix/bin/yoso" fill-mask --json -m "$model" "$text" >"$work/cli.json"
man -l "$prefix/share/man/man1/yoso.1" >/dev/null 2>&1 || groff -man -Tutf8 "$prefix/share/man/man1/yoso.1" >/dev/null 2>&1 ||
  [ -s "$prefix/share/man/man1/yoso.1" ] || fail "yoso.1 is empty"
bash -c "source '$prefix/share/bash-completion/completions/yoso' && complete -p yoso" >/dev/null ||
  fail "the bash completion does not load"

# an outside program, built with pkg-config alone
export PKG_CONFIG_PATH="$libdir/pkgconfig"
echo "test_install: pkg-config --cflags --libs yoso: $(pkg-config --cflags --libs yoso)"
# (the installed copy, with the header it includes)
examples="$(find "$prefix" -type d -path '*/doc/*/examples')"
[ -e "$examples/example_session.h" ] && [ -e "$examples/example_fill_mask.c" ] ||
  fail "the examples were not installed under share/doc/PROJECT/examples"
cc -std=c11 $san -o "$work/example" "$examples/example_fill_mask.c" $(pkg-config --cflags --libs yoso) ||
  fail "the example does not build with pkg-config --cflags --libs yoso"
LD_LIBRARY_PATH="$libdir" "$work/example" "$model" "$text" >"$work/example.out"
grep -q "capital\|sequence\|[0-9]\.[0-9]" "$work/example.out" || fail "the example printed nothing useful"
# the same answer as the build tree's example
"$build/example_fill_mask" "$model" "$text" >"$work/example.want"
cmp -s "$work/example.out" "$work/example.want" || fail "the installed example answers differently"

# an outside CMake project: find_package(yoso)
mkdir -p "$work/consumer"
cat >"$work/consumer/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.20)
project(consumer C)
find_package(yoso 0.1 REQUIRED)
add_executable(example "$src/tools/examples/example_fill_mask.c")
target_link_libraries(example PRIVATE yoso::yoso)
CMAKE
cmake -S "$work/consumer" -B "$work/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="$san" >"$work/consumer.log" 2>&1 &&
  cmake --build "$work/consumer/build" >>"$work/consumer.log" 2>&1 || { cat "$work/consumer.log"; fail "find_package(yoso)"; }
LD_LIBRARY_PATH="$libdir" "$work/consumer/build/example" "$model" "$text" >"$work/consumer.out"
cmp -s "$work/consumer.out" "$work/example.want" || fail "the find_package build answers differently"

# a Debian package of the same files
if command -v dpkg-deb >/dev/null && [ -e "$build/CPackConfig.cmake" ]; then
  (cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" >"$work/cpack.log" 2>&1) ||
    { cat "$work/cpack.log"; fail "cpack -G DEB"; }
  deb="$(ls "$work"/yoso_*.deb)"
  dpkg-deb -c "$deb" >"$work/deb.list"
  grep -q "\./usr/bin/yoso$" "$work/deb.list" || fail "the .deb has no /usr/bin/yoso"
  grep -q "/yoso\.pc$" "$work/deb.list" || fail "the .deb has no yoso.pc"
  echo "test_install: $(basename "$deb"): $(dpkg-deb -f "$deb" Depends)"
fi
echo "test_install: installed, built against and ran: all good"
