"""Fixed validation images, classical baselines and model evaluation.

    /usr/bin/python3 models/evaluate.py                       # all of it: the table in models/README.md
    /usr/bin/python3 models/evaluate.py make-val              # in-recipe PNG set in models/data/val/
    /usr/bin/python3 models/evaluate.py make-ood              # out-of-recipe PNG set in models/data/val_ood/
    /usr/bin/python3 models/evaluate.py baselines             # OpenCV baselines per type
    /usr/bin/python3 models/evaluate.py model weights/small.json --device cpu   # ours, via the CLI
    /usr/bin/python3 models/evaluate.py report                # results/*.json -> models/README.md
    /usr/bin/python3 models/evaluate.py input-psnr            # input PSNR table (docs/degradations.md)

The model is run by the real CLI (apps/cli/dist/bin.js, built by `npm run build`) on the
backend --device names, never by PyTorch: the figures are what users get.

Two PNG sets (seeded, deterministic given the cached photos), each <set>/<type>/NNN.png (the input
to restore) with the clean reference in <set>/<type>/ref/NNN.png and <set>/manifest.json:
- in-recipe (models/data/val, `make-val`): for each of the 7 types and `clean`, 12 crops of 256x256
  from the 3 `val` photos (4 per photo), degraded by the FROZEN first training recipe
  (dpmambair/degrade_v1.py), so that this set stays fixed while the training recipe changes.
- out-of-recipe (models/data/val_ood, `make-ood`): the independent degradation family of
  ood_degrade.py (other code, libraries and parameterisations, never used in training) on 2 crops
  per photo of `val` + `val_extra` (photos with both sides >= 256), for the 7 types, `clean`, and
  `mild` (barely degraded: a restoration must not make it worse).
Results go to models/results/*.json (PSNR in dB and SSIM vs the reference, mean per type);
the out-of-recipe ones carry the suffix -ood.
"""
import argparse
import glob
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from dpmambair.runtime import maybe_reexec  # noqa: E402  (no torch import)

VAL_DIR = os.path.join(HERE, "data", "val")
OOD_DIR = os.path.join(HERE, "data", "val_ood")
SETS = {"in-recipe": (VAL_DIR, ""), "out-of-recipe": (OOD_DIR, "-ood")}   # name -> (folder, results suffix)
OOD_SEED = 7
NOT_DEGRADED = ("clean", "mild")   # rows that are not one of the 7 types: outside the mean and the floors
OOD_PER_IMAGE = 2
RESULTS_DIR = os.path.join(HERE, "results")
CLI = os.path.join(HERE, "..", "apps", "cli", "dist", "bin.js")
VAL_SEED = 2024
VAL_SIZE = 256
PER_IMAGE = 4


# ------------------------------------------------------------------------------- metrics

def psnr(a, b):
    """a, b: float arrays in [0, 1]."""
    mse = float(np.mean((np.clip(a, 0, 1).astype(np.float64) - b.astype(np.float64)) ** 2))
    return 100.0 if mse <= 1e-12 else -10 * math.log10(mse)


def ssim(a, b):
    """SSIM (Wang et al. 2004: Gaussian window 11, sigma 1.5, K1 .01, K2 .03), mean over RGB."""
    import cv2

    a = np.clip(a, 0, 1).astype(np.float64)
    b = b.astype(np.float64)
    C1, C2 = 0.01 ** 2, 0.03 ** 2
    vals = []
    for c in range(a.shape[2]):
        x, y = a[:, :, c], b[:, :, c]
        f = lambda z: cv2.GaussianBlur(z, (11, 11), 1.5, borderType=cv2.BORDER_REFLECT)  # noqa: E731
        mx, my = f(x), f(y)
        sxx, syy, sxy = f(x * x) - mx * mx, f(y * y) - my * my, f(x * y) - mx * my
        m = ((2 * mx * my + C1) * (2 * sxy + C2)) / ((mx * mx + my * my + C1) * (sxx + syy + C2))
        vals.append(m[5:-5, 5:-5].mean())
    return float(np.mean(vals))


