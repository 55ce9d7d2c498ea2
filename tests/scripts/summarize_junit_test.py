#!/usr/bin/python3
"""Self-check of the test run's summary (scripts/summarize-junit.py fed by the steps that
scripts/test-runs.sh records): small fixtures of result files and exit statuses, and one real
test host that crashes, must turn the final line red and name what went wrong.

    summarize_junit_test.py PATH-TO-sdn_crashing_test_host
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SUMMARIZE = os.path.join(REPO, "scripts", "summarize-junit.py")
TEST_RUNS = os.path.join(REPO, "scripts", "test-runs.sh")
CRASHING_HOST = None  # set from argv

# ctest's shape: two passes and a GoogleTest skip, whose reason is only in the kept output.
NATIVE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites><testsuite name="Kernels" tests="3">
  <testcase name="Cpu/Gemm.Matches/scalar  # GetParam() = 1" classname="Cpu/Gemm.Matches/scalar  # GetParam() = 1" status="run"/>
  <testcase name="Cpu/Gemm.Matches/avx2  # GetParam() = 2" classname="Cpu/Gemm.Matches/avx2  # GetParam() = 2" status="run"/>
  <testcase name="Cpu/Gemm.Matches/avx512_amx  # GetParam() = 4" classname="Cpu/Gemm.Matches/avx512_amx  # GetParam() = 4" status="notrun">
    <skipped message="SKIP_REGULAR_EXPRESSION_MATCHED"/>
    <system-out>[ RUN      ] Cpu/Gemm.Matches/avx512_amx
every_variant.h:25: Skipped
this CPU or OS lacks the avx512-amx variant
[  SKIPPED ] Cpu/Gemm.Matches/avx512_amx (0 ms)</system-out>
  </testcase>
</testsuite></testsuites>
"""
# The xunit JUnit logger's shape: one pass and a skip whose reason is only in the suite's log.
MANAGED_XML = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="SdNative.Tests.dll" tests="2" failures="0">
  <testcase classname="SdNative.Tests.SdnEngineTests" name="Opens" time="0.1"/>
  <testcase classname="SdNative.Tests.SdnEngineTests" name="RefusesAVariant" time="0.1"><skipped /></testcase>
  <system-out>
[xUnit.net 00:00:00.82]   Starting:    SdNative.Tests
[xUnit.net 00:00:00.95]       this CPU runs every variant
[xUnit.net 00:00:00.96]   Finished:    SdNative.Tests
</system-out>
  <system-err>Warning - [xUnit.net 00:00:00.95]     SdNative.Tests.SdnEngineTests.RefusesAVariant [SKIP]
