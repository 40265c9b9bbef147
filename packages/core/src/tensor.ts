/**
 * The tensor type every layer of core passes around (reference ops, backends, the pipeline).
 * It sits at the bottom of core and imports nothing, so no layer points up to reach it.
 */

/** A dense float32 tensor in row-major order. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

export const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export function tensor(shape: number[], data?: Float32Array | number[]): Tensor {
  const size = sizeOf(shape);
  const d = data ? Float32Array.from(data) : new Float32Array(size);
  if (d.length !== size) throw new Error(`tensor: ${d.length} values for shape [${shape}]`);
  return { shape, data: d };
}

/** Row-major strides. */
export function strides(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
