"""The out-of-recipe degradations: a second, independent family of the seven types, for
evaluation only.

Training synthesises its inputs with dpmambair/degrade.py (torch). This module is written
separately, with other code, other libraries (numpy, OpenCV, PIL, scikit-image) and other
parameterisations, so that a score on it says whether the model learnt the degradation or our
recipe. It is applied to validation photos only (models/data_split.json: val + val_extra) by
`evaluate.py make-ood`. Nothing in training imports it (tests/test_ood_degrade.py checks that).
Never tune training on its results.

Every function takes a clean float32 RGB image in [0, 1] (H, W, 3) and a numpy Generator and
returns (degraded uint8-quantised float image, params).
"""
import io
import math

import numpy as np

TYPES = ["noise", "jpeg", "blur", "lowlight", "haze", "rain", "snow"]


def _q(img):
    return np.round(np.clip(img, 0, 1) * 255).astype(np.float32) / 255


def _srgb_decode(x, gamma):
    """Camera response as a plain power law (not the sRGB curve the training recipe uses)."""
    return np.clip(x, 0, 1) ** gamma


# ----------------------------------------------------------------------------- noise

def _bayer_mosaic(x):
    """One sample per pixel in the layout of OpenCV's BayerBG (B G / G R in BGR order)."""
    bgr = x[:, :, ::-1]
    m = np.empty(x.shape[:2], np.float32)
    m[0::2, 0::2] = bgr[0::2, 0::2, 0]
    m[0::2, 1::2] = bgr[0::2, 1::2, 1]
    m[1::2, 0::2] = bgr[1::2, 0::2, 1]
    m[1::2, 1::2] = bgr[1::2, 1::2, 2]
    return m


def _demosaic(mosaic):
    """OpenCV's bilinear Bayer demosaicing at 16 bits, back to RGB float."""
    import cv2

    m16 = np.round(np.clip(mosaic, 0, 1) * 65535).astype(np.uint16)
    return cv2.cvtColor(m16, cv2.COLOR_BayerBG2BGR).astype(np.float32)[:, :, ::-1] / 65535


def noise(x, rng):
    """Sensor-like noise: on a Bayer mosaic then demosaiced by OpenCV (spatially and
    chromatically correlated), chroma-heavy noise in YCrCb, or multiplicative speckle."""
    import cv2

    kind = rng.choice(["bayer", "ycrcb", "speckle"], p=[0.4, 0.35, 0.25])
    if kind == "bayer":
        a = rng.uniform(0.0005, 0.01)          # heteroscedastic: var = a * x + b
        b = rng.uniform(0.5, 12.0) ** 2 / 255 ** 2
        clean_m = _bayer_mosaic(x)
        noisy_m = clean_m + rng.standard_normal(clean_m.shape).astype(np.float32) * np.sqrt(a * clean_m + b).astype(np.float32)
        # demosaicing alone softens the image: keep the clean detail, only the noise is the
        # degradation (the difference to the demosaiced clean mosaic is added to x)
        y = x + (_demosaic(noisy_m) - _demosaic(clean_m))
        return _q(y), {"kind": kind, "a": a, "b_std255": math.sqrt(b) * 255}
    if kind == "ycrcb":
        s_y = rng.uniform(2.0, 30.0) / 255
        s_c = s_y * rng.uniform(1.0, 3.0)
        ycc = cv2.cvtColor(x.astype(np.float32), cv2.COLOR_RGB2YCrCb)
        n = rng.standard_normal(ycc.shape).astype(np.float32)
        n[:, :, 1:] = cv2.GaussianBlur(n[:, :, 1:], (0, 0), 1.2) * 2.5   # blotchy chroma noise
        ycc = ycc + n * np.array([s_y, s_c, s_c], np.float32)
        return _q(cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)), {"kind": kind, "sigma_y255": s_y * 255, "sigma_c255": s_c * 255}
    from skimage.util import random_noise

    var = rng.uniform(0.002, 0.04)
    y = random_noise(x.astype(np.float64), mode="speckle", var=var, seed=int(rng.integers(1 << 31)), clip=True)
    return _q(y), {"kind": kind, "var": var}


