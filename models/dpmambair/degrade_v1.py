"""FROZEN: the first training recipe (v1, used for the weights up to 26 Nov 2026), kept verbatim
only because the fixed in-recipe evaluation set (`evaluate.py make-val`) is defined by it and must
not move when the training recipe does. Do not edit; training uses degrade.py.

The seven degradations, synthesised in torch on batches. Every function takes clean images x (n, 3, H, W), float in [0, 1] (8-bit values),
and a torch.Generator, samples one parameter set per image, and returns the degraded batch
(clipped to [0, 1] and quantised to 8 bits, as if saved as PNG) plus the parameters.

    from dpmambair.degrade import TYPES, degrade, sample_types
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

TYPES = ["noise", "jpeg", "blur", "lowlight", "haze", "rain", "snow"]
CLEAN_FRACTION = 0.05

# Parameter ranges. U(a, b): uniform; logU(a, b): exp(U(log a, log b)); p: probability.
REGISTRY = {
    "noise": {"p_gaussian": 0.5, "sigma": ("U", 5 / 255, 50 / 255), "peak": ("logU", 15.0, 200.0)},
    "jpeg": {"quality": ("intU", 10, 60)},
    "blur": {"p_motion": 0.6, "length": ("U", 5.0, 21.0), "angle_deg": ("U", 0.0, 180.0),
             "radius": ("U", 1.5, 5.0)},
    "lowlight": {"gamma": ("U", 1.4, 2.6), "scale": ("U", 0.12, 0.45), "sigma": ("U", 1 / 255, 8 / 255)},
    "haze": {"beta": ("U", 0.5, 2.2), "airlight": ("U", 0.7, 1.0), "tint": ("U", -0.04, 0.04),
             "depth_floor": 0.2, "sigma_frac": 1 / 8},
    "rain": {"density": ("U", 0.002, 0.012), "length": ("U", 10.0, 35.0),
             "angle_deg": ("U", -25.0, 25.0), "brightness": ("U", 0.5, 1.0),
             "intensity": ("U", 0.35, 0.85)},
    "snow": {"density": ("U", 0.0008, 0.005), "size": ("U", 0.7, 1.3),
             "radii": (1.0, 2.0, 3.2), "shares": (0.6, 0.3, 0.1), "brightness": ("U", 0.6, 1.0),
             "whiteness": 0.95, "veil": ("U", 0.0, 0.2), "veil_level": 0.85},
}


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------

def _u(n, a, b, g):
    return a + (b - a) * torch.rand(n, generator=g, dtype=torch.float64)


def _logu(n, a, b, g):
    return torch.exp(_u(n, math.log(a), math.log(b), g))


def quantise(y):
    return torch.round(y.clamp(0.0, 1.0) * 255.0) / 255.0


def _grid(K):
    r = torch.arange(K, dtype=torch.float64) - (K - 1) / 2
    yy, xx = torch.meshgrid(r, r, indexing="ij")
    return xx, yy


def line_kernels(lengths, angles_rad, K):
    """Anti-aliased line segments through the centre of a KxK grid, peak value 1.

    k(x, y) = max(0, 1 - |-sin(a) x + cos(a) y|) * clip(l/2 + 0.5 - |cos(a) x + sin(a) y|, 0, 1)
    (x to the right, y downwards, a measured from the x axis)."""
    xx, yy = _grid(K)
    c = torch.cos(angles_rad)[:, None, None]
    s = torch.sin(angles_rad)[:, None, None]
    perp = (-s * xx + c * yy).abs()
    along = (c * xx + s * yy).abs()
    half = (lengths / 2)[:, None, None]
    return (1 - perp).clamp(min=0) * (half + 0.5 - along).clamp(0, 1)


def disk_kernels(radii, K):
    """Anti-aliased disks, peak 1: k = clip(r + 0.5 - sqrt(x^2 + y^2), 0, 1)."""
    xx, yy = _grid(K)
    rho = torch.sqrt(xx ** 2 + yy ** 2)
    return (radii[:, None, None] + 0.5 - rho).clamp(0, 1)


def conv_per_sample(x, k, pad_mode="reflect"):
    """Convolve each image of x (n, c, H, W) with its own kernel k (n, K, K), same size out."""
    n, c, H, W = x.shape
    K = k.shape[-1]
    p = K // 2
    mode = pad_mode if (pad_mode != "reflect" or (p < H and p < W)) else "replicate"
    xp = F.pad(x.reshape(1, n * c, H, W), (p, p, p, p), mode=mode)
    w = k.to(x.dtype)[:, None].repeat_interleave(c, 0)          # (n*c, 1, K, K)
    return F.conv2d(xp, w, groups=n * c).reshape(n, c, H, W)


def gaussian_blur(x, sigma):
    """Separable Gaussian, radius ceil(3 sigma), replicate padding; x (n, c, H, W)."""
    r = int(math.ceil(3 * sigma))
    t = torch.arange(-r, r + 1, dtype=torch.float64)
    k = torch.exp(-t ** 2 / (2 * sigma ** 2))
    k = (k / k.sum()).to(x.dtype)
    n, c, H, W = x.shape
    y = x.reshape(n * c, 1, H, W)
    y = F.conv2d(F.pad(y, (r, r, 0, 0), mode="replicate"), k.view(1, 1, 1, -1))
    y = F.conv2d(F.pad(y, (0, 0, r, r), mode="replicate"), k.view(1, 1, -1, 1))
    return y.reshape(n, c, H, W)


def luminance(x):
    return 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]


# --------------------------------------------------------------------------------------
# the seven degradations
# --------------------------------------------------------------------------------------

def noise(x, g):
    R = REGISTRY["noise"]
    n = x.shape[0]
    gauss = torch.rand(n, generator=g) < R["p_gaussian"]
    sigma = _u(n, *R["sigma"][1:], g)
    peak = _logu(n, *R["peak"][1:], g)
    y = x.clone()
    z = torch.randn(x.shape, generator=g, dtype=x.dtype)
    y = torch.where(gauss[:, None, None, None], x + sigma.to(x.dtype)[:, None, None, None] * z, y)
    if (~gauss).any():
        idx = (~gauss).nonzero()[:, 0]
        pk = peak[idx].to(x.dtype)[:, None, None, None]
        y[idx] = torch.poisson(x[idx] * pk, generator=g) / pk
    params = [({"kind": "gaussian", "sigma": float(sigma[i])} if gauss[i] else
               {"kind": "poisson", "peak": float(peak[i])}) for i in range(n)]
    return quantise(y), params


def jpeg(x, g):
    import cv2

    R = REGISTRY["jpeg"]
    n = x.shape[0]
    lo, hi = R["quality"][1:]
    q = torch.randint(lo, hi + 1, (n,), generator=g)
    out = torch.empty_like(x)
    arr = (x.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
    for i in range(n):
        ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(arr[i][:, :, ::-1]),
                               [int(cv2.IMWRITE_JPEG_QUALITY), int(q[i])])
        dec = cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1]
        out[i] = torch.from_numpy(np.ascontiguousarray(dec)).permute(2, 0, 1).to(x.dtype) / 255.0
    return out, [{"quality": int(q[i])} for i in range(n)]


def blur(x, g):
    R = REGISTRY["blur"]
    n = x.shape[0]
    motion = torch.rand(n, generator=g) < R["p_motion"]
    length = _u(n, *R["length"][1:], g)
    angle = _u(n, *R["angle_deg"][1:], g)
    radius = _u(n, *R["radius"][1:], g)
    K = 2 * int(math.ceil(max(R["length"][2] / 2, R["radius"][2]) + 1)) + 1
    km = line_kernels(length, angle * math.pi / 180, K)
    kd = disk_kernels(radius, K)
    k = torch.where(motion[:, None, None], km, kd)
    k = k / k.sum(dim=(1, 2), keepdim=True)
    y = conv_per_sample(x, k, "reflect")
    params = [({"kind": "motion", "length": float(length[i]), "angle_deg": float(angle[i])} if motion[i] else
               {"kind": "defocus", "radius": float(radius[i])}) for i in range(n)]
    return quantise(y), params


def lowlight(x, g):
    R = REGISTRY["lowlight"]
    n = x.shape[0]
    gamma = _u(n, *R["gamma"][1:], g).to(x.dtype)[:, None, None, None]
    scale = _u(n, *R["scale"][1:], g).to(x.dtype)[:, None, None, None]
    sigma = _u(n, *R["sigma"][1:], g).to(x.dtype)[:, None, None, None]
    z = torch.randn(x.shape, generator=g, dtype=x.dtype)
    y = scale * x.clamp(min=0) ** gamma + sigma * z
    params = [{"gamma": float(gamma[i]), "scale": float(scale[i]), "sigma": float(sigma[i])} for i in range(n)]
    return quantise(y), params


def haze_depth(x, R=None):
    """Smooth depth proxy in [floor, 1]: half vertical position (top = far), half blurred,
    min-max normalised luminance (bright = far)."""
    R = R or REGISTRY["haze"]
    n, _, H, W = x.shape
    lum = gaussian_blur(luminance(x), R["sigma_frac"] * max(H, W))
    lo = lum.amin(dim=(2, 3), keepdim=True)
    hi = lum.amax(dim=(2, 3), keepdim=True)
    lb = (lum - lo) / (hi - lo + 1e-6)
    v = 1 - torch.arange(H, dtype=x.dtype) / max(H - 1, 1)
    d = 0.5 * v.view(1, 1, H, 1) + 0.5 * lb
    f = R["depth_floor"]
    return f + (1 - f) * d


def haze(x, g):
    R = REGISTRY["haze"]
    n = x.shape[0]
    beta = _u(n, *R["beta"][1:], g).to(x.dtype)
    A0 = _u(n, *R["airlight"][1:], g)
    tint = _u(3 * n, *R["tint"][1:], g).view(n, 3)
    A = (A0[:, None] + tint).clamp(0, 1).to(x.dtype)[:, :, None, None]
    d = haze_depth(x, R)
    t = torch.exp(-beta[:, None, None, None] * d)
    y = x * t + A * (1 - t)
    params = [{"beta": float(beta[i]), "airlight": [float(v) for v in A[i, :, 0, 0]]} for i in range(n)]
    return quantise(y), params


def rain(x, g):
    R = REGISTRY["rain"]
    n, _, H, W = x.shape
    dens = _u(n, *R["density"][1:], g)
    length = _u(n, *R["length"][1:], g)
    angle = _u(n, *R["angle_deg"][1:], g)
    inten = _u(n, *R["intensity"][1:], g).to(x.dtype)
    K = 2 * int(math.ceil(R["length"][2] / 2 + 1)) + 1
    # streak direction: angle from vertical -> angle from the x axis is 90 + angle
    k = line_kernels(length, (90 + angle) * math.pi / 180, K)
    Hp, Wp = H + K - 1, W + K - 1
    seeds = (torch.rand((n, 1, Hp, Wp), generator=g, dtype=torch.float64) < dens[:, None, None, None]).to(x.dtype)
    b_lo, b_hi = R["brightness"][1:]
    seeds = seeds * (b_lo + (b_hi - b_lo) * torch.rand((n, 1, Hp, Wp), generator=g, dtype=torch.float64)).to(x.dtype)
    w = k.to(x.dtype)[:, None]
    streaks = F.conv2d(seeds.reshape(1, n, Hp, Wp), w, groups=n).reshape(n, 1, H, W).clamp(0, 1)
    y = x + inten[:, None, None, None] * streaks
    params = [{"density": float(dens[i]), "length": float(length[i]), "angle_deg": float(angle[i]),
               "intensity": float(inten[i])} for i in range(n)]
    return quantise(y), params


def snow(x, g):
    R = REGISTRY["snow"]
    n, _, H, W = x.shape
    dens = _u(n, *R["density"][1:], g)
    size = _u(n, *R["size"][1:], g)
    veil = _u(n, *R["veil"][1:], g).to(x.dtype)[:, None, None, None]
    b_lo, b_hi = R["brightness"][1:]
    m = torch.zeros((n, 1, H, W), dtype=x.dtype)
    for r0, share in zip(R["radii"], R["shares"]):
        radius = r0 * size
        K = 2 * int(math.ceil(r0 * R["size"][2] + 1)) + 1
        k = disk_kernels(radius, K)
        Hp, Wp = H + K - 1, W + K - 1
        seeds = (torch.rand((n, 1, Hp, Wp), generator=g, dtype=torch.float64)
                 < (dens * share)[:, None, None, None]).to(x.dtype)
        seeds = seeds * (b_lo + (b_hi - b_lo) * torch.rand((n, 1, Hp, Wp), generator=g, dtype=torch.float64)).to(x.dtype)
        m = m + F.conv2d(seeds.reshape(1, n, Hp, Wp), k.to(x.dtype)[:, None], groups=n).reshape(n, 1, H, W)
    m = m.clamp(0, 1)
    y = x * (1 - m) + m * R["whiteness"]
    y = y * (1 - veil) + veil * R["veil_level"]
    params = [{"density": float(dens[i]), "size": float(size[i]), "veil": float(veil[i])} for i in range(n)]
    return quantise(y), params


FUNCS = {"noise": noise, "jpeg": jpeg, "blur": blur, "lowlight": lowlight, "haze": haze,
         "rain": rain, "snow": snow}


def sample_types(n, g, clean_fraction=CLEAN_FRACTION, type_weights=None):
    """Type index per image: 0..6 (TYPES), or -1 for a clean input (target = input).
    type_weights: relative frequency per type (len(TYPES) numbers); None = uniform."""
    if type_weights is None:
        t = torch.randint(0, len(TYPES), (n,), generator=g)
    else:
        t = torch.multinomial(torch.as_tensor(type_weights, dtype=torch.float64), n, replacement=True, generator=g)
    clean = torch.rand(n, generator=g) < clean_fraction
    return torch.where(clean, torch.full_like(t, -1), t)


def degrade(x, types, g):
    """x (n, 3, H, W) clean in [0, 1] (CPU); types: int tensor (n,) from sample_types.
    Returns (degraded, params list)."""
    y = x.clone()
    params = [None] * x.shape[0]
    for ti, name in enumerate(TYPES):
        idx = (types == ti).nonzero()[:, 0]
        if len(idx) == 0:
            continue
        out, p = FUNCS[name](x[idx], g)
        y[idx] = out
        for j, i in enumerate(idx.tolist()):
            params[i] = {"type": name, **p[j]}
    for i in (types == -1).nonzero()[:, 0].tolist():
        params[i] = {"type": "clean"}
    return y, params
