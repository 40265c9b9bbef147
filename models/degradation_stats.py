"""Reference statistics of the seven training degradations, for the TypeScript port in
packages/core/src/degrade/ (its test compares against the file written here).

    /usr/bin/python3 models/degradation_stats.py           # (re)write the fixture and the stats
    /usr/bin/python3 models/degradation_stats.py --check   # recompute in memory and compare

For each type of models/dpmambair/degrade.py (the source of truth, used unchanged) it draws N
parameter sets with a seeded torch.Generator, degrades two fixed 128x128 crops of
samples/astronaut.png (alternating), and records mean, std and standard error of the PSNR of
degraded vs clean (data range 1, over all RGB samples). N differs per type so that the standard
error of each mean is about 0.05 dB.

It also records PSNRs for fixed parameter sets of every type (see FIXED), which the TypeScript
test must reproduce (almost exactly for the deterministic blur, haze and JPEG; within sampling
error for the others), and a copy of the parameter registry, which the TypeScript registry must
equal.

Outputs (committed):
  packages/core/src/degrade/fixtures/crops.safetensors   'face' and 'suit', (3, 128, 128) float32
  packages/core/src/degrade/fixtures/python-stats.json
  packages/core/src/degrade/fixtures/opencv-face-61x37-q23.jpg   (a foreign JPEG for the decoder)
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
# draws per type: standard error of each mean about 0.05 dB (see the written se), small beside the
# TypeScript side's, which cannot afford as many draws in a unit test
DRAWS = {"noise": 6144, "jpeg": 1536, "blur": 3072, "lowlight": 3072, "haze": 3072, "rain": 3072, "snow": 3072}
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


# Fixed parameter sets per type. They are imposed by narrowing the registry ranges to a point
# (U(v, v) = v, logU(v, v) = v, intU(q, q) = q, p = 1 or 0) while the unchanged degrade.py
# functions run, so these exercise the real formulas; kernel grids may grow or shrink with the
# narrowed maxima, which does not change the results (the kernels' support fits either way).
FIXED = {
    "noise": [{"p_gaussian": 1.0, "sigma": 10 / 255}, {"p_gaussian": 1.0, "sigma": 40 / 255},
              {"p_gaussian": 0.0, "peak": 20.0}, {"p_gaussian": 0.0, "peak": 150.0}],
    "jpeg": [{"quality": 10}, {"quality": 23}, {"quality": 37}, {"quality": 60}],
    "blur": [{"p_motion": 1.0, "length": 5.0, "angle_deg": 0.0}, {"p_motion": 1.0, "length": 13.3, "angle_deg": 37.0},
             {"p_motion": 1.0, "length": 21.0, "angle_deg": 135.0}, {"p_motion": 0.0, "radius": 1.5},
             {"p_motion": 0.0, "radius": 3.7}, {"p_motion": 0.0, "radius": 5.0}],
    "lowlight": [{"gamma": 1.4, "scale": 0.45, "sigma": 1 / 255}, {"gamma": 2.0, "scale": 0.3, "sigma": 4 / 255},
                 {"gamma": 2.6, "scale": 0.12, "sigma": 8 / 255}],
    "haze": [{"beta": 0.5, "airlight": 0.7, "tint": 0.0}, {"beta": 1.3, "airlight": 0.9, "tint": 0.03},
             {"beta": 2.2, "airlight": 1.0, "tint": 0.04}],
    "rain": [{"density": 0.002, "length": 10.0, "angle_deg": -25.0, "intensity": 0.35},
             {"density": 0.006, "length": 20.0, "angle_deg": 0.0, "intensity": 0.6},
             {"density": 0.012, "length": 35.0, "angle_deg": 25.0, "intensity": 0.85}],
    "snow": [{"density": 0.0008, "size": 0.7, "veil": 0.0}, {"density": 0.003, "size": 1.0, "veil": 0.1},
             {"density": 0.005, "size": 1.3, "veil": 0.2}],
}
DETERMINISTIC = {"jpeg", "blur", "haze"}
FIXED_DRAWS = 32     # per crop, for the stochastic types


def fixed_cases(crops):
    """Mean PSNR per crop for each fixed parameter set (one draw for deterministic types)."""
    names = list(CROPS)
    out = []
    for ti, (name, cases) in enumerate(FIXED.items()):
        for ci, case in enumerate(cases):
            saved = dict(D.REGISTRY[name])
            try:
                for k, v in case.items():
                    old = D.REGISTRY[name][k]
                    D.REGISTRY[name][k] = (old[0], v, v) if isinstance(old, tuple) else v
                g = torch.Generator().manual_seed(SEED + 1000 + 100 * ti + ci)
                draws = 1 if name in DETERMINISTIC else FIXED_DRAWS
                x = torch.stack([crops[k] for k in names]).repeat(draws, 1, 1, 1)
                y, _ = D.FUNCS[name](x, g)
            finally:
                D.REGISTRY[name].clear()
                D.REGISTRY[name].update(saved)
            v = psnr(y, x).view(draws, len(names))
            entry = {"type": name, "params": case, "draws_per_crop": draws,
                     "psnr": {k: float(v[:, i].mean()) for i, k in enumerate(names)}}
            if draws > 1:
                entry["std"] = {k: float(v[:, i].std()) for i, k in enumerate(names)}
            out.append(entry)
    return out


JPEG_FILE = os.path.join(FIXTURES, "opencv-face-61x37-q23.jpg")


def foreign_jpeg(crops):
    """A JPEG written by OpenCV (odd size, so partial MCUs and libjpeg's dummy blocks) for the TS
    decoder to read; returns its bytes and the PSNR of OpenCV's decoding against the clean pixels."""
    import cv2
    h, w, q = 37, 61, 23
    arr = (crops["face"][:, :h, :w].clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(arr[:, :, ::-1]), [int(cv2.IMWRITE_JPEG_QUALITY), q])
    dec = cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1]
    x = torch.from_numpy(arr.astype(np.float32) / 255).permute(2, 0, 1)[None]
    y = torch.from_numpy(np.ascontiguousarray(dec).astype(np.float32) / 255).permute(2, 0, 1)[None]
    return buf.tobytes(), {"file": os.path.basename(JPEG_FILE), "crop": "face", "width": w, "height": h,
                           "quality": q, "psnr": float(psnr(y, x)[0])}


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
        "jpeg_file": foreign_jpeg(crops)[1],
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
        data, info = foreign_jpeg(crops)
        with open(JPEG_FILE, "rb") as f:
            if f.read() != data or info != old.get("jpeg_file"):
                bad.append(f"{JPEG_FILE} or its PSNR differs from what OpenCV writes now")
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
    with open(JPEG_FILE, "wb") as f:
        f.write(foreign_jpeg(crops)[0])
    with open(STATS_PATH, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print("wrote", CROPS_PATH, "and", STATS_PATH)


if __name__ == "__main__":
    main()
