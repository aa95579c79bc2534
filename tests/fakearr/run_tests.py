#!/usr/bin/env python3
"""Runs the fake's own tests (tests/test_*.py) and ends with the line
"N passed, N failed, N skipped"; exits non-zero when anything failed.
Usage: run_tests.py [NAME-SUBSTRING...]"""
import os
import signal
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tests"))


class Result(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.passed = 0
        self.t0 = {}

    def startTest(self, test):
        super().startTest(test)
        self.t0[test.id()] = time.monotonic()

    def _line(self, test, word):
        ms = (time.monotonic() - self.t0.get(test.id(), time.monotonic())) * 1000
        print("%-4s %s (%.0f ms)" % (word, test.id(), ms), flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1
        self._line(test, "ok")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._line(test, "FAIL")
        print(self.failures[-1][1], flush=True)

    def addError(self, test, err):
        super().addError(test, err)
        self._line(test, "ERR")
        print(self.errors[-1][1], flush=True)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:  # a failing subTest is reported like a failing test
            self._line(subtest, "FAIL")
            print((self.failures or self.errors)[-1][1], flush=True)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(test, "skip")


def _flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from _flatten(t)
        else:
            yield t


def main(argv):
    # a timeout's SIGTERM still runs the cleanup that stops every fake started
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    loader = unittest.TestLoader()
    suite = loader.discover(os.path.join(HERE, "tests"), pattern="test_*.py",
                            top_level_dir=os.path.join(HERE, "tests"))
    if argv:
        keep = unittest.TestSuite()
        for t in _flatten(suite):
            if any(a in t.id() for a in argv):
                keep.addTest(t)
        suite = keep
    result = Result()
    suite.run(result)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    print("%d passed, %d failed, %d skipped" % (result.passed, failed, len(result.skipped)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
