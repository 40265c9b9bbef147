import { sizeOf, strides, tensor, type Tensor } from '../tensor.js';

/**
 * Plain TypeScript implementations of every graph op: the oracle the backends are tested against.
 * Written for clarity first; accumulation is in float64 where it is cheap to do so.
 */

export function conv2d(x: Tensor, w: Tensor, b: Tensor | undefined, stride: number, groups: number): Tensor {
  const [n, cin, h, wd] = x.shape;
  const [cout, cinG, k] = w.shape;
  const pad = (k - 1) / 2;
  const ho = Math.floor((h + 2 * pad - k) / stride) + 1;
  const wo = Math.floor((wd + 2 * pad - k) / stride) + 1;
  const out = tensor([n, cout, ho, wo]);
  const coutG = cout / groups;
  const acc = new Float64Array(ho * wo);
  for (let bn = 0; bn < n; bn++) {
    for (let o = 0; o < cout; o++) {
      acc.fill(b ? b.data[o] : 0);
      const g = Math.floor(o / coutG);
      for (let ci = 0; ci < cinG; ci++) {
        const xBase = (bn * cin + g * cinG + ci) * h * wd;
        for (let ky = 0; ky < k; ky++) {
          for (let kx = 0; kx < k; kx++) {
            const wv = w.data[((o * cinG + ci) * k + ky) * k + kx];
            if (wv === 0) continue;
            for (let oy = 0; oy < ho; oy++) {
              const iy = oy * stride + ky - pad;
              if (iy < 0 || iy >= h) continue;
              const row = xBase + iy * wd;
              for (let ox = 0; ox < wo; ox++) {
                const ix = ox * stride + kx - pad;
                if (ix >= 0 && ix < wd) acc[oy * wo + ox] += wv * x.data[row + ix];
              }
            }
          }
        }
      }
      out.data.set(acc, (bn * cout + o) * ho * wo);
    }
  }
  return out;
}

/** x (..., in) W^T + b. */
export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  const [outF, inF] = w.shape;
  const rows = x.data.length / inF;
  const out = tensor([...x.shape.slice(0, -1), outF]);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let s = b ? b.data[o] : 0;
      for (let i = 0; i < inF; i++) s += x.data[r * inF + i] * w.data[o * inF + i];
      out.data[r * outF + o] = s;
    }
  }
  return out;
}

export function layerNorm(x: Tensor, w: Tensor, b: Tensor, eps: number): Tensor {
  const c = x.shape[x.shape.length - 1];
  const out = tensor(x.shape);
  for (let r = 0; r < x.data.length / c; r++) {
    let mean = 0;
    for (let i = 0; i < c; i++) mean += x.data[r * c + i];
    mean /= c;
    let v = 0;
    for (let i = 0; i < c; i++) v += (x.data[r * c + i] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / c + eps);
    for (let i = 0; i < c; i++) out.data[r * c + i] = (x.data[r * c + i] - mean) * inv * w.data[i] + b.data[i];
  }
  return out;
}

/** erf with |error| < 1.2e-7 (Numerical Recipes erfc, Chebyshev fit). */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}

export const unary = {
  gelu: (v: number) => 0.5 * v * (1 + erf(v * Math.SQRT1_2)),
  silu: (v: number) => v / (1 + Math.exp(-v)),
  softplus: (v: number) => (v > 20 ? v : Math.log1p(Math.exp(v))),
  exp: (v: number) => Math.exp(v),
};

export function map(x: Tensor, f: (v: number) => number): Tensor {
  const out = tensor(x.shape);
  for (let i = 0; i < x.data.length; i++) out.data[i] = f(x.data[i]);
  return out;
}

/** Numpy-broadcasting binary op. */
export function binary(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pad = (s: number[]) => [...new Array(rank - s.length).fill(1), ...s];
  const sa = pad(a.shape);
  const sb = pad(b.shape);
  const shape = sa.map((d, i) => Math.max(d, sb[i]));
  const out = tensor(shape);
  const stA = strides(sa).map((s, i) => (sa[i] === 1 ? 0 : s));
  const stB = strides(sb).map((s, i) => (sb[i] === 1 ? 0 : s));
  const stO = strides(shape);
  for (let i = 0; i < out.data.length; i++) {
    let ia = 0;
    let ib = 0;
    let rem = i;
    for (let d = 0; d < rank; d++) {
      const idx = Math.floor(rem / stO[d]);
      rem -= idx * stO[d];
      ia += idx * stA[d];
      ib += idx * stB[d];
    }
    out.data[i] = f(a.data[ia], b.data[ib]);
  }
  return out;
}

