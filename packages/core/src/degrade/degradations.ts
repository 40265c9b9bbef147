import type { RgbImage } from '../pipeline/image.js';
import { fromInterleaved, toInterleaved } from '../pipeline/image.js';
import { decodeJpeg, encodeJpeg } from './jpeg.js';
import { Rng } from './random.js';

/**
 * The seven training degradations of models/dpmambair/degrade.py (the source of truth), ported
 * formula for formula with the same generator kinds and parameter ranges. Images are core's
 * planar RGB in [0, 1]; every output is clipped to [0, 1] and quantised to 8-bit levels, as the
 * Python side does ("as if saved as PNG"). Random draws come from core's seeded mulberry32, so a
 * seed gives the same result in every JS engine, but not the same pixels as torch's generator:
 * the two agree in distribution (checked in degrade.test.ts against models/degradation_stats.py).
 */

export const DEGRADATION_TYPES = ['noise', 'jpeg', 'blur', 'lowlight', 'haze', 'rain', 'snow'] as const;
export type DegradationType = (typeof DEGRADATION_TYPES)[number];

/** The generators of each type, as KINDS in degrade.py; one is drawn per image with the registry's `kind_p`. */
export const DEGRADATION_KINDS = {
  noise: ['gaussian', 'correlated', 'poisson', 'linear'],
  jpeg: ['444', '420'],
  blur: ['motion', 'defocus', 'gaussian', 'shake'],
  lowlight: ['gamma', 'linear'],
  haze: ['vertical_lum', 'field', 'radial', 'horizontal'],
  rain: ['one_layer', 'two_layers'],
  snow: ['round', 'motion'],
} as const satisfies Record<DegradationType, readonly string[]>;
export type DegradationKind<T extends DegradationType> = (typeof DEGRADATION_KINDS)[T][number];

/** Share of training inputs left clean (target = input), as CLEAN_FRACTION in degrade.py. */
export const CLEAN_FRACTION = 0.12;

/** U(min, max): uniform; logU: exp(U(log min, log max)); intU: integer uniform on min..max inclusive. */
export interface ParamRange {
  dist: 'U' | 'logU' | 'intU';
  min: number;
  max: number;
}

export interface DegradationSpec {
  name: DegradationType;
  description: string;
  /**
   * The same keys and values as REGISTRY[name] in degrade.py: ranges as ParamRange, constants
   * (probabilities, fixed levels, per-kind or per-layer lists) as numbers and arrays.
   */
  params: Readonly<Record<string, ParamRange | number | readonly number[]>>;
  /**
   * The parameters that `severity` sets (the others, and the kind, stay random) and the direction
   * in which the degradation gets stronger ('up': larger is stronger, 'down': smaller is stronger).
   */
  severity: Readonly<Record<string, 'up' | 'down'>>;
}

const U = (min: number, max: number): ParamRange => ({ dist: 'U', min, max });
const logU = (min: number, max: number): ParamRange => ({ dist: 'logU', min, max });
const intU = (min: number, max: number): ParamRange => ({ dist: 'intU', min, max });

/** The registry: one entry per type, as degrade.py's REGISTRY (kind_p in the order of DEGRADATION_KINDS). */
export const DEGRADATIONS: Readonly<Record<DegradationType, DegradationSpec>> = {
  noise: {
    name: 'noise',
    description:
      'Gaussian (sigma), channel-correlated with spatial grain, Poisson shot noise in sRGB (peak), or Poisson-Gaussian sensor noise in linear light (peak, read)',
    params: { kind_p: [0.3, 0.25, 0.15, 0.3], sigma: logU(2 / 255, 50 / 255), rho: U(0.2, 0.9), grain: U(0, 1), peak: logU(15, 400), read: logU(0.5 / 255, 8 / 255) },
    severity: { sigma: 'up', peak: 'down', read: 'up' },
  },
  jpeg: {
    name: 'jpeg',
    description: 'JPEG round trip (libjpeg scaling of the IJG tables) at 4:4:4 or 4:2:0 chroma, quality 8..95, sometimes compressed twice',
    params: { kind_p: [0.35, 0.65], quality: intU(8, 95), p_double: 0.2, quality2: intU(30, 95) },
    severity: { quality: 'down', quality2: 'down' },
  },
  blur: {
    name: 'blur',
    description: 'motion (line of a length and angle), defocus (disk), Gaussian, or camera-shake (random-walk trajectory) blur',
    params: { kind_p: [0.3, 0.25, 0.25, 0.2], length: U(3, 25), angle_deg: U(0, 180), radius: U(0.8, 5), sigma: logU(0.4, 3.5), shake_size: U(3, 21), shake_steps: 48 },
    severity: { length: 'up', radius: 'up', sigma: 'up', shake_size: 'up' },
  },
  lowlight: {
    name: 'lowlight',
    description: 'y = scale * x^gamma + sigma * N(0, 1), or an exposure in linear light with Poisson-Gaussian sensor noise and a colour cast',
    params: {
      kind_p: [0.4, 0.6],
      gamma: U(1.2, 2.6),
      scale: U(0.1, 0.7),
      sigma: U(0.5 / 255, 8 / 255),
      exposure: logU(0.02, 0.7),
      peak: logU(30, 1000),
      read: logU(0.3 / 255, 4 / 255),
      cast: U(-0.1, 0.1),
    },
    severity: { gamma: 'up', scale: 'down', sigma: 'up', exposure: 'down', peak: 'down', read: 'up' },
  },
  haze: {
    name: 'haze',
    description: 'y = x t + A (1 - t), t = exp(-beta d), d one of four smooth depth proxies in [depth_floor, 1], A = airlight + tint per channel',
    params: { kind_p: [0.4, 0.3, 0.15, 0.15], beta: logU(0.15, 2.5), airlight: U(0.6, 1), tint: U(-0.1, 0.1), depth_floor: U(0, 0.4), sigma_frac: 1 / 8 },
    severity: { beta: 'up', depth_floor: 'up' },
  },
  rain: {
    name: 'rain',
    description: 'one or two layers of streaks (random seeds drawn as lines, widened), added over a veiled, darkened scene',
    params: {
      kind_p: [0.6, 0.4],
      density: logU(0.001, 0.015),
      length: U(5, 45),
      angle_deg: U(-30, 30),
      brightness: U(0.5, 1),
      intensity: U(0.15, 0.9),
      width: U(0, 1.2),
      veil: U(0, 0.25),
      darken: U(0, 0.2),
    },
    severity: { density: 'up', length: 'up', intensity: 'up', veil: 'up', darken: 'up' },
  },
  snow: {
    name: 'snow',
    description: 'flakes (disks in three size layers, softened, or smeared along a short line), blended towards white, then a veil',
    params: {
      kind_p: [0.6, 0.4],
      density: logU(0.0005, 0.008),
      size: U(0.5, 1.8),
      radii: [1.0, 2.0, 3.2],
      shares: [0.6, 0.3, 0.1],
      brightness: U(0.6, 1),
      whiteness: 0.95,
      veil: U(0, 0.3),
      veil_level: 0.85,
      softness: U(0, 1.2),
      streak: U(2, 12),
      angle_deg: U(45, 135),
    },
    severity: { density: 'up', size: 'up', veil: 'up' },
  },
};

