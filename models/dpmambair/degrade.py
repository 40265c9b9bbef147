"""The seven degradations, synthesised in torch on batches. The ONE place they are defined.

The recipe (formulas and parameter ranges) is written out in docs/degradations.md; keep the
two in step. Every function takes clean images x (n, 3, H, W), float in [0, 1] (8-bit values),
and a torch.Generator, samples one parameter set per image, and returns the degraded batch
(clipped to [0, 1] and quantised to 8 bits, as if saved as PNG) plus the parameters.

    from dpmambair.degrade import TYPES, degrade, sample_types
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

TYPES = ["noise", "jpeg", "blur", "lowlight", "haze", "rain", "snow"]
CLEAN_FRACTION = 0.12

# Each type has several generators ("kinds", drawn per image with the probabilities `kind_p`,
# in the order of KINDS) and wide severity ranges, from barely visible to severe: the model must
# learn the degradation, not one parameterisation of it, and leave mild cases nearly unchanged.
KINDS = {
    "noise": ["gaussian", "correlated", "poisson", "linear"],
    "jpeg": ["444", "420"],
    "blur": ["motion", "defocus", "gaussian", "shake"],
    "lowlight": ["gamma", "linear"],
    "haze": ["vertical_lum", "field", "radial", "horizontal"],
    "rain": ["one_layer", "two_layers"],
    "snow": ["round", "motion"],
}

# Parameter ranges. U(a, b): uniform; logU(a, b): exp(U(log a, log b)); intU: integer uniform; p: probability.
REGISTRY = {
    # gaussian: iid sRGB; correlated: a share rho of the noise shared by the channels, spatially
    # smoothed with sigma `grain` px (renormalised to std sigma); poisson: shot noise in sRGB;
    # linear: Poisson-Gaussian sensor noise in linear light (photons per unit = peak, read noise).
    "noise": {"kind_p": [0.3, 0.25, 0.15, 0.3], "sigma": ("logU", 2 / 255, 50 / 255), "rho": ("U", 0.2, 0.9),
              "grain": ("U", 0.0, 1.0), "peak": ("logU", 15.0, 400.0), "read": ("logU", 0.5 / 255, 8 / 255)},
    # 4:4:4 or 4:2:0 chroma; with p_double a second compression at quality2
    "jpeg": {"kind_p": [0.35, 0.65], "quality": ("intU", 8, 95), "p_double": 0.2, "quality2": ("intU", 30, 95)},
    "blur": {"kind_p": [0.3, 0.25, 0.25, 0.2], "length": ("U", 3.0, 25.0), "angle_deg": ("U", 0.0, 180.0),
             "radius": ("U", 0.8, 5.0), "sigma": ("logU", 0.4, 3.5), "shake_size": ("U", 3.0, 21.0),
             "shake_steps": 48},
    # gamma: out = scale x^gamma + sigma N; linear: exposure in linear light, Poisson-Gaussian
    # sensor noise, a colour cast, back to sRGB
    "lowlight": {"kind_p": [0.4, 0.6], "gamma": ("U", 1.2, 2.6), "scale": ("U", 0.1, 0.7),
                 "sigma": ("U", 0.5 / 255, 8 / 255), "exposure": ("logU", 0.02, 0.7), "peak": ("logU", 30.0, 1000.0),
                 "read": ("logU", 0.3 / 255, 4 / 255), "cast": ("U", -0.1, 0.1)},
    # the depth proxy is one of KINDS["haze"]; airlight A0 + a per-channel tint (coloured airlight)
    "haze": {"kind_p": [0.4, 0.3, 0.15, 0.15], "beta": ("logU", 0.15, 2.5), "airlight": ("U", 0.6, 1.0),
             "tint": ("U", -0.1, 0.1), "depth_floor": ("U", 0.0, 0.4), "sigma_frac": 1 / 8},
    "rain": {"kind_p": [0.6, 0.4], "density": ("logU", 0.001, 0.015), "length": ("U", 5.0, 45.0),
             "angle_deg": ("U", -30.0, 30.0), "brightness": ("U", 0.5, 1.0), "intensity": ("U", 0.15, 0.9),
             "width": ("U", 0.0, 1.2), "veil": ("U", 0.0, 0.25), "darken": ("U", 0.0, 0.2)},
    "snow": {"kind_p": [0.6, 0.4], "density": ("logU", 0.0005, 0.008), "size": ("U", 0.5, 1.8),
             "radii": (1.0, 2.0, 3.2), "shares": (0.6, 0.3, 0.1), "brightness": ("U", 0.6, 1.0),
             "whiteness": 0.95, "veil": ("U", 0.0, 0.3), "veil_level": 0.85, "softness": ("U", 0.0, 1.2),
             "streak": ("U", 2.0, 12.0), "angle_deg": ("U", 45.0, 135.0)},
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


def draw(n, spec, g):
    """n draws (float64) of a registry range ("U" | "logU" | "intU", a, b)."""
    dist, a, b = spec
    if dist == "U":
        return _u(n, a, b, g)
    if dist == "logU":
        return _logu(n, a, b, g)
    return torch.randint(int(a), int(b) + 1, (n,), generator=g).double()


def draw_kind(n, name, g):
    """Generator index per image (into KINDS[name]), drawn with REGISTRY[name]['kind_p']."""
    p = torch.as_tensor(REGISTRY[name]["kind_p"], dtype=torch.float64)
    return torch.multinomial(p, n, replacement=True, generator=g)


def gaussian_kernels(sigmas, K):
    """Normalised isotropic Gaussians of std sigma (a delta where sigma is ~0)."""
    xx, yy = _grid(K)
    s = sigmas.clamp(min=1e-3)[:, None, None]
    k = torch.exp(-(xx ** 2 + yy ** 2) / (2 * s ** 2))
    return k / k.sum(dim=(1, 2), keepdim=True)


def shake_kernels(sizes, steps, K, g):
    """Camera-shake kernels: a random walk with inertia (velocity plus random acceleration),
    scaled so that its extent is `size` px, splatted bilinearly on a KxK grid, normalised."""
    n = sizes.shape[0]
    ks = torch.zeros(n, K, K, dtype=torch.float64)
    c = (K - 1) / 2
    for i in range(n):
        acc = torch.randn(steps, 2, generator=g, dtype=torch.float64)
        v0 = torch.randn(1, 2, generator=g, dtype=torch.float64) * 2
        pos = torch.cumsum(v0 + torch.cumsum(acc, 0) * 0.5, 0)
        pos = pos - pos.mean(0)
        ext = (pos.max(0).values - pos.min(0).values).max().clamp(min=1e-6)
        pos = pos * (float(sizes[i]) / ext) + c
        x0, y0 = pos[:, 0].floor(), pos[:, 1].floor()
        fx, fy = pos[:, 0] - x0, pos[:, 1] - y0
        for dx, dy, w in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
            xi = (x0 + dx).long().clamp(0, K - 1)
            yi = (y0 + dy).long().clamp(0, K - 1)
            ks[i].index_put_((yi, xi), w, accumulate=True)
    return ks / ks.sum(dim=(1, 2), keepdim=True)


def srgb_to_linear(v):
    v = v.clamp(0, 1)
    return torch.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(v):
    v = v.clamp(0, 1)
    return torch.where(v <= 0.0031308, v * 12.92, 1.055 * v.clamp(min=1e-12) ** (1 / 2.4) - 0.055)


def _col(v, x):
    return v.to(x.dtype)[:, None, None, None]


# --------------------------------------------------------------------------------------
# the seven degradations (one parameter set and one generator kind per image)
# --------------------------------------------------------------------------------------

def noise(x, g):
    R = REGISTRY["noise"]
    n = x.shape[0]
    kind = draw_kind(n, "noise", g)
    sigma, rho, grain = draw(n, R["sigma"], g), draw(n, R["rho"], g), draw(n, R["grain"], g)
    peak, read = draw(n, R["peak"], g), draw(n, R["read"], g)
    z = torch.randn(x.shape, generator=g, dtype=x.dtype)
    # correlated: a share rho of the variance common to the channels, then spatial grain
    zc = torch.randn((n, 1) + x.shape[2:], generator=g, dtype=x.dtype)
    zcor = _col(rho.sqrt(), x) * zc + _col((1 - rho).sqrt(), x) * z
    k = gaussian_kernels(grain, 2 * int(math.ceil(3 * R["grain"][2])) + 1)
    zcor = conv_per_sample(zcor, k, "reflect") / _col(k.pow(2).sum(dim=(1, 2)).sqrt(), x)
    lin = srgb_to_linear(x)
    pk = _col(peak, x)
    y_lin = linear_to_srgb(torch.poisson(lin * pk, generator=g) / pk + _col(read, x) * z)
    y_poi = torch.poisson(x.clamp(min=0) * pk, generator=g) / pk
    sel = lambda j: (kind == j)[:, None, None, None]  # noqa: E731
    y = torch.where(sel(0), x + _col(sigma, x) * z,
                    torch.where(sel(1), x + _col(sigma, x) * zcor, torch.where(sel(2), y_poi, y_lin)))
    names = KINDS["noise"]
    params = []
    for i in range(n):
        kd = names[int(kind[i])]
        p = {"kind": kd}
        if kd in ("gaussian", "correlated"):
            p["sigma"] = float(sigma[i])
        if kd == "correlated":
            p.update(rho=float(rho[i]), grain=float(grain[i]))
        if kd in ("poisson", "linear"):
            p["peak"] = float(peak[i])
        if kd == "linear":
            p["read"] = float(read[i])
        params.append(p)
    return quantise(y), params


def _jpeg_round_trip(rgb_u8, quality, subsampling):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb_u8).save(buf, format="JPEG", quality=int(quality), subsampling=subsampling)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def jpeg(x, g):
    """libjpeg (through PIL) with the IJG tables scaled by quality, 4:4:4 or 4:2:0 chroma."""
    R = REGISTRY["jpeg"]
    n = x.shape[0]
    kind = draw_kind(n, "jpeg", g)
    q, q2 = draw(n, R["quality"], g), draw(n, R["quality2"], g)
    double = torch.rand(n, generator=g) < R["p_double"]
    out = torch.empty_like(x)
    arr = (x.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
    params = []
    for i in range(n):
        sub = 0 if KINDS["jpeg"][int(kind[i])] == "444" else 2   # PIL: 0 = 4:4:4, 2 = 4:2:0
        dec = _jpeg_round_trip(arr[i], q[i], sub)
        p = {"kind": KINDS["jpeg"][int(kind[i])], "quality": int(q[i])}
        if double[i]:
            dec = _jpeg_round_trip(dec, q2[i], sub)
            p["quality2"] = int(q2[i])
        out[i] = torch.from_numpy(np.array(dec)).permute(2, 0, 1).to(x.dtype) / 255.0
        params.append(p)
    return out, params


def blur(x, g):
    R = REGISTRY["blur"]
    n = x.shape[0]
    kind = draw_kind(n, "blur", g)
    length, angle = draw(n, R["length"], g), draw(n, R["angle_deg"], g)
    radius, sigma, size = draw(n, R["radius"], g), draw(n, R["sigma"], g), draw(n, R["shake_size"], g)
    K = 2 * int(math.ceil(max(R["length"][2] / 2, R["radius"][2], 3 * R["sigma"][2], R["shake_size"][2] / 2) + 1)) + 1
    kernels = [line_kernels(length, angle * math.pi / 180, K), disk_kernels(radius, K),
               gaussian_kernels(sigma, K), shake_kernels(size, R["shake_steps"], K, g)]
    k = torch.stack(kernels)[kind, torch.arange(n)]
    k = k / k.sum(dim=(1, 2), keepdim=True)
    y = conv_per_sample(x, k, "reflect")
    keys = {"motion": {"length": length, "angle_deg": angle}, "defocus": {"radius": radius},
            "gaussian": {"sigma": sigma}, "shake": {"size": size}}
    params = []
    for i in range(n):
        kd = KINDS["blur"][int(kind[i])]
        params.append({"kind": kd, **{k2: float(v[i]) for k2, v in keys[kd].items()}})
    return quantise(y), params


def lowlight(x, g):
    R = REGISTRY["lowlight"]
    n = x.shape[0]
    kind = draw_kind(n, "lowlight", g)
    gamma, scale, sigma = draw(n, R["gamma"], g), draw(n, R["scale"], g), draw(n, R["sigma"], g)
    expo, peak, read = draw(n, R["exposure"], g), draw(n, R["peak"], g), draw(n, R["read"], g)
    cast = draw(3 * n, R["cast"], g).view(n, 3)
    z = torch.randn(x.shape, generator=g, dtype=x.dtype)
    y_gamma = _col(scale, x) * x.clamp(min=0) ** _col(gamma, x) + _col(sigma, x) * z
    lin = srgb_to_linear(x) * _col(expo, x) * (1 + cast.to(x.dtype))[:, :, None, None]
    pk = _col(peak, x)
    y_lin = linear_to_srgb(torch.poisson(lin.clamp(0, 1) * pk, generator=g) / pk + _col(read, x) * z)
    y = torch.where((kind == 0)[:, None, None, None], y_gamma, y_lin)
    params = []
    for i in range(n):
        if kind[i] == 0:
            params.append({"kind": "gamma", "gamma": float(gamma[i]), "scale": float(scale[i]), "sigma": float(sigma[i])})
        else:
            params.append({"kind": "linear", "exposure": float(expo[i]), "peak": float(peak[i]), "read": float(read[i]),
                           "cast": [float(v) for v in cast[i]]})
    return quantise(y), params


def haze_depth(x, kind, floor, g):
    """Smooth depth proxies in [floor, 1] (1 = far), one of KINDS['haze'] per image:
    vertical_lum: half vertical position (top = far), half blurred min-max normalised luminance;
    field: a smooth random field (4x4 noise, bicubic); radial: distance from a random point
    (near) in the image; horizontal: a left-right ramp, either way."""
    R = REGISTRY["haze"]
    n, _, H, W = x.shape
    lum = gaussian_blur(luminance(x), R["sigma_frac"] * max(H, W))
    norm = lambda d: (d - d.amin(dim=(2, 3), keepdim=True)) / (  # noqa: E731
        d.amax(dim=(2, 3), keepdim=True) - d.amin(dim=(2, 3), keepdim=True) + 1e-6)
    v = 1 - torch.arange(H, dtype=x.dtype) / max(H - 1, 1)
    d_vl = 0.5 * v.view(1, 1, H, 1) + 0.5 * norm(lum)
    field = torch.rand((n, 1, 4, 4), generator=g, dtype=torch.float64).to(x.dtype)
    d_field = norm(F.interpolate(field, size=(H, W), mode="bicubic", align_corners=True))
    cy = torch.rand(n, generator=g, dtype=torch.float64).to(x.dtype)[:, None, None, None] * (H - 1)
    cx = torch.rand(n, generator=g, dtype=torch.float64).to(x.dtype)[:, None, None, None] * (W - 1)
    yy = torch.arange(H, dtype=x.dtype).view(1, 1, H, 1)
    xx = torch.arange(W, dtype=x.dtype).view(1, 1, 1, W)
    d_rad = norm(torch.sqrt((yy - cy) ** 2 + (xx - cx) ** 2).expand(n, 1, H, W))
    flip = (torch.rand(n, generator=g) < 0.5)[:, None, None, None]
    ramp = (xx / max(W - 1, 1)).expand(n, 1, H, W)
    d_hor = torch.where(flip, 1 - ramp, ramp)
    d = torch.stack([d_vl.expand(n, 1, H, W), d_field, d_rad, d_hor])[kind, torch.arange(n)]
    f = floor.to(x.dtype)[:, None, None, None]
    return f + (1 - f) * d


def haze(x, g):
    R = REGISTRY["haze"]
    n = x.shape[0]
    kind = draw_kind(n, "haze", g)
    beta, floor = draw(n, R["beta"], g), draw(n, R["depth_floor"], g)
    A0 = draw(n, R["airlight"], g)
    tint = draw(3 * n, R["tint"], g).view(n, 3)
    A = (A0[:, None] + tint).clamp(0, 1).to(x.dtype)[:, :, None, None]
    d = haze_depth(x, kind, floor, g)
    t = torch.exp(-_col(beta, x) * d)
    y = x * t + A * (1 - t)
    params = [{"kind": KINDS["haze"][int(kind[i])], "beta": float(beta[i]), "depth_floor": float(floor[i]),
               "airlight": [float(v) for v in A[i, :, 0, 0]]} for i in range(n)]
    return quantise(y), params


def _splat(seeds, kernels):
    """Each image's seed map (n, 1, H+K-1, W+K-1) correlated with its own kernel (n, K, K)."""
    n, _, Hp, Wp = seeds.shape
    K = kernels.shape[-1]
    return F.conv2d(seeds.reshape(1, n, Hp, Wp), kernels.to(seeds.dtype)[:, None], groups=n).reshape(n, 1, Hp - K + 1, Wp - K + 1)


