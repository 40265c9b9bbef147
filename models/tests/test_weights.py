import json
import os
import struct
import tempfile
import unittest

import _path  # noqa: F401
import torch

from dpmambair.configs import CONFIG_KEYS, CONFIGS, get_config
from dpmambair.model import DPMambaIR
from dpmambair.weights import export_weights, load_weights, read_safetensors, sha256_file, write_safetensors


class TestWeights(unittest.TestCase):
    def test_safetensors_round_trip_and_layout(self):
        t = {"b": torch.arange(6, dtype=torch.float32).reshape(2, 3), "a": torch.tensor([1.5])}
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x.safetensors")
            write_safetensors(p, t, metadata={"k": "v"})
            with open(p, "rb") as f:
                raw = f.read()
            (n,) = struct.unpack("<Q", raw[:8])
            self.assertEqual(n % 8, 0)
            header = json.loads(raw[8:8 + n])
            self.assertEqual(header["a"], {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]})
            self.assertEqual(header["b"]["data_offsets"], [4, 28])
            self.assertEqual(len(raw), 8 + n + 28)
            back, meta = read_safetensors(p)
            self.assertEqual(meta, {"k": "v"})
            for k in t:
                self.assertTrue(torch.equal(back[k], t[k]))

    def test_export_import_round_trip(self):
        torch.manual_seed(0)
        m = DPMambaIR(get_config("tiny"))
        with torch.no_grad():
            for p in m.parameters():
                p.add_(0.01 * torch.randn_like(p))
        with tempfile.TemporaryDirectory() as d:
            st, js = export_weights(m, d, "tiny", training={"stage": "test"})
            with open(js) as f:
                doc = json.load(f)
            self.assertEqual(doc["format"], "dpmambair-weights/1")
            self.assertEqual(doc["files"], {"tiny.safetensors": sha256_file(st)})
            self.assertEqual(list(doc["config"]), CONFIG_KEYS)
            m2, _ = load_weights(js)
            for k, v in m.state_dict().items():
                self.assertTrue(torch.equal(v, m2.state_dict()[k]), k)
            x = torch.rand(1, 3, 16, 16)
            with torch.no_grad():
                self.assertTrue(torch.equal(m.eval()(x), m2(x)))
            with open(st, "r+b") as f:     # corrupt one byte: the sha256 check must catch it
                f.seek(-1, 2)
                f.write(b"\x01")
            with self.assertRaises(ValueError):
                load_weights(js)

    def test_config_keys_match_spec(self):
        for name, cfg in CONFIGS.items():
            self.assertEqual(list(cfg), CONFIG_KEYS)
            self.assertEqual(cfg["name"], name)
            self.assertEqual(sorted(cfg["extractor"]), ["cdcKernels", "dim", "plainKernel", "stages", "theta"])

    def test_parameter_names_follow_spec(self):
        names = set(DPMambaIR(get_config("small")).state_dict())
        for n in ["shallow.weight", "encoder.0.0.ssm.A_log", "encoder.0.0.prompt.delta.weight",
                  "encoder.0.0.heb.alpha", "downsample.2.weight", "upsample.0.weight", "reduce.1.weight",
                  "reduce.2.weight", "decoder.0.0.ffn.dw.weight", "latent.1.skip2", "refinement.0.norm1.bias",
                  "output.bias", "extractor.stem.branches.3.weight", "extractor.stages.1.mscdc.plain.bias",
                  "extractor.stages.0.down.weight", "extractor.head.fc2.bias"]:
            self.assertIn(n, names)
        self.assertNotIn("reduce.0.weight", names)


if __name__ == "__main__":
    unittest.main()
