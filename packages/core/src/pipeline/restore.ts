import type { ModelSession } from '../backend/backend.js';
import { tensor, type Tensor } from '../tensor.js';
import type { RgbImage } from './image.js';
import { blendWeight, reflectIndex, tileGrid, type Span } from './tiling.js';

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

/**
 * The largest tile side by default. Every image then runs on tiles of 256-280 px (512²: 4 of 272,
 * 1024²: 16 of 280, 2048²: 81 of 256, 4000²: 256 of 280): the same work per pixel at every size,
 * and the memory of one tile bounded. With `small` on onnxruntime-node's CPU one tile of 280 peaks
 * near 520 MB resident, one of 440 (2048² at the old 512) near 1 GB, and a 512² tile's activations
 * (32 MiB each) were page-faulted afresh on every tile (benchmarks/results/cpu.md).
 */
export const DEFAULT_TILE = 280;
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

/** A window of an image, in pixels. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The windows the extractor sees: the whole image when it is small, else a grid of equal
 * native-resolution crops (no downscaling, which would hide noise and JPEG artefacts). The
 * extractor averages over crops and positions, so this is the embedding of the crops' union.
 */
export function extractorRegions(width: number, height: number): Region[] {
  if (width * height <= EXTRACTOR_WHOLE_PIXELS) return [{ x: 0, y: 0, width, height }];
  const cw = Math.min(EXTRACTOR_CROP, width);
  const ch = Math.min(EXTRACTOR_CROP, height);
  const xs = width > cw ? evenly(width - cw, EXTRACTOR_GRID) : [0];
  const ys = height > ch ? evenly(height - ch, EXTRACTOR_GRID) : [0];
  return ys.flatMap((y) => xs.map((x) => ({ x, y, width: cw, height: ch })));
}

/** The extractor's input, (crops, 3, h, w), for an image in memory. */
export function extractorInput(image: RgbImage): Tensor {
  return stackCrops(extractorRegions(image.width, image.height).map((r) => cropTensor(image, r.x, r.y, r.width, r.height).data), image);
}

