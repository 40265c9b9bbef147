import glob
import math
import os
import unittest

import _path  # noqa: F401
import numpy as np

import ood_degrade

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _photo_like(seed=0, H=96, W=128):
    """Smooth colour content with some edges, on the 8-bit grid."""
    import cv2

    rng = np.random.default_rng(seed)
    x = cv2.resize(rng.random((H // 8, W // 8, 3)).astype(np.float32), (W, H), interpolation=cv2.INTER_CUBIC)
    x[H // 3:H // 2, :] = 0.9
    return np.round(np.clip(x, 0, 1) * 255).astype(np.float32) / 255


def _psnr(a, b):
    return -10 * math.log10(max(float(np.mean((a.astype(np.float64) - b) ** 2)), 1e-12))


class TestOutOfRecipeFamily(unittest.TestCase):
    def test_training_never_imports_it(self):
        # the out-of-recipe family must stay out of training: no training module names it
        for path in [os.path.join(MODELS, "train.py"), os.path.join(MODELS, "probe.py"),
                     *glob.glob(os.path.join(MODELS, "dpmambair", "*.py"))]:
            with open(path) as f:
                self.assertNotIn("ood_degrade", f.read(), path)

    def test_each_type_degrades_visibly_and_is_seeded(self):
        x = _photo_like()
        for t in ood_degrade.TYPES:
            for seed in range(4):
                y, params = ood_degrade.FUNCS[t](x, np.random.default_rng(seed))
                self.assertEqual(y.shape, x.shape, t)
                self.assertTrue(y.min() >= 0 and y.max() <= 1, t)
                self.assertTrue(np.allclose(np.round(y * 255) / 255, y, atol=1e-6), f"{t}: not on the 8-bit grid")
                p = _psnr(y, x)
                self.assertTrue(3 < p < 50, f"{t} seed {seed}: PSNR {p:.1f} ({params})")
                y2, _ = ood_degrade.FUNCS[t](x, np.random.default_rng(seed))
                self.assertTrue(np.array_equal(y, y2), f"{t} is not deterministic for a seed")

    def test_mild_is_barely_visible(self):
        x = _photo_like(1)
        for seed in range(6):
            y, params = ood_degrade.mild(x, np.random.default_rng(seed))
            self.assertGreater(_psnr(y, x), 33, params)


if __name__ == "__main__":
    unittest.main()
