"""The fakes' copy of the reference data (tests/fakearr/reference/<subdir>/) must be the
shared reference (../shared/reference/<subdir>/, beside the project), file for file, for
every subdirectory the copy has. Without the shared reference (a fresh clone) the copy is
all there is and the test is skipped."""
import os
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
COPY = os.path.join(os.path.dirname(HERE), "reference")
SHARED = os.path.join(os.path.dirname(HERE), "..", "..", "..", "shared", "reference")


def files(top):
    out = set()
    for root, _, names in os.walk(top):
        for n in names:
            out.add(os.path.relpath(os.path.join(root, n), top))
    return out


class Reference(unittest.TestCase):
    def test_copy_is_the_shared_reference(self):
        if not os.path.isdir(SHARED):
            self.skipTest("no shared reference beside the project")
        subdirs = sorted(d for d in os.listdir(COPY) if os.path.isdir(os.path.join(COPY, d)))
        self.assertIn("schemas", subdirs)
        for sub in subdirs:
            mine, theirs = os.path.join(COPY, sub), os.path.join(SHARED, sub)
            self.assertTrue(os.path.isdir(theirs), "%s: not in the shared reference" % sub)
            have, want = files(mine), files(theirs)
            self.assertEqual(sorted(want - have), [], "%s: files missing from the copy" % sub)
            self.assertEqual(sorted(have - want), [], "%s: files not in the shared reference"
                             % sub)
            for rel in sorted(have):
                with open(os.path.join(mine, rel), "rb") as a, \
                        open(os.path.join(theirs, rel), "rb") as b:
                    self.assertTrue(a.read() == b.read(), "%s/%s differs from the shared "
                                    "reference: copy it again" % (sub, rel))


if __name__ == "__main__":
    unittest.main()