# ------------------------------------------------------------------------------- I/O

def read_png(path):
    import cv2

    im = cv2.imread(path, cv2.IMREAD_COLOR)
    if im is None:
        raise FileNotFoundError(path)
    return im[:, :, ::-1].astype(np.float32) / 255.0


def write_png(path, rgb01):
    import cv2

    os.makedirs(os.path.dirname(path), exist_ok=True)
    u8 = np.round(np.clip(rgb01, 0, 1) * 255).astype(np.uint8)
    cv2.imwrite(path, np.ascontiguousarray(u8[:, :, ::-1]))


def val_pairs(types=None, set_dir=VAL_DIR):
    """[(type, input path, reference path)] of a PNG set."""
    out = []
    for d in sorted(glob.glob(os.path.join(set_dir, "*"))):
        t = os.path.basename(d)
        if not os.path.isdir(d) or (types and t not in types):
            continue
        for p in sorted(glob.glob(os.path.join(d, "*.png"))):
            out.append((t, p, os.path.join(d, "ref", os.path.basename(p))))
    if not out:
        raise FileNotFoundError(f"no validation PNGs in {set_dir}: run `evaluate.py make-val` / `make-ood`")
    return out


# ------------------------------------------------------------------------------- the set

def make_val():
    import torch

    from data import load_images
    from dpmambair.degrade_v1 import TYPES, degrade

    torch.set_num_threads(2)
    imgs = load_images("val")
    g = torch.Generator().manual_seed(VAL_SEED)
    manifest = {"seed": VAL_SEED, "size": VAL_SIZE, "per_image": PER_IMAGE, "items": []}
    for ti, t in enumerate(TYPES + ["clean"]):
        crops, srcs = [], []
        for name, im in imgs:
            H, W = im.shape[:2]
            for _ in range(PER_IMAGE):
                y = int(torch.randint(0, H - VAL_SIZE + 1, (1,), generator=g))
                x = int(torch.randint(0, W - VAL_SIZE + 1, (1,), generator=g))
                crops.append(torch.from_numpy(np.ascontiguousarray(im[y:y + VAL_SIZE, x:x + VAL_SIZE])).permute(2, 0, 1).float() / 255)
                srcs.append({"image": name, "y": y, "x": x})
        clean = torch.stack(crops)
        types = torch.full((len(crops),), ti if t != "clean" else -1)
        deg, params = degrade(clean, types, g)
        for i in range(len(crops)):
            fn = f"{i:03d}.png"
            write_png(os.path.join(VAL_DIR, t, fn), deg[i].permute(1, 2, 0).numpy())
            write_png(os.path.join(VAL_DIR, t, "ref", fn), clean[i].permute(1, 2, 0).numpy())
            manifest["items"].append({"type": t, "file": f"{t}/{fn}", "ref": f"{t}/ref/{fn}",
                                      "source": srcs[i], "params": params[i]})
    with open(os.path.join(VAL_DIR, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"wrote {len(manifest['items'])} images to {VAL_DIR}")


def make_ood():
    import ood_degrade
    from data import load_images

    rng = np.random.default_rng(OOD_SEED)
    imgs = [(n, im) for n, im in load_images("val") + load_images("val_extra") if min(im.shape[:2]) >= VAL_SIZE]
    manifest = {"seed": OOD_SEED, "size": VAL_SIZE, "per_image": OOD_PER_IMAGE, "family": "ood_degrade.py",
                "photos": [n for n, _ in imgs], "items": []}
    for t in ood_degrade.TYPES + ["clean", "mild"]:
        f = ood_degrade.FUNCS.get(t, ood_degrade.mild if t == "mild" else lambda x, _: (x, {}))
        i = 0
        for name, im in imgs:
            H, W = im.shape[:2]
            for _ in range(OOD_PER_IMAGE):
                y, x = int(rng.integers(0, H - VAL_SIZE + 1)), int(rng.integers(0, W - VAL_SIZE + 1))
                clean = im[y:y + VAL_SIZE, x:x + VAL_SIZE].astype(np.float32) / 255
                deg, params = f(clean, rng)
                fn = f"{i:03d}.png"
                write_png(os.path.join(OOD_DIR, t, fn), deg)
                write_png(os.path.join(OOD_DIR, t, "ref", fn), clean)
                manifest["items"].append({"type": t, "file": f"{t}/{fn}", "ref": f"{t}/ref/{fn}",
                                          "source": {"image": name, "y": y, "x": x}, "params": params})
                i += 1
    with open(os.path.join(OOD_DIR, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, default=float)
    print(f"wrote {len(manifest['items'])} images to {OOD_DIR}")


# ------------------------------------------------------------------------------- baselines

def estimate_noise_sigma(rgb01):
    """Immerkaer's fast noise estimate (on luminance), in [0, 1] units."""
    import cv2

    g = (0.299 * rgb01[:, :, 0] + 0.587 * rgb01[:, :, 1] + 0.114 * rgb01[:, :, 2]).astype(np.float64)
    M = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float64)
    r = cv2.filter2D(g, -1, M)[1:-1, 1:-1]
    H, W = g.shape
    return math.sqrt(math.pi / 2) * np.abs(r).sum() / (6 * (W - 2) * (H - 2))


def _u8bgr(rgb01):
    return np.ascontiguousarray(np.round(np.clip(rgb01, 0, 1) * 255).astype(np.uint8)[:, :, ::-1])


def _rgb01(u8bgr):
    return u8bgr[:, :, ::-1].astype(np.float32) / 255.0


def nlm(rgb01, h=None):
    import cv2

    if h is None:
        h = max(3.0, 0.9 * estimate_noise_sigma(rgb01) * 255)
    return _rgb01(cv2.fastNlMeansDenoisingColored(_u8bgr(rgb01), None, h, h, 7, 21))


def unsharp(rgb01, sigma=2.0, amount=1.0):
    import cv2

    b = cv2.GaussianBlur(rgb01, (0, 0), sigma)
    return np.clip(rgb01 + amount * (rgb01 - b), 0, 1)


def gamma_correct(rgb01, target=0.45):
    m = float(np.clip(rgb01.mean(), 1e-3, 0.99))
    gma = math.log(target) / math.log(m)
    return np.clip(rgb01, 0, 1) ** gma


def _guided_filter(I, p, r, eps):
    import cv2

    f = lambda z: cv2.boxFilter(z, -1, (2 * r + 1, 2 * r + 1), borderType=cv2.BORDER_REFLECT)  # noqa: E731
    mI, mp = f(I), f(p)
    a = (f(I * p) - mI * mp) / (f(I * I) - mI * mI + eps)
    b = mp - a * mI
    return f(a) * I + f(b)


def dark_channel_prior(rgb01, patch=15, omega=0.95, t0=0.1):
    """He, Sun, Tang (2009) with guided-filter refinement."""
    import cv2

    I = rgb01.astype(np.float64)
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (patch, patch))
    dark = cv2.erode(I.min(axis=2), k)
    n = max(1, int(dark.size * 0.001))
    idx = np.argsort(dark.ravel())[-n:]
    A = I.reshape(-1, 3)[idx].mean(axis=0)  # mean of the brightest dark-channel pixels
    A = np.maximum(A, 1e-3)
    t = 1 - omega * cv2.erode((I / A).min(axis=2), k)
    gray = I.mean(axis=2)
    t = _guided_filter(gray, t, r=max(8, patch * 2), eps=1e-3)
    t = np.maximum(t, t0)[:, :, None]
    return np.clip((I - A) / t + A, 0, 1).astype(np.float32)


