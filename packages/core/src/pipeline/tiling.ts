import { SIZE_MULTIPLE } from '../model/config.js';

/** Mirror an index into [0, n) (reflection without repeating the edge), for any overshoot. */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = ((i % period) + period) % period;
  if (m >= n) m = period - m;
  return m;
}

export const roundUp = (v: number, multiple = SIZE_MULTIPLE) => Math.ceil(v / multiple) * multiple;

/** One span along an axis: the pixels [start, start + length) of the image. */
export interface Span {
  start: number;
  length: number;
}

/**
 * Splits an axis into the fewest spans of at most `tile` pixels that overlap by at least `overlap`,
 * each shrunk to the same length (a multiple of 8) so that no pixel is restored more often than
 * needed, spread evenly so the last one ends at the edge.
 */
export function spans(length: number, tile: number, overlap: number): Span[] {
  if (length <= tile) return [{ start: 0, length }];
  const count = Math.ceil((length - overlap) / (tile - overlap));
  const size = Math.min(tile, roundUp(Math.ceil((length + (count - 1) * overlap) / count)));
  const step = (length - size) / (count - 1);
  return Array.from({ length: count }, (_, i) => ({ start: Math.round(i * step), length: size }));
}

/** How an image is cut into tiles: the spans along each axis and the tile the network sees. */
export interface TileGrid {
  /** The requested tile, rounded up to a multiple of 8 (at least 8). */
  tile: number;
  /** The overlap, at most half the tile. */
  overlap: number;
  xs: Span[];
  ys: Span[];
  /** Every tile's size as restored: the span lengths padded to a multiple of 8. */
  tileWidth: number;
  tileHeight: number;
}

/** The one tiling rule (restoreBands uses it; benchmarks and progress estimates predict the work with it). */
export function tileGrid(width: number, height: number, tile: number, overlap: number): TileGrid {
  const side = roundUp(Math.max(8, tile));
  const clampedOverlap = Math.min(overlap, side / 2);
  const xs = spans(width, side, clampedOverlap);
  const ys = spans(height, side, clampedOverlap);
  return { tile: side, overlap: clampedOverlap, xs, ys, tileWidth: roundUp(xs[0].length), tileHeight: roundUp(ys[0].length) };
}

/**
 * Blend weight of position `i` inside a span: it ramps over `ramp` pixels at sides that border
 * another span and stays 1 at the image border, so overlapping tiles fade into each other.
 */
export function blendWeight(i: number, span: Span, axisLength: number, ramp: number): number {
  let w = 1;
  if (span.start > 0) w = Math.min(w, (i + 0.5) / ramp);
  if (span.start + span.length < axisLength) w = Math.min(w, (span.length - i - 0.5) / ramp);
  return Math.max(w, 1e-3);
}
