// The Mamba-1 selective scan, one sequence position at a time, four channels per SIMD vector:
//   h[t,d,n] = exp(delta[t,d] * A[d,n]) * h[t-1,d,n] + delta[t,d] * B[t,n] * x[t,d]
//   y[t,d]   = sum_n C[t,n] * h[t,d,n] + D[d] * x[t,d]
// The state h lives in a (N, Di) scratch buffer (a few KiB, stays in L1); L x Di x N is never
// materialised. Pointers are byte offsets into linear memory, which the caller lays out (src/kernel.ts).
// Threads each run a channel range [d0, d1) over the same shared memory.

// exp for four lanes: Cody-Waite range reduction to r in [-ln2/2, ln2/2] and a degree-5 minimax
// polynomial (Arm optimized-routines' v_expf coefficients; 1.8e-7 relative in float32), scaled by 2^n through the exponent bits. n is rounded by
// adding 1.5 * 2^23, which also leaves n in the low mantissa bits (no float->int conversion, which
// costs several instructions on x64). Inputs are clamped to [-87, 88], where exp stays a normal
// float32 (exp(-87) = 1.6e-38 stands in for 0); pmin/pmax are one instruction each on x64, IEEE
// min/max eight.
// @ts-ignore: decorator
@inline function expv(z: v128): v128 {
  z = f32x4.pmin(f32x4.pmax(z, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const shifted = f32x4.add(f32x4.mul(z, f32x4.splat(1.44269504089)), f32x4.splat(12582912.0));
  const n = f32x4.sub(shifted, f32x4.splat(12582912.0));
  let r = f32x4.sub(z, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.add(r, f32x4.mul(n, f32x4.splat(2.12194440e-4)));
  let p = f32x4.splat(8.247390389442444e-3);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.189976677298546e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6668395698070526e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.999912679195404e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(9.999994039535522e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  // bits(shifted) = 0x4B400000 + n; 2^n has the bits (n + 127) << 23.
  const scale = i32x4.shl(i32x4.sub(shifted, i32x4.splat(0x4B400000 - 127)), 23);
  return f32x4.mul(p, scale);
}

/** The first byte the caller may use: everything below belongs to the module's own data. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * Scans channels [d0, d1) of `batch` sequences of L tokens. Layouts (float32, row-major):
 * x, delta, y (batch, L, Di); B, C (batch, L, N); AT = A transposed (N, Di); D (Di); h scratch (N, Di).
 * d0 is a multiple of 4; channels past the last multiple of 4 in the range take the scalar path.
 */
export function scan(x: usize, delta: usize, AT: usize, B: usize, C: usize, D: usize, y: usize, h: usize,
  batch: i32, L: i32, Di: i32, N: i32, d0: i32, d1: i32): void {
  const dVec = d0 + ((d1 - d0) & ~3);
  const rowBytes = <usize>Di << 2;
  const stateBytes = <usize>N << 2;
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < N; s++) memory.fill(h + ((<usize>s * Di + d0) << 2), 0, <usize>(d1 - d0) << 2);
    for (let t = 0; t < L; t++) {
      const row = <usize>(b * L + t);
      const xRow = x + row * rowBytes;
      const dRow = delta + row * rowBytes;
      const yRow = y + row * rowBytes;
      const bRow = B + row * stateBytes;
      const cRow = C + row * stateBytes;
      // Eight channels per step where there are eight (two independent chains per state: more
      // work in flight, B and C splatted once), then four.
      let d = d0;
      for (; d + 8 <= dVec; d += 8) {
        const off = <usize>d << 2;
        const xv0 = v128.load(xRow + off);
        const xv1 = v128.load(xRow + off + 16);
        const dv0 = v128.load(dRow + off);
        const dv1 = v128.load(dRow + off + 16);
        const dx0 = f32x4.mul(dv0, xv0);
        const dx1 = f32x4.mul(dv1, xv1);
        let yv0 = f32x4.mul(v128.load(D + off), xv0);
        let yv1 = f32x4.mul(v128.load(D + off + 16), xv1);
        let a = AT + off;
        let hp = h + off;
        const bEnd = bRow + stateBytes;
        for (let bp = bRow, cp = cRow; bp < bEnd; bp += 4, cp += 4) {
          const bs = v128.load32_splat(bp);
          const cs = v128.load32_splat(cp);
          const hv0 = f32x4.add(f32x4.mul(expv(f32x4.mul(dv0, v128.load(a))), v128.load(hp)), f32x4.mul(dx0, bs));
          const hv1 = f32x4.add(f32x4.mul(expv(f32x4.mul(dv1, v128.load(a, 16))), v128.load(hp, 16)), f32x4.mul(dx1, bs));
          v128.store(hp, hv0);
          v128.store(hp, hv1, 16);
          yv0 = f32x4.add(yv0, f32x4.mul(cs, hv0));
          yv1 = f32x4.add(yv1, f32x4.mul(cs, hv1));
          a += rowBytes;
          hp += rowBytes;
        }
        v128.store(yRow + off, yv0);
        v128.store(yRow + off, yv1, 16);
      }
      for (; d < dVec; d += 4) {
        const off = <usize>d << 2;
        const xv = v128.load(xRow + off);
        const dv = v128.load(dRow + off);
        const dx = f32x4.mul(dv, xv);
        let yv = f32x4.mul(v128.load(D + off), xv);
        // Walk state s = 0..N-1 by pointers (one row of AT and h per state); B[t,s], C[t,s] splatted from memory.
        let a = AT + off;
        let hp = h + off;
        const bEnd = bRow + stateBytes;
        for (let bp = bRow, cp = cRow; bp < bEnd; bp += 4, cp += 4) {
          const hv = f32x4.add(f32x4.mul(expv(f32x4.mul(dv, v128.load(a))), v128.load(hp)), f32x4.mul(dx, v128.load32_splat(bp)));
          v128.store(hp, hv);
          yv = f32x4.add(yv, f32x4.mul(v128.load32_splat(cp), hv));
          a += rowBytes;
          hp += rowBytes;
        }
        v128.store(yRow + off, yv);
      }
      for (d = dVec; d < d1; d++) {
        const off = <usize>d << 2;
        const xs = load<f32>(xRow + off);
        const ds = load<f32>(dRow + off);
        let ys = load<f32>(D + off) * xs;
        for (let s = 0; s < N; s++) {
          const so = (<usize>s * rowBytes) + off;
          const hs = Mathf.exp(ds * load<f32>(AT + so)) * load<f32>(h + so) + ds * load<f32>(bRow + (<usize>s << 2)) * xs;
          store<f32>(h + so, hs);
          ys += load<f32>(cRow + (<usize>s << 2)) * hs;
        }
        store<f32>(yRow + off, ys);
      }
    }
  }
}