def median(rgb01, k=5):
    import cv2

    return _rgb01(cv2.medianBlur(_u8bgr(rgb01), k))


BASELINES = {
    "noise": ("non-local means (OpenCV fastNlMeansDenoisingColored, h = 0.9 sigma_est)", nlm),
    "jpeg": ("non-local means (h = 0.9 sigma_est, at least 3)", nlm),
    "blur": ("unsharp mask (Gaussian sigma 2, amount 1)", unsharp),
    "lowlight": ("gamma correction to mean 0.45", gamma_correct),
    "haze": ("dark channel prior (patch 15, omega .95, t0 .1, guided filter)", dark_channel_prior),
    "rain": ("median filter 5x5", median),
    "snow": ("median filter 5x5", median),
    "clean": ("identity", lambda x: x),
    "mild": ("identity", lambda x: x),
}


def summarise(rows):
    by = {}
    for r in rows:
        by.setdefault(r["type"], []).append(r)
    out = {}
    for t, rs in by.items():
        out[t] = {k: round(float(np.mean([r[k] for r in rs])), 3 if "ssim" in k else 2)
                  for k in rs[0] if k not in ("type", "file")}
        out[t]["n"] = len(rs)
    degr = [t for t in out if t not in NOT_DEGRADED]
    if degr:
        out["mean (7 types)"] = {k: round(float(np.mean([out[t][k] for t in degr])), 3 if "ssim" in k else 2)
                                 for k in out[degr[0]] if k != "n"}
    return out