def _seeds(n, H, W, K, dens, b_lo, b_hi, g, dtype):
    Hp, Wp = H + K - 1, W + K - 1
    s = (torch.rand((n, 1, Hp, Wp), generator=g, dtype=torch.float64) < dens[:, None, None, None]).to(dtype)
    return s * (b_lo + (b_hi - b_lo) * torch.rand((n, 1, Hp, Wp), generator=g, dtype=torch.float64)).to(dtype)


def rain(x, g):
    """Streak layers (a second, sparser and shorter one at a slightly different angle for
    two_layers), widened by a Gaussian of std `width`, over a veil and a darkened scene."""
    R = REGISTRY["rain"]
    n, _, H, W = x.shape
    kind = draw_kind(n, "rain", g)
    dens, length, angle = draw(n, R["density"], g), draw(n, R["length"], g), draw(n, R["angle_deg"], g)
    inten, width = draw(n, R["intensity"], g), draw(n, R["width"], g)
    veil, darken = draw(n, R["veil"], g), draw(n, R["darken"], g)
    angle2 = angle + _u(n, -10.0, 10.0, g)
    K = 2 * int(math.ceil(R["length"][2] / 2 + 1)) + 1
    b_lo, b_hi = R["brightness"][1:]
    # streak direction: angle from vertical -> angle from the x axis is 90 + angle
    streaks = _splat(_seeds(n, H, W, K, dens, b_lo, b_hi, g, x.dtype), line_kernels(length, (90 + angle) * math.pi / 180, K))
    second = _splat(_seeds(n, H, W, K, dens * 0.5, b_lo, b_hi, g, x.dtype),
                    line_kernels(length * 0.6, (90 + angle2) * math.pi / 180, K))
    streaks = streaks + (kind == 1).to(x.dtype)[:, None, None, None] * second
    kw = gaussian_kernels(width, 2 * int(math.ceil(3 * R["width"][2])) + 1)
    streaks = conv_per_sample(streaks, kw, "reflect").clamp(0, 1)
    base = x * (1 - _col(darken, x)) * (1 - _col(veil, x)) + _col(veil, x) * 0.8
    y = base + _col(inten, x) * streaks
    params = [{"kind": KINDS["rain"][int(kind[i])], "density": float(dens[i]), "length": float(length[i]),
               "angle_deg": float(angle[i]), "intensity": float(inten[i]), "width": float(width[i]),
               "veil": float(veil[i]), "darken": float(darken[i])} for i in range(n)]
    return quantise(y), params


