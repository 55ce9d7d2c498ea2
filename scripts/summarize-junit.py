#!/usr/bin/python3
"""Sums a test run: every JUnit XML file in the results folder, one line per file, then the
final line "N passed, N failed, N skipped".

The folder's runs.tsv (written by scripts/test-runs.sh) lists each step of the run: its name,
exit status and the result files it must leave. A step that exited non-zero, an expected
result file that is missing, and a result file with no test cases each count as one failure,
named in the output: a test host that crashed drops its unfinished tests from the JUnit file
(or writes none), so the files alone would read green. Skipped tests are listed with their reasons. Exit status 1 when anything
failed.

    summarize-junit.py RESULTS-FOLDER
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

SKIPS_LISTED = 60


def case_name(case):
    name, classname = case.get("name", ""), case.get("classname", "")
    name = name.split("  # GetParam()")[0]  # ctest's names of parameterized GoogleTest cases
    return name if not classname or classname.startswith(name) else classname + "." + name


def xunit_skip_reasons(root):
    """{test: reason} from the runner log xunit's JUnit logger keeps per suite (its <skipped/> is
    empty): "[xUnit.net T]     Full.Name [SKIP]" in system-err, the reason indented under the
    same time T in system-out."""
    reasons = {}
    for suite in root.iter("testsuite"):
        by_time = {}
        for time, text in re.findall(r"\[xUnit\.net ([\d:.]+)\] {5,}(\S.*)", suite.findtext("system-out") or ""):
            by_time.setdefault(time, text)
        for time, name in re.findall(r"\[xUnit\.net ([\d:.]+)\]\s+(.+?) \[SKIP\]", suite.findtext("system-err") or ""):
            reasons[name] = by_time.get(time, "")
    return reasons


def skip_reason(case, skip, xunit_reasons):
    """The reason a test gave for skipping. ctest only says its skip pattern matched; the
    GoogleTest output it keeps has the reason on the line after "file:line: Skipped"."""
    reason = (skip.get("message") or skip.text or "") if skip is not None else case.get("status", "")
    if reason in ("", "SKIP_REGULAR_EXPRESSION_MATCHED"):
        found = re.search(r": Skipped\n(.+)", case.findtext("system-out") or "")
        reason = found.group(1) if found else xunit_reasons.get(case_name(case)) or reason
    return " ".join(reason.split())


def count(path, skips):
    """(passed, failed, skipped) of one JUnit file; appends (test, reason) of each skip."""
    root = ET.parse(path).getroot()
    xunit_reasons = xunit_skip_reasons(root)
    passed = failed = skipped = 0
    for case in root.iter("testcase"):
        status = case.get("status", "")
        skip = case.find("skipped")
        if case.find("failure") is not None or case.find("error") is not None or status == "fail":
            failed += 1
        elif skip is not None or status in ("disabled", "notrun", "skipped"):
            skipped += 1
            skips.append((case_name(case), skip_reason(case, skip, xunit_reasons)))
        else:
            passed += 1
    return passed, failed, skipped


def step_failures(folder):
    """One message per failed step in runs.tsv: a non-zero exit, each missing result file."""
    ledger = os.path.join(folder, "runs.tsv")
    if not os.path.exists(ledger):
        return ["no runs.tsv in %s: the steps of the run are unknown" % folder]
    failures = []
    with open(ledger, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            name, rc = fields[0], fields[1] if len(fields) > 1 else "?"
            expected = fields[2].split() if len(fields) > 2 else []
            if rc != "0":
                failures.append("%s exited with status %s" % (name, rc))
            for result in expected:
                if not os.path.exists(os.path.join(folder, result)):
                    failures.append("%s left no result file %s" % (name, result))
    return failures


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: " + __doc__.strip().splitlines()[-1].strip())
    folder = sys.argv[1]
    total = [0, 0, 0]
    skips = []
    failures = step_failures(folder)
    files = sorted(glob.glob(os.path.join(folder, "*.junit.xml")))
    for path in files:
        try:
            p, f, s = count(path, skips)
        except ET.ParseError as e:
            print("%-48s unreadable: %s" % (os.path.basename(path), e))
            failures.append("%s is not readable JUnit XML" % os.path.basename(path))
            continue
        print("%-48s %5d passed, %d failed, %d skipped" % (os.path.basename(path), p, f, s))
        if p + f + s == 0:
            # What dotnet test leaves when its test host crashed before reporting anything.
            failures.append("%s holds no test cases" % os.path.basename(path))
        total = [total[0] + p, total[1] + f, total[2] + s]
    if not files:
        failures.append("no test results found in %s" % folder)
    for test, reason in skips[:SKIPS_LISTED]:
        print("skipped: %s: %s" % (test, reason or "(no reason given)"))
    if len(skips) > SKIPS_LISTED:
        print("skipped: … and %d more" % (len(skips) - SKIPS_LISTED))
    for message in failures:
        print("FAILED step: %s" % message)
    total[1] += len(failures)
    print("%d passed, %d failed, %d skipped" % tuple(total))
    sys.exit(1 if total[1] else 0)


if __name__ == "__main__":
    main()