def print_table(summary, cols):
    print(f"{'type':16s} " + " ".join(f"{c:>14s}" for c in cols))
    for t, v in summary.items():
        print(f"{t:16s} " + " ".join(f"{v.get(c, float('nan')):14.3f}" for c in cols))


def run_baselines(set_name="in-recipe"):
    set_dir, suffix = SETS[set_name]
    rows = []
    for t, pin, pref in val_pairs(set_dir=set_dir):
        x, ref = read_png(pin), read_png(pref)
        y = BASELINES[t][1](x)
        rows.append({"type": t, "file": os.path.relpath(pin, set_dir),
                     "psnr_input": psnr(x, ref), "psnr_baseline": psnr(y, ref),
                     "ssim_input": ssim(x, ref), "ssim_baseline": ssim(y, ref)})
    summary = summarise(rows)
    os.makedirs(RESULTS_DIR, exist_ok=True)
    doc = {"set": f"{os.path.relpath(set_dir, HERE)} ({set_name})", "baselines": {t: v[0] for t, v in BASELINES.items()},
           "summary": summary, "rows": rows}
    with open(os.path.join(RESULTS_DIR, f"baselines{suffix}.json"), "w") as f:
        json.dump(doc, f, indent=1)
    print_table(summary, ["psnr_input", "psnr_baseline", "ssim_input", "ssim_baseline"])


def restore_with_cli(weights_json, device, out_dir, set_dir=VAL_DIR):
    """Restores every PNG of the set with the real CLI (apps/cli, one call per type so that
    same-named files land in separate folders) and returns {input path: output path}."""
    if not os.path.exists(CLI):
        raise FileNotFoundError(f"{CLI} is missing: build it with `npx turbo run build --filter=dpmambair`")
    outputs = {}
    by_type = {}
    for t, pin, _ in val_pairs(set_dir=set_dir):
        by_type.setdefault(t, []).append(pin)
    for t, inputs in by_type.items():
        cmd = ["node", CLI, "restore", *inputs, "-o", os.path.join(out_dir, t) + os.sep,
               "--device", device, "--model", os.path.abspath(weights_json), "--json", "--force"]
        run = subprocess.run(cmd, capture_output=True, text=True)
        results = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
        failed = [r for r in results if not r["ok"]]
        if run.returncode != 0 or failed or len(results) != len(inputs):
            raise RuntimeError(f"dpmambair restore failed for {t} (exit {run.returncode}): "
                               f"{failed[:1] or run.stderr.strip()[-500:]}")
        for r in results:
            outputs[os.path.abspath(r["input"])] = r["output"]
        print(f"{t}: {len(results)} images restored by the CLI on {results[0]['device']}, "
              f"{np.mean([r['ms'] for r in results]):.0f} ms each", file=sys.stderr)
    return outputs