type Rgb3 = [number, number, number];

/** Drawn parameters, named as degrade.py reports them (only those the drawn kind uses). */
export interface DegradationParamMap {
  noise:
    | { kind: 'gaussian'; sigma: number }
    | { kind: 'correlated'; sigma: number; rho: number; grain: number }
    | { kind: 'poisson'; peak: number }
    | { kind: 'linear'; peak: number; read: number };
  jpeg: { kind: '444' | '420'; quality: number; quality2?: number };
  blur: { kind: 'motion'; length: number; angle_deg: number } | { kind: 'defocus'; radius: number } | { kind: 'gaussian'; sigma: number } | { kind: 'shake'; size: number };
  lowlight: { kind: 'gamma'; gamma: number; scale: number; sigma: number } | { kind: 'linear'; exposure: number; peak: number; read: number; cast: Rgb3 };
  haze: { kind: DegradationKind<'haze'>; beta: number; depth_floor: number; airlight: Rgb3 };
  rain: { kind: DegradationKind<'rain'>; density: number; length: number; angle_deg: number; intensity: number; width: number; veil: number; darken: number };
  snow:
    | { kind: 'round'; density: number; size: number; veil: number; softness: number }
    | { kind: 'motion'; density: number; size: number; veil: number; softness: number; streak: number; angle_deg: number };
}

export type DegradationParams = { [T in DegradationType]: { type: T } & DegradationParamMap[T] }[DegradationType] | { type: 'clean' };

/**
 * Everything a type draws, for every kind, under the registry's names (`double`: whether JPEG
 * compresses twice; `airlight`, `cast`: per channel); `params` overrides may set any of it. The
 * random fields inside a kind (noise, shake trajectories, depth fields, rain and snow seeds) are
 * drawn while applying.
 */
export interface DegradationDraws {
  noise: { kind: DegradationKind<'noise'>; sigma: number; rho: number; grain: number; peak: number; read: number };
  jpeg: { kind: DegradationKind<'jpeg'>; quality: number; double: boolean; quality2: number };
  blur: { kind: DegradationKind<'blur'>; length: number; angle_deg: number; radius: number; sigma: number; shake_size: number };
  lowlight: { kind: DegradationKind<'lowlight'>; gamma: number; scale: number; sigma: number; exposure: number; peak: number; read: number; cast: Rgb3 };
  haze: { kind: DegradationKind<'haze'>; beta: number; depth_floor: number; airlight: Rgb3 };
  rain: { kind: DegradationKind<'rain'>; density: number; length: number; angle_deg: number; intensity: number; width: number; veil: number; darken: number };
  snow: { kind: DegradationKind<'snow'>; density: number; size: number; veil: number; softness: number; streak: number; angle_deg: number };
}

export interface DegradeOptions<T extends DegradationType = DegradationType> {
  /** Seed of the random stream (kind, parameters and noise fields). */
  seed: number;
  /**
   * 0..1: fixes the type's strength parameters (DEGRADATIONS[type].severity) at this quantile of
   * their ranges, 0 the mildest and 1 the strongest; the rest (the kind, angles, tints, where the
   * rain drops and snowflakes fall) stays random. Without it everything is drawn as in training.
   */
  severity?: number;
  /** Fixed values for some parameters, the kind included (applied after drawing and after `severity`). */
  params?: Partial<DegradationDraws[T]>;
}

