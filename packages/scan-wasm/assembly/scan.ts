// The Mamba-1 selective scan, one sequence position at a time, four channels per SIMD vector:
//   h[t,d,n] = exp(delta[t,d] * A[d,n]) * h[t-1,d,n] + delta[t,d] * B[t,n] * x[t,d]
//   y[t,d]   = sum_n C[t,n] * h[t,d,n] + D[d] * x[t,d]
// The state h lives in a small scratch buffer (N rows of the range's channels, a few KiB);
// L x Di x N is never materialised. Pointers are byte offsets into linear memory, which the caller
// lays out (src/kernel.ts). Threads each run a channel range [d0, d1) over the same shared memory,
// each with its own h scratch: with one shared (N, Di) buffer, two threads at Di = 16 wrote the same
// cache lines every token.
//
// The caller passes A * log2(e) (transposed), so exp(delta * A) = 2^(delta * A'): one multiply and a
// two-step range reduction fewer per exp than e^z (see exp2v).
//
// Where the time goes (Node 20, V8 11.3, x64, no FMA): the exp is about 3/4 of it, and the loop is
// bound by its dependency chains and by the number of instructions V8 emits, spills of the exp's
// constants included (x64 has 16 xmm registers). Hence the fewest operations in the exp, a short
// dependency chain in its polynomial, and four independent exp chains per step (eight channels x
// two states), all loads of a step before its stores (V8 keeps memory operations in order).

// The exp's constants, four lanes each, loaded from memory where they are used: as v128.const
// V8 rebuilds each one (three instructions) on every token and spills it anyway; a load from a
// fixed address is one instruction. Order: the offsets in exp2v.
const K = memory.data<f32>([
  -126.0, -126.0, -126.0, -126.0, 127.0, 127.0, 127.0, 127.0,
  12582912.0, 12582912.0, 12582912.0, 12582912.0,
  1.318327733e-3, 1.318327733e-3, 1.318327733e-3, 1.318327733e-3,
  9.671436623e-3, 9.671436623e-3, 9.671436623e-3, 9.671436623e-3,
  5.551013723e-2, 5.551013723e-2, 5.551013723e-2, 5.551013723e-2,
  2.402224243e-1, 2.402224243e-1, 2.402224243e-1, 2.402224243e-1,
  6.931467652e-1, 6.931467652e-1, 6.931467652e-1, 6.931467652e-1,
  1.0, 1.0, 1.0, 1.0,
], 16);

// 2^z for four lanes. The caller stores A * log2(e) (src/kernel.ts), so delta * A' is already the
// base-2 exponent: no multiply by log2(e) and no two-step Cody-Waite reduction here, just
// z = n + r with n rounded by adding 1.5 * 2^23, which leaves n in the low mantissa bits of
// `shifted` (no float->int conversion, which costs several instructions on x64), r = z - n exact, and
// a degree-5 minimax polynomial for 2^r on [-1/2, 1/2] (Arm optimized-routines' v_exp2f
// coefficients; 2.2e-7 relative in float32 without FMA). 2^n goes into p's exponent: shifting
// `shifted` left by 23 gives n << 23 (the 0x4B400000 above it shifts out), added as an integer. The
// polynomial is (1 + c1 r) + r^2 ((c2 + c3 r) + r^2 (c4 + c5 r)): one multiply more than Horner's
// rule, half its dependency chain. Inputs are clamped to [-126, 127], where p's exponent plus n
// stays in range (2^-126 = exp(-87.3) stands in for 0); pmin/pmax are one instruction each on x64,
// IEEE min/max eight.
// @ts-ignore: decorator
@inline function exp2v(z: v128): v128 {
  const k = K;
  z = f32x4.pmin(f32x4.pmax(z, v128.load(k, 0)), v128.load(k, 16));
  const shifted = f32x4.add(z, v128.load(k, 32));
  const r = f32x4.sub(z, f32x4.sub(shifted, v128.load(k, 32)));
  const r2 = f32x4.mul(r, r);
  const p45 = f32x4.add(f32x4.mul(r, v128.load(k, 48)), v128.load(k, 64));
  const p23 = f32x4.add(f32x4.mul(r, v128.load(k, 80)), v128.load(k, 96));
  const p01 = f32x4.add(f32x4.mul(r, v128.load(k, 112)), v128.load(k, 128));
  const p = f32x4.add(p01, f32x4.mul(r2, f32x4.add(p23, f32x4.mul(r2, p45))));
  return i32x4.add(p, i32x4.shl(shifted, 23));
}

/** The first byte the caller may use: everything below belongs to the module's own data. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * Scans channels [d0, d1) of `batch` sequences of L tokens. Layouts (float32, row-major):
 * x, delta, y (batch, L, Di); B, C (batch, L, N); AT = A * log2(e), transposed (N, Di); D (Di);
 * h = this range's own scratch, N rows of (d1 - d0) channels rounded up to a multiple of 4.
 * d0 is a multiple of 4; channels past the last multiple of 4 in the range take the scalar path.
 */
