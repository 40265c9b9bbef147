"""Fit and export the degradation probe: a linear classifier from the frozen extractor's
embedding E_d to the seven degradation types, for the apps that show "detected degradation".

    /usr/bin/python3 models/probe.py [--weights models/weights/small.json]

Fits on 64 seeded 128^2 crops per type of the training photos (the training recipe,
dpmambair/degrade.py), reports accuracy on 16 seeded crops per type of the validation photos and
on the two PNG sets of evaluate.py (in-recipe and out-of-recipe, whole 256^2 images as the apps
see them; run `evaluate.py make-val` and `make-ood` first), and writes `<weights>.probe.json`
beside the weights (format dpmambair-probe/1: logits = ((E_d - mean) / std) @ weight + bias).
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

from data import load_images  # noqa: E402
from dpmambair.degrade import TYPES  # noqa: E402
from dpmambair.pipeline import fixed_set  # noqa: E402
from dpmambair.weights import load_weights  # noqa: E402
from evaluate import OOD_DIR, VAL_DIR, read_png, val_pairs  # noqa: E402
from train import fit_logistic  # noqa: E402


def embed(model, images):
    with torch.no_grad():
        return torch.cat([model.extractor(images[i:i + 16]) for i in range(0, len(images), 16)])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", default=os.path.join(HERE, "weights", "small.json"))
    args = ap.parse_args()
    torch.set_num_threads(2)
    model, doc = load_weights(args.weights)
    tr_deg, _, tr_types, _ = fixed_set(load_images("train"), per_type=64, size=128, seed=4321)
    mu, sd, W, b = fit_logistic(embed(model, tr_deg), tr_types, len(TYPES))

    def score(images, types):
        pred = (((embed(model, images) - mu) / sd).double() @ W + b).argmax(1)
        per_type = {TYPES[k]: round((pred[types == k] == k).double().mean().item(), 3) for k in range(len(TYPES))}
        return {"accuracy": round((pred == types).double().mean().item(), 4), "per_type": per_type, "n": len(types)}

    va_deg, _, va_types, _ = fixed_set(load_images("val"), per_type=16, size=128, seed=1234)
    results = {"validation crops": score(va_deg, va_types)}
    for name, set_dir in (("in-recipe set", VAL_DIR), ("out-of-recipe set", OOD_DIR)):
        pairs = val_pairs(types=TYPES, set_dir=set_dir)
        images = torch.stack([torch.from_numpy(read_png(p)).permute(2, 0, 1) for _, p, _ in pairs])
        results[name] = score(images, torch.tensor([TYPES.index(t) for t, _, _ in pairs]))
    accuracy, per_type = results["validation crops"]["accuracy"], results["validation crops"]["per_type"]
    probe = {
        "format": "dpmambair-probe/1",
        "weights": os.path.basename(args.weights),
        "weights_sha256": next(iter(doc["files"].values())),
        "types": list(TYPES),
        "mean": mu.tolist(), "std": sd.tolist(), "weight": W.tolist(), "bias": b.tolist(),
        "validation": {"accuracy": accuracy, "per_type": per_type,
                       "data": "fit on 64 x 7 seeded 128^2 train crops, tested on 16 x 7 val crops",
                       "sets": results},
    }
    out = args.weights[:-len(".json")] + ".probe.json"
    with open(out, "w") as f:
        json.dump(probe, f)
    for name, r in results.items():
        print(f"{name}: accuracy {r['accuracy']:.3f} (n = {r['n']}), per type {r['per_type']}")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
