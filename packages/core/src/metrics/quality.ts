import type { RgbImage } from '../pipeline/image.js';

/**
 * Image quality on planar RGB in [0, 1] (data range 1), as restoration papers report it:
 * PSNR over all RGB samples, SSIM with an 11x11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03,
 * averaged over the three channels and over the valid (unpadded) window positions.
 */
export function psnr(a: RgbImage, b: RgbImage): number {
  assertSameSize(a, b);
  let mse = 0;
  for (let i = 0; i < a.rgb.length; i++) mse += (a.rgb[i] - b.rgb[i]) ** 2;
  mse /= a.rgb.length;
  return mse === 0 ? Infinity : -10 * Math.log10(mse);
}

const WINDOW = 11;
const SIGMA = 1.5;

function gaussianKernel(): Float64Array {
  const k = new Float64Array(WINDOW);
  const r = (WINDOW - 1) / 2;
  let sum = 0;
  for (let i = 0; i < WINDOW; i++) {
    k[i] = Math.exp(-((i - r) ** 2) / (2 * SIGMA * SIGMA));
    sum += k[i];
  }
  return k.map((v) => v / sum);
}

/** Separable Gaussian filter, 'valid' positions only. */
function filterValid(plane: Float64Array, width: number, height: number, k: Float64Array): Float64Array {
  const ow = width - WINDOW + 1;
  const oh = height - WINDOW + 1;
  const rows = new Float64Array(height * ow);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < WINDOW; i++) s += k[i] * plane[y * width + x + i];
      rows[y * ow + x] = s;
    }
  }
  const out = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < WINDOW; i++) s += k[i] * rows[(y + i) * ow + x];
      out[y * ow + x] = s;
    }
  }
  return out;
}

export function ssim(a: RgbImage, b: RgbImage): number {
  assertSameSize(a, b);
  const { width, height } = a;
  if (width < WINDOW || height < WINDOW) throw new Error(`ssim: images must be at least ${WINDOW}x${WINDOW}, got ${width}x${height}`);
  const C1 = 0.01 ** 2;
  const C2 = 0.03 ** 2;
  const k = gaussianKernel();
  const n = width * height;
  let total = 0;
  for (let c = 0; c < 3; c++) {
    const x = Float64Array.from(a.rgb.subarray(c * n, (c + 1) * n));
    const y = Float64Array.from(b.rgb.subarray(c * n, (c + 1) * n));
    const f = (p: Float64Array) => filterValid(p, width, height, k);
    const mx = f(x);
    const my = f(y);
    const xx = f(x.map((v) => v * v));
    const yy = f(y.map((v) => v * v));
    const xy = f(x.map((v, i) => v * y[i]));
    let sum = 0;
    for (let i = 0; i < mx.length; i++) {
      const vx = xx[i] - mx[i] * mx[i];
      const vy = yy[i] - my[i] * my[i];
      const cxy = xy[i] - mx[i] * my[i];
      sum += ((2 * mx[i] * my[i] + C1) * (2 * cxy + C2)) / ((mx[i] ** 2 + my[i] ** 2 + C1) * (vx + vy + C2));
    }
    total += sum / mx.length;
  }
  return total / 3;
}

function assertSameSize(a: RgbImage, b: RgbImage): void {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`images differ in size: ${a.width}x${a.height} and ${b.width}x${b.height}`);
}
