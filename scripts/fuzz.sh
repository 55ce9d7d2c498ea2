#!/usr/bin/env bash
# Builds the libFuzzer targets (one per model-file parser) with clang-14 under ASan + UBSan in
# build-fuzz/, runs each for N seconds from a copy of its committed seed corpus, and writes a
# JUnit file with one testcase per target. A crash fails its testcase; the crashing input is
# copied to tests/native/fuzz/crashes/<parser>/ so it can be committed (the regular test
# tests/native/io/fuzz_regression_test.cpp replays every file there).
#
#   scripts/fuzz.sh [seconds-per-target] [junit-output.xml]
#
# Needs clang-14 and libclang-rt-14-dev. Exit status is non-zero when any target failed.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_TARGET="${1:-30}"
BUILD="$REPO/build-fuzz"
JUNIT="${2:-$BUILD/fuzz.junit.xml}"
PARSERS=(gguf safetensors)
SAN="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

mkdir -p "$(dirname "$JUNIT")" "$BUILD"
JUNIT="$(cd "$(dirname "$JUNIT")" && pwd)/$(basename "$JUNIT")"

xml_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'; }

cases=""
failures=0
add_case() {  # name seconds failure-message(empty = pass) details
  local name="$1" secs="$2" message="$3" details="$4"
  cases+="  <testcase classname=\"fuzz\" name=\"$name\" time=\"$secs\">"$'\n'
  if [ -n "$message" ]; then
    failures=$((failures + 1))
    cases+="    <failure message=\"$(printf '%s' "$message" | xml_escape)\">$(printf '%s' "$details" | xml_escape)</failure>"$'\n'
  fi
  cases+="  </testcase>"$'\n'
}

write_junit() {
  {
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo "<testsuites><testsuite name=\"fuzz\" tests=\"${#PARSERS[@]}\" failures=\"$failures\">"
    printf '%s' "$cases"
    echo "</testsuite></testsuites>"
  } >"$JUNIT"
}

echo "fuzz: building targets in $BUILD"
if ! CC=clang-14 CXX=clang++-14 cmake -S "$REPO" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DSDN_FUZZ=ON -DSDN_BUILD_BENCHMARKS=OFF -DCMAKE_C_FLAGS="$SAN" -DCMAKE_CXX_FLAGS="$SAN" \
      >"$BUILD/configure.log" 2>&1 ||
   ! cmake --build "$BUILD" --target gguf_fuzz safetensors_fuzz -j "$(nproc)" >"$BUILD/build.log" 2>&1; then
  tail -n 40 "$BUILD/configure.log" "$BUILD/build.log" 2>/dev/null
  details="$(tail -n 40 "$BUILD/configure.log" "$BUILD/build.log" 2>/dev/null)"
  for p in "${PARSERS[@]}"; do add_case "${p}_fuzz" 0 "fuzz target did not build" "$details"; done
  write_junit
  echo "fuzz: build failed"
  exit 1
fi

for p in "${PARSERS[@]}"; do
  work="$BUILD/run/$p"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp "$REPO/tests/native/fuzz/corpus/$p/"* "$work/corpus/" 2>/dev/null || true
  echo "fuzz: ${p}_fuzz for ${SECONDS_PER_TARGET}s"
  start=$(date +%s)
  "$BUILD/tests/native/fuzz/${p}_fuzz" "$work/corpus" -max_total_time="$SECONDS_PER_TARGET" \
      -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$work/artifacts/" >"$work/log.txt" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  tail -n 5 "$work/log.txt"
  found=$(find "$work/artifacts" -type f | sort)
  if [ $rc -ne 0 ] || [ -n "$found" ]; then
    mkdir -p "$REPO/tests/native/fuzz/crashes/$p"
    saved=""
    for f in $found; do
      cp "$f" "$REPO/tests/native/fuzz/crashes/$p/"
      saved+=" tests/native/fuzz/crashes/$p/$(basename "$f")"
    done
    add_case "${p}_fuzz" "$secs" "${p}_fuzz found a problem (exit $rc); saved:${saved:- nothing}" \
      "$(grep -m1 -A25 'ERROR\|runtime error\|deadly signal' "$work/log.txt")"
    echo "fuzz: ${p}_fuzz FAILED (exit $rc)${saved:+; inputs saved:$saved}"
  else
    add_case "${p}_fuzz" "$secs" "" ""
    echo "fuzz: ${p}_fuzz passed"
  fi
done

write_junit
echo "fuzz: $failures of ${#PARSERS[@]} targets failed; JUnit in $JUNIT"
[ "$failures" -eq 0 ]
