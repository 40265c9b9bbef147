import type { RgbImage } from '../pipeline/image.js';
import { fromInterleaved, toInterleaved } from '../pipeline/image.js';
import { decodeJpeg, encodeJpeg } from './jpeg.js';
import { Rng } from './random.js';

/**
 * The seven training degradations of models/dpmambair/degrade.py (the source of truth), ported
 * formula for formula with the same parameter ranges. Images are core's planar RGB in [0, 1];
 * every output is clipped to [0, 1] and quantised to 8-bit levels, as the Python side does
 * ("as if saved as PNG"). Random draws come from core's seeded mulberry32, so a seed gives the
 * same result in every JS engine, but not the same pixels as torch's generator: the two agree in
 * distribution (checked in degrade.test.ts against models/degradation_stats.py).
 */

export const DEGRADATION_TYPES = ['noise', 'jpeg', 'blur', 'lowlight', 'haze', 'rain', 'snow'] as const;
export type DegradationType = (typeof DEGRADATION_TYPES)[number];

/** Share of training inputs left clean (target = input), as CLEAN_FRACTION in degrade.py. */
export const CLEAN_FRACTION = 0.05;

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
   * (probabilities, fixed levels, per-layer lists) as numbers and arrays.
   */
  params: Readonly<Record<string, ParamRange | number | readonly number[]>>;
  /**
   * The parameters that `severity` sets (the others stay random) and the direction in which the
   * degradation gets stronger ('up': larger is stronger, 'down': smaller is stronger).
   */
  severity: Readonly<Record<string, 'up' | 'down'>>;
}

const U = (min: number, max: number): ParamRange => ({ dist: 'U', min, max });

/** The registry: one entry per type, ranges as in degrade.py's REGISTRY. */
export const DEGRADATIONS: Readonly<Record<DegradationType, DegradationSpec>> = {
  noise: {
    name: 'noise',
    description: 'Gaussian (p = 0.5, sigma) or Poisson (photon count per unit intensity = peak) noise',
    params: { p_gaussian: 0.5, sigma: U(5 / 255, 50 / 255), peak: { dist: 'logU', min: 15, max: 200 } },
    severity: { sigma: 'up', peak: 'down' },
  },
  jpeg: {
    name: 'jpeg',
    description: 'JPEG round trip at an integer quality (libjpeg scaling of the IJG tables, 4:2:0 chroma)',
    params: { quality: { dist: 'intU', min: 10, max: 60 } },
    severity: { quality: 'down' },
  },
  blur: {
    name: 'blur',
    description: 'motion blur (p = 0.6; anti-aliased line of a length and angle) or defocus blur (anti-aliased disk)',
    params: { p_motion: 0.6, length: U(5, 21), angle_deg: U(0, 180), radius: U(1.5, 5) },
    severity: { length: 'up', radius: 'up' },
  },
  lowlight: {
    name: 'lowlight',
    description: 'y = scale * x^gamma + sigma * N(0, 1)',
    params: { gamma: U(1.4, 2.6), scale: U(0.12, 0.45), sigma: U(1 / 255, 8 / 255) },
    severity: { gamma: 'up', scale: 'down', sigma: 'up' },
  },
  haze: {
    name: 'haze',
    description: 'y = x t + A (1 - t), t = exp(-beta d), d a smooth depth proxy in [0.2, 1], A = airlight + tint per channel',
    params: { beta: U(0.5, 2.2), airlight: U(0.7, 1.0), tint: U(-0.04, 0.04), depth_floor: 0.2, sigma_frac: 1 / 8 },
    severity: { beta: 'up' },
  },
  rain: {
    name: 'rain',
    description: 'streaks: random seeds (density, brightness) drawn as lines (length, angle from vertical), added with an intensity',
    params: { density: U(0.002, 0.012), length: U(10, 35), angle_deg: U(-25, 25), brightness: U(0.5, 1), intensity: U(0.35, 0.85) },
    severity: { density: 'up', length: 'up', intensity: 'up' },
  },
  snow: {
    name: 'snow',
    description: 'flakes: seeds drawn as disks in three size layers, blended towards white, then a veil',
    params: {
      density: U(0.0008, 0.005),
      size: U(0.7, 1.3),
      radii: [1.0, 2.0, 3.2],
      shares: [0.6, 0.3, 0.1],
      brightness: U(0.6, 1),
      whiteness: 0.95,
      veil: U(0, 0.2),
      veil_level: 0.85,
    },
    severity: { density: 'up', size: 'up', veil: 'up' },
  },
};

