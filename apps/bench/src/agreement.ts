/** Agreement of one device's output with the reference device's, on the same input. */
export function compareOutputs(out: Float32Array, ref: Float32Array): { maxAbsDiff: number; psnr: number | null } {
  if (out.length !== ref.length) throw new Error(`outputs differ in length: ${out.length} vs ${ref.length}`);
  if (out.length === 0) throw new Error('empty outputs');
  let max = 0;
  let sq = 0;
  for (let i = 0; i < out.length; i++) {
    const d = out[i] - ref[i];
    if (Number.isNaN(d)) return { maxAbsDiff: NaN, psnr: NaN };
    const a = Math.abs(d);
    if (a > max) max = a;
    sq += d * d;
  }
  const mse = sq / out.length;
  return { maxAbsDiff: max, psnr: mse === 0 ? null : -10 * Math.log10(mse) };
}

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Megapixels per second for a square image of side `size` restored in `ms`. */
export const mpPerSecond = (size: number, ms: number) => (size * size) / 1e6 / (ms / 1000);