export interface DegradeResult {
  /** The degraded image (alpha, if any, is passed through). */
  image: RgbImage;
  params: DegradationParams;
}

// ------------------------------------------------------------------------------------------
// helpers
// ------------------------------------------------------------------------------------------

const P = <T extends DegradationType>(type: T) => DEGRADATIONS[type].params;
const range = (type: DegradationType, name: string): ParamRange => P(type)[name] as ParamRange;
const constant = (type: DegradationType, name: string): number => P(type)[name] as number;

/** Draws a ranged parameter; with a severity, returns its quantile instead (the draw is still made). */
function draw(rng: Rng, type: DegradationType, name: string, severity: number | undefined): number {
  const r = range(type, name);
  const u = rng.random();
  const dir = DEGRADATIONS[type].severity[name];
  const q = severity !== undefined && dir ? (dir === 'up' ? severity : 1 - severity) : u;
  if (r.dist === 'logU') return Math.exp(Math.log(r.min) + q * (Math.log(r.max) - Math.log(r.min)));
  if (r.dist === 'intU') {
    return severity !== undefined && dir ? r.min + Math.round(q * (r.max - r.min)) : Math.min(r.max, r.min + Math.floor(q * (r.max - r.min + 1)));
  }
  return r.min + q * (r.max - r.min);
}

/** A generator kind drawn with the registry's kind_p (degrade.py draw_kind). */
function drawKind<T extends DegradationType>(rng: Rng, type: T): DegradationKind<T> {
  const p = P(type).kind_p as readonly number[];
  const kinds = DEGRADATION_KINDS[type] as readonly DegradationKind<T>[];
  const total = p.reduce((a, b) => a + b, 0);
  let u = rng.random() * total;
  let last = 0;
  for (let i = 0; i < kinds.length; i++) {
    if (!(p[i] > 0)) continue;
    u -= p[i];
    if (u < 0) return kinds[i];
    last = i;
  }
  return kinds[last]; // u rounded to the total
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** torch.round (half to even) of clamp(v, 0, 1) * 255, back to [0, 1]. */
function quantise(v: number): number {
  const t = clamp01(v) * 255;
  let r = Math.round(t);
  if (r - t === 0.5 && r % 2 === 1) r -= 1;
  return r / 255;
}

/** degrade.py srgb_to_linear (the sRGB transfer curve, input clipped to [0, 1]). */
export function srgbToLinear(v: number): number {
  const c = clamp01(v);
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** degrade.py linear_to_srgb (inverse of srgbToLinear, input clipped to [0, 1]). */
export function linearToSrgb(v: number): number {
  const c = clamp01(v);
  return c <= 0.0031308 ? c * 12.92 : 1.055 * Math.max(c, 1e-12) ** (1 / 2.4) - 0.055;
}

function withRgb(image: RgbImage, rgb: Float32Array): RgbImage {
  return image.alpha ? { width: image.width, height: image.height, rgb, alpha: image.alpha } : { width: image.width, height: image.height, rgb };
}

/** A sparse K x K kernel: taps (dy, dx) relative to the top-left corner, and weights. */
interface Taps {
  K: number;
  dy: Int32Array;
  dx: Int32Array;
  w: Float64Array;
}

function sparse(k: Float64Array, K: number, normalise: boolean): Taps {
  let sum = 0;
  const idx: number[] = [];
  for (let i = 0; i < K * K; i++) {
    sum += k[i];
    if (k[i] !== 0) idx.push(i);
  }
  const s = normalise ? 1 / sum : 1;
  return {
    K,
    dy: Int32Array.from(idx, (i) => Math.floor(i / K)),
    dx: Int32Array.from(idx, (i) => i % K),
    w: Float64Array.from(idx, (i) => k[i] * s),
  };
}

/** K from a registry maximum m, as degrade.py sizes its grids: 2 ceil(m) + 1. */
const gridFor = (m: number) => 2 * Math.ceil(m) + 1;

/**
 * degrade.py line_kernels: k(x, y) = max(0, 1 - |-sin(a) x + cos(a) y|) * clip(l/2 + 0.5 - |cos(a) x + sin(a) y|, 0, 1)
 * on a K x K grid centred at (K - 1) / 2 (x to the right, y down); row-major [y][x].
 */
export function lineKernel(length: number, angleRad: number, K: number): Float64Array {
  const k = new Float64Array(K * K);
  const c = Math.cos(angleRad), s = Math.sin(angleRad);
  const h = (K - 1) / 2;
  for (let i = 0; i < K; i++) {
    const y = i - h;
    for (let j = 0; j < K; j++) {
      const x = j - h;
      const perp = Math.abs(-s * x + c * y);
      const along = Math.abs(c * x + s * y);
      k[i * K + j] = Math.max(0, 1 - perp) * clamp01(length / 2 + 0.5 - along);
    }
  }
  return k;
}

/** degrade.py disk_kernels: k = clip(r + 0.5 - sqrt(x^2 + y^2), 0, 1). */
export function diskKernel(radius: number, K: number): Float64Array {
  const k = new Float64Array(K * K);
  const h = (K - 1) / 2;
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) k[i * K + j] = clamp01(radius + 0.5 - Math.hypot(j - h, i - h));
  }
  return k;
}