def run_model(weights_json, device="cpu", out_dir=None, set_name="in-recipe"):
    """Our network on a set, through the CLI and the backend `device` (cpu, cuda, wasm, tf-cpu...)."""
    set_dir, suffix = SETS[set_name]
    with open(weights_json) as f:
        doc = json.load(f)
    with tempfile.TemporaryDirectory() as tmp:
        outputs = restore_with_cli(weights_json, device, os.path.join(out_dir or tmp, set_name), set_dir)
        rows = []
        for t, pin, pref in val_pairs(set_dir=set_dir):
            x, y, ref = read_png(pin), read_png(outputs[os.path.abspath(pin)]), read_png(pref)
            rows.append({"type": t, "file": os.path.relpath(pin, set_dir),
                         "psnr_input": psnr(x, ref), "psnr_output": psnr(y, ref),
                         "ssim_input": ssim(x, ref), "ssim_output": ssim(y, ref)})
    summary = summarise(rows)
    os.makedirs(RESULTS_DIR, exist_ok=True)
    name = doc["config"]["name"]
    with open(os.path.join(RESULTS_DIR, f"model-{name}{suffix}.json"), "w") as f:
        json.dump({"weights": os.path.relpath(os.path.abspath(weights_json), HERE), "device": device,
                   "restored_by": "apps/cli `dpmambair restore --json` (its default tile and overlap)",
                   "training": doc.get("training", {}), "summary": summary, "rows": rows}, f, indent=1)
    print_table(summary, ["psnr_input", "psnr_output", "ssim_input", "ssim_output"])


def input_psnr_table(per_type=100, sizes=(128, 256)):
    """Mean input PSNR per type on seeded crops of the validation photos (the reference numbers a
    port of docs/degradations.md must reproduce)."""
    import torch

    from data import load_images
    from dpmambair.degrade import TYPES
    from dpmambair.pipeline import fixed_set, psnr as tpsnr

    torch.set_num_threads(2)
    imgs = load_images("val")
    res = {}
    for S in sizes:
        deg, clean, types, _ = fixed_set(imgs, per_type=per_type, size=S, seed=99)
        p = tpsnr(deg, clean)
        res[S] = {t: round(p[types == k].mean().item(), 2) for k, t in enumerate(TYPES)}
    print("type      " + " ".join(f"{S:>8d}" for S in sizes))
    for t in res[sizes[0]]:
        print(f"{t:9s} " + " ".join(f"{res[S][t]:8.2f}" for S in sizes))
    return res


SET_TEXT = {
    "in-recipe": "the fixed in-recipe PNG set (`evaluate.py make-val`: frozen first recipe, 12 images per type)",
    "out-of-recipe": ("the out-of-recipe PNG set (`evaluate.py make-ood`: the independent family of "
                      "`ood_degrade.py`, never trained on, on validation photos only)"),
}


