"""Train DPMambaIR on real photographs with synthetic degradations (models/dpmambair/degrade.py).

The one command (from models/, after `/usr/bin/python3 data.py fetch`):

    nohup setsid nice -n 10 /usr/bin/python3 train.py --config small --device cpu \
        --stage1-minutes 12 --stage2-minutes 100 > runs/train.log 2>&1 &

(the shipped weights add a --finetune pass after it: the full command is in models/README.md)

Stage 1 pre-trains the degradation extractor by reconstruction (and, with --type-loss W, W x the
cross-entropy of a linear head on E_d that names the type, 7 + clean): a small conv content encoder
reads the CLEAN crop, a FiLM-modulated reconstructor must re-create the DEGRADED crop from it
and E_d = extractor(degraded). Loss L1 + 0.05 * L1(|FFT|) (amplitude spectra, ortho norm).
At the end: reconstruction PSNR on the validation set and a linear probe (logistic regression
on E_d, fit on train crops, tested on validation crops) of the 7 types.

Stage 2 trains the restoration network with the extractor frozen: per image
L = L1 + 0.5 L2 + 0.001 L_fft (L1 between the FFTs, real and imaginary parts), averaged over the
batch in log space (restoration_loss), AdamW, cosine LR over the time budget, progressive
patches 64 -> 96 -> 128, random flips.

Every ~5 minutes: checkpoint to runs/ckpt-<config>.pt (resume with --resume) and export the
current weights to weights/<config>.safetensors + weights/<config>.json.
--budget-minutes T sets stage 1 to 12% and stage 2 to 88% of T unless given explicitly.

A further stage-2 pass (fine-tuning) starts from a finished checkpoint with
--resume <ckpt> --finetune --stage2-minutes T: a new cosine schedule over T, and --type-weights /
--clean-fraction to shift the mix of degradations; every pass is recorded in the exported JSON.
"""
import argparse
import datetime
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from dpmambair.runtime import maybe_reexec  # noqa: E402  (no torch import)

if __name__ == "__main__":
    maybe_reexec()

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from data import load_images  # noqa: E402
from dpmambair.configs import get_config  # noqa: E402
from dpmambair.degrade import CLEAN_FRACTION, TYPES, REGISTRY  # noqa: E402
from dpmambair import scan_cpu  # noqa: E402
from dpmambair.model import DPMambaIR, count_parameters  # noqa: E402
from dpmambair.pipeline import CropSampler, fixed_set, psnr  # noqa: E402
from dpmambair.weights import export_weights  # noqa: E402


# --------------------------------------------------------------------------------------
# Stage 1 helpers: content encoder + FiLM reconstructor
# --------------------------------------------------------------------------------------

class FiLMBlock(nn.Module):
    def __init__(self, c, E, dilation=1):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=dilation, dilation=dilation)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)
        self.film = nn.Linear(E, 2 * c)
        nn.init.zeros_(self.film.weight)
        nn.init.zeros_(self.film.bias)

    def forward(self, h, e):
        gamma, beta = self.film(e).chunk(2, dim=1)
        y = self.conv1(h) * (1 + gamma[:, :, None, None]) + beta[:, :, None, None]
        return h + self.conv2(F.gelu(y))


class Reconstructor(nn.Module):
    """content encoder C(clean) and reconstructor R(C(clean), E_d) ~= degraded."""

    def __init__(self, E, c=32):
        super().__init__()
        self.enc1 = nn.Conv2d(3, c, 3, padding=1)
        self.enc2 = nn.Conv2d(c, 2 * c, 3, stride=2, padding=1)
        self.blocks = nn.ModuleList([FiLMBlock(2 * c, E, d) for d in (1, 2, 4, 8)])
        self.up = nn.Conv2d(2 * c, 4 * c, 3, padding=1)
        self.fine = FiLMBlock(c, E, 1)
        self.out = nn.Conv2d(c, 3, 3, padding=1)

    def forward(self, clean, e):
        f1 = F.gelu(self.enc1(clean))
        h = F.gelu(self.enc2(f1))
        for b in self.blocks:
            h = b(h, e)
        u = F.pixel_shuffle(self.up(h), 2) + f1
        u = self.fine(u, e)
        return clean + self.out(F.gelu(u))


def fft_amp_l1(a, b):
    fa = torch.fft.rfft2(a, norm="ortho").abs()
    fb = torch.fft.rfft2(b, norm="ortho").abs()
    return (fa - fb).abs().mean()


