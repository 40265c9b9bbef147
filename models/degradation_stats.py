"""Reference statistics of the seven training degradations, for the TypeScript port in
packages/core/src/degrade/ (its test compares against the file written here).

    /usr/bin/python3 models/degradation_stats.py           # (re)write the fixture and the stats
    /usr/bin/python3 models/degradation_stats.py --check   # recompute in memory and compare

For each type of models/dpmambair/degrade.py (the source of truth, used unchanged) it draws N
parameter sets with a seeded torch.Generator, degrades two fixed 128x128 crops of
samples/astronaut.png (alternating), and records mean, std and standard error of the PSNR of
degraded vs clean (data range 1, over all RGB samples). N differs per type so that the standard
error of each mean is about 0.1 dB or less.

It also records PSNRs for a few fixed parameter sets of the deterministic types (blur, haze and
JPEG through OpenCV), which the TypeScript test must reproduce almost exactly, and a copy of the
parameter registry, which the TypeScript registry must equal.

Outputs (committed):
  packages/core/src/degrade/fixtures/crops.safetensors   'face' and 'suit', (3, 128, 128) float32
  packages/core/src/degrade/fixtures/python-stats.json
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from dpmambair import degrade as D  # noqa: E402
from dpmambair.weights import read_safetensors, write_safetensors  # noqa: E402

FIXTURES = os.path.join(ROOT, "packages", "core", "src", "degrade", "fixtures")
CROPS_PATH = os.path.join(FIXTURES, "crops.safetensors")
STATS_PATH = os.path.join(FIXTURES, "python-stats.json")
PHOTO = os.path.join(ROOT, "samples", "astronaut.png")
CROPS = {"face": (48, 150), "suit": (320, 96)}   # top-left (y, x) in the 512x512 photo
SIZE = 128
SEED = 20261126
# draws per type (about 0.1 dB standard error or less on the mean; see the written std)
DRAWS = {"noise": 1536, "jpeg": 384, "blur": 768, "lowlight": 768, "haze": 768, "rain": 768, "snow": 768}
BATCH = 64
TOL_MEAN = 1e-4      # --check: the pipeline is deterministic; only float summation order may differ


def load_crops():
    """(names, tensor (2, 3, 128, 128)) from the photo; None when the photo is missing."""
    if not os.path.exists(PHOTO):
        return None
    from PIL import Image
    img = np.asarray(Image.open(PHOTO).convert("RGB"), dtype=np.float32) / 255.0
    out = {}
    for name, (y, x) in CROPS.items():
        out[name] = torch.from_numpy(np.ascontiguousarray(img[y:y + SIZE, x:x + SIZE].transpose(2, 0, 1)))
    return out


def psnr(a, b):
    mse = ((a.double() - b.double()) ** 2).mean(dim=(1, 2, 3))
    return -10 * torch.log10(mse)


def type_stats(name, crops, seed):
    names = list(CROPS)
    x_all = torch.stack([crops[k] for k in names])
    g = torch.Generator().manual_seed(seed)
    n = DRAWS[name]
    vals = []
    for start in range(0, n, BATCH):
        m = min(BATCH, n - start)
        idx = torch.arange(start, start + m) % len(names)
        x = x_all[idx]
        y, _ = D.FUNCS[name](x, g)
        assert y.shape == x.shape and float(y.min()) >= 0 and float(y.max()) <= 1
        vals.append(psnr(y, x))
    v = torch.cat(vals)
    per_crop = {k: float(v[i::len(names)].mean()) for i, k in enumerate(names)}
    return {"draws": n, "seed": seed, "mean": float(v.mean()), "std": float(v.std()),
            "se": float(v.std() / math.sqrt(n)), "min": float(v.min()), "max": float(v.max()),
            "mean_per_crop": per_crop}


def fixed_cases(crops):
    """PSNRs for given parameters of the deterministic types, via degrade.py's own helpers and the
    same steps as its blur/haze/jpeg functions."""
    out = []
    names = list(CROPS)
    x = torch.stack([crops[k] for k in names])
    R = D.REGISTRY["blur"]
    K = 2 * int(math.ceil(max(R["length"][2] / 2, R["radius"][2]) + 1)) + 1
    for params in [{"kind": "motion", "length": 5.0, "angle_deg": 0.0},
                   {"kind": "motion", "length": 13.3, "angle_deg": 37.0},
                   {"kind": "motion", "length": 21.0, "angle_deg": 135.0},
                   {"kind": "defocus", "radius": 1.5},
                   {"kind": "defocus", "radius": 3.7},
                   {"kind": "defocus", "radius": 5.0}]:
        if params["kind"] == "motion":
            k = D.line_kernels(torch.tensor([params["length"]], dtype=torch.float64),
                               torch.tensor([params["angle_deg"] * math.pi / 180], dtype=torch.float64), K)
        else:
            k = D.disk_kernels(torch.tensor([params["radius"]], dtype=torch.float64), K)
        k = k / k.sum(dim=(1, 2), keepdim=True)
        y = D.quantise(D.conv_per_sample(x, k.repeat(len(names), 1, 1), "reflect"))
        out.append({"type": "blur", "params": params, "psnr": dict(zip(names, map(float, psnr(y, x))))})
    d = D.haze_depth(x)
    for beta, A in [(0.5, [0.7, 0.7, 0.7]), (1.3, [0.9, 0.86, 0.94]), (2.2, [1.0, 1.0, 1.0])]:
        t = torch.exp(-beta * d)
        y = D.quantise(x * t + torch.tensor(A, dtype=x.dtype)[None, :, None, None] * (1 - t))
        out.append({"type": "haze", "params": {"beta": beta, "airlight": A},
                    "psnr": dict(zip(names, map(float, psnr(y, x))))})
    import cv2
    arr = (x.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
    for q in [10, 23, 37, 60]:
        ys = []
        for i in range(len(names)):
            ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(arr[i][:, :, ::-1]), [int(cv2.IMWRITE_JPEG_QUALITY), q])
            dec = cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1]
            ys.append(torch.from_numpy(np.ascontiguousarray(dec)).permute(2, 0, 1).float() / 255.0)
        y = torch.stack(ys)
        out.append({"type": "jpeg", "params": {"quality": q}, "psnr": dict(zip(names, map(float, psnr(y, x))))})
    return out


def compute(crops):
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    stats = {}
    for i, name in enumerate(D.TYPES):
        stats[name] = type_stats(name, crops, SEED + i)
        print(f"{name:9s} N={stats[name]['draws']:5d}  mean {stats[name]['mean']:7.3f} dB  "
              f"std {stats[name]['std']:6.3f}  se {stats[name]['se']:.3f}", flush=True)
    return {
        "about": "PSNR (dB, data range 1) of degraded vs clean, per type, from models/dpmambair/degrade.py "
                 "on the crops in crops.safetensors; written by models/degradation_stats.py",
        "torch": torch.__version__,
        "crops": {k: {"y": y, "x": x, "size": SIZE} for k, (y, x) in CROPS.items()},
        "types": D.TYPES,
        "clean_fraction": D.CLEAN_FRACTION,
        "registry": D.REGISTRY,
        "stats": stats,
        "fixed": fixed_cases(crops),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="recompute and compare with the committed files")
    args = ap.parse_args()
    crops = load_crops()
    if args.check:
        committed, _ = read_safetensors(CROPS_PATH)
        if crops is not None:
            for k in CROPS:
                if not torch.equal(committed[k], crops[k]):
                    sys.exit(f"FAIL: crop '{k}' in {CROPS_PATH} differs from samples/astronaut.png")
        crops = committed
        with open(STATS_PATH) as f:
            old = json.load(f)
        new = json.loads(json.dumps(compute(crops)))
        bad = []
        if new["registry"] != old["registry"] or new["types"] != old["types"]:
            bad.append("registry/types changed in degrade.py: rerun without --check and update the TS port")
        for name in D.TYPES:
            a, b = old["stats"].get(name), new["stats"][name]
            if a is None or abs(a["mean"] - b["mean"]) > TOL_MEAN or abs(a["std"] - b["std"]) > TOL_MEAN:
                bad.append(f"{name}: committed {a and a['mean']} vs now {b['mean']}")
        for a, b in zip(old["fixed"], new["fixed"]):
            for k in b["psnr"]:
                if abs(a["psnr"][k] - b["psnr"][k]) > TOL_MEAN:
                    bad.append(f"fixed {a['type']} {a['params']} {k}: {a['psnr'][k]} vs {b['psnr'][k]}")
        if len(old["fixed"]) != len(new["fixed"]):
            bad.append("fixed cases changed")
        if bad:
            sys.exit("FAIL:\n  " + "\n  ".join(bad))
        print("OK: degradation statistics match", STATS_PATH)
        return
    if crops is None:
        sys.exit(f"{PHOTO} is missing")
    os.makedirs(FIXTURES, exist_ok=True)
    write_safetensors(CROPS_PATH, crops, {"source": "samples/astronaut.png",
                                          "crops": json.dumps({k: list(v) for k, v in CROPS.items()}),
                                          "size": str(SIZE), "layout": "planar RGB (3, H, W) in [0, 1]"})
    result = compute(crops)
    with open(STATS_PATH, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print("wrote", CROPS_PATH, "and", STATS_PATH)


if __name__ == "__main__":
    main()
