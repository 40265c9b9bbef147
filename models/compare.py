"""Ship decision between training checkpoints, made BEFORE the reported figures:

    /usr/bin/python3 models/compare.py checkpoints/ckpt-small.pt runs/d/ckpt-small.pt

Each checkpoint's network (PyTorch) restores 24 seeded 128x128 crops per type plus 24 clean crops
of the TRAINING recipe (dpmambair/degrade.py) from the `val` photos (seed 777). Printed per row:
input -> output PSNR (dB), the 7-type mean and how many degraded crops come back worse than their
input; then, as a diagnosis, each type's output PSNR with every crop's own mean colour error
removed (how much of the gap is global tone) and the clean crops that come back worst. The out-of-recipe set is never looked at here: it judges the shipped choice afterwards,
through the CLI (evaluate.py), and is not tuned on.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from dpmambair.runtime import maybe_reexec  # noqa: E402  (no torch import)

if __name__ == "__main__":
    maybe_reexec()

import torch  # noqa: E402

from data import load_images  # noqa: E402
from dpmambair.degrade import TYPES  # noqa: E402
from dpmambair.model import DPMambaIR  # noqa: E402
from dpmambair.pipeline import fixed_set, psnr  # noqa: E402


def main(paths):
    if not paths:
        sys.exit("usage: compare.py CHECKPOINT [CHECKPOINT ...]")
    torch.set_num_threads(2)
    deg, clean, types, _ = fixed_set(load_images("val"), per_type=24, size=128, seed=777, include_clean=True)
    p_in = psnr(deg, clean)
    degraded = types >= 0
    for path in paths:
        ck = torch.load(path, map_location="cpu", weights_only=False)   # our own checkpoints
        model = DPMambaIR(ck["config"])
        model.load_state_dict(ck["model"])
        model.eval()
        with torch.no_grad():
            out = torch.cat([model(deg[i:i + 8]).clamp(0, 1) for i in range(0, len(deg), 8)])
        p_out = psnr(out, clean)
        rows = [f"{TYPES[k] if k >= 0 else 'clean'} {p_in[types == k].mean():.2f}->{p_out[types == k].mean():.2f}"
                for k in range(-1, len(TYPES))]
        worse = int(((p_out < p_in - 0.05) & degraded).sum())
        print(f"{path}: {', '.join(rows)}; 7-type mean {p_out[degraded].mean():.2f}; "
              f"worse than input {worse}/{int(degraded.sum())}")
        tone_free = psnr((out - (out - clean).mean(dim=(2, 3), keepdim=True)).clamp(0, 1), clean)
        print("  without each crop's mean colour error: " +
              ", ".join(f"{TYPES[k] if k >= 0 else 'clean'} {tone_free[types == k].mean():.2f}" for k in range(-1, len(TYPES))))
        worst = sorted((p_out[i].item(), i) for i in torch.nonzero(types == -1).flatten().tolist())[:3]
        print("  worst clean crops: " + ", ".join(
            f"{db:.1f} dB (mean {clean[i].mean():.2f} -> {out[i].mean():.2f}, std {clean[i].std():.2f} -> {out[i].std():.2f})"
            for db, i in worst))


if __name__ == "__main__":
    main(sys.argv[1:])