def restoration_loss(out, clean, eps=0.02, low_freq=0.0):
    """The paper's L1 + 0.5 L2 + 0.001 L_fft (L_fft: L1 between the FFTs, real and imaginary
    parts), per image, then the batch mean of log(loss + eps), which weighs each image by
    1 / (its loss + eps). A plain mean let low light and haze (losses ~0.3) drown JPEG and blur
    (~0.01): the first run made those 3-5 dB worse than the input. eps = 1e-3 (mean PSNR's own
    objective) swung the other way: after 15 minutes low light and haze had not moved off the
    input. eps = 0.02 keeps mild images ~10x heavier than dark or hazy ones, not ~30x.

    low_freq = W adds W x the batch mean of |error| averaged over 16x16 blocks, OUTSIDE the log,
    so that it is not down-weighted where the loss is large: the log let hazy, dark, rainy and
    snowy crops keep their global tone wrong (on compare.py's crops, pass 5, removing each
    output's mean colour error alone would raise haze 19.5 -> 25.9 dB and low light 19.7 -> 23.4)."""
    err = out - clean
    l1 = err.abs().mean(dim=(1, 2, 3))
    l2 = (err ** 2).mean(dim=(1, 2, 3))
    lfft = torch.view_as_real(torch.fft.rfft2(out) - torch.fft.rfft2(clean)).abs().mean(dim=(1, 2, 3, 4))
    loss = torch.log(l1 + 0.5 * l2 + 0.001 * lfft + eps).mean()
    if low_freq:
        loss = loss + low_freq * F.avg_pool2d(err, 16).abs().mean()
    return loss


def cosine_lr(lr0, lr_min, frac):
    frac = min(max(frac, 0.0), 1.0)
    return lr_min + 0.5 * (lr0 - lr_min) * (1 + math.cos(math.pi * frac))


