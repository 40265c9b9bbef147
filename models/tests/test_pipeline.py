import unittest

import _path  # noqa: F401
import numpy as np
import torch

from dpmambair.pipeline import CropSampler, tone_shift_crops


def _photos(n=3, H=96, W=128, seed=0):
    rng = np.random.default_rng(seed)
    return [(f"p{i}", rng.integers(0, 256, size=(H, W, 3), dtype=np.uint8)) for i in range(n)]


class TestToneShift(unittest.TestCase):
    def test_share_zero_keeps_the_random_stream(self):
        # Runs from before the option must draw exactly the same batches.
        a = CropSampler(_photos(), seed=3).batch(6, 32)
        b = CropSampler(_photos(), seed=3).batch(6, 32, tone_shift=0.0)
        for x, y in zip(a[:3], b[:3]):
            self.assertTrue(torch.equal(x, y))

    def test_shifted_crops_are_re_exposed_within_range(self):
        g = torch.Generator().manual_seed(0)
        clean = torch.rand(400, 3, 8, 8, generator=g) * 0.6 + 0.2
        out = tone_shift_crops(clean, torch.Generator().manual_seed(1), 0.5)
        changed = (out - clean).abs().amax(dim=(1, 2, 3)) > 1e-6
        self.assertTrue(0.4 < changed.float().mean().item() < 0.6)
        self.assertTrue(torch.equal(out[~changed], clean[~changed]))
        self.assertGreaterEqual(out.min().item(), 0.0)
        self.assertLessEqual(out.max().item(), 1.0)
        # brighter and darker versions both occur: the mean moves both ways
        d = (out.mean(dim=(1, 2, 3)) - clean.mean(dim=(1, 2, 3)))[changed]
        self.assertGreater(d.max().item(), 0.05)
        self.assertLess(d.min().item(), -0.05)
        # a monotone tone curve: the order of pixel values within a crop is kept
        i = int(torch.nonzero(changed)[0])
        order_in = clean[i].flatten().argsort()
        self.assertTrue(bool((out[i].flatten()[order_in].diff() >= -1e-6).all()))

    def test_clean_and_degraded_share_the_shift(self):
        # The clean target of a clean-type sample is its input, re-exposed alike.
        deg, clean, types, _ = CropSampler(_photos(), seed=5).batch(8, 32, clean_fraction=1.0, tone_shift=1.0)
        self.assertTrue((types == -1).all())
        self.assertTrue(torch.allclose(deg, clean))


if __name__ == "__main__":
    unittest.main()