/** Drawn parameters, named as degrade.py reports them. */
export interface DegradationParamMap {
  noise: { kind: 'gaussian'; sigma: number } | { kind: 'poisson'; peak: number };
  jpeg: { quality: number };
  blur: { kind: 'motion'; length: number; angle_deg: number } | { kind: 'defocus'; radius: number };
  lowlight: { gamma: number; scale: number; sigma: number };
  haze: { beta: number; airlight: [number, number, number] };
  rain: { density: number; length: number; angle_deg: number; intensity: number };
  snow: { density: number; size: number; veil: number };
}

export type DegradationParams = { [T in DegradationType]: { type: T } & DegradationParamMap[T] }[DegradationType] | { type: 'clean' };

/** Everything a type draws (both kinds for the two-kind types); `params` overrides may set any of it. */
export interface DegradationDraws {
  noise: { kind: 'gaussian' | 'poisson'; sigma: number; peak: number };
  jpeg: { quality: number };
  blur: { kind: 'motion' | 'defocus'; length: number; angle_deg: number; radius: number };
  lowlight: { gamma: number; scale: number; sigma: number };
  haze: { beta: number; airlight: [number, number, number] };
  rain: { density: number; length: number; angle_deg: number; intensity: number };
  snow: { density: number; size: number; veil: number };
}

export interface DegradeOptions<T extends DegradationType = DegradationType> {
  /** Seed of the random stream (parameters and noise fields). */
  seed: number;
  /**
   * 0..1: fixes the type's strength parameters (DEGRADATIONS[type].severity) at this quantile of
   * their ranges, 0 the mildest and 1 the strongest; the rest (kinds, angles, tints, where the
   * rain drops and snowflakes fall) stays random. Without it everything is drawn as in training.
   */
  severity?: number;
  /** Fixed values for some parameters (applied after drawing and after `severity`). */
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

const range = (type: DegradationType, name: string): ParamRange => DEGRADATIONS[type].params[name] as ParamRange;

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

/** torch.round (half to even) of clamp(v, 0, 1) * 255, back to [0, 1]. */
function quantise(v: number): number {
  const t = (v < 0 ? 0 : v > 1 ? 1 : v) * 255;
  let r = Math.round(t);
  if (r - t === 0.5 && r % 2 === 1) r -= 1;
  return r / 255;
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
      k[i * K + j] = Math.max(0, 1 - perp) * Math.min(1, Math.max(0, length / 2 + 0.5 - along));
    }
  }
  return k;
}

/** degrade.py disk_kernels: k = clip(r + 0.5 - sqrt(x^2 + y^2), 0, 1). */
export function diskKernel(radius: number, K: number): Float64Array {
  const k = new Float64Array(K * K);
  const h = (K - 1) / 2;
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) k[i * K + j] = Math.min(1, Math.max(0, radius + 0.5 - Math.hypot(j - h, i - h)));
  }
  return k;
}

/** Same-size correlation of each plane with a kernel, reflect padding (replicate when the image is too small), as conv_per_sample. */
function convolveSame(image: RgbImage, taps: Taps): Float64Array {
  const { width: W, height: H, rgb } = image;
  const p = taps.K >> 1;
  const reflect = p < H && p < W;
  const index = (i: number, n: number) => {
    if (reflect) return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    return i < 0 ? 0 : i >= n ? n - 1 : i;
  };
  const Wp = W + 2 * p, Hp = H + 2 * p;
  const padded = new Float64Array(Wp * Hp);
  const out = new Float64Array(3 * W * H);
  for (let c = 0; c < 3; c++) {
    const base = c * W * H;
    for (let i = 0; i < Hp; i++) {
      const src = base + index(i - p, H) * W;
      for (let j = 0; j < Wp; j++) padded[i * Wp + j] = rgb[src + index(j - p, W)];
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

/** Separable Gaussian blur of one plane, radius ceil(3 sigma), replicate padding (degrade.py gaussian_blur). */
function gaussianBlur(plane: Float64Array, W: number, H: number, sigma: number): Float64Array {
  const r = Math.ceil(3 * sigma);
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let t = -r; t <= r; t++) sum += k[t + r] = Math.exp(-(t * t) / (2 * sigma * sigma));
  for (let t = 0; t < k.length; t++) k[t] /= sum;
  const cl = (v: number, n: number) => (v < 0 ? 0 : v >= n ? n - 1 : v);
  // one padded line at a time, rows then columns
  const pass = (src: Float64Array, n: number, lines: number, at: (line: number, i: number) => number): Float64Array => {
    const dst = new Float64Array(W * H);
    const line = new Float64Array(n + 2 * r);
    for (let l = 0; l < lines; l++) {
      for (let i = 0; i < n + 2 * r; i++) line[i] = src[at(l, cl(i - r, n))];
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let t = 0; t <= 2 * r; t++) s += k[t] * line[i + t];
        dst[at(l, i)] = s;
      }
    }
    return dst;
  };
  const rows = pass(plane, W, H, (y, x) => y * W + x);
  return pass(rows, H, W, (x, y) => y * W + x);
}

