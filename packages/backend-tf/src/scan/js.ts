/**
 * The selective scan as a plain sequential recurrence: the fallback where our WebAssembly kernel
 * cannot run (no SIMD; see scan/register.ts), and the oracle of the browser page's kernel checks. State: Di*N numbers only; the L x Di x N states are never materialised.
 *   h_t[d,n] = exp(delta_t[d] A[d,n]) h_{t-1}[d,n] + delta_t[d] B_t[n] x_t[d]
 *   y_t[d]   = sum_n C_t[n] h_t[d,n] + D[d] x_t[d]
 * x, delta, out: (batch, L, Di); A: (Di, N); B, C: (batch, L, N); D: (Di).
 */
export function selectiveScanJS(
  x: ArrayLike<number>, delta: ArrayLike<number>, A: ArrayLike<number>, B: ArrayLike<number>, C: ArrayLike<number>, D: ArrayLike<number>,
  batch: number, L: number, Di: number, N: number, out: Float32Array,
): Float32Array {
  // JS arithmetic is float64 anyway; keeping the (tiny) state in float64 costs nothing and tracks the
  // float64 reference more closely than rounding it to float32 at every step.
  const h = new Float64Array(Di * N);
  for (let b = 0; b < batch; b++) {
    h.fill(0);
    for (let t = 0; t < L; t++) {
      const row = (b * L + t) * Di;
      const bc = (b * L + t) * N;
      for (let d = 0; d < Di; d++) {
        const dt = delta[row + d];
        const xv = x[row + d];
        const dtx = dt * xv;
        let y = D[d] * xv;
        const base = d * N;
        for (let s = 0; s < N; s++) {
          const i = base + s;
          const hv = Math.exp(dt * A[i]) * h[i] + dtx * B[bc + s];
          h[i] = hv;
          y += C[bc + s] * hv;
        }
        out[row + d] = y;
      }
    }
  }
  return out;
}

export interface ScanShape {
  batch: number;
  L: number;
  Di: number;
  N: number;
}

/** Checks the six operand shapes and returns the sizes. Throws naming the bad operand. */
export function scanShape(x: number[], delta: number[], A: number[], B: number[], C: number[], D: number[]): ScanShape {
  const [batch, L, Di] = x;
  const N = A[1];
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  const fail = (what: string) => { throw new Error(`DpmSelectiveScan: ${what} (x [${x}], delta [${delta}], A [${A}], B [${B}], C [${C}], D [${D}])`); };
  if (x.length !== 3) fail('x must be (batch, L, Di)');
  if (!same(delta, x)) fail('delta must have the shape of x');
  if (A.length !== 2 || A[0] !== Di) fail('A must be (Di, N)');
  if (!same(B, [batch, L, N])) fail('B must be (batch, L, N)');
  if (!same(C, [batch, L, N])) fail('C must be (batch, L, N)');
  if (D.length !== 1 || D[0] !== Di) fail('D must be (Di)');
  return { batch, L, Di, N };
}
