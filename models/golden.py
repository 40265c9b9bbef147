"""Golden vectors for the TypeScript core (docs/model-spec.md, section "Golden vectors").

    /usr/bin/python3 models/golden.py            # (re)write models/golden/{tiny,small}/
    /usr/bin/python3 models/golden.py --check    # regenerate in memory, compare (tol 1e-6)

Weights are drawn with numpy's legacy RandomState (bit-stable across numpy versions), so the
weights do not depend on torch's RNG. The forward pass runs in float64 with the sequential
reference scan (the exact maths), and is stored as float32.

The image is a 32x48 crop of skimage's astronaut photo (models/data cache) plus seeded
Gaussian noise (sigma 10/255), clipped to [0, 1]. If the photo cache is missing (e.g. in CI),
--check takes the image from the committed io.safetensors and checks everything else.
"""
import argparse
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from dpmambair.configs import get_config  # noqa: E402
from dpmambair.model import DPMambaIR, set_scan  # noqa: E402
from dpmambair.weights import export_weights, read_safetensors, write_safetensors  # noqa: E402

CONFIGS = ["tiny", "small"]
SEED = {"tiny": 20250401, "small": 20250402}
CROP = (200, 210, 32, 48)   # y, x, h, w in skimage/astronaut (the face and helmet edge)
TOL = 1e-6


def golden_dir(name):
    return os.path.join(HERE, "golden", name)


def make_image():
    path = os.path.join(HERE, "data", "images", "skimage__astronaut.npy")
    if not os.path.exists(path):
        return None
    img = np.load(path).astype(np.float64) / 255.0
    y, x, h, w = CROP
    crop = img[y:y + h, x:x + w].transpose(2, 0, 1)[None]
    rs = np.random.RandomState(7)
    noisy = np.clip(crop + rs.standard_normal(crop.shape) * (10.0 / 255.0), 0.0, 1.0)
    return noisy.astype(np.float32)


def make_weights(cfg, seed):
    """Seeded random weights; every path exercised (prompt heads and heb.alpha non-zero)."""
    model = DPMambaIR(cfg)
    rs = np.random.RandomState(seed)
    sd = model.state_dict()
    out = {}
    for name in sorted(sd):
        shape = tuple(sd[name].shape)
        n = rs.standard_normal(shape)
        leaf = name.split(".")[-1]
        parent = name.split(".")[-2] if "." in name else ""
        if leaf == "A_log":
            N = shape[1]
            v = np.log(np.arange(1, N + 1))[None, :] + 0.1 * n
        elif leaf == "D" or leaf in ("skip1", "skip2"):
            v = 1.0 + 0.2 * n
        elif leaf == "alpha":
            v = 0.5 * n
        elif parent in ("norm1", "norm2"):
            v = (1.0 + 0.1 * n) if leaf == "weight" else 0.05 * n
        elif parent == "dt_proj" and leaf == "bias":
            dt = np.exp(rs.uniform(math.log(1e-3), math.log(1e-1), size=shape))
            v = dt + np.log(-np.expm1(-dt))
        elif leaf == "bias":
            v = 0.05 * n
        elif parent in ("delta", "b", "c") and ".prompt." in "." + name:
            v = 0.3 * n / math.sqrt(shape[1])
        else:
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
            v = n / math.sqrt(max(fan_in, 1))
            if name == "output.weight":
                v = 0.1 * v   # keep the residual of the random net modest
        out[name] = torch.from_numpy(np.asarray(v, dtype=np.float32))
    model.load_state_dict(out)
    return model


def compute(name, image=None):
    cfg = get_config(name)
    model = make_weights(cfg, SEED[name])
    if image is None:
        image = make_image()
    if image is None:
        raise RuntimeError("no image: run models/data.py fetch or keep the committed io.safetensors")
    set_scan("reference")
    try:
        m64 = DPMambaIR(cfg).double()
        m64.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
        with torch.no_grad():
            x = torch.from_numpy(image).double()
            emb = m64.embed(x, per_image=False)
            out = m64.restore(x, emb)
    finally:
        set_scan("fast")
    io = {"image": torch.from_numpy(image), "embedding": emb.float(), "output": out.float()}
    return model, io


def write(name):
    model, io = compute(name)
    d = golden_dir(name)
    os.makedirs(d, exist_ok=True)
    training = {"note": "golden vectors: seeded random weights (models/golden.py), not trained",
                "seed": SEED[name]}
    export_weights(model, d, "weights", training=training)
    write_safetensors(os.path.join(d, "io.safetensors"), io,
                      metadata={"image": f"skimage astronaut crop y,x,h,w={CROP} + N(0,(10/255)^2), seed 7, clipped",
                                "embedding": "extractor(image), mean over positions",
                                "output": "net(image, embedding), float64 reference scan, stored F32"})
    print(f"wrote {d}: output range [{io['output'].min():.4f}, {io['output'].max():.4f}], "
          f"|out-in| mean {(io['output'] - io['image']).abs().mean():.4f}")


def check(name):
    d = golden_dir(name)
    committed_io, _ = read_safetensors(os.path.join(d, "io.safetensors"))
    committed_w, _ = read_safetensors(os.path.join(d, "weights.safetensors"))
    image = make_image()
    if image is None:
        print(f"{name}: photo cache missing, using the committed image")
        image = committed_io["image"].numpy()
    model, io = compute(name, image)
    worst = 0.0
    for k, v in model.state_dict().items():
        worst = max(worst, (committed_w[k] - v).abs().max().item())
    assert set(committed_w) == set(model.state_dict()), f"{name}: weight names differ"
    for k in ("image", "embedding", "output"):
        assert committed_io[k].shape == io[k].shape, f"{name}: {k} shape {committed_io[k].shape} != {io[k].shape}"
        diff = (committed_io[k] - io[k]).abs().max().item()
        worst = max(worst, diff)
        assert diff <= TOL, f"{name}: {k} differs by {diff} > {TOL}"
    assert worst <= TOL, f"{name}: weights differ by {worst}"
    print(f"{name}: OK (max abs diff {worst:.2e})")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--configs", nargs="*", default=CONFIGS)
    args = ap.parse_args()
    torch.set_num_threads(2)
    for name in args.configs:
        check(name) if args.check else write(name)


if __name__ == "__main__":
    main()
