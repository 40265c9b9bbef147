/**
 * The measuring loop, shared by the Node and the browser bench (no Node or DOM imports here):
 * warm-up vs steady state, latency per size under a time budget, throughput, quality on the
 * fixed evaluation set. Memory and agreement are added by the drivers.
 */
import { psnr, restoreImage, ssim, type ModelSession, type RgbImage } from '@dpmambair/core';
import { median, mpPerSecond } from './agreement.js';
import type { LatencyPoint, QualityItem, SkippedSize } from './types.js';

export interface EvalPair {
  name: string;
  degradation: string;
  input: RgbImage;
  reference: RgbImage;
}

export interface MeasureOptions {
  /** Square sizes to try, ascending; the first one is also the warm-up and agreement size. */
  sizes: number[];
  /** Time for the latency sweep of this device (ms); sizes that would not fit are skipped. */
  budgetMs: number;
  /** Steady-state runs per size: at most maxRuns, fewer when one run is long (see sizeBudgetMs). */
  maxRuns: number;
  /** Stop adding runs at one size once this much time was spent on it (ms). */
  sizeBudgetMs: number;
  /** Skip the quality set when one steady run at the first size takes longer than this (ms). */
  qualityMaxMs: number;
  log: (line: string) => void;
}

export const DEFAULT_MEASURE: Omit<MeasureOptions, 'log'> = {
  sizes: [256, 512, 1024, 2048],
  budgetMs: 200_000,
  maxRuns: 5,
  sizeBudgetMs: 12_000,
  qualityMaxMs: 20_000,
};

export interface Measured {
  sessionMs: number;
  warmup: { size: number; firstMs: number; steadyMs: number };
  latency: LatencyPoint[];
  skipped: SkippedSize[];
  quality?: { items: QualityItem[]; skipped?: string };
  /** Raw (unclamped) output of the first size's image, for the agreement check. */
  agreementOutput: Float32Array;
}

/** Time for one run at `size`, extrapolated from one at `fromSize` (cost grows with the pixel count). */
export function estimateMs(fromSize: number, fromMs: number, size: number): number {
  return fromMs * (size / fromSize) ** 2;
}

/** Whether a size fits the remaining budget; if not, why (said in the output). */
export function planSize(size: number, last: { size: number; ms: number } | undefined, remainingMs: number, budgetMs: number): { run: true } | { run: false; reason: string } {
  if (!last) return { run: true };
  const est = estimateMs(last.size, last.ms, size);
  if (est > remainingMs) {
    return { run: false, reason: `too slow here: one run estimated at ${(est / 1000).toFixed(0)} s (from ${(last.ms / 1000).toFixed(1)} s at ${last.size}px), ${(Math.max(0, remainingMs) / 1000).toFixed(0)} s left of this device's ${(budgetMs / 1000).toFixed(0)} s budget` };
  }
  return { run: true };
}

