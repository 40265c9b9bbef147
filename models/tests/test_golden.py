import os
import subprocess
import sys
import unittest

import _path

GOLDEN = os.path.join(_path.MODELS, "golden.py")


class TestGolden(unittest.TestCase):
    def test_check(self):
        r = subprocess.run([sys.executable, GOLDEN, "--check"], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("tiny: OK", r.stdout)
        self.assertIn("small: OK", r.stdout)


if __name__ == "__main__":
    unittest.main()