# ----------------------------------------------------------------------------- JPEG

def jpeg(x, rng):
    """PIL, 4:4:4 / 4:2:2 / 4:2:0, quality 5-90, baseline or progressive."""
    from PIL import Image

    q = int(rng.integers(5, 91))
    sub = int(rng.choice([0, 1, 2]))
    prog = bool(rng.random() < 0.3)
    buf = io.BytesIO()
    Image.fromarray(np.round(np.clip(x, 0, 1) * 255).astype(np.uint8)).save(
        buf, format="JPEG", quality=q, subsampling=sub, progressive=prog, optimize=True)
    y = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"), np.float32) / 255
    return y, {"quality": q, "subsampling": ["4:4:4", "4:2:2", "4:2:0"][sub], "progressive": prog}


# ----------------------------------------------------------------------------- blur

def _trajectory_kernel(rng, size, K):
    """Camera shake after Boracchi & Foi (2012): a trajectory whose velocity is pulled towards
    a random direction, with Gaussian jitter and occasional impulsive jerks; rendered by
    accumulating sub-pixel samples, then normalised."""
    n = 2000
    v = np.exp(1j * rng.uniform(0, 2 * np.pi))
    pos = np.zeros(n, complex)
    p = 0j
    anxiety = rng.uniform(0.0005, 0.005)
    for t in range(n):
        if rng.random() < anxiety * 2:
            v = v + 2 * v * np.exp(1j * rng.uniform(-np.pi, np.pi)) * rng.uniform(0.5, 1.5)  # jerk
        v = v + rng.normal(0, 0.08) + 1j * rng.normal(0, 0.08) - 0.01 * p
        v = v / max(abs(v), 1e-9)
        p = p + v
        pos[t] = p
    pos -= pos.mean()
    ext = max(np.ptp(pos.real), np.ptp(pos.imag), 1e-6)
    pos *= size / ext
    k = np.zeros((K, K), np.float64)
    c = (K - 1) / 2
    xs, ys = pos.real + c, pos.imag + c
    x0, y0 = np.floor(xs).astype(int), np.floor(ys).astype(int)
    fx, fy = xs - x0, ys - y0
    for dx, dy, w in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
        np.add.at(k, (np.clip(y0 + dy, 0, K - 1), np.clip(x0 + dx, 0, K - 1)), w)
    return k / k.sum()


