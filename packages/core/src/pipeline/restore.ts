import type { ModelSession } from '../backend/backend.js';
import { tensor, type Tensor } from '../reference/tensor.js';
import type { RgbImage } from './image.js';
import { blendWeight, reflectIndex, roundUp, spans, type Span } from './tiling.js';

export interface RestoreProgress {
  stage: 'embed' | 'restore';
  /** Tiles finished so far, and in all. */
  done: number;
  total: number;
}

export interface RestoreOptions {
  /** Tile side in pixels (rounded up to a multiple of 8). Memory grows with it, not with the image. */
  tile?: number;
  /** Minimum overlap between neighbouring tiles, in pixels. */
  overlap?: number;
  onProgress?: (p: RestoreProgress) => void;
  signal?: AbortSignal;
  /** How much of the model's change to apply, 0..1 (default 1): output = input + strength x (restored - input). */
  strength?: number;
}

export const DEFAULT_TILE = 512;
export const DEFAULT_OVERLAP = 32;
/** Images up to this many pixels feed the extractor whole; larger ones through a grid of crops. */
export const EXTRACTOR_WHOLE_PIXELS = 512 * 512;
export const EXTRACTOR_CROP = 256;
export const EXTRACTOR_GRID = 3;

/** Copies a window of the image (reflecting past its edges) into a (1, 3, h, w) tensor. */
export function cropTensor(image: RgbImage, x0: number, y0: number, w: number, h: number): Tensor {
  const out = tensor([1, 3, h, w]);
  const n = image.width * image.height;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h; y++) {
      const sy = reflectIndex(y0 + y, image.height);
      for (let x = 0; x < w; x++) {
        out.data[(c * h + y) * w + x] = image.rgb[c * n + sy * image.width + reflectIndex(x0 + x, image.width)];
      }
    }
  }
  return out;
}

/**
 * The extractor's input: the whole image when it is small, else a grid of equal native-resolution
 * crops (no downscaling, which would hide noise and JPEG artefacts). The extractor averages over
 * crops and positions, so this is the embedding of the crops' union.
 */
export function extractorInput(image: RgbImage): Tensor {
  const { width, height } = image;
  if (width * height <= EXTRACTOR_WHOLE_PIXELS) return cropTensor(image, 0, 0, width, height);
  const cw = Math.min(EXTRACTOR_CROP, width);
  const ch = Math.min(EXTRACTOR_CROP, height);
  const xs = width > cw ? evenly(width - cw, EXTRACTOR_GRID) : [0];
  const ys = height > ch ? evenly(height - ch, EXTRACTOR_GRID) : [0];
  const crops: Float32Array[] = [];
  for (const y of ys) for (const x of xs) crops.push(cropTensor(image, x, y, cw, ch).data);
  const out = tensor([crops.length, 3, ch, cw]);
  crops.forEach((c, i) => out.data.set(c, i * c.length));
  return out;
}

function evenly(max: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round((i * max) / (count - 1)));
}

/** Checks a strength (0..1, default 1); throws a RangeError naming the bad value. */
export function checkStrength(strength = 1): number {
  if (!(strength >= 0 && strength <= 1)) throw new RangeError(`strength must be a number from 0 to 1, got ${strength}`);
  return strength;
}

/**
 * Applies a strength to restored pixels in place: out = input + strength x (out - input), plane by
 * plane (`out` and `input` may hold different numbers of rows per plane: the first rows are used).
 * Apps call it on a restored result to preview other strengths without running the model again.
 */
export function applyStrength(out: RgbImage, input: RgbImage, strength: number): RgbImage {
  checkStrength(strength);
  if (strength === 1) return out;
  const n = out.width * out.height;
  const inPlane = input.rgb.length / 3;
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) {
      const x = input.rgb[c * inPlane + i];
      out.rgb[c * n + i] = x + strength * (out.rgb[c * n + i] - x);
    }
  }
  return out;
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('restore aborted', 'AbortError');
}

/**
 * Restores an image: the degradation embedding is computed once from the whole image, then tiles
 * (padded by reflection to multiples of 8) are restored with it and blended where they overlap.
 */
export async function restoreImage(session: ModelSession, image: RgbImage, options: RestoreOptions = {}): Promise<RgbImage> {
  const strength = checkStrength(options.strength);
  const tile = roundUp(Math.max(8, options.tile ?? DEFAULT_TILE));
  const overlap = Math.min(options.overlap ?? DEFAULT_OVERLAP, tile / 2);
  const { width, height } = image;
  const xSpans = spans(width, tile, overlap);
  const ySpans = spans(height, tile, overlap);
  const total = xSpans.length * ySpans.length;

  throwIfAborted(options.signal);
  options.onProgress?.({ stage: 'embed', done: 0, total });
  const embedding = await session.embed(extractorInput(image));

  const n = width * height;
  const acc = new Float32Array(3 * n);
  const weights = new Float32Array(n);
  let done = 0;
  for (const ys of ySpans) {
    for (const xs of xSpans) {
      throwIfAborted(options.signal);
      const out = await session.restore(cropTensor(image, xs.start, ys.start, roundUp(xs.length), roundUp(ys.length)), embedding);
      accumulate(out, xs, ys, width, height, overlap, acc, weights);
      options.onProgress?.({ stage: 'restore', done: ++done, total });
    }
  }
  const rgb = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) for (let i = 0; i < n; i++) rgb[c * n + i] = acc[c * n + i] / weights[i];
  applyStrength({ width, height, rgb }, image, strength);
  return { width, height, rgb, alpha: image.alpha };
}

function accumulate(out: Tensor, xs: Span, ys: Span, width: number, height: number, ramp: number, acc: Float32Array, weights: Float32Array): void {
  const tw = out.shape[3];
  const th = out.shape[2];
  const n = width * height;
  const wx = Float32Array.from({ length: xs.length }, (_, i) => blendWeight(i, xs, width, ramp));
  for (let y = 0; y < ys.length; y++) {
    const wy = blendWeight(y, ys, height, ramp);
    const row = (ys.start + y) * width + xs.start;
    for (let x = 0; x < xs.length; x++) {
      const w = wy * wx[x];
      weights[row + x] += w;
      for (let c = 0; c < 3; c++) acc[c * n + row + x] += w * out.data[(c * th + y) * tw + x];
    }
  }
}