def fit_logistic(x, y, classes, l2=1e-3, iters=300):
    """Multinomial logistic regression on standardised features (L2, LBFGS).
    Returns (mean, std, W, b): logits = ((x - mean) / std) @ W + b."""
    mu, sd = x.mean(0), x.std(0) + 1e-6
    xs = ((x - mu) / sd).double()
    W = torch.zeros(x.shape[1], classes, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(classes, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([W, b], lr=1, max_iter=iters, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(xs @ W + b, y) + l2 * (W ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return mu.double(), sd.double(), W.detach(), b.detach()


def logistic_probe(xtr, ytr, xva, yva, classes, l2=1e-3, iters=300):
    """Fits on (xtr, ytr), returns (validation accuracy, train accuracy, per-type accuracy)."""
    mu, sd, W, b = fit_logistic(xtr, ytr, classes, l2, iters)
    predict = lambda x: (((x - mu) / sd).double() @ W + b).argmax(1)  # noqa: E731
    acc_tr = (predict(xtr) == ytr).double().mean().item()
    pred = predict(xva)
    acc = (pred == yva).double().mean().item()
    per = {TYPES[k]: (pred[yva == k] == k).double().mean().item() for k in range(classes)}
    return acc, acc_tr, per


# --------------------------------------------------------------------------------------

def stage2_recipe(args):
    low = getattr(args, "low_freq_loss", 0.0)
    tone = getattr(args, "tone_shift", 0.0)
    return ("extractor frozen; per image L1 + 0.5 L2 + 0.001 L_fft, batch mean of log(loss + 0.02)"
            f"{f' + {low} x L1 of 16x16 block means' if low else ''}; AdamW wd 1e-4; "
            f"cosine LR {args.lr} -> {args.lr_min}; patches {args.patches}{' at ' + args.patch_fracs if args.patch_fracs else ''}; flips; "
            f"type weights {args.type_weights or 'uniform'}, {args.clean_fraction:.0%} clean"
            f"{f', {tone:.0%} of crops re-exposed' if tone else ''}")


def log(msg):
    print(f"[{datetime.datetime.utcnow().strftime('%H:%M:%S')}] {msg}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="small")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--budget-minutes", type=float, default=None, help="total; split 12%% / 88%%")
    ap.add_argument("--stage1-minutes", type=float, default=None)
    ap.add_argument("--stage2-minutes", type=float, default=None)
    ap.add_argument("--resume", default=None, help="checkpoint path (runs/ckpt-<config>.pt)")
    ap.add_argument("--finetune", action="store_true",
                    help="with --resume: start a new stage-2 pass of --stage2-minutes with its own cosine LR")
    ap.add_argument("--stage1-again", action="store_true",
                    help="with --finetune: first a new stage-1 pass of --stage1-minutes (from the current "
                         "extractor, on the current recipe), then the stage-2 pass")
    ap.add_argument("--type-weights", default="",
                    help="stage 2 sampling weight per type, e.g. blur:4,jpeg:2.5 (others 1)")
    ap.add_argument("--clean-fraction", type=float, default=CLEAN_FRACTION, help="stage 2 share of clean inputs")
    ap.add_argument("--lr1", type=float, default=1e-3, help="stage 1 peak LR")
    ap.add_argument("--lr", type=float, default=1e-3, help="stage 2 peak LR")
    ap.add_argument("--low-freq-loss", type=float, default=0.0,
                    help="stage 2: weight of an L1 on 16x16 block means beside the log loss (global tone)")
    ap.add_argument("--tone-shift", type=float, default=0.0,
                    help="stage 2: share of crops re-exposed (gamma, gain) before degradation, so that bright "
                         "and dark scenes are seen clean too")
    ap.add_argument("--lr-min", type=float, default=1e-6)
    ap.add_argument("--batch1", type=int, default=12, help="stage 1 batch (64x64 crops)")
    ap.add_argument("--type-loss", type=float, default=0.0,
                    help="stage 1: weight of a cross-entropy term that asks a linear head on E_d for the type "
                         "(7 + clean), beside reconstruction; 0 = reconstruction only")
    ap.add_argument("--patches", default="64:12,96:6,128:4", help="stage 2 patch:batch schedule")
    ap.add_argument("--patch-fracs", default="0.4,0.75", help="time fractions where the patch grows")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs-dir", default=os.path.join(HERE, "runs"))
    ap.add_argument("--weights-dir", default=os.path.join(HERE, "weights"))
    ap.add_argument("--ckpt-every", type=float, default=300.0, help="seconds")
    ap.add_argument("--log-every", type=float, default=30.0, help="seconds")
    args = ap.parse_args()
    type_weights = [1.0] * len(TYPES) if args.type_weights else None   # None: uniform, as before the option
    for item in filter(None, args.type_weights.split(",")):
        name, w = item.split(":")
        if name not in TYPES:
            ap.error(f"--type-weights: unknown type {name!r} (types: {', '.join(TYPES)})")
        type_weights[TYPES.index(name)] = float(w)
    if args.finetune and not args.resume:
        ap.error("--finetune needs --resume")
    if args.stage1_again and not args.finetune:
        ap.error("--stage1-again needs --finetune")

    if args.budget_minutes is not None:
        if args.stage1_minutes is None:
            args.stage1_minutes = 0.12 * args.budget_minutes
        if args.stage2_minutes is None:
            args.stage2_minutes = args.budget_minutes - args.stage1_minutes
    args.stage1_minutes = 12.0 if args.stage1_minutes is None else args.stage1_minutes
    args.stage2_minutes = 60.0 if args.stage2_minutes is None else args.stage2_minutes

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dev = torch.device(args.device)
    os.makedirs(args.runs_dir, exist_ok=True)
    log(f"torch {torch.__version__}, device {dev}, threads {torch.get_num_threads()}, "
        f"LD_LIBRARY_PATH={os.environ.get('LD_LIBRARY_PATH', '')} "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '')} OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '')}")
    if dev.type == "cpu":
        why = scan_cpu.why_unavailable()
        log("scan: compiled (dpmambair/scan_cpu.c)" if why is None else f"scan: PyTorch's parallel scan ({why})")

    cfg = get_config(args.config)
    model = DPMambaIR(cfg).to(dev)
    recon = Reconstructor(cfg["embedDim"]).to(dev)
    log(f"config {cfg['name']}: {count_parameters(model)} params "
        f"(extractor {count_parameters(model.extractor)}), reconstructor {count_parameters(recon)}")

    train_imgs = load_images("train")
    val_imgs = load_images("val")
    sampler = CropSampler(train_imgs, seed=args.seed)
    val_deg, val_clean, val_types, _ = fixed_set(val_imgs, per_type=8, size=128, seed=1234)
    log(f"data: {len(train_imgs)} train photos, {len(val_imgs)} val photos; val set {tuple(val_deg.shape)}")

    state = {"stage": 1, "step1": 0, "step2": 0, "elapsed1": 0.0, "elapsed2": 0.0, "stage1": {}}
    opt1 = torch.optim.AdamW(list(model.extractor.parameters()) + list(recon.parameters()),
                             lr=args.lr1, betas=(0.9, 0.999), weight_decay=1e-4)
    # The type head exists only in training: it makes E_d linearly separable by type, which the
    # reconstruction objective alone did not (probe 38% after pass 4). Its own optimiser, so that
    # checkpoints from before it still load opt1.
    type_head = nn.Linear(cfg["embedDim"], len(TYPES) + 1).to(dev)
    opt_head = torch.optim.AdamW(type_head.parameters(), lr=args.lr1, weight_decay=1e-4)
    net_params = [p for n, p in model.named_parameters() if not n.startswith("extractor.")]
    opt2 = torch.optim.AdamW(net_params, lr=args.lr, betas=(0.9, 0.999), weight_decay=1e-4)
    ckpt_path = os.path.join(args.runs_dir, f"ckpt-{args.config}.pt")

    def stage2_pass(pass_args):
        """The record of the stage-2 pass in progress (or just finished)."""
        return {"iterations": state["step2"] - state.get("pass_start_step", 0),
                "minutes": round(state["elapsed2"] / 60, 1), "recipe": stage2_recipe(pass_args)}

    if args.resume:
        try:   # PyTorch >= 2.6 defaults to weights_only=True; this checkpoint is our own
            ck = torch.load(args.resume, map_location="cpu", weights_only=False)
        except TypeError:
            ck = torch.load(args.resume, map_location="cpu")
        model.load_state_dict(ck["model"])
        recon.load_state_dict(ck["recon"])
        opt1.load_state_dict(ck["opt1"])
        opt2.load_state_dict(ck["opt2"])
        if "type_head" in ck:
            type_head.load_state_dict(ck["type_head"])
            opt_head.load_state_dict(ck["opt_head"])
        state = ck["state"]
        sampler.g.set_state(ck["sampler_rng"])
        log(f"resumed from {args.resume}: {json.dumps({k: v for k, v in state.items() if k != 'stage1'})}")
        if args.finetune:
            # Close the finished stage-2 pass (with the arguments it ran with; older checkpoints
            # predate the mix options) and start a new one; the record keeps every pass.
            ran_with = argparse.Namespace(**{"type_weights": "", "clean_fraction": CLEAN_FRACTION, **ck["args"]})
            state.setdefault("passes", []).append(stage2_pass(ran_with))
            state["stage"], state["elapsed2"], state["pass_start_step"] = 2, 0.0, state["step2"]
            if args.stage1_again:
                # The extractor learns the current recipe again; the finished stage-1 pass is kept.
                state.setdefault("stage1_passes", []).append(state["stage1"])
                state["stage"], state["elapsed1"], state["stage1"] = 1, 0.0, {}

    def save_ckpt(path=ckpt_path):
        tmp = path + ".tmp"
        torch.save({"model": model.state_dict(), "recon": recon.state_dict(), "opt1": opt1.state_dict(),
                    "opt2": opt2.state_dict(), "type_head": type_head.state_dict(), "opt_head": opt_head.state_dict(),
                    "state": state, "sampler_rng": sampler.g.get_state(),
                    "args": vars(args), "config": cfg}, tmp)
        os.replace(tmp, path)

    @torch.no_grad()
    def validate_restoration():
        model.eval()
        res = {}
        outs = []
        for i in range(0, len(val_deg), 8):
            x = val_deg[i:i + 8].to(dev)
            outs.append(model(x).clamp(0, 1).cpu())
        out = torch.cat(outs)
        p_in = psnr(val_deg, val_clean)
        p_out = psnr(out, val_clean)
        for k, name in enumerate(TYPES):
            m = val_types == k
            res[name] = {"input": round(p_in[m].mean().item(), 2), "output": round(p_out[m].mean().item(), 2)}
        res["mean"] = {"input": round(p_in.mean().item(), 2), "output": round(p_out.mean().item(), 2)}
        model.train()
        return res

    def export(val=None):
        passes = state.get("passes", []) + [stage2_pass(args)]
        # A fine-tuning run has its own --type-loss; the extractor was trained with the stage-1 pass's.
        type_loss = state.get("stage1", {}).get("type_loss_weight", args.type_loss)
        training = {
            "stage": state["stage"],
            "iterations": {"stage1": state["step1"], "stage2": state["step2"]},
            "minutes": {"stage1": round(state["elapsed1"] / 60 + sum(q.get("minutes", 0) for q in state.get("stage1_passes", [])), 1), "stage2": round(sum(q["minutes"] for q in passes), 1)},
            "data": ("real photographs from Debian packages python3-skimage (skimage/data), "
                     "plasma-workspace-wallpapers and lomiri-wallpapers-20.04 (photos, short side 768 px), "
                     "opencv-doc examples and gcompris-qt-data .rcc bundles (photos, downscaled >= 2x); "
                     "split models/data_split.json; "
                     f"{len(train_imgs)} train / {len(val_imgs)} val images; degradations synthesised on the fly "
                     "per docs/degradations.md (7 types + clean inputs, shares in the recipe)"),
            "recipe": {"stage1": "extractor pre-training by reconstruction (L1 + 0.05 FFT-amplitude L1), AdamW"
                                 + (f", + {type_loss} x type cross-entropy of a linear head (7 types + clean)" if type_loss else ""),
                       "stage2": "restoration network, extractor frozen, in the stage2_passes below"},
            "stage2_passes": passes,
            "date": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "device": f"{args.device} ({torch.get_num_threads()} threads, torch {torch.__version__})",
            "stage1_metrics": state.get("stage1", {}),
            "earlier_stage1_passes": state.get("stage1_passes", []),
        }
        if val is not None:
            training["validation_psnr"] = {"set": "models/data_split.json val photos, 8 seeded 128x128 crops per type (seed 1234)",
                                           **val}
        export_weights(model.cpu() if dev.type != "cpu" else model, args.weights_dir, args.config, training=training)
        if dev.type != "cpu":
            model.to(dev)

    # ---------------------------------------------------------------- stage 1
    t_last_log = t_last_ck = time.time()
    if state["stage"] == 1:
        budget = args.stage1_minutes * 60
        log(f"stage 1: extractor pre-training by reconstruction, {args.stage1_minutes} min, batch {args.batch1} x 64^2")
        model.extractor.train()
        t0 = time.time() - state["elapsed1"]
        loss_acc, n_acc, s_last = 0.0, 0, state["step1"]
        while time.time() - t0 < budget:
            frac = (time.time() - t0) / budget
            lr = cosine_lr(args.lr1, args.lr_min, frac) * min(1.0, (state["step1"] + 1) / 50)
            for gp in opt1.param_groups + opt_head.param_groups:
                gp["lr"] = lr
            deg, clean, types, _ = sampler.batch(args.batch1, 64)
            deg, clean = deg.to(dev), clean.to(dev)
            e = model.extractor(deg)
            rec = recon(clean, e)
            loss = (rec - deg).abs().mean() + 0.05 * fft_amp_l1(rec, deg)
            if args.type_loss:   # clean (-1) is the last class
                loss = loss + args.type_loss * F.cross_entropy(type_head(e), (types % (len(TYPES) + 1)).to(dev))
            if not torch.isfinite(loss):
                log("non-finite loss in stage 1, step skipped")
                continue
            opt1.zero_grad()
            opt_head.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(list(model.extractor.parameters()) + list(recon.parameters()), 1.0)
            opt1.step()
            opt_head.step()
            state["step1"] += 1
            state["elapsed1"] = time.time() - t0
            loss_acc += loss.item()
            n_acc += 1
            now = time.time()
            if now - t_last_log >= args.log_every:
                sps = (state["step1"] - s_last) / (now - t_last_log)
                log(f"s1 step {state['step1']} loss {loss_acc / n_acc:.4f} lr {lr:.2e} {sps:.2f} steps/s "
                    f"elapsed {state['elapsed1'] / 60:.1f} min")
                loss_acc, n_acc, s_last, t_last_log = 0.0, 0, state["step1"], now
            if now - t_last_ck >= args.ckpt_every:
                save_ckpt()
                t_last_ck = now

        # ---- stage 1 report
        model.extractor.eval()
        recon.eval()
        with torch.no_grad():
            ps = []
            for i in range(0, len(val_deg), 8):
                d, c = val_deg[i:i + 8].to(dev), val_clean[i:i + 8].to(dev)
                ps.append(psnr(recon(c, model.extractor(d)), d).cpu())
            ps = torch.cat(ps)
            rec_psnr = {TYPES[k]: round(ps[val_types == k].mean().item(), 2) for k in range(len(TYPES))}
            tr_deg, _, tr_types, _ = fixed_set(train_imgs, per_type=48, size=128, seed=4321)
            emb_tr = torch.cat([model.extractor(tr_deg[i:i + 16].to(dev)).cpu() for i in range(0, len(tr_deg), 16)])
            emb_va = torch.cat([model.extractor(val_deg[i:i + 16].to(dev)).cpu() for i in range(0, len(val_deg), 16)])
        acc, acc_tr, per = logistic_probe(emb_tr, tr_types, emb_va, val_types, len(TYPES))
        state["stage1"] = {"iterations": state["step1"], "minutes": round(state["elapsed1"] / 60, 1),
                           "type_loss_weight": args.type_loss,
                           "reconstruction_psnr_db": round(ps.mean().item(), 2),
                           "reconstruction_psnr_per_type": rec_psnr,
                           "linear_probe_accuracy": round(acc, 4), "linear_probe_train_accuracy": round(acc_tr, 4),
                           "linear_probe_per_type": {k: round(v, 3) for k, v in per.items()},
                           "probe_data": "fit on 48 x 7 seeded 128^2 train crops, tested on 8 x 7 val crops",
                           "paper": {"reconstruction_psnr_db": 25.67, "linear_probe_accuracy": 0.92}}
        log(f"STAGE 1 RESULT: {json.dumps(state['stage1'])}")
        state["stage"] = 2
        save_ckpt()
        save_ckpt(os.path.join(args.runs_dir, f"stage1-{args.config}.pt"))
        recon.train()

    # ---------------------------------------------------------------- stage 2
    for p in model.extractor.parameters():
        p.requires_grad_(False)
    model.extractor.eval()
    sched = [tuple(int(v) for v in s.split(":")) for s in args.patches.split(",")]
    fracs = [float(f) for f in filter(None, args.patch_fracs.split(","))]
    budget = args.stage2_minutes * 60
    log(f"stage 2: {args.stage2_minutes} min from step {state['step2']}; {stage2_recipe(args)}")
    t0 = time.time() - state["elapsed2"]
    t_last_log = t_last_ck = time.time()
    loss_acc, n_acc, s_last = 0.0, 0, state["step2"]
    nonfinite = 0
    while time.time() - t0 < budget:
        frac = (time.time() - t0) / budget
        k = sum(frac >= f for f in fracs)
        P, B = sched[min(k, len(sched) - 1)]
        lr = cosine_lr(args.lr, args.lr_min, frac) * min(1.0, (state["step2"] - state.get("pass_start_step", 0) + 1) / 100)
        for gp in opt2.param_groups:
            gp["lr"] = lr
        deg, clean, _, _ = sampler.batch(B, P, clean_fraction=args.clean_fraction, type_weights=type_weights,
                                      tone_shift=args.tone_shift)
        deg, clean = deg.to(dev), clean.to(dev)
        with torch.no_grad():
            e = model.extractor(deg)
        out = model.restore(deg, e)
        loss = restoration_loss(out, clean, low_freq=args.low_freq_loss)
        if not torch.isfinite(loss):
            nonfinite += 1
            log(f"non-finite loss in stage 2 (#{nonfinite}), step skipped")
            if nonfinite > 20:
                raise RuntimeError("too many non-finite losses")
            continue
        opt2.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net_params, 1.0)
        opt2.step()
        state["step2"] += 1
        state["elapsed2"] = time.time() - t0
        loss_acc += loss.item()
        n_acc += 1
        now = time.time()
        if now - t_last_log >= args.log_every:
            sps = (state["step2"] - s_last) / (now - t_last_log)
            log(f"s2 step {state['step2']} patch {P} batch {B} loss {loss_acc / n_acc:.4f} lr {lr:.2e} "
                f"{sps:.2f} steps/s elapsed {state['elapsed2'] / 60:.1f} min")
            loss_acc, n_acc, s_last, t_last_log = 0.0, 0, state["step2"], now
        if now - t_last_ck >= args.ckpt_every:
            save_ckpt()
            val = validate_restoration()
            export(val)
            log(f"checkpoint + export; val PSNR in->out: " +
                ", ".join(f"{k} {v['input']}->{v['output']}" for k, v in val.items()))
            t_last_ck = time.time()
            t_last_log = time.time()
            s_last = state["step2"]

    state["stage"] = "done"
    save_ckpt()
    val = validate_restoration()
    export(val)
    log("FINAL val PSNR in->out: " + ", ".join(f"{k} {v['input']}->{v['output']}" for k, v in val.items()))
    log("done")


if __name__ == "__main__":
    main()