export function channelScale(x: Tensor, s: Tensor): Tensor {
  const [n, c, h, w] = x.shape;
  const out = tensor(x.shape);
  for (let i = 0; i < n * c; i++) {
    const v = s.data[i % c];
    for (let j = 0; j < h * w; j++) out.data[i * h * w + j] = x.data[i * h * w + j] * v;
  }
  return out;
}

export function toTokens(x: Tensor): Tensor {
  const [n, c, h, w] = x.shape;
  const out = tensor([n, h * w, c]);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) out.data[(b * h * w + p) * c + ch] = x.data[(b * c + ch) * h * w + p];
  return out;
}

export function fromTokens(t: Tensor, h: number, w: number): Tensor {
  const [n, l, c] = t.shape;
  if (l !== h * w) throw new Error(`fromTokens: ${l} tokens for ${h}x${w}`);
  const out = tensor([n, c, h, w]);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < l; p++) out.data[(b * c + ch) * l + p] = t.data[(b * l + p) * c + ch];
  return out;
}

export function split(x: Tensor, sizes: number[]): Tensor[] {
  const c = x.shape[x.shape.length - 1];
  const rows = x.data.length / c;
  let offset = 0;
  return sizes.map((s) => {
    const out = tensor([...x.shape.slice(0, -1), s]);
    for (let r = 0; r < rows; r++) out.data.set(x.data.subarray(r * c + offset, r * c + offset + s), r * s);
    offset += s;
    return out;
  });
}

export function concat(xs: Tensor[], axis: number): Tensor {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
  const out = tensor(shape);
  const outer = sizeOf(shape.slice(0, axis));
  let pos = 0;
  for (let o = 0; o < outer; o++) {
    for (const x of xs) {
      const chunk = sizeOf(x.shape.slice(axis));
      out.data.set(x.data.subarray(o * chunk, (o + 1) * chunk), pos);
      pos += chunk;
    }
  }
  return out;
}

export function pixelShuffle(x: Tensor): Tensor {
  const [n, c4, h, w] = x.shape;
  const c = c4 / 4;
  const out = tensor([n, c, 2 * h, 2 * w]);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
    for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
      out.data[((b * c + ch) * 2 * h + 2 * y + i) * 2 * w + 2 * xx + j] = x.data[((b * c4 + ch * 4 + i * 2 + j) * h + y) * w + xx];
    }
  }
  return out;
}

export function pixelUnshuffle(x: Tensor): Tensor {
  const [n, c, h2, w2] = x.shape;
  const h = h2 / 2;
  const w = w2 / 2;
  const out = tensor([n, c * 4, h, w]);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
    for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
      out.data[((b * c * 4 + ch * 4 + i * 2 + j) * h + y) * w + xx] = x.data[((b * c + ch) * h2 + 2 * y + i) * w2 + 2 * xx + j];
    }
  }
  return out;
}

export function mean(x: Tensor, axes: number[], keepDims: boolean): Tensor {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const acc = new Float64Array(sizeOf(kept));
  const stX = strides(x.shape);
  const stK = strides(kept);
  for (let i = 0; i < x.data.length; i++) {
    let rem = i;
    let k = 0;
    for (let d = 0; d < x.shape.length; d++) {
      const idx = Math.floor(rem / stX[d]);
      rem -= idx * stX[d];
      if (!axes.includes(d)) k += idx * stK[d];
    }
    acc[k] += x.data[i];
  }
  const count = x.data.length / acc.length;
  const shape = keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i));
  return tensor(shape, Float32Array.from(acc, (v) => v / count));
}

/**
 * The Mamba-1 selective scan, sequentially, in float64:
 * h_t[d,n] = exp(delta_t[d] A[d,n]) h_{t-1}[d,n] + delta_t[d] B_t[n] x_t[d];  y_t[d] = sum_n C_t[n] h_t[d,n] + D[d] x_t[d].
 */
export function selectiveScan(x: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor): Tensor {
  const [n, L, Di] = x.shape;
  const N = A.shape[1];
  const out = tensor(x.shape);
  const h = new Float64Array(Di * N);
  for (let b = 0; b < n; b++) {
    h.fill(0);
    for (let t = 0; t < L; t++) {
      const row = (b * L + t) * Di;
      const bc = (b * L + t) * N;
      for (let d = 0; d < Di; d++) {
        const dt = delta.data[row + d];
        const xv = x.data[row + d];
        let y = D.data[d] * xv;
        for (let s = 0; s < N; s++) {
          const i = d * N + s;
          h[i] = Math.exp(dt * A.data[i]) * h[i] + dt * B.data[bc + s] * xv;
          y += C.data[bc + s] * h[i];
        }
        out.data[row + d] = y;
      }
    }
  }
  return out;
}