def blur(x, rng):
    """Camera-shake trajectories, or a defocus disk convolved with a Gaussian (lens + sensor
    blur), applied by OpenCV with BORDER_REFLECT_101."""
    import cv2

    kind = rng.choice(["shake", "defocus_gauss"], p=[0.5, 0.5])
    if kind == "shake":
        size = rng.uniform(2.0, 18.0)
        K = int(2 * math.ceil(size / 2 + 2) + 1)
        k = _trajectory_kernel(rng, size, K)
        params = {"kind": kind, "size": size}
    else:
        r = rng.uniform(0.5, 4.5)
        s = rng.uniform(0.3, 1.5)
        K = int(2 * math.ceil(r + 3 * s + 1) + 1)
        disk = np.zeros((K, K), np.float32)
        cv2.circle(disk, (K // 2, K // 2), int(round(r)), 1.0, -1, lineType=cv2.LINE_AA)
        if disk.sum() == 0:
            disk[K // 2, K // 2] = 1
        k = cv2.GaussianBlur(disk / disk.sum(), (0, 0), s)
        k = k / k.sum()
        params = {"kind": kind, "radius": r, "sigma": s}
    y = cv2.filter2D(x.astype(np.float32), -1, k.astype(np.float32), borderType=cv2.BORDER_REFLECT_101)
    return _q(y), params


# ----------------------------------------------------------------------------- low light

def lowlight(x, rng):
    """Under-exposure in linear light (power-law camera response), Poisson-Gaussian sensor
    noise parameterised by a full-well count and read noise in electrons, a white-balance
    shift, and a filmic tone curve (Reinhard) with its own gamma back to display."""
    g = rng.uniform(2.0, 2.4)
    lin = _srgb_decode(x, g)
    ev = rng.uniform(1.5, 5.0)                       # stops under-exposed
    lin = lin * 2.0 ** (-ev)
    wb = np.exp(rng.normal(0, 0.06, 3)).astype(np.float32)
    full_well = rng.uniform(800, 20000)
    read_e = rng.uniform(1.0, 12.0)
    e = rng.poisson(np.clip(lin * wb, 0, 1) * full_well).astype(np.float32)
    e = e + rng.normal(0, read_e, e.shape).astype(np.float32)
    lin_n = np.clip(e / full_well, 0, None)
    tone = lin_n * (1 + lin_n / 4.0) / (1 + lin_n)   # Reinhard with white point 2
    y = np.clip(tone, 0, 1) ** (1 / g)
    return _q(y), {"ev_under": ev, "gamma": g, "full_well": full_well, "read_e": read_e,
                   "wb": [float(v) for v in wb]}


# ----------------------------------------------------------------------------- haze

def haze(x, rng):
    """Koschmieder's model with coloured airlight (grey, bluish or warm) over depth proxies
    that the training recipe does not use: a tilted plane, the inverted dark channel of the
    scene, or a multi-octave smooth field."""
    import cv2

    H, W, _ = x.shape
    kind = rng.choice(["plane", "dark_channel", "octaves"])
    if kind == "plane":
        a = rng.uniform(0, 2 * np.pi)
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        d = np.cos(a) * xx / W + np.sin(a) * yy / H
    elif kind == "dark_channel":
        dark = cv2.erode(x.min(axis=2), np.ones((9, 9), np.uint8))
        d = cv2.GaussianBlur(dark, (0, 0), max(H, W) / 20)   # bright, colourless regions read as far
    else:
        d = np.zeros((H, W), np.float32)
        for octave, amp in ((3, 1.0), (6, 0.5), (12, 0.25)):
            f = rng.random((octave, octave)).astype(np.float32)
            d += amp * cv2.resize(f, (W, H), interpolation=cv2.INTER_CUBIC)
    d = (d - d.min()) / (np.ptp(d) + 1e-6)
    d = rng.uniform(0.1, 0.5) + (1 - 0.3) * d
    beta = rng.uniform(0.3, 2.0)
    tints = {"grey": (1.0, 1.0, 1.0), "blue": (0.88, 0.95, 1.05), "warm": (1.05, 0.97, 0.85)}
    tint = rng.choice(list(tints))
    A = np.clip(rng.uniform(0.65, 0.95) * np.array(tints[tint], np.float32), 0, 1)
    t = np.exp(-beta * d)[:, :, None].astype(np.float32)
    y = x * t + A * (1 - t)
    return _q(y), {"kind": str(kind), "beta": beta, "tint": str(tint), "airlight": [float(v) for v in A]}


# ----------------------------------------------------------------------------- rain

def rain(x, rng):
    """Streaks drawn as anti-aliased OpenCV lines of width 1-3 px, motion-blurred along their
    direction, composited with a screen blend at an opacity, with a slight wet-air veil."""
    import cv2

    H, W, _ = x.shape
    layer = np.zeros((H, W), np.float32)
    angle = rng.uniform(-35, 35) * np.pi / 180
    n = int(rng.uniform(0.0008, 0.01) * H * W)
    length = rng.uniform(8, 40)
    thick = int(rng.integers(1, 4))
    dx, dy = math.sin(angle), math.cos(angle)
    for _ in range(n):
        x0, y0 = rng.uniform(-20, W + 20), rng.uniform(-20, H + 20)
        l = length * rng.uniform(0.6, 1.2)
        c = float(rng.uniform(0.4, 1.0))
        cv2.line(layer, (int(x0 * 16), int(y0 * 16)), (int((x0 + dx * l) * 16), int((y0 + dy * l) * 16)),
                 c, thick, lineType=cv2.LINE_AA, shift=4)
    K = 9
    k = np.zeros((K, K), np.float32)
    cv2.line(k, (int((K // 2 - dx * 4) * 16), int((K // 2 - dy * 4) * 16)),
             (int((K // 2 + dx * 4) * 16), int((K // 2 + dy * 4) * 16)), 1.0, 1, cv2.LINE_AA, shift=4)
    layer = cv2.filter2D(layer, -1, k / k.sum())
    opacity = rng.uniform(0.25, 0.85)
    s = np.clip(layer * opacity, 0, 1)[:, :, None]
    veil = rng.uniform(0.0, 0.15)
    base = x * (1 - veil) + veil * 0.75
    y = 1 - (1 - base) * (1 - s)
    return _q(y), {"streaks": n, "length": length, "thickness": thick, "angle_deg": angle * 180 / np.pi,
                   "opacity": opacity, "veil": veil}


# ----------------------------------------------------------------------------- snow

def snow(x, rng):
    """Flakes as OpenCV ellipses with power-law sizes, in two depth layers (near: large and
    out of focus; far: small and sharp), screen-blended, over a faint brightening."""
    import cv2

    H, W, _ = x.shape
    out = x.copy()
    for layer, (count_frac, r_lo, r_hi, sigma) in enumerate(((rng.uniform(0.0005, 0.004), 0.6, 2.0, 0.4),
                                                             (rng.uniform(0.00005, 0.0006), 2.0, 6.0, 2.0))):
        m = np.zeros((H, W), np.float32)
        n = int(count_frac * H * W)
        for _ in range(n):
            r = r_lo * (r_hi / r_lo) ** rng.random() ** 2
            ax = (max(1, int(round(r * 16))), max(1, int(round(r * rng.uniform(0.6, 1.0) * 16))))
            cv2.ellipse(m, (int(rng.uniform(0, W) * 16), int(rng.uniform(0, H) * 16)), ax,
                        rng.uniform(0, 180), 0, 360, float(rng.uniform(0.5, 1.0)), -1, cv2.LINE_AA, shift=4)
        m = cv2.GaussianBlur(m, (0, 0), sigma * rng.uniform(0.7, 1.3))
        s = np.clip(m, 0, 1)[:, :, None] * rng.uniform(0.6, 1.0)
        out = 1 - (1 - out) * (1 - s * 0.97)
    fog = rng.uniform(0.0, 0.12)
    out = out * (1 - fog) + fog * 0.9
    return _q(out), {"fog": fog}


FUNCS = {"noise": noise, "jpeg": jpeg, "blur": blur, "lowlight": lowlight, "haze": haze, "rain": rain, "snow": snow}


def mild(x, rng):
    """Barely-degraded inputs (a high-quality JPEG, faint noise or slight softness), which a
    restoration must leave at least as good as it found them."""
    import cv2
    from PIL import Image

    kind = rng.choice(["jpeg", "noise", "soft"])
    if kind == "jpeg":
        q = int(rng.integers(88, 97))
        buf = io.BytesIO()
        Image.fromarray(np.round(np.clip(x, 0, 1) * 255).astype(np.uint8)).save(buf, format="JPEG", quality=q)
        return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"), np.float32) / 255, {"kind": kind, "quality": q}
    if kind == "noise":
        s = rng.uniform(1.0, 3.0) / 255
        return _q(x + rng.standard_normal(x.shape).astype(np.float32) * s), {"kind": kind, "sigma255": s * 255}
    s = rng.uniform(0.4, 0.7)
    return _q(cv2.GaussianBlur(x.astype(np.float32), (0, 0), s)), {"kind": kind, "sigma": s}