/**
 * degrade.py gaussian_kernels as its separable factor: taps exp(-t^2 / (2 max(sigma, 1e-3)^2)) for
 * t = -(K-1)/2 .. (K-1)/2, normalised (a delta where sigma is ~0). The K x K kernel is the outer
 * product of these taps with themselves, so convolving rows then columns gives the same result.
 */
export function gaussianTaps(sigma: number, K: number): Float64Array {
  const h = (K - 1) / 2;
  const s = Math.max(sigma, 1e-3);
  const k = Float64Array.from({ length: K }, (_, i) => Math.exp(-((i - h) ** 2) / (2 * s * s)));
  const sum = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / sum);
}

/**
 * degrade.py shake_kernels: a camera-shake trajectory, a random walk with inertia (a velocity
 * v0 ~ 2 N(0, 1) plus the running sum of accelerations N(0, 1) / 2, `steps` positions), centred
 * on its mean, scaled so that its larger extent is `size` px, splatted bilinearly onto the K x K
 * grid (indices clamped to it) and normalised.
 */
export function shakeKernel(size: number, steps: number, K: number, rng: Rng): Float64Array {
  const acc = Array.from({ length: steps }, () => [rng.normal(), rng.normal()]);
  const v0 = [2 * rng.normal(), 2 * rng.normal()];
  const px = new Float64Array(steps), py = new Float64Array(steps);
  let ax = 0, ay = 0, x = 0, y = 0;
  for (let t = 0; t < steps; t++) {
    ax += acc[t][0];
    ay += acc[t][1];
    px[t] = x += v0[0] + 0.5 * ax;
    py[t] = y += v0[1] + 0.5 * ay;
  }
  const mx = px.reduce((a, b) => a + b, 0) / steps, my = py.reduce((a, b) => a + b, 0) / steps;
  const extent = (v: Float64Array) => Math.max(...v) - Math.min(...v);
  const scale = size / Math.max(extent(px), extent(py), 1e-6);
  const c = (K - 1) / 2;
  const k = new Float64Array(K * K);
  const cl = (i: number) => (i < 0 ? 0 : i > K - 1 ? K - 1 : i);
  for (let t = 0; t < steps; t++) {
    const sx = (px[t] - mx) * scale + c, sy = (py[t] - my) * scale + c;
    const x0 = Math.floor(sx), y0 = Math.floor(sy);
    const fx = sx - x0, fy = sy - y0;
    k[cl(y0) * K + cl(x0)] += (1 - fx) * (1 - fy);
    k[cl(y0) * K + cl(x0 + 1)] += fx * (1 - fy);
    k[cl(y0 + 1) * K + cl(x0)] += (1 - fx) * fy;
    k[cl(y0 + 1) * K + cl(x0 + 1)] += fx * fy;
  }
  const sum = k.reduce((a, b) => a + b, 0);
  for (let i = 0; i < K * K; i++) k[i] /= sum;
  return k;
}

/**
 * Same-size correlation of each of `planes` planes (W x H, planar) with a kernel, reflect padding
 * (replicate when the image is too small for it), as degrade.py conv_per_sample.
 */
function convolveSame(src: ArrayLike<number>, W: number, H: number, planes: number, taps: Taps): Float64Array {
  const p = taps.K >> 1;
  const reflect = p < H && p < W;
  const index = (i: number, n: number) => {
    if (reflect) return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    return i < 0 ? 0 : i >= n ? n - 1 : i;
  };
  const Wp = W + 2 * p, Hp = H + 2 * p;
  const padded = new Float64Array(Wp * Hp);
  const out = new Float64Array(planes * W * H);
  for (let c = 0; c < planes; c++) {
    const base = c * W * H;
    for (let i = 0; i < Hp; i++) {
      const row = base + index(i - p, H) * W;
      for (let j = 0; j < Wp; j++) padded[i * Wp + j] = src[row + index(j - p, W)];
    }
    for (let t = 0; t < taps.w.length; t++) {
      const w = taps.w[t];
      const off = taps.dy[t] * Wp + taps.dx[t];
      for (let y = 0; y < H; y++) {
        const o = base + y * W;
        const s = off + y * Wp;
        for (let x = 0; x < W; x++) out[o + x] += w * padded[s + x];
      }
    }
  }
  return out;
}

/**
 * Random seeds on the (H + K - 1) x (W + K - 1) grid (probability `density`, brightness U(lo, hi))
 * drawn with a kernel, 'valid' correlation: out[i][j] += seed[i + u][j + v] * k[u][v]; added to `out`.
 */
function scatterSeeds(out: Float64Array, W: number, H: number, taps: Taps, density: number, lo: number, hi: number, rng: Rng): void {
  const K = taps.K;
  const Hp = H + K - 1, Wp = W + K - 1;
  const n = taps.w.length;
  for (let a = 0; a < Hp; a++) {
    for (let b = 0; b < Wp; b++) {
      if (rng.random() >= density) continue;
      const s = lo + (hi - lo) * rng.random();
      for (let t = 0; t < n; t++) {
        const i = a - taps.dy[t], j = b - taps.dx[t];
        if (i >= 0 && i < H && j >= 0 && j < W) out[i * W + j] += s * taps.w[t];
      }
    }
  }
}

/**
 * Same-size correlation of each plane with the separable kernel taps x taps, rows then columns;
 * 'reflect' padding as convolveSame (replicate where the image is too small for it), or 'replicate'.
 */