def snow(x, g):
    """Flakes of three sizes (disks, softened by a Gaussian of std `softness`; for motion, also
    smeared along a short line), over a white veil."""
    R = REGISTRY["snow"]
    n, _, H, W = x.shape
    kind = draw_kind(n, "snow", g)
    dens, size, veil = draw(n, R["density"], g), draw(n, R["size"], g), draw(n, R["veil"], g)
    soft, streak, angle = draw(n, R["softness"], g), draw(n, R["streak"], g), draw(n, R["angle_deg"], g)
    b_lo, b_hi = R["brightness"][1:]
    m = torch.zeros((n, 1, H, W), dtype=x.dtype)
    for r0, share in zip(R["radii"], R["shares"]):
        K = 2 * int(math.ceil(r0 * R["size"][2] + 1)) + 1
        m = m + _splat(_seeds(n, H, W, K, dens * share, b_lo, b_hi, g, x.dtype), disk_kernels(r0 * size, K))
    m = conv_per_sample(m.clamp(0, 1), gaussian_kernels(soft, 2 * int(math.ceil(3 * R["softness"][2])) + 1), "reflect")
    Km = 2 * int(math.ceil(R["streak"][2] / 2 + 1)) + 1
    lk = line_kernels(torch.where(kind == 1, streak, torch.zeros_like(streak)), angle * math.pi / 180, Km)
    m_motion = conv_per_sample(m, lk / lk.sum(dim=(1, 2), keepdim=True), "reflect") * 1.6
    m = torch.where((kind == 1)[:, None, None, None], m_motion, m).clamp(0, 1)
    y = x * (1 - m) + m * R["whiteness"]
    y = y * (1 - _col(veil, x)) + _col(veil, x) * R["veil_level"]
    params = []
    for i in range(n):
        p = {"kind": KINDS["snow"][int(kind[i])], "density": float(dens[i]), "size": float(size[i]),
             "veil": float(veil[i]), "softness": float(soft[i])}
        if kind[i] == 1:
            p.update(streak=float(streak[i]), angle_deg=float(angle[i]))
        params.append(p)
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