/**
 * degrade.py haze_depth: smooth depth proxy in [floor, 1], half vertical position (top = far) and
 * half blurred, min-max normalised luminance (bright = far).
 */
export function hazeDepth(image: RgbImage): Float64Array {
  const { width: W, height: H, rgb } = image;
  const n = W * H;
  const lum = new Float64Array(n);
  for (let i = 0; i < n; i++) lum[i] = 0.299 * rgb[i] + 0.587 * rgb[n + i] + 0.114 * rgb[2 * n + i];
  const P = DEGRADATIONS.haze.params;
  const blurred = gaussianBlur(lum, W, H, (P.sigma_frac as number) * Math.max(H, W));
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, blurred[i]);
    hi = Math.max(hi, blurred[i]);
  }
  const f = P.depth_floor as number;
  const d = new Float64Array(n);
  for (let y = 0; y < H; y++) {
    const v = 1 - y / Math.max(H - 1, 1);
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      d[i] = f + (1 - f) * (0.5 * v + 0.5 * ((blurred[i] - lo) / (hi - lo + 1e-6)));
    }
  }
  return d;
}

// ------------------------------------------------------------------------------------------
// the seven degradations: draw parameters, then apply
// ------------------------------------------------------------------------------------------

type Sev = number | undefined;

const DRAW: { [T in DegradationType]: (rng: Rng, sev: Sev) => DegradationDraws[T] } = {
  noise: (rng, sev) => ({
    kind: rng.random() < (DEGRADATIONS.noise.params.p_gaussian as number) ? 'gaussian' : 'poisson',
    sigma: draw(rng, 'noise', 'sigma', sev),
    peak: draw(rng, 'noise', 'peak', sev),
  }),
  jpeg: (rng, sev) => ({ quality: draw(rng, 'jpeg', 'quality', sev) }),
  blur: (rng, sev) => ({
    kind: rng.random() < (DEGRADATIONS.blur.params.p_motion as number) ? 'motion' : 'defocus',
    length: draw(rng, 'blur', 'length', sev),
    angle_deg: draw(rng, 'blur', 'angle_deg', sev),
    radius: draw(rng, 'blur', 'radius', sev),
  }),
  lowlight: (rng, sev) => ({ gamma: draw(rng, 'lowlight', 'gamma', sev), scale: draw(rng, 'lowlight', 'scale', sev), sigma: draw(rng, 'lowlight', 'sigma', sev) }),
  haze: (rng, sev) => {
    const beta = draw(rng, 'haze', 'beta', sev);
    const a0 = draw(rng, 'haze', 'airlight', sev);
    const c = (v: number) => Math.min(1, Math.max(0, v));
    const tint = () => draw(rng, 'haze', 'tint', sev);
    return { beta, airlight: [c(a0 + tint()), c(a0 + tint()), c(a0 + tint())] };
  },
  rain: (rng, sev) => ({
    density: draw(rng, 'rain', 'density', sev),
    length: draw(rng, 'rain', 'length', sev),
    angle_deg: draw(rng, 'rain', 'angle_deg', sev),
    intensity: draw(rng, 'rain', 'intensity', sev),
  }),
  snow: (rng, sev) => ({ density: draw(rng, 'snow', 'density', sev), size: draw(rng, 'snow', 'size', sev), veil: draw(rng, 'snow', 'veil', sev) }),
};

