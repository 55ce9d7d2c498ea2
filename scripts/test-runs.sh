# Sourced by scripts/test.sh (and by its self-check, tests/scripts/summarize_junit_test.py).
# Every step of a test run is written to $RESULTS/runs.tsv with its exit status and the result
# files it must leave, so scripts/summarize-junit.py can count a runner that crashed, or one
# that left no JUnit file, as a failure: the result files alone cannot show tests that never ran.

# record_step NAME EXIT-STATUS [RESULT-FILE...]   (result files relative to $RESULTS)
record_step() {
  local name="$1" rc="$2"
  shift 2
  local IFS=' '
  printf '%s\t%s\t%s\n' "$name" "$rc" "$*" >>"$RESULTS/runs.tsv"
  [ "$rc" -eq 0 ] || echo "test.sh: FAILED: $name (exit $rc)" >&2
}

# run_step NAME LOG "RESULT-FILE..." COMMAND...: runs COMMAND with its output in LOG and records it.
run_step() {
  local name="$1" log="$2" results="$3"
  shift 3
  "$@" >"$log" 2>&1
  local rc=$?
  # shellcheck disable=SC2086  # the result files are a space-separated list on purpose
  record_step "$name" "$rc" $results
  return "$rc"
}

# The JUnit file names dotnet test writes (LogFilePath=dotnet-{assembly}.junit.xml): one per
# test project under tests/, each named after its project.
dotnet_result_files() {
  local repo="$1" csproj
  for csproj in "$repo"/tests/*/*.Tests.csproj; do
    [ -f "$csproj" ] && printf 'dotnet-%s.junit.xml ' "$(basename "$csproj" .csproj)"
  done
}