def set_table(set_name):
    """Markdown lines of one set's table and its floor statement; [] if it has no results yet."""
    _, suffix = SETS[set_name]
    bpath = os.path.join(RESULTS_DIR, f"baselines{suffix}.json")
    if not os.path.exists(bpath):
        return []
    with open(bpath) as f:
        base = json.load(f)
    mpath = os.path.join(RESULTS_DIR, f"model-small{suffix}.json")
    model = None
    if os.path.exists(mpath):
        with open(mpath) as f:
            model = json.load(f)
    lines = [f"**{set_name}**: PSNR (dB) / SSIM against the clean reference, mean per type over {SET_TEXT[set_name]}. "
             f"DPMambaIR-small restored by the CLI (`dpmambair restore`, device `{model.get('device', 'cpu') if model else 'cpu'}`).", "",
             "| type | n | input | classical baseline | baseline method | DPMambaIR-small |",
             "| --- | --- | --- | --- | --- | --- |"]
    for t, v in base["summary"].items():
        m = model["summary"].get(t) if model else None
        meth = base["baselines"].get(t, "")
        mm = f"{m['psnr_output']:.2f} / {m['ssim_output']:.3f}" if m else "pending"
        lines.append(f"| {t} | {v.get('n', '')} | {v['psnr_input']:.2f} / {v['ssim_input']:.3f} | "
                     f"{v['psnr_baseline']:.2f} / {v['ssim_baseline']:.3f} | {meth} | {mm} |")
    if model:
        types = [t for t in base["summary"] if t not in NOT_DEGRADED + ("mean (7 types)",)]
        out = {t: model["summary"][t]["psnr_output"] for t in types}
        over_input = [t for t in types if out[t] > base["summary"][t]["psnr_input"]]
        over_base = [t for t in types if out[t] > base["summary"][t]["psnr_baseline"]]
        mean_ok = model["summary"]["mean (7 types)"]["psnr_output"] > base["summary"]["mean (7 types)"]["psnr_baseline"]
        lines += ["", f"PSNR above the input on {len(over_input)} of 7 types, above the classical baseline on "
                      f"{len(over_base)} of 7 ({', '.join(over_base) or 'none'}) and "
                      f"{'above' if mean_ok else 'below'} it on the mean; clean images "
                      f"{model['summary']['clean']['psnr_output']:.2f} dB."]
        if "mild" in model["summary"]:
            mild = [r for r in model["rows"] if r["type"] == "mild"]
            worse = sum(r["psnr_output"] < r["psnr_input"] for r in mild)
            lines.append(f"Barely degraded (`mild`): {worse} of {len(mild)} images come back worse than their input.")
    return lines


def report(readme=os.path.join(HERE, "README.md")):
    """Fill the tables between the EVALUATION markers of models/README.md from results/*.json."""
    lines = ["<!-- EVALUATION:BEGIN (written by `evaluate.py`) -->"]
    for set_name in SETS:
        t = set_table(set_name)
        if t:
            lines += t + [""]
    mpath = os.path.join(RESULTS_DIR, "model-small.json")
    if os.path.exists(mpath):
        with open(mpath) as f:
            model = json.load(f)
        tr = model.get("training", {})
        lines.append(f"Weights: `{model['weights']}`, stage {tr.get('stage')}, iterations {tr.get('iterations')}, "
                     f"minutes {tr.get('minutes')}, exported {tr.get('date')}.")
    lines.append("<!-- EVALUATION:END -->")
    with open(readme) as f:
        text = f.read()
    a = text.index("<!-- EVALUATION")
    b = text.find("<!-- EVALUATION:END -->")
    end = b + len("<!-- EVALUATION:END -->") if b >= 0 else len(text)
    text = text[:a] + "\n".join(lines) + "\n" + text[end:].lstrip("\n")
    with open(readme, "w") as f:
        f.write(text)
    print("\n".join(lines))


def main():
    maybe_reexec()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", nargs="?", default="all",
                    choices=["all", "make-val", "make-ood", "baselines", "model", "input-psnr", "report"])
    ap.add_argument("weights", nargs="?", default=os.path.join(HERE, "weights", "small.json"))
    ap.add_argument("--device", default="cpu", help="the CLI's --device: cpu, cuda, wasm, tf-cpu, ...")
    ap.add_argument("--save-outputs", default=None, help="directory for restored PNGs (model)")
    ap.add_argument("--set", choices=list(SETS), default=None, help="baselines/model: one set (default: both)")
    args = ap.parse_args()
    sets = [args.set] if args.set else list(SETS)
    if args.cmd == "all":
        if not os.path.exists(os.path.join(VAL_DIR, "manifest.json")):
            make_val()
        if not os.path.exists(os.path.join(OOD_DIR, "manifest.json")):
            make_ood()
        for name in sets:
            run_baselines(name)
            run_model(args.weights, args.device, args.save_outputs, name)
        report()
    elif args.cmd == "make-val":
        make_val()
    elif args.cmd == "make-ood":
        make_ood()
    elif args.cmd == "baselines":
        for name in sets:
            run_baselines(name)
    elif args.cmd == "model":
        for name in sets:
            run_model(args.weights, args.device, args.save_outputs, name)
    elif args.cmd == "report":
        report()
    else:
        input_psnr_table()


if __name__ == "__main__":
    main()