const APPLY: { [T in DegradationType]: (x: RgbImage, p: DegradationDraws[T], rng: Rng) => { rgb: Float32Array; params: DegradationParamMap[T] } } = {
  noise(x, p, rng) {
    const rgb = new Float32Array(x.rgb.length);
    if (p.kind === 'gaussian') {
      for (let i = 0; i < rgb.length; i++) rgb[i] = quantise(x.rgb[i] + p.sigma * rng.normal());
      return { rgb, params: { kind: 'gaussian', sigma: p.sigma } };
    }
    for (let i = 0; i < rgb.length; i++) rgb[i] = quantise(rng.poisson(x.rgb[i] * p.peak) / p.peak);
    return { rgb, params: { kind: 'poisson', peak: p.peak } };
  },
  jpeg(x, p) {
    const q = Math.round(p.quality);
    const px = toInterleaved({ width: x.width, height: x.height, rgb: x.rgb }, 8);
    const dec = decodeJpeg(encodeJpeg({ width: x.width, height: x.height, data: px.data as Uint8Array }, { quality: q }));
    return { rgb: fromInterleaved({ width: x.width, height: x.height, channels: 3, data: dec.data }).rgb, params: { quality: q } };
  },
  blur(x, p) {
    const P = DEGRADATIONS.blur.params;
    const K = 2 * Math.ceil(Math.max((P.length as ParamRange).max / 2, (P.radius as ParamRange).max) + 1) + 1;
    const k = p.kind === 'motion' ? lineKernel(p.length, (p.angle_deg * Math.PI) / 180, K) : diskKernel(p.radius, K);
    const y = convolveSame(x, sparse(k, K, true));
    const rgb = Float32Array.from(y, quantise);
    return { rgb, params: p.kind === 'motion' ? { kind: 'motion', length: p.length, angle_deg: p.angle_deg } : { kind: 'defocus', radius: p.radius } };
  },
  lowlight(x, p, rng) {
    const rgb = new Float32Array(x.rgb.length);
    for (let i = 0; i < rgb.length; i++) rgb[i] = quantise(p.scale * Math.max(0, x.rgb[i]) ** p.gamma + p.sigma * rng.normal());
    return { rgb, params: { gamma: p.gamma, scale: p.scale, sigma: p.sigma } };
  },
  haze(x, p) {
    const d = hazeDepth(x);
    const n = x.width * x.height;
    const rgb = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) {
      const t = Math.exp(-p.beta * d[i]);
      for (let c = 0; c < 3; c++) rgb[c * n + i] = quantise(x.rgb[c * n + i] * t + p.airlight[c] * (1 - t));
    }
    return { rgb, params: { beta: p.beta, airlight: [...p.airlight] } };
  },
  rain(x, p, rng) {
    const P = DEGRADATIONS.rain.params;
    const K = 2 * Math.ceil((P.length as ParamRange).max / 2 + 1) + 1;
    // streak direction: angle from vertical; from the x axis it is 90 + angle
    const taps = sparse(lineKernel(p.length, ((90 + p.angle_deg) * Math.PI) / 180, K), K, false);
    const { width: W, height: H } = x;
    const n = W * H;
    const streaks = new Float64Array(n);
    const b = P.brightness as ParamRange;
    scatterSeeds(streaks, W, H, taps, p.density, b.min, b.max, rng);
    const rgb = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) {
      const s = p.intensity * Math.min(1, streaks[i]);
      for (let c = 0; c < 3; c++) rgb[c * n + i] = quantise(x.rgb[c * n + i] + s);
    }
    return { rgb, params: { density: p.density, length: p.length, angle_deg: p.angle_deg, intensity: p.intensity } };
  },
  snow(x, p, rng) {
    const P = DEGRADATIONS.snow.params;
    const radii = P.radii as readonly number[], shares = P.shares as readonly number[];
    const sizeMax = (P.size as ParamRange).max, b = P.brightness as ParamRange;
    const { width: W, height: H } = x;
    const n = W * H;
    const m = new Float64Array(n);
    for (let l = 0; l < radii.length; l++) {
      const K = 2 * Math.ceil(radii[l] * sizeMax + 1) + 1;
      scatterSeeds(m, W, H, sparse(diskKernel(radii[l] * p.size, K), K, false), p.density * shares[l], b.min, b.max, rng);
    }
    const white = P.whiteness as number, level = P.veil_level as number;
    const rgb = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) {
      const mi = Math.min(1, m[i]);
      for (let c = 0; c < 3; c++) {
        const y = x.rgb[c * n + i] * (1 - mi) + mi * white;
        rgb[c * n + i] = quantise(y * (1 - p.veil) + p.veil * level);
      }
    }
    return { rgb, params: { density: p.density, size: p.size, veil: p.veil } };
  },
};

function checkImage(image: RgbImage): void {
  const n = image.width * image.height;
  if (!(image.width > 0 && image.height > 0) || image.rgb.length !== 3 * n) {
    throw new Error(`degrade: image has ${image.rgb.length} values, expected 3 * ${image.width} * ${image.height}`);
  }
}

/**
 * Degrades an image with one of the seven training degradations, parameters drawn from the
 * training ranges with `seed` (or fixed in strength by `severity`, or given in `params`).
 *
 *     const { image: hazy, params } = degrade(clean, 'haze', { seed: 7 });
 *     // params: { type: 'haze', beta: 1.63, airlight: [0.83, 0.86, 0.81] }
 */
export function degrade<T extends DegradationType>(image: RgbImage, type: T, options: DegradeOptions<T>): DegradeResult {
  if (!DEGRADATIONS[type]) throw new Error(`degrade: unknown type '${type}' (expected one of ${DEGRADATION_TYPES.join(', ')})`);
  checkImage(image);
  const sev = options.severity;
  if (sev !== undefined && !(sev >= 0 && sev <= 1)) throw new Error(`degrade: severity ${sev} is outside [0, 1]`);
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
