import unittest

import _path  # noqa: F401
import torch

from dpmambair.degrade import FUNCS, KINDS, REGISTRY, TYPES, degrade, sample_types
from dpmambair.pipeline import psnr


def _clean(n=4, H=48, W=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    # smooth-ish content in [0, 1] on the 8-bit grid
    x = torch.rand(n, 3, H // 8, W // 8, generator=g)
    x = torch.nn.functional.interpolate(x, size=(H, W), mode="bilinear", align_corners=False)
    return torch.round(x * 255) / 255


class TestDegrade(unittest.TestCase):
    def setUp(self):
        torch.set_num_threads(2)

    def test_registry(self):
        self.assertEqual(TYPES, ["noise", "jpeg", "blur", "lowlight", "haze", "rain", "snow"])
        self.assertEqual(set(REGISTRY), set(TYPES))
        self.assertEqual(set(FUNCS), set(TYPES))

    def test_each_type_shape_range_and_effect(self):
        x = _clean()
        for k, name in enumerate(TYPES):
            g = torch.Generator().manual_seed(k)
            y, params = degrade(x, torch.full((x.shape[0],), k), g)
            self.assertEqual(y.shape, x.shape, name)
            self.assertEqual(y.dtype, torch.float32, name)
            self.assertGreaterEqual(y.min().item(), 0.0, name)
            self.assertLessEqual(y.max().item(), 1.0, name)
            self.assertTrue(torch.equal(torch.round(y * 255) / 255, y), f"{name}: not on the 8-bit grid")
            p = psnr(y, x)
            self.assertTrue((p < 45).all(), f"{name}: too mild {p}")
            self.assertTrue((p > 3).all(), f"{name}: absurd {p}")
            self.assertTrue(all(q["type"] == name for q in params))

    def test_clean_and_determinism(self):
        x = _clean(n=64, H=32, W=32)
        g = torch.Generator().manual_seed(5)
        t = sample_types(64, g, clean_fraction=0.5)
        y, params = degrade(x, t, g)
        m = t == -1
        self.assertTrue(m.any())
        self.assertTrue(torch.equal(y[m], x[m]))
        g1, g2 = torch.Generator().manual_seed(9), torch.Generator().manual_seed(9)
        t1, t2 = sample_types(8, g1), sample_types(8, g2)
        self.assertTrue(torch.equal(degrade(x[:8], t1, g1)[0], degrade(x[:8], t2, g2)[0]))

    def test_type_weights_set_the_mix(self):
        g = torch.Generator().manual_seed(3)
        w = [1.0] * len(TYPES)
        w[TYPES.index("blur")] = 4.0
        t = sample_types(20000, g, clean_fraction=0.1, type_weights=w)
        share = lambda k: (t == k).double().mean().item()  # noqa: E731
        self.assertAlmostEqual(share(-1), 0.1, delta=0.01)
        self.assertAlmostEqual(share(TYPES.index("blur")), 0.9 * 4 / 10, delta=0.015)
        self.assertAlmostEqual(share(TYPES.index("noise")), 0.9 * 1 / 10, delta=0.01)

    def test_every_generator_kind_is_drawn_at_its_share(self):
        x = _clean(n=400, H=24, W=24)
        for k, name in enumerate(TYPES):
            self.assertEqual(len(REGISTRY[name]["kind_p"]), len(KINDS[name]), name)
            g = torch.Generator().manual_seed(k)
            _, params = degrade(x, torch.full((x.shape[0],), k), g)
            for kind, p in zip(KINDS[name], REGISTRY[name]["kind_p"]):
                share = sum(q["kind"] == kind for q in params) / len(params)
                self.assertAlmostEqual(share, p, delta=0.08, msg=f"{name}/{kind}")

    def test_haze_and_lowlight_direction(self):
        x = _clean()
        g = torch.Generator().manual_seed(1)
        lo, _ = degrade(x, torch.full((4,), TYPES.index("lowlight")), g)
        self.assertTrue((lo.mean(dim=(1, 2, 3)) < x.mean(dim=(1, 2, 3))).all())
        hz, _ = degrade(x, torch.full((4,), TYPES.index("haze")), g)
        # haze lowers contrast
        self.assertTrue((hz.std(dim=(1, 2, 3)) < x.std(dim=(1, 2, 3)) + 1e-6).all())


if __name__ == "__main__":
    unittest.main()
