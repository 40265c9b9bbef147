import unittest

import _path  # noqa: F401
import torch

from dpmambair.configs import get_config
from dpmambair import scan_cpu
from dpmambair.model import (DPMambaIR, MSCDC, selective_scan_fast, selective_scan_parallel,
                             selective_scan_reference, set_scan)


def _inputs(b, L, Di, N, seed, dtype=torch.float32, big_delta=False):
    g = torch.Generator().manual_seed(seed)
    xs = torch.randn(b, L, Di, generator=g, dtype=dtype)
    delta = torch.rand(b, L, Di, generator=g, dtype=dtype) * (20.0 if big_delta else 0.5)
    A = -torch.rand(Di, N, generator=g, dtype=dtype) * 3 - 0.01
    Bt = torch.randn(b, L, N, generator=g, dtype=dtype)
    Ct = torch.randn(b, L, N, generator=g, dtype=dtype)
    D = torch.randn(Di, generator=g, dtype=dtype)
    return xs, delta, A, Bt, Ct, D


class TestScan(unittest.TestCase):
    def setUp(self):
        torch.set_num_threads(2)

    def test_parallel_matches_sequential(self):
        for (b, L, Di, N) in [(2, 1, 3, 2), (2, 15, 4, 2), (2, 16, 4, 4), (1, 17, 5, 3), (2, 300, 8, 4), (1, 1536, 8, 4)]:
            ins = _inputs(b, L, Di, N, seed=L)
            ref = selective_scan_reference(*[t.double() for t in ins])
            par = selective_scan_parallel(*ins)
            err = (par.double() - ref).abs().max().item()
            self.assertLessEqual(err, 1e-5, f"L={L}: {err}")

    def test_extreme_delta_is_stable(self):
        ins = _inputs(1, 500, 4, 4, seed=3, big_delta=True)
        par = selective_scan_parallel(*ins)
        self.assertTrue(torch.isfinite(par).all())
        ref = selective_scan_reference(*[t.double() for t in ins])
        rel = (par.double() - ref).abs().max().item() / ref.abs().max().item()   # values reach ~1e2
        self.assertLessEqual(rel, 1e-6)

    def test_gradients_match(self):
        ins = [t.requires_grad_() for t in _inputs(2, 70, 4, 3, seed=5, dtype=torch.float64)]
        ref = selective_scan_reference(*ins)
        g = torch.randn_like(ref)
        gr = torch.autograd.grad((ref * g).sum(), ins)
        par = selective_scan_parallel(*ins)
        gp = torch.autograd.grad((par * g).sum(), ins)
        for a, b in zip(gr, gp):
            self.assertLessEqual((a - b).abs().max().item(), 1e-9)

    def test_model_scan_impls_agree(self):
        torch.manual_seed(0)
        m = DPMambaIR(get_config("tiny")).double()
        with torch.no_grad():
            for p in m.parameters():   # non-trivial prompts and HEB
                p.add_(0.05 * torch.randn_like(p))
            x = torch.rand(1, 3, 16, 24, dtype=torch.float64)
            a = m(x)
            set_scan("reference")
            try:
                b = m(x)
            finally:
                set_scan("fast")
        self.assertLessEqual((a - b).abs().max().item(), 1e-10)

    # The compiled training scan (scan_cpu.c): float32 against the float64 reference.
    # scripts/ensure-system-deps.sh installs gcc, so it must build wherever the tests run.
    def test_compiled_scan_builds(self):
        self.assertIsNone(scan_cpu.why_unavailable())

    def test_compiled_scan_matches_reference(self):
        # L = 1, short and long sequences, channel counts that are not a multiple of a SIMD width
        for (b, L, Di, N) in [(2, 1, 3, 2), (2, 15, 4, 2), (1, 17, 5, 3), (3, 300, 16, 4), (1, 1536, 37, 16)]:
            ins = _inputs(b, L, Di, N, seed=L)
            ref = selective_scan_reference(*[t.double() for t in ins])
            out = scan_cpu.selective_scan_cpu(*ins)
            rel = (out.double() - ref).abs().max().item() / ref.abs().max().item()
            self.assertLessEqual(rel, 1e-6, f"{(b, L, Di, N)}: {rel}")

    def test_compiled_scan_extreme_delta(self):
        ins = _inputs(1, 500, 4, 4, seed=3, big_delta=True)
        out = scan_cpu.selective_scan_cpu(*ins)
        ref = selective_scan_reference(*[t.double() for t in ins])
        self.assertTrue(torch.isfinite(out).all())
        self.assertLessEqual((out.double() - ref).abs().max().item() / ref.abs().max().item(), 1e-6)

    def test_compiled_scan_gradients_match(self):
        for (b, L, Di, N) in [(2, 1, 3, 2), (2, 70, 4, 3), (3, 400, 19, 16)]:
            ins = _inputs(b, L, Di, N, seed=5)
            ins64 = [t.double().requires_grad_() for t in ins]
            ref = selective_scan_reference(*ins64)
            g = torch.randn_like(ref)
            want = torch.autograd.grad((ref * g).sum(), ins64)
            ins32 = [t.requires_grad_() for t in ins]
            got = torch.autograd.grad((scan_cpu.selective_scan_cpu(*ins32) * g.float()).sum(), ins32)
            for name, a, w in zip(["xs", "delta", "A", "B", "C", "D"], got, want):
                rel = (a.double() - w).abs().max().item() / (w.abs().max().item() or 1.0)   # dA is 0 at L = 1
                self.assertLessEqual(rel, 1e-5, f"d{name} at {(b, L, Di, N)}: {rel}")

    def test_fast_scan_falls_back_for_float64(self):
        ins = _inputs(1, 20, 4, 2, seed=7, dtype=torch.float64)
        self.assertFalse(scan_cpu.usable_for(*ins))
        self.assertEqual(selective_scan_fast(*ins).dtype, torch.float64)

    def test_mscdc_reparameterisation_is_exact(self):
        torch.manual_seed(1)
        mod = MSCDC(3, 5, [3, 5, 7, 9], 3, 0.7).double()
        x = torch.rand(2, 3, 20, 20, dtype=torch.float64)
        W, b = mod.reparameterized()
        y = torch.nn.functional.conv2d(x, W, b, padding=W.shape[-1] // 2)
        self.assertLessEqual((mod(x) - y).abs().max().item(), 1e-10)


if __name__ == "__main__":
    unittest.main()
