#!/usr/bin/env bash
# The one test command: installs what is needed, builds native and managed code, runs every
# suite (ctest, fuzzers, dotnet test) and ends with one line "N passed, N failed, N skipped".
# A runner that exits non-zero (a crashed test host) or leaves a result file missing counts as
# a failure, named above that line; skipped tests are listed with their reasons.
# Works without a terminal or stdin. Exit status is non-zero on any failure.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
RESULTS="$REPO/build/test-results"
FUZZ_SECONDS="${SDN_FUZZ_SECONDS:-30}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export SDN_SHARED_DIR="${SDN_SHARED_DIR:-$REPO/../shared}"

# shellcheck source=scripts/test-runs.sh
. "$REPO/scripts/test-runs.sh"
note_failure() { record_step "$1" 1; }
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
: >"$RESULTS/runs.tsv"

echo "== dependencies"
scripts/install-deps.sh || note_failure "installing Debian packages"

echo "== disk"
free_kb=$(df -Pk "$REPO" | awk 'NR==2 {print $4}')
cache_dir="${SDN_CACHE_DIR:-$HOME/.cache/sdnative}"
mkdir -p "$cache_dir"
cache_free_kb=$(df -Pk "$cache_dir" | awk 'NR==2 {print $4}')
echo "free: $((free_kb / 1024)) MiB in the checkout, $((cache_free_kb / 1024)) MiB in the cache folder"
if [ "$free_kb" -lt $((6 * 1024 * 1024)) ] || [ "$cache_free_kb" -lt $((10 * 1024 * 1024)) ]; then
  echo "test.sh: WARNING: short of disk space: builds need about 4 GiB and the oracle checkpoints 9 GiB" >&2
fi

if [ -d "$SDN_SHARED_DIR" ]; then
  echo "== shared folder: $SDN_SHARED_DIR"
  if [ -f "$SDN_SHARED_DIR/data/clip/bpe_simple_vocab_16e6.txt.gz" ]; then
    mkdir -p models/tokenizers
    cp -f "$SDN_SHARED_DIR/data/clip/bpe_simple_vocab_16e6.txt.gz" models/tokenizers/
  fi
else
  echo "== shared folder missing ($SDN_SHARED_DIR): tests that need it will skip (or fail with CI=true)"
fi

echo "== native build"
if cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >"$RESULTS/cmake-configure.log" 2>&1 &&
   cmake --build build -j "$(nproc)" >"$RESULTS/cmake-build.log" 2>&1; then
  echo "native build ok"
else
  tail -n 60 "$RESULTS/cmake-configure.log" "$RESULTS/cmake-build.log" 2>/dev/null
  note_failure "native build"
fi

if [ -d "$SDN_SHARED_DIR/oracle" ] && [ -x scripts/oracle-checkpoint ]; then
  echo "== oracle checkpoint"
  if oracle_path="$(scripts/oracle-checkpoint)"; then
    export SDN_ORACLE_CHECKPOINT="$oracle_path"
    echo "oracle checkpoint: $SDN_ORACLE_CHECKPOINT"
  else
    note_failure "preparing the oracle checkpoint"
  fi
  if oracle_sdxl_path="$(scripts/oracle-checkpoint sdxl)"; then
    export SDN_ORACLE_SDXL_CHECKPOINT="$oracle_sdxl_path"
    echo "oracle SDXL checkpoint: $SDN_ORACLE_SDXL_CHECKPOINT"
  else
    note_failure "preparing the oracle SDXL checkpoint"
  fi
fi

echo "== ctest"
if [ -f build/CTestTestfile.cmake ]; then
  run_step ctest "$RESULTS/ctest.log" ctest.junit.xml \
    ctest --test-dir build --output-on-failure --timeout 1500 -j 2 --output-junit "$RESULTS/ctest.junit.xml"
  ctest_rc=$?
  tail -n 25 "$RESULTS/ctest.log"
  [ $ctest_rc -eq 0 ] || grep -E "Failed|\*\*\*" "$RESULTS/ctest.log" | head -40
else
  record_step "ctest (no native build to test)" 1 ctest.junit.xml
fi

echo "== fuzzers (${FUZZ_SECONDS}s each)"
run_step fuzzers "$RESULTS/fuzz.log" fuzz.junit.xml scripts/fuzz.sh "$FUZZ_SECONDS" "$RESULTS/fuzz.junit.xml"
tail -n 10 "$RESULTS/fuzz.log"

echo "== dotnet build"
if dotnet build SdNative.sln -c Release >"$RESULTS/dotnet-build.log" 2>&1; then
  echo "dotnet build ok"
else
  grep -E "error|warning" "$RESULTS/dotnet-build.log" | sort -u | head -40
  note_failure "dotnet build"
fi

echo "== dotnet test"
# Every test project must leave its JUnit file; a test host that crashed leaves none (or a short one).
# A test that hangs (no test finishing for 20 minutes; the slowest one takes a few) has its test
# host killed, which leaves that project's JUnit file missing and so counts as a failure instead
# of running CI into its time limit.
run_step "dotnet test" "$RESULTS/dotnet-test.log" "$(dotnet_result_files "$REPO")" \
  dotnet test SdNative.sln -c Release --no-build \
    --blame-hang-timeout 20m --blame-hang-dump-type none \
    --logger "junit;LogFilePath=$RESULTS/dotnet-{assembly}.junit.xml"
grep -E "^(Passed!|Failed!)|  Failed |Error Message|[Cc]rash|aborted" "$RESULTS/dotnet-test.log" | head -60

echo "== terminal UI in tmux"
run_step "tui smoke" "$RESULTS/tui-smoke.log" tui-smoke.junit.xml scripts/tui-smoke.sh "$RESULTS/tui-smoke.junit.xml"
tail -n 3 "$RESULTS/tui-smoke.log"

echo "== summary"
/usr/bin/python3 scripts/summarize-junit.py "$RESULTS"