/** Bilinear resize of a planar RGB image (used to make the larger benchmark inputs from one photo). */
export function resizeBilinear(img: RgbImage, width: number, height: number): RgbImage {
  const out = new Float32Array(3 * width * height);
  const sx = img.width / width;
  const sy = img.height / height;
  const n = img.width * img.height;
  const m = width * height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(img.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(img.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(img.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(img.width - 1, x0 + 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const p = img.rgb.subarray(c * n, (c + 1) * n);
        const top = p[y0 * img.width + x0] * (1 - wx) + p[y0 * img.width + x1] * wx;
        const bot = p[y1 * img.width + x0] * (1 - wx) + p[y1 * img.width + x1] * wx;
        out[c * m + y * width + x] = top * (1 - wy) + bot * wy;
      }
    }
  }
  return { width, height, rgb: out };
}

export function clamp01(img: RgbImage): RgbImage {
  return { ...img, rgb: img.rgb.map((v) => Math.min(1, Math.max(0, v))) };
}

export async function measure(openSession: () => Promise<ModelSession>, base: RgbImage, evalSet: EvalPair[], opts: MeasureOptions): Promise<Measured> {
  const now = () => performance.now();
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  let t = now();
  const session = await openSession();
  const sessionMs = now() - t;
  opts.log(`session ready in ${s(sessionMs)}`);
  try {
    const latency: LatencyPoint[] = [];
    const skipped: SkippedSize[] = [];
    const start = now();
    let warmup: Measured['warmup'] | undefined;
    let agreementOutput: Float32Array | undefined;
    let last: { size: number; ms: number } | undefined;
    for (const size of opts.sizes) {
      const remaining = opts.budgetMs - (now() - start);
      const plan = planSize(size, last, remaining, opts.budgetMs);
      if (!plan.run) {
        skipped.push({ size, reason: plan.reason });
        opts.log(`${size}px skipped: ${plan.reason}`);
        continue;
      }
      const image = size === base.width && size === base.height ? base : resizeBilinear(base, size, size);
      if (!warmup) {
        t = now();
        const out = await restoreImage(session, image);
        const firstMs = now() - t;
        agreementOutput = out.rgb;
        warmup = { size, firstMs, steadyMs: NaN };
        opts.log(`${size}px warm-up (first run) ${s(firstMs)}`);
      }
      const runs: number[] = [];
      const sizeStart = now();
      if (warmup.size === size && warmup.firstMs > opts.budgetMs - (now() - start)) {
        // Not even one more run fits: report the warm-up run, marked as such.
        warmup.steadyMs = NaN;
        latency.push({ size, runs: [Math.round(warmup.firstMs * 10) / 10], medianMs: warmup.firstMs, mpPerS: mpPerSecond(size, warmup.firstMs), warmupOnly: true });
        opts.log(`${size}px: no steady-state run fits in the budget; reporting the warm-up run`);
        last = { size, ms: warmup.firstMs };
        continue;
      }
      while (runs.length < opts.maxRuns) {
        t = now();
        await restoreImage(session, image);
        runs.push(now() - t);
        opts.log(`${size}px run ${runs.length}: ${s(runs[runs.length - 1])}`);
        // Enough runs once this size has had its share of time (one long run is enough at big
        // sizes), or when the next run would not fit in what is left of the device's budget.
        const spent = now() - sizeStart;
        const left = opts.budgetMs - (now() - start);
        if (spent >= opts.sizeBudgetMs) break;
        if (median(runs) > left) break;
      }
      const med = median(runs);
      if (warmup.size === size) warmup.steadyMs = med;
      latency.push({ size, runs: runs.map((r) => Math.round(r * 10) / 10), medianMs: med, mpPerS: mpPerSecond(size, med) });
      last = { size, ms: med };
    }
    if (!warmup || !agreementOutput) throw new Error('no size was measured');

    let quality: Measured['quality'];
    const perImage = Number.isFinite(warmup.steadyMs) ? warmup.steadyMs : warmup.firstMs;
    if (perImage > opts.qualityMaxMs) {
      quality = { items: [], skipped: `too slow here: ${s(perImage)} per ${warmup.size}px image (limit ${s(opts.qualityMaxMs)}); its agreement with cpu stands in for quality` };
      opts.log(`quality set skipped: ${quality.skipped}`);
    } else {
      const items: QualityItem[] = [];
      for (const pair of evalSet) {
        const out = clamp01(await restoreImage(session, pair.input));
        const item = {
          name: pair.name,
          degradation: pair.degradation,
          inputPsnr: psnr(pair.input, pair.reference),
          inputSsim: ssim(pair.input, pair.reference),
          psnr: psnr(out, pair.reference),
          ssim: ssim(out, pair.reference),
        };
        items.push(item);
        opts.log(`quality ${pair.name}: ${item.inputPsnr.toFixed(2)} -> ${item.psnr.toFixed(2)} dB`);
      }
      quality = { items };
    }
    return { sessionMs, warmup, latency, skipped, quality, agreementOutput };
  } finally {
    await session.dispose();
  }
}
