#!/usr/bin/python3
"""Sums every JUnit XML file in a folder: one line per suite file, then the final line
"N passed, N failed, N skipped". Steps that failed before producing results (builds) count
as failures. Exit status 1 when anything failed."""
import glob
import os
import sys
import xml.etree.ElementTree as ET


def count(path):
    root = ET.parse(path).getroot()
    passed = failed = skipped = 0
    for case in root.iter("testcase"):
        status = case.get("status", "")
        if case.find("failure") is not None or case.find("error") is not None or status == "fail":
            failed += 1
        elif case.find("skipped") is not None or status in ("disabled", "notrun", "skipped"):
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main():
    folder = sys.argv[1]
    step_failures = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    total = [0, 0, 0]
    files = sorted(glob.glob(os.path.join(folder, "*.junit.xml")))
    for path in files:
        try:
            p, f, s = count(path)
        except ET.ParseError as e:
            print("%-48s unreadable: %s" % (os.path.basename(path), e))
            step_failures += 1
            continue
        print("%-48s %5d passed, %d failed, %d skipped" % (os.path.basename(path), p, f, s))
        total[0] += p
        total[1] += f
        total[2] += s
    if not files:
        print("no test results found")
        step_failures += 1
    if step_failures:
        print("%d build/setup step(s) failed (counted as failures)" % step_failures)
    total[1] += step_failures
    print("%d passed, %d failed, %d skipped" % tuple(total))
    sys.exit(1 if total[1] else 0)


if __name__ == "__main__":
    main()
