"""Reference statistics of the seven training degradations, for the TypeScript port in
packages/core/src/degrade/ (its test compares against the file written here).

    /usr/bin/python3 models/degradation_stats.py           # (re)write the fixture and the stats
    /usr/bin/python3 models/degradation_stats.py --check   # recompute in memory and compare

For each type of models/dpmambair/degrade.py (the source of truth, used unchanged) it draws N
parameter sets with a seeded torch.Generator, degrades two fixed 128x128 crops of
samples/astronaut.png (alternating), and records mean, std and standard error of the PSNR of
degraded vs clean (data range 1, over all RGB samples). N differs per type so that the standard
error of each mean is about 0.1 dB.

It also records PSNRs for fixed parameter sets of every type (see FIXED), which the TypeScript
test must reproduce (almost exactly for the deterministic cases: JPEG, the fixed blur kernels and
haze over the vertical/luminance depth; within sampling error for the others), a copy of the
generator kinds, and a copy of the parameter registry, which the TypeScript registry must
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
# draws per type: standard error of each mean about 0.1 dB (see the written se), below the
# TypeScript side's, which cannot afford as many draws in a unit test; the whole run took 7 minutes
# on 2 cores shared with training
DRAWS = {"noise": 4736, "jpeg": 1152, "blur": 2304, "lowlight": 1024, "haze": 3584, "rain": 1600, "snow": 1920}
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


def one_hot(name, kind):
    """kind_p that always draws `kind` (one of D.KINDS[name])."""
    return [1.0 if k == kind else 0.0 for k in D.KINDS[name]]


# Fixed parameter sets per type. They are imposed by narrowing the registry while the unchanged
# degrade.py functions run, so these exercise the real formulas: the generator kind by a one-hot
# kind_p, ranges to a point (U(v, v) = v, logU(v, v) = v, intU(q, q) = q), probabilities to 0 or
# 1. Kernel grids may shrink with the narrowed maxima, which does not change the results (the
# kernels' support fits either way; a Gaussian cut at 3 sigma or more instead of the full grid
# loses under 0.5% of its weight, far below the sampling error of those stochastic cases).
FIXED = {
    "noise": [{"kind_p": one_hot("noise", "gaussian"), "sigma": 10 / 255},
              {"kind_p": one_hot("noise", "gaussian"), "sigma": 40 / 255},
              {"kind_p": one_hot("noise", "correlated"), "sigma": 20 / 255, "rho": 0.5, "grain": 0.8},
              {"kind_p": one_hot("noise", "poisson"), "peak": 20.0},
              {"kind_p": one_hot("noise", "poisson"), "peak": 150.0},
              {"kind_p": one_hot("noise", "linear"), "peak": 30.0, "read": 2 / 255}],
    "jpeg": [{"kind_p": one_hot("jpeg", "420"), "quality": 10, "p_double": 0.0},
             {"kind_p": one_hot("jpeg", "420"), "quality": 37, "p_double": 0.0},
             {"kind_p": one_hot("jpeg", "444"), "quality": 23, "p_double": 0.0},
             {"kind_p": one_hot("jpeg", "444"), "quality": 80, "p_double": 0.0},
             {"kind_p": one_hot("jpeg", "420"), "quality": 60, "p_double": 1.0, "quality2": 40},
             {"kind_p": one_hot("jpeg", "444"), "quality": 90, "p_double": 1.0, "quality2": 50}],
    "blur": [{"kind_p": one_hot("blur", "motion"), "length": 5.0, "angle_deg": 0.0},
             {"kind_p": one_hot("blur", "motion"), "length": 13.3, "angle_deg": 37.0},
             {"kind_p": one_hot("blur", "motion"), "length": 25.0, "angle_deg": 135.0},
             {"kind_p": one_hot("blur", "defocus"), "radius": 1.5},
             {"kind_p": one_hot("blur", "defocus"), "radius": 5.0},
             {"kind_p": one_hot("blur", "gaussian"), "sigma": 0.6},
             {"kind_p": one_hot("blur", "gaussian"), "sigma": 3.0},
             {"kind_p": one_hot("blur", "shake"), "shake_size": 8.0},
             {"kind_p": one_hot("blur", "shake"), "shake_size": 18.0}],
    "lowlight": [{"kind_p": one_hot("lowlight", "gamma"), "gamma": 1.4, "scale": 0.45, "sigma": 1 / 255},
                 {"kind_p": one_hot("lowlight", "gamma"), "gamma": 2.6, "scale": 0.12, "sigma": 8 / 255},
                 {"kind_p": one_hot("lowlight", "linear"), "exposure": 0.3, "peak": 200.0, "read": 1 / 255, "cast": 0.0},
                 {"kind_p": one_hot("lowlight", "linear"), "exposure": 0.05, "peak": 40.0, "read": 3 / 255, "cast": 0.05}],
    "haze": [{"kind_p": one_hot("haze", "vertical_lum"), "beta": 0.5, "airlight": 0.7, "tint": 0.0, "depth_floor": 0.2},
             {"kind_p": one_hot("haze", "vertical_lum"), "beta": 2.2, "airlight": 1.0, "tint": -0.04, "depth_floor": 0.0},
             {"kind_p": one_hot("haze", "field"), "beta": 1.3, "airlight": 0.9, "tint": 0.03, "depth_floor": 0.1},
             {"kind_p": one_hot("haze", "radial"), "beta": 1.0, "airlight": 0.8, "tint": -0.05, "depth_floor": 0.3},
             {"kind_p": one_hot("haze", "horizontal"), "beta": 1.8, "airlight": 0.85, "tint": 0.0, "depth_floor": 0.0}],
    "rain": [{"kind_p": one_hot("rain", "one_layer"), "density": 0.002, "length": 10.0, "angle_deg": -25.0, "intensity": 0.35,
              "width": 0.0, "veil": 0.0, "darken": 0.0},
             {"kind_p": one_hot("rain", "one_layer"), "density": 0.006, "length": 20.0, "angle_deg": 0.0, "intensity": 0.6,
              "width": 0.8, "veil": 0.1, "darken": 0.1},
             {"kind_p": one_hot("rain", "two_layers"), "density": 0.012, "length": 35.0, "angle_deg": 25.0, "intensity": 0.85,
              "width": 0.4, "veil": 0.2, "darken": 0.15}],
    "snow": [{"kind_p": one_hot("snow", "round"), "density": 0.0008, "size": 0.7, "veil": 0.0, "softness": 0.0},
             {"kind_p": one_hot("snow", "round"), "density": 0.003, "size": 1.0, "veil": 0.1, "softness": 0.8},
             {"kind_p": one_hot("snow", "motion"), "density": 0.005, "size": 1.3, "veil": 0.2, "softness": 0.3,
              "streak": 8.0, "angle_deg": 100.0}],
}
FIXED_DRAWS = 32     # per crop, for the stochastic cases


def deterministic(name, case):
    """True when a fixed case draws nothing random: JPEG, the fixed blur kernels, haze whose depth
    proxy is the image's own (vertical_lum); shake kernels, random depth fields and all noises are not."""
    kind = D.KINDS[name][case["kind_p"].index(1.0)]
    return name == "jpeg" or (name == "blur" and kind != "shake") or (name == "haze" and kind == "vertical_lum")


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
                    D.REGISTRY[name][k] = (old[0], v, v) if isinstance(old, tuple) and isinstance(old[0], str) else v
                g = torch.Generator().manual_seed(SEED + 1000 + 100 * ti + ci)
                draws = 1 if deterministic(name, case) else FIXED_DRAWS
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
        "kinds": D.KINDS,
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
        if new["registry"] != old["registry"] or new["types"] != old["types"] or new["kinds"] != old.get("kinds"):
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