function convolveSeparable(src: ArrayLike<number>, W: number, H: number, planes: number, taps: Float64Array, pad: 'reflect' | 'replicate'): Float64Array {
  const r = taps.length >> 1;
  const reflect = pad === 'reflect' && r < H && r < W;
  const index = (i: number, n: number) => {
    if (reflect) return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    return i < 0 ? 0 : i >= n ? n - 1 : i;
  };
  // one padded line at a time: `at(line, i)` is the flat index of sample i on that line
  const pass = (from: ArrayLike<number>, n: number, lines: number, at: (line: number, i: number) => number): Float64Array => {
    const to = new Float64Array(planes * W * H);
    const line = new Float64Array(n + 2 * r);
    for (let l = 0; l < lines; l++) {
      for (let i = 0; i < n + 2 * r; i++) line[i] = from[at(l, index(i - r, n))];
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let t = 0; t < taps.length; t++) s += taps[t] * line[i + t];
        to[at(l, i)] = s;
      }
    }
    return to;
  };
  // lines: (plane, row) pairs for the horizontal pass, (plane, column) for the vertical one
  const rows = pass(src, W, planes * H, (l, x) => l * W + x);
  return pass(rows, H, planes * W, (l, y) => Math.floor(l / W) * W * H + y * W + (l % W));
}

/** Min-max normalisation over the plane, in place: (d - min) / (max - min + 1e-6). */
function normalise(d: Float64Array): Float64Array {
  let lo = Infinity, hi = -Infinity;
  for (const v of d) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  for (let i = 0; i < d.length; i++) d[i] = (d[i] - lo) / (hi - lo + 1e-6);
  return d;
}

/** torch's bicubic convolution weights (A = -0.75) of the four taps around a fractional offset t. */
function cubicWeights(t: number): [number, number, number, number] {
  const A = -0.75;
  const near = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1;
  const far = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

/** F.interpolate(grid (h x w), size=(H, W), mode='bicubic', align_corners=True): taps clamped at the borders. */
function bicubicUpsample(grid: Float64Array, h: number, w: number, H: number, W: number): Float64Array {
  const taps = (out: number, n: number) =>
    Array.from({ length: out }, (_, i) => {
      const src = out > 1 ? (i * (n - 1)) / (out - 1) : 0;
      const i0 = Math.floor(src);
      return { idx: [i0 - 1, i0, i0 + 1, i0 + 2].map((v) => Math.min(n - 1, Math.max(0, v))), w: cubicWeights(src - i0) };
    });
  const ty = taps(H, h), tx = taps(W, w);
  const out = new Float64Array(H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let a = 0; a < 4; a++) {
        let row = 0;
        for (let b = 0; b < 4; b++) row += tx[x].w[b] * grid[ty[y].idx[a] * w + tx[x].idx[b]];
        s += ty[y].w[a] * row;
      }
      out[y * W + x] = s;
    }
  }
  return out;
}

/**
 * degrade.py haze_depth: a smooth depth proxy in [floor, 1] (1 = far), one of the haze kinds.
 * vertical_lum: half vertical position (top = far), half blurred min-max normalised luminance;
 * field: a 4 x 4 uniform random field, bicubic upsampled, normalised; radial: normalised distance
 * from a uniform random point (near); horizontal: a left-right ramp, either way (p = 0.5).
 * The random kinds need `rng`.
 */
export function hazeDepth(image: RgbImage, kind: DegradationKind<'haze'> = 'vertical_lum', floor = 0, rng?: Rng): Float64Array {
  const { width: W, height: H, rgb } = image;
  const n = W * H;
  const random = () => {
    if (!rng) throw new Error(`hazeDepth: the '${kind}' depth proxy is random and needs an rng`);
    return rng.random();
  };
  let d: Float64Array = new Float64Array(n);
  if (kind === 'vertical_lum') {
    const lum = new Float64Array(n);
    for (let i = 0; i < n; i++) lum[i] = 0.299 * rgb[i] + 0.587 * rgb[n + i] + 0.114 * rgb[2 * n + i];
    // degrade.py gaussian_blur: radius ceil(3 sigma_b), replicate padding
    const sigma = constant('haze', 'sigma_frac') * Math.max(H, W);
    const lb = normalise(convolveSeparable(lum, W, H, 1, gaussianTaps(sigma, 2 * Math.ceil(3 * sigma) + 1), 'replicate'));
    for (let y = 0; y < H; y++) {
      const v = 1 - y / Math.max(H - 1, 1);
      for (let x = 0; x < W; x++) d[y * W + x] = 0.5 * v + 0.5 * lb[y * W + x];
    }
  } else if (kind === 'field') {
    d = normalise(bicubicUpsample(Float64Array.from({ length: 16 }, random), 4, 4, H, W));
  } else if (kind === 'radial') {
    const cy = random() * (H - 1), cx = random() * (W - 1);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) d[y * W + x] = Math.hypot(y - cy, x - cx);
    normalise(d);
  } else {
    const flip = random() < 0.5;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const ramp = x / Math.max(W - 1, 1);
        d[y * W + x] = flip ? 1 - ramp : ramp;
      }
    }
  }
  for (let i = 0; i < n; i++) d[i] = floor + (1 - floor) * d[i];
  return d;
}

// ------------------------------------------------------------------------------------------
// the seven degradations: draw parameters, then apply
// ------------------------------------------------------------------------------------------

