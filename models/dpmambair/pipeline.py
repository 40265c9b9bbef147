"""Batches of (degraded, clean) crops from the cached photographs, and fixed seeded sets."""
import numpy as np
import torch

from .degrade import CLEAN_FRACTION, TYPES, degrade, sample_types


class CropSampler:
    """Random crops from a list of uint8 HxWx3 images; images drawn with probability
    proportional to sqrt(area) (the large wallpapers are not allowed to drown the small photos)."""

    def __init__(self, images, seed=0):
        self.images = [torch.from_numpy(np.ascontiguousarray(im)).permute(2, 0, 1).contiguous()
                       for _, im in images]
        self.names = [n for n, _ in images]
        w = np.array([np.sqrt(im.shape[1] * im.shape[2]) for im in self.images], dtype=np.float64)
        self.p = torch.from_numpy(w / w.sum())
        self.g = torch.Generator().manual_seed(seed)

    def crops(self, n, P, g=None):
        g = g or self.g
        idx = torch.multinomial(self.p, n, replacement=True, generator=g)
        out = torch.empty(n, 3, P, P, dtype=torch.float32)
        for j, i in enumerate(idx.tolist()):
            im = self.images[i]
            H, W = im.shape[1:]
            y = int(torch.randint(0, H - P + 1, (1,), generator=g))
            x = int(torch.randint(0, W - P + 1, (1,), generator=g))
            out[j] = im[:, y:y + P, x:x + P].float() / 255.0
        return out

    def batch(self, n, P, flips=True, clean_fraction=CLEAN_FRACTION, type_weights=None, types=None, g=None,
              tone_shift=0.0):
        """(degraded, clean, types, params); flips applied to both after synthesis (haze's
        depth proxy assumes the sky at the top). `tone_shift`: the share of crops re-exposed
        before synthesis (see tone_shift_crops)."""
        g = g or self.g
        clean = self.crops(n, P, g)
        if tone_shift > 0:   # no draws otherwise: earlier runs keep their random stream
            clean = tone_shift_crops(clean, g, tone_shift)
        if types is None:
            types = sample_types(n, g, clean_fraction, type_weights)
        deg, params = degrade(clean, types, g)
        if flips:
            hf = torch.rand(n, generator=g) < 0.5
            vf = torch.rand(n, generator=g) < 0.5
            for t in (deg, clean):
                t[hf] = t[hf].flip(3)
                t[vf] = t[vf].flip(2)
        return deg, clean, types, params


def tone_shift_crops(clean, g, share):
    """Re-expose `share` of the crops (gamma 2/3-3/2 and gain 0.8-1.25, log-uniform; highlights
    clip as a camera's would) so that bright and dark scenes are also seen as clean targets: the
    network read a bright clean crop as hazy and darkened it (compare.py's worst clean crops)."""
    n = clean.shape[0]
    pick = torch.rand(n, generator=g) < share
    gamma = torch.exp((torch.rand(n, generator=g) * 2 - 1) * float(np.log(1.5)))
    gain = torch.exp((torch.rand(n, generator=g) * 2 - 1) * float(np.log(1.25)))
    shifted = (clean ** gamma.view(n, 1, 1, 1) * gain.view(n, 1, 1, 1)).clamp(0, 1)
    return torch.where(pick.view(n, 1, 1, 1), shifted, clean)


def fixed_set(images, per_type, size, seed, include_clean=False):
    """A deterministic set: `per_type` crops of `size` for each of the 7 types (no flips).
    Returns (degraded, clean, types, params)."""
    s = CropSampler(images, seed=seed)
    g = torch.Generator().manual_seed(seed + 1)
    types = torch.arange(len(TYPES)).repeat_interleave(per_type)
    if include_clean:
        types = torch.cat([types, torch.full((per_type,), -1)])
    clean = s.crops(len(types), size, g)
    deg, params = degrade(clean, types, g)
    return deg, clean, types, params


def psnr(a, b):
    """Per-image PSNR in dB of tensors (n, 3, H, W) in [0, 1] (a is clamped)."""
    mse = ((a.clamp(0, 1) - b) ** 2).mean(dim=(1, 2, 3)).clamp(min=1e-10)
    return -10 * torch.log10(mse)