export function scan(x: usize, delta: usize, AT: usize, B: usize, C: usize, D: usize, y: usize, h: usize,
  batch: i32, L: i32, Di: i32, N: i32, d0: i32, d1: i32): void {
  const dVec = d0 + ((d1 - d0) & ~3);
  const rowBytes = <usize>Di << 2;
  const stateBytes = <usize>N << 2;
  const hRowBytes = <usize>((d1 - d0 + 3) & ~3) << 2;
  for (let b = 0; b < batch; b++) {
    memory.fill(h, 0, <usize>N * hRowBytes);
    for (let t = 0; t < L; t++) {
      const row = <usize>(b * L + t);
      const xRow = x + row * rowBytes;
      const dRow = delta + row * rowBytes;
      const yRow = y + row * rowBytes;
      const bRow = B + row * stateBytes;
      const cRow = C + row * stateBytes;
      // Eight channels per step where there are eight, two states at a time (four independent
      // chains; B and C splatted once per state), then four.
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
        let hp = h + (<usize>(d - d0) << 2);
        const bEnd = bRow + stateBytes;
        let bp = bRow, cp = cRow;
        const bPairEnd = bRow + ((<usize>N & ~1) << 2);
        for (; bp < bPairEnd; bp += 8, cp += 8) {
          const bs = v128.load32_splat(bp);
          const cs = v128.load32_splat(cp);
          const bt = v128.load32_splat(bp, 4);
          const ct = v128.load32_splat(cp, 4);
          const a1 = a + rowBytes;
          const hp1 = hp + hRowBytes;
          const hv0 = f32x4.add(f32x4.mul(exp2v(f32x4.mul(dv0, v128.load(a))), v128.load(hp)), f32x4.mul(dx0, bs));
          const hv1 = f32x4.add(f32x4.mul(exp2v(f32x4.mul(dv1, v128.load(a, 16))), v128.load(hp, 16)), f32x4.mul(dx1, bs));
          const hv2 = f32x4.add(f32x4.mul(exp2v(f32x4.mul(dv0, v128.load(a1))), v128.load(hp1)), f32x4.mul(dx0, bt));
          const hv3 = f32x4.add(f32x4.mul(exp2v(f32x4.mul(dv1, v128.load(a1, 16))), v128.load(hp1, 16)), f32x4.mul(dx1, bt));
          v128.store(hp, hv0);
          v128.store(hp, hv1, 16);
          v128.store(hp1, hv2);
          v128.store(hp1, hv3, 16);
          yv0 = f32x4.add(yv0, f32x4.add(f32x4.mul(cs, hv0), f32x4.mul(ct, hv2)));
          yv1 = f32x4.add(yv1, f32x4.add(f32x4.mul(cs, hv1), f32x4.mul(ct, hv3)));
          a += rowBytes << 1;
          hp += hRowBytes << 1;
        }
        if (bp < bEnd) {
          const bs = v128.load32_splat(bp);
          const cs = v128.load32_splat(cp);
          const hv0 = f32x4.add(f32x4.mul(exp2v(f32x4.mul(dv0, v128.load(a))), v128.load(hp)), f32x4.mul(dx0, bs));
          const hv1 = f32x4.add(f32x4.mul(exp2v(f32x4.mul(dv1, v128.load(a, 16))), v128.load(hp, 16)), f32x4.mul(dx1, bs));
          v128.store(hp, hv0);
          v128.store(hp, hv1, 16);
          yv0 = f32x4.add(yv0, f32x4.mul(cs, hv0));
          yv1 = f32x4.add(yv1, f32x4.mul(cs, hv1));
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
        let hp = h + (<usize>(d - d0) << 2);
        const bEnd = bRow + stateBytes;
        for (let bp = bRow, cp = cRow; bp < bEnd; bp += 4, cp += 4) {
          const hv = f32x4.add(f32x4.mul(exp2v(f32x4.mul(dv, v128.load(a))), v128.load(hp)), f32x4.mul(dx, v128.load32_splat(bp)));
          v128.store(hp, hv);
          yv = f32x4.add(yv, f32x4.mul(v128.load32_splat(cp), hv));
          a += rowBytes;
          hp += hRowBytes;
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
          const ho = h + <usize>s * hRowBytes + (<usize>(d - d0) << 2);
          const hs = Mathf.exp2(ds * load<f32>(AT + so)) * load<f32>(ho) + ds * load<f32>(bRow + (<usize>s << 2)) * xs;
          store<f32>(ho, hs);
          ys += load<f32>(cRow + (<usize>s << 2)) * hs;
        }
        store<f32>(yRow + off, ys);
      }
    }
  }
}