type Sev = number | undefined;

const DRAW: { [T in DegradationType]: (rng: Rng, sev: Sev) => DegradationDraws[T] } = {
  noise: (rng, sev) => ({
    kind: drawKind(rng, 'noise'),
    sigma: draw(rng, 'noise', 'sigma', sev),
    rho: draw(rng, 'noise', 'rho', sev),
    grain: draw(rng, 'noise', 'grain', sev),
    peak: draw(rng, 'noise', 'peak', sev),
    read: draw(rng, 'noise', 'read', sev),
  }),
  jpeg: (rng, sev) => ({
    kind: drawKind(rng, 'jpeg'),
    quality: draw(rng, 'jpeg', 'quality', sev),
    double: rng.random() < constant('jpeg', 'p_double'),
    quality2: draw(rng, 'jpeg', 'quality2', sev),
  }),
  blur: (rng, sev) => ({
    kind: drawKind(rng, 'blur'),
    length: draw(rng, 'blur', 'length', sev),
    angle_deg: draw(rng, 'blur', 'angle_deg', sev),
    radius: draw(rng, 'blur', 'radius', sev),
    sigma: draw(rng, 'blur', 'sigma', sev),
    shake_size: draw(rng, 'blur', 'shake_size', sev),
  }),
  lowlight: (rng, sev) => ({
    kind: drawKind(rng, 'lowlight'),
    gamma: draw(rng, 'lowlight', 'gamma', sev),
    scale: draw(rng, 'lowlight', 'scale', sev),
    sigma: draw(rng, 'lowlight', 'sigma', sev),
    exposure: draw(rng, 'lowlight', 'exposure', sev),
    peak: draw(rng, 'lowlight', 'peak', sev),
    read: draw(rng, 'lowlight', 'read', sev),
    cast: [draw(rng, 'lowlight', 'cast', sev), draw(rng, 'lowlight', 'cast', sev), draw(rng, 'lowlight', 'cast', sev)],
  }),
  haze: (rng, sev) => {
    const kind = drawKind(rng, 'haze');
    const beta = draw(rng, 'haze', 'beta', sev);
    const depth_floor = draw(rng, 'haze', 'depth_floor', sev);
    const a0 = draw(rng, 'haze', 'airlight', sev);
    const tint = () => clamp01(a0 + draw(rng, 'haze', 'tint', sev));
    return { kind, beta, depth_floor, airlight: [tint(), tint(), tint()] };
  },
  rain: (rng, sev) => ({
    kind: drawKind(rng, 'rain'),
    density: draw(rng, 'rain', 'density', sev),
    length: draw(rng, 'rain', 'length', sev),
    angle_deg: draw(rng, 'rain', 'angle_deg', sev),
    intensity: draw(rng, 'rain', 'intensity', sev),
    width: draw(rng, 'rain', 'width', sev),
    veil: draw(rng, 'rain', 'veil', sev),
    darken: draw(rng, 'rain', 'darken', sev),
  }),
  snow: (rng, sev) => ({
    kind: drawKind(rng, 'snow'),
    density: draw(rng, 'snow', 'density', sev),
    size: draw(rng, 'snow', 'size', sev),
    veil: draw(rng, 'snow', 'veil', sev),
    softness: draw(rng, 'snow', 'softness', sev),
    streak: draw(rng, 'snow', 'streak', sev),
    angle_deg: draw(rng, 'snow', 'angle_deg', sev),
  }),
};

/** Poisson-Gaussian sensor noise on a linear-light value: Poisson(v peak) / peak + read N(0, 1), back to sRGB. */
const sensor = (rng: Rng, linear: number, peak: number, read: number) => linearToSrgb(rng.poisson(linear * peak) / peak + read * rng.normal());