function stackCrops(crops: Float32Array[], size: { width: number; height: number }): Tensor {
  const [first] = extractorRegions(size.width, size.height);
  const out = tensor([crops.length, 3, first.height, first.width]);
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
 * Where a banded restore reads its pixels: any region inside the image, as planar float RGB in
 * [0, 1] (3 * width * height values). A decoder can serve it from 8/16-bit samples or from the
 * file itself, so no whole-image float buffer is ever needed.
 */
export interface ImageSource {
  width: number;
  height: number;
  read(region: Region): Promise<Float32Array> | Float32Array;
}

/**
 * Receives restored rows, top to bottom, each row once: `rows` is `rows.height` full-width rows
 * starting at `y`. Its buffer is reused for the next band: copy what is kept.
 */
export type BandSink = (y: number, rows: RgbImage) => Promise<void> | void;

/** Reads regions of an image held in memory. */
export function memorySource(image: RgbImage): ImageSource {
  return {
    width: image.width,
    height: image.height,
    read: (r) => cropTensor(image, r.x, r.y, r.width, r.height).data,
  };
}

/**
 * Restores an image band by band: the degradation embedding is computed once from the whole
 * image (its extractor regions), then each horizontal band of tiles is restored tile by tile
 * (each read from the source, padded by reflection to multiples of 8) with that embedding and
 * blended where tiles overlap, and the rows no later band touches are handed to `sink`. Memory
 * is set by the tile and the width, whatever the height: three buffers of one band (blend
 * accumulator, weights, finished rows; about 28 bytes per pixel), allocated once.
 */
export async function restoreBands(session: ModelSession, source: ImageSource, sink: BandSink, options: RestoreOptions = {}): Promise<void> {
  const strength = checkStrength(options.strength);
  const { width, height } = source;
  const { overlap, xs: xSpans, ys: ySpans, tileWidth, tileHeight } = tileGrid(width, height, options.tile ?? DEFAULT_TILE, options.overlap ?? DEFAULT_OVERLAP);
  const total = xSpans.length * ySpans.length;

  throwIfAborted(options.signal);
  options.onProgress?.({ stage: 'embed', done: 0, total });
  const crops: Float32Array[] = [];
  for (const region of extractorRegions(width, height)) crops.push(await source.read(region));
  const embedding = await session.embed(stackCrops(crops, source));
  crops.length = 0;

  // Every span has the same length, so one band's buffers serve them all. The rows a band
  // shares with the previous one are moved to the top, still holding that band's share.
  const rows = ySpans[0].length;
  const band = { acc: new Float32Array(3 * width * rows), weights: new Float32Array(width * rows), rows };
  const finishedRows = new Float32Array(3 * width * rows);
  let done = 0;
  for (const [b, ys] of ySpans.entries()) {
    if (b > 0) shiftUp(band, width, ys.start - ySpans[b - 1].start);
    for (const xs of xSpans) {
      throwIfAborted(options.signal);
      // A tile's padding reflects inside the tile, which equals reflecting at the image border:
      // only an axis covered by one span (the whole axis) needs padding.
      const pixels: RgbImage = { width: xs.length, height: rows, rgb: await source.read({ x: xs.start, y: ys.start, width: xs.length, height: rows }) };
      const out = await session.restore(cropTensor(pixels, 0, 0, tileWidth, tileHeight), embedding);
      accumulate(out, xs, ys, width, height, overlap, band.acc, band.weights);
      options.onProgress?.({ stage: 'restore', done: ++done, total });
    }
    // Spans start and end in increasing order, so rows above the next band's start are final.
    const next = ySpans[b + 1];
    const count = next ? next.start - ys.start : rows;
    const finished = normalised(band, width, count, finishedRows);
    if (strength !== 1) applyStrength(finished, { width, height: count, rgb: await source.read({ x: 0, y: ys.start, width, height: count }) }, strength);
    await sink(ys.start, finished);
  }
}

/** Moves a band's rows from `by` on to the top and clears the rest, for the next band. */
function shiftUp(band: { acc: Float32Array; weights: Float32Array; rows: number }, width: number, by: number): void {
  const keep = Math.max(0, band.rows - by) * width;
  const plane = band.rows * width;
  band.weights.copyWithin(0, by * width, plane).fill(0, keep);
  for (let c = 0; c < 3; c++) {
    band.acc.copyWithin(c * plane, c * plane + by * width, (c + 1) * plane);
    band.acc.fill(0, c * plane + keep, (c + 1) * plane);
  }
}

/** The first `count` rows of the band, blended (acc / weights), into `into`. */
function normalised(band: { acc: Float32Array; weights: Float32Array; rows: number }, width: number, count: number, into: Float32Array): RgbImage {
  const n = width * count;
  const plane = band.rows * width;
  const rgb = into.subarray(0, 3 * n);
  for (let c = 0; c < 3; c++) for (let i = 0; i < n; i++) rgb[c * n + i] = band.acc[c * plane + i] / band.weights[i];
  return { width, height: count, rgb };
}

/**
 * Restores an image held in memory (restoreBands with the whole image as source and the
 * result assembled in one buffer). Alpha passes through untouched.
 */
export async function restoreImage(session: ModelSession, image: RgbImage, options: RestoreOptions = {}): Promise<RgbImage> {
  const { width, height } = image;
  const n = width * height;
  const rgb = new Float32Array(3 * n);
  await restoreBands(session, memorySource(image), (y, rows) => {
    const m = width * rows.height;
    for (let c = 0; c < 3; c++) rgb.set(rows.rgb.subarray(c * m, (c + 1) * m), c * n + y * width);
  }, options);
  return { width, height, rgb, alpha: image.alpha };
}

/** Adds a restored tile into the band's accumulators (whose first row is the band's, `ys.start`). */
function accumulate(out: Tensor, xs: Span, ys: Span, width: number, height: number, ramp: number, acc: Float32Array, weights: Float32Array): void {
  const tw = out.shape[3];
  const th = out.shape[2];
  const plane = weights.length;
  const wx = Float32Array.from({ length: xs.length }, (_, i) => blendWeight(i, xs, width, ramp));
  for (let y = 0; y < ys.length; y++) {
    const wy = blendWeight(y, ys, height, ramp);
    const row = y * width + xs.start;
    for (let x = 0; x < xs.length; x++) {
      const w = wy * wx[x];
      weights[row + x] += w;
      for (let c = 0; c < 3; c++) acc[c * plane + row + x] += w * out.data[(c * th + y) * tw + x];
    }
  }
}