</system-err>
</testsuite></testsuites>
"""
FINAL_LINE = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) skipped$")


def summarize(folder):
    run = subprocess.run(["/usr/bin/python3", SUMMARIZE, folder], capture_output=True, text=True, check=False)
    lines = run.stdout.strip().splitlines()
    match = FINAL_LINE.match(lines[-1]) if lines else None
    assert match, "the last line is not 'N passed, N failed, N skipped':\n" + run.stdout + run.stderr
    return run.returncode, tuple(int(g) for g in match.groups()), run.stdout


def bash_with_test_runs(results, script, *args):
    """Runs script in bash with scripts/test-runs.sh sourced and RESULTS set, as test.sh does."""
    return subprocess.run(["bash", "-c", 'RESULTS="$1"; shift; . "$0"; ' + script, TEST_RUNS, results, *args],
                          capture_output=True, text=True, check=False)


class Summary(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sdn-summary-")
        self.folder = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def write(self, name, text):
        with open(os.path.join(self.folder, name), "w", encoding="utf-8") as f:
            f.write(text)

    def record(self, name, rc, *results):
        run = bash_with_test_runs(self.folder, 'record_step "$@"', name, str(rc), *results)
        self.assertEqual(run.returncode, 0, run.stderr)

    def green_fixture(self):
        self.write("ctest.junit.xml", NATIVE_XML)
        self.write("dotnet-SdNative.Tests.junit.xml", MANAGED_XML)
        self.record("native build", 0)
        self.record("ctest", 0, "ctest.junit.xml")

    def test_a_clean_run_sums_every_file_and_lists_each_skip_with_its_reason(self):
        self.green_fixture()
        self.record("dotnet test", 0, "dotnet-SdNative.Tests.junit.xml")
        rc, totals, out = summarize(self.folder)
        self.assertEqual((rc, totals), (0, (3, 0, 2)), out)
        self.assertIn("skipped: Cpu/Gemm.Matches/avx512_amx: this CPU or OS lacks the avx512-amx variant", out)
        self.assertIn("skipped: SdNative.Tests.SdnEngineTests.RefusesAVariant: this CPU runs every variant", out)

    def test_a_runner_that_exits_non_zero_is_a_named_failure(self):
        self.green_fixture()
        self.record("dotnet test", 134, "dotnet-SdNative.Tests.junit.xml")
        rc, totals, out = summarize(self.folder)
        self.assertEqual((rc, totals), (1, (3, 1, 2)), out)
        self.assertIn("dotnet test exited with status 134", out)

    def test_a_missing_result_file_is_a_named_failure(self):
        self.green_fixture()
        self.record("dotnet test", 0, "dotnet-SdNative.Tests.junit.xml", "dotnet-SdNative.Cli.Tests.junit.xml")
        rc, totals, out = summarize(self.folder)
        self.assertEqual((rc, totals), (1, (3, 1, 2)), out)
        self.assertIn("dotnet test left no result file dotnet-SdNative.Cli.Tests.junit.xml", out)

    def test_an_unreadable_result_file_and_a_missing_step_list_fail(self):
        self.write("ctest.junit.xml", "<testsuites><testcase")
        rc, totals, out = summarize(self.folder)
        self.assertEqual((rc, totals), (1, (0, 2, 0)), out)
        self.assertIn("ctest.junit.xml is not readable", out)
        self.assertIn("no runs.tsv", out)

    def test_a_result_file_without_test_cases_fails(self):
        # dotnet test's JUnit file after its test host crashed: the suite, no cases.
        self.write("dotnet-SdNative.Tests.junit.xml", '<testsuites><testsuite name="SdNative.Tests.dll" tests="0"/></testsuites>')
        self.record("dotnet test", 0, "dotnet-SdNative.Tests.junit.xml")
        rc, totals, out = summarize(self.folder)
        self.assertEqual((rc, totals), (1, (0, 1, 0)), out)
        self.assertIn("dotnet-SdNative.Tests.junit.xml holds no test cases", out)

    def test_a_test_host_that_crashes_turns_the_summary_red(self):
        self.write("dotnet-SdNative.Tests.junit.xml", MANAGED_XML)
        self.record("dotnet test", 0, "dotnet-SdNative.Tests.junit.xml")
        junit = os.path.join(self.folder, "crash.junit.xml")
        run = bash_with_test_runs(
            self.folder, 'run_step "crashing host" "$RESULTS/crash.log" crash.junit.xml '
                         'env SDN_TEST_SELF_CHECK_CRASH=1 "$1" --gtest_output="xml:$2"', CRASHING_HOST, junit)
        self.assertEqual(run.returncode, 128 + 11, "the host should die by SIGSEGV: " + run.stderr)
        self.assertFalse(os.path.exists(junit), "a crashed host wrote its JUnit file")
        rc, totals, out = summarize(self.folder)
        self.assertEqual((rc, totals), (1, (1, 2, 1)), out)
        self.assertIn("crashing host exited with status 139", out)
        self.assertIn("crashing host left no result file crash.junit.xml", out)

    def test_dotnet_result_files_name_every_test_project(self):
        run = bash_with_test_runs(self.folder, 'dotnet_result_files "$1"', REPO)
        self.assertEqual(run.returncode, 0, run.stderr)
        projects = [d for d in os.listdir(os.path.join(REPO, "tests"))
                    if os.path.isfile(os.path.join(REPO, "tests", d, d + ".csproj"))]
        self.assertGreaterEqual(len(projects), 4)
        self.assertEqual(sorted(run.stdout.split()), sorted("dotnet-%s.junit.xml" % p for p in projects))


class TestScript(unittest.TestCase):
    def test_every_runner_in_test_sh_is_recorded_with_its_result_files(self):
        with open(os.path.join(REPO, "scripts", "test.sh"), encoding="utf-8") as f:
            script = f.read()
        for step in ('run_step ctest "$RESULTS/ctest.log" ctest.junit.xml',
                     'run_step fuzzers "$RESULTS/fuzz.log" fuzz.junit.xml',
                     'run_step "dotnet test" "$RESULTS/dotnet-test.log" "$(dotnet_result_files "$REPO")"'):
            self.assertIn(step, script)
        self.assertNotIn("|| true", script, "an exit status is thrown away")
        self.assertLess(script.index(': >"$RESULTS/runs.tsv"'), script.index("scripts/install-deps.sh ||"),
                        "a step is recorded before the results folder is (re)made")
        self.assertIn('summarize-junit.py "$RESULTS"', script)


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.access(sys.argv[1], os.X_OK):
        sys.exit("usage: summarize_junit_test.py PATH-TO-sdn_crashing_test_host")
    CRASHING_HOST = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