const APPLY: { [T in DegradationType]: (x: RgbImage, p: DegradationDraws[T], rng: Rng) => { rgb: Float32Array; params: DegradationParamMap[T] } } = {
  noise(x, p, rng) {
    const rgb = new Float32Array(x.rgb.length);
    const { width: W, height: H } = x;
    switch (p.kind) {
      case 'gaussian':
        for (let i = 0; i < rgb.length; i++) rgb[i] = quantise(x.rgb[i] + p.sigma * rng.normal());
        return { rgb, params: { kind: 'gaussian', sigma: p.sigma } };
      case 'correlated': {
        // a share rho of the variance common to the channels, then spatial grain (a Gaussian of
        // std `grain` px), renormalised to unit variance
        const n = W * H;
        const shared = Float64Array.from({ length: n }, () => rng.normal());
        const z = new Float64Array(3 * n);
        const a = Math.sqrt(p.rho), b = Math.sqrt(1 - p.rho);
        for (let i = 0; i < 3 * n; i++) z[i] = a * shared[i % n] + b * rng.normal();
        const k = gaussianTaps(p.grain, gridFor(3 * range('noise', 'grain').max));
        const norm = k.reduce((s, v) => s + v * v, 0); // L2 norm of the 2-D kernel k k^T: sum of k^2
        const zc = convolveSeparable(z, W, H, 3, k, 'reflect');
        for (let i = 0; i < rgb.length; i++) rgb[i] = quantise(x.rgb[i] + (p.sigma * zc[i]) / norm);
        return { rgb, params: { kind: 'correlated', sigma: p.sigma, rho: p.rho, grain: p.grain } };
      }
      case 'poisson':
        for (let i = 0; i < rgb.length; i++) rgb[i] = quantise(rng.poisson(Math.max(0, x.rgb[i]) * p.peak) / p.peak);
        return { rgb, params: { kind: 'poisson', peak: p.peak } };
      case 'linear':
        for (let i = 0; i < rgb.length; i++) rgb[i] = quantise(sensor(rng, srgbToLinear(x.rgb[i]), p.peak, p.read));
        return { rgb, params: { kind: 'linear', peak: p.peak, read: p.read } };
    }
  },
  jpeg(x, p) {
    const q = Math.round(p.quality), q2 = Math.round(p.quality2);
    const subsampling = p.kind === '444' ? '4:4:4' : '4:2:0';
    const { width, height } = x;
    let data = toInterleaved({ width, height, rgb: x.rgb }, 8).data as Uint8Array;
    data = decodeJpeg(encodeJpeg({ width, height, data }, { quality: q, subsampling })).data;
    if (p.double) data = decodeJpeg(encodeJpeg({ width, height, data }, { quality: q2, subsampling })).data;
    const rgb = fromInterleaved({ width, height, channels: 3, data }).rgb;
    return { rgb, params: p.double ? { kind: p.kind, quality: q, quality2: q2 } : { kind: p.kind, quality: q } };
  },
  blur(x, p, rng) {
    const K = gridFor(
      Math.max(range('blur', 'length').max / 2, range('blur', 'radius').max, 3 * range('blur', 'sigma').max, range('blur', 'shake_size').max / 2) + 1,
    );
    const kernels = {
      motion: () => lineKernel(p.length, (p.angle_deg * Math.PI) / 180, K),
      defocus: () => diskKernel(p.radius, K),
      shake: () => shakeKernel(p.shake_size, constant('blur', 'shake_steps'), K, rng),
    };
    const y =
      p.kind === 'gaussian'
        ? convolveSeparable(x.rgb, x.width, x.height, 3, gaussianTaps(p.sigma, K), 'reflect')
        : convolveSame(x.rgb, x.width, x.height, 3, sparse(kernels[p.kind](), K, true));
    const rgb = Float32Array.from(y, quantise);
    const params: DegradationParamMap['blur'] = {
      motion: { kind: 'motion' as const, length: p.length, angle_deg: p.angle_deg },
      defocus: { kind: 'defocus' as const, radius: p.radius },
      gaussian: { kind: 'gaussian' as const, sigma: p.sigma },
      shake: { kind: 'shake' as const, size: p.shake_size },
    }[p.kind];
    return { rgb, params };
  },
  lowlight(x, p, rng) {
    const rgb = new Float32Array(x.rgb.length);
    if (p.kind === 'gamma') {
      for (let i = 0; i < rgb.length; i++) rgb[i] = quantise(p.scale * Math.max(0, x.rgb[i]) ** p.gamma + p.sigma * rng.normal());
      return { rgb, params: { kind: 'gamma', gamma: p.gamma, scale: p.scale, sigma: p.sigma } };
    }
    // exposure in linear light with a colour cast, then sensor noise, back to sRGB
    const n = x.width * x.height;
    for (let c = 0; c < 3; c++) {
      const gain = p.exposure * (1 + p.cast[c]);
      for (let i = c * n; i < (c + 1) * n; i++) rgb[i] = quantise(sensor(rng, clamp01(srgbToLinear(x.rgb[i]) * gain), p.peak, p.read));
    }
    return { rgb, params: { kind: 'linear', exposure: p.exposure, peak: p.peak, read: p.read, cast: [...p.cast] } };
  },
  haze(x, p, rng) {
    const d = hazeDepth(x, p.kind, p.depth_floor, rng);
    const n = x.width * x.height;
    const rgb = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) {
      const t = Math.exp(-p.beta * d[i]);
      for (let c = 0; c < 3; c++) rgb[c * n + i] = quantise(x.rgb[c * n + i] * t + p.airlight[c] * (1 - t));
    }
    return { rgb, params: { kind: p.kind, beta: p.beta, depth_floor: p.depth_floor, airlight: [...p.airlight] } };
  },
  rain(x, p, rng) {
    const K = gridFor(range('rain', 'length').max / 2 + 1);
    const { width: W, height: H } = x;
    const n = W * H;
    const b = range('rain', 'brightness');
    // streak direction: angle from vertical; from the x axis it is 90 + angle
    const streaks = new Float64Array(n);
    const line = (length: number, angle: number) => sparse(lineKernel(length, ((90 + angle) * Math.PI) / 180, K), K, false);
    scatterSeeds(streaks, W, H, line(p.length, p.angle_deg), p.density, b.min, b.max, rng);
    if (p.kind === 'two_layers') {
      // a second, sparser and shorter layer at a slightly different angle
      scatterSeeds(streaks, W, H, line(0.6 * p.length, p.angle_deg + rng.uniform(-10, 10)), 0.5 * p.density, b.min, b.max, rng);
    }
    const s = convolveSeparable(streaks, W, H, 1, gaussianTaps(p.width, gridFor(3 * range('rain', 'width').max)), 'reflect');
    const rgb = new Float32Array(3 * n);
    const keep = (1 - p.darken) * (1 - p.veil), veil = 0.8 * p.veil;
    for (let i = 0; i < n; i++) {
      const add = p.intensity * clamp01(s[i]);
      for (let c = 0; c < 3; c++) rgb[c * n + i] = quantise(x.rgb[c * n + i] * keep + veil + add);
    }
    const { kind, density, length, angle_deg, intensity, width, veil: v, darken } = p;
    return { rgb, params: { kind, density, length, angle_deg, intensity, width, veil: v, darken } };
  },
  snow(x, p, rng) {
    const radii = P('snow').radii as readonly number[], shares = P('snow').shares as readonly number[];
    const sizeMax = range('snow', 'size').max, b = range('snow', 'brightness');
    const { width: W, height: H } = x;
    const n = W * H;
    let m: Float64Array = new Float64Array(n);
    for (let l = 0; l < radii.length; l++) {
      const K = gridFor(radii[l] * sizeMax + 1);
      scatterSeeds(m, W, H, sparse(diskKernel(radii[l] * p.size, K), K, false), p.density * shares[l], b.min, b.max, rng);
    }
    for (let i = 0; i < n; i++) m[i] = clamp01(m[i]);
    m = convolveSeparable(m, W, H, 1, gaussianTaps(p.softness, gridFor(3 * range('snow', 'softness').max)), 'reflect');
    if (p.kind === 'motion') {
      // smeared along a short line (normalised), brightened by 1.6 to keep the flakes visible
      const Km = gridFor(range('snow', 'streak').max / 2 + 1);
      m = convolveSame(m, W, H, 1, sparse(lineKernel(p.streak, (p.angle_deg * Math.PI) / 180, Km), Km, true));
      for (let i = 0; i < n; i++) m[i] *= 1.6;
    }
    const white = constant('snow', 'whiteness'), level = constant('snow', 'veil_level');
    const rgb = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) {
      const mi = clamp01(m[i]);
      for (let c = 0; c < 3; c++) {
        const y = x.rgb[c * n + i] * (1 - mi) + mi * white;
        rgb[c * n + i] = quantise(y * (1 - p.veil) + p.veil * level);
      }
    }
    const common = { density: p.density, size: p.size, veil: p.veil, softness: p.softness };
    return { rgb, params: p.kind === 'motion' ? { kind: 'motion', ...common, streak: p.streak, angle_deg: p.angle_deg } : { kind: 'round', ...common } };
  },
};

