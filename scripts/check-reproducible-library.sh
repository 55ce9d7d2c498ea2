#!/usr/bin/env bash
# Builds libsdnative a second time, as the package build does (CMake Release, the same Vulkan
# setting), from a copy of the sources at another path into another build folder, and compares
# it byte for byte with a library built before (the one scripts/pack.sh packs):
#   scripts/check-reproducible-library.sh LIBRARY [SDN_VULKAN=ON|OFF]
# Exit 0 when identical; 1 naming the sections that differ; 2 on a usage or build error.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
first="${1:-}"
vulkan="${2:-ON}"
if [ -z "$first" ] || [ ! -f "$first" ]; then
  echo "usage: scripts/check-reproducible-library.sh LIBRARY [ON|OFF] (LIBRARY: a libsdnative.so built before)" >&2
  exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/sdn-reproducible-XXXXXX")"
trap 'rm -rf "$work"' EXIT
# Another source path as well as another build folder: a path that leaked into the library
# (__FILE__, debug info) would differ between the two.
mkdir -p "$work/source"
cp "$REPO/CMakeLists.txt" "$work/source/"
cp -r "$REPO/native" "$work/source/native"
rm -rf "$work/source/native/bench"  # not part of the library; off below

if ! cmake -S "$work/source" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
       -DSDN_VULKAN="$vulkan" -DSDN_BUILD_TESTS=OFF -DSDN_BUILD_BENCHMARKS=OFF >"$work/configure.log" 2>&1 ||
   ! cmake --build "$work/build" --target sdnative -j "$(nproc)" >"$work/build.log" 2>&1; then
  tail -n 40 "$work/configure.log" "$work/build.log" >&2
  echo "check-reproducible-library: the second build failed" >&2
  exit 2
fi

second="$work/build/libsdnative.so"
if cmp -s "$first" "$second"; then
  echo "libsdnative.so is byte-identical when built again from $work/source ($(stat -c %s "$first") bytes)"
  exit 0
fi
echo "libsdnative.so differs when built again from another path:" >&2
# Name the sections whose contents differ, so the cause (paths, time stamps, build id) shows.
for section in $(readelf -S -W "$first" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\) .*/\1/p'); do
  objcopy -O binary --only-section="$section" "$first" "$work/a.bin" 2>/dev/null || : >"$work/a.bin"
  objcopy -O binary --only-section="$section" "$second" "$work/b.bin" 2>/dev/null || : >"$work/b.bin"
  cmp -s "$work/a.bin" "$work/b.bin" || echo "  section $section differs" >&2
done
exit 1
