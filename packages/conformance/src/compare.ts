import type { Tensor } from '@dpmambair/core';

/** Numbers a comparison produced: the worst absolute difference, and the scale it was judged at. */
export interface Diff {
  /** max |actual - expected| over all elements. */
  maxAbs: number;
  /** max |expected|: differences are judged relative to max(1, this). */
  refMaxAbs: number;
  /** maxAbs / max(1, refMaxAbs): what the tolerances bound. */
  scaled: number;
  /** Index of the worst element (first non-finite one if any). */
  worst: number;
  /** Count of non-finite values in `actual` where `expected` is finite. */
  nonFinite: number;
}

export function diff(actual: Float32Array, expected: Float32Array): Diff {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} differs from the expected ${expected.length}`);
  let maxAbs = 0;
  let refMaxAbs = 0;
  let worst = 0;
  let nonFinite = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i];
    const a = actual[i];
    refMaxAbs = Math.max(refMaxAbs, Math.abs(e));
    if (!Number.isFinite(a) && Number.isFinite(e)) {
      if (nonFinite++ === 0) worst = i;
      maxAbs = Infinity;
      continue;
    }
    const d = Math.abs(a - e);
    if (d > maxAbs) {
      maxAbs = d;
      worst = i;
    }
  }
  return { maxAbs, refMaxAbs, scaled: maxAbs / Math.max(1, refMaxAbs), worst, nonFinite };
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));

/**
 * Throws unless `actual` matches `expected` in shape and within `tolerance` (on `scaled`, i.e.
 * absolute for values up to 1, relative to the largest |expected| above that). The message gives
 * the numbers: worst difference, where, and the two values there.
 */
export function expectClose(what: string, actual: Tensor, expected: Tensor, tolerance: number): Diff {
  if (actual.shape.join() !== expected.shape.join()) throw new Error(`${what}: shape [${actual.shape}], expected [${expected.shape}]`);
  const d = diff(actual.data, expected.data);
  if (!(d.scaled <= tolerance)) {
    const where = d.nonFinite ? `${d.nonFinite} non-finite values, first at index ${d.worst}` : `at index ${d.worst}`;
    throw new Error(
      `${what}: max |diff| ${fmt(d.maxAbs)} (scaled ${fmt(d.scaled)}) exceeds the tolerance ${fmt(tolerance)}; ${where}: ` +
      `got ${actual.data[d.worst]}, expected ${expected.data[d.worst]} (max |expected| ${fmt(d.refMaxAbs)}, shape [${expected.shape}])`,
    );
  }
  return d;
}

/** Throws unless the two tensors are bit-identical (NaN payloads aside). */
export function expectIdentical(what: string, a: Tensor, b: Tensor): void {
  if (a.shape.join() !== b.shape.join()) throw new Error(`${what}: shapes [${a.shape}] and [${b.shape}] differ`);
  const ua = new Uint32Array(a.data.buffer, a.data.byteOffset, a.data.length);
  const ub = new Uint32Array(b.data.buffer, b.data.byteOffset, b.data.length);
  let count = 0;
  let first = -1;
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i] && !(Number.isNaN(a.data[i]) && Number.isNaN(b.data[i]))) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (count) {
    const d = diff(a.data, b.data);
    throw new Error(`${what}: ${count} of ${ua.length} values differ between two runs on the same input (first at index ${first}: ${a.data[first]} vs ${b.data[first]}; max |diff| ${fmt(d.maxAbs)})`);
  }
}