function checkImage(image: RgbImage): void {
  const n = image.width * image.height;
  if (!(image.width > 0 && image.height > 0) || image.rgb.length !== 3 * n) {
    throw new Error(`degrade: image has ${image.rgb.length} values, expected 3 * ${image.width} * ${image.height}`);
  }
}

/**
 * Degrades an image with one of the seven training degradations: a generator kind and its
 * parameters drawn from the training ranges with `seed` (or fixed in strength by `severity`, or
 * given in `params`).
 *
 *     const { image: hazy, params } = degrade(clean, 'haze', { seed: 7 });
 *     // params: { type: 'haze', kind: 'field', beta: 0.93, depth_floor: 0.12, airlight: [0.83, 0.86, 0.81] }
 */
export function degrade<T extends DegradationType>(image: RgbImage, type: T, options: DegradeOptions<T>): DegradeResult {
  if (!DEGRADATIONS[type]) throw new Error(`degrade: unknown type '${type}' (expected one of ${DEGRADATION_TYPES.join(', ')})`);
  checkImage(image);
  const sev = options.severity;
  if (sev !== undefined && !(sev >= 0 && sev <= 1)) throw new Error(`degrade: severity ${sev} is outside [0, 1]`);
  const kind = options.params?.kind;
  if (kind !== undefined && !(DEGRADATION_KINDS[type] as readonly string[]).includes(kind)) {
    throw new Error(`degrade: unknown ${type} kind '${kind}' (expected one of ${DEGRADATION_KINDS[type].join(', ')})`);
  }
  const rng = new Rng(options.seed);
  const drawn = { ...(DRAW[type] as (rng: Rng, sev: Sev) => DegradationDraws[T])(rng, sev), ...options.params };
  const apply = APPLY[type] as (x: RgbImage, p: DegradationDraws[T], rng: Rng) => { rgb: Float32Array; params: DegradationParamMap[T] };
  const { rgb, params } = apply(image, drawn, rng);
  return { image: withRgb(image, rgb), params: { type, ...params } as DegradationParams };
}

export interface RandomDegradationOptions {
  /** Probability of leaving the image clean (default CLEAN_FRACTION, as in training). */
  cleanFraction?: number;
  severity?: number;
}

/**
 * Picks a type as training does (degrade.py sample_types: uniform over the seven types, or clean
 * with probability CLEAN_FRACTION) and applies it.
 */
export function randomDegradation(image: RgbImage, seed: number, options: RandomDegradationOptions = {}): DegradeResult {
  const rng = new Rng(seed);
  const type = DEGRADATION_TYPES[rng.int(0, DEGRADATION_TYPES.length - 1)];
  const clean = rng.random() < (options.cleanFraction ?? CLEAN_FRACTION);
  const subSeed = Math.floor(rng.random() * 4294967296);
  if (clean) {
    checkImage(image);
    return { image: withRgb(image, image.rgb.slice()), params: { type: 'clean' } };
  }
  return degrade(image, type, { seed: subSeed, severity: options.severity });
}
