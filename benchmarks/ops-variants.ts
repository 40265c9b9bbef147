/**
 * Lowerings of one core op to ONNX, side by side (benchmarks/ops-browser.ts): what the emitter
 * writes today and exact alternatives, each a function from the builder and an input to an output,
 * and the timing of one of them on an onnxruntime (onnxruntime-web in a page, or onnxruntime-node).
 */
import { OnnxGraphBuilder, ortSessionOptions, seededRandom, type OrtRuntime } from '@dpmambair/core';

type Lowering = (g: OnnxGraphBuilder, x: string, shape: number[]) => string;

// A norm's scale and shift over c channels: fixed, near 1 and 0, unlike each other per channel.
const params = (c: number) => {
  const w = Float32Array.from({ length: c }, (_, i) => 1 + 0.01 * ((i * 7 + 1) % 13));
  const b = Float32Array.from({ length: c }, (_, i) => 0.02 * ((i * 5 + 1) % 11) - 0.1);
  return { w, b };
};

export const OP_VARIANTS: Record<string, Record<string, Lowering>> = {
  gelu: {
    // The emitter's form: fused by onnxruntime's GeluFusion into com.microsoft Gelu.
    fused: (g, x) => g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), g.op('Add', [g.op('Erf', [g.op('Div', [x, g.scalar(Math.SQRT2)])]), g.scalar(1)])]),
    // 0.5 * (x + x * erf(x / sqrt 2)): the same function in an order GeluFusion does not match.
    unfused: (g, x) => {
      const erf = g.op('Erf', [g.op('Div', [x, g.scalar(Math.SQRT2)])]);
      return g.op('Mul', [g.op('Add', [x, g.op('Mul', [x, erf])]), g.scalar(0.5)]);
    },
    erfOnly: (g, x) => g.op('Erf', [x]),
    mulOnly: (g, x) => g.op('Mul', [x, g.scalar(0.5)]),
  },
  layerNorm: {
    // The emitter's 'op' form.
    op: (g, x, s) => {
      const { w, b } = params(s[2]);
      return g.op('LayerNormalization', [x, g.initializer(g.fresh('w'), [s[2]], w), g.initializer(g.fresh('b'), [s[2]], b)], { axis: -1, epsilon: { float: 1e-5 } });
    },
    // The textbook decomposition (onnxruntime's LayerNormFusion may fold it back).
    reduceMean: (g, x, s) => {
      const { w, b } = params(s[2]);
      const d = g.op('Sub', [x, g.op('ReduceMean', [x], { axes: [-1], keepdims: 1 })]);
      const v = g.op('ReduceMean', [g.op('Mul', [d, d])], { axes: [-1], keepdims: 1 });
      const n = g.op('Div', [d, g.op('Sqrt', [g.op('Add', [v, g.scalar(1e-5)])])]);
      return g.op('Add', [g.op('Mul', [n, g.initializer(g.fresh('w'), [s[2]], w)]), g.initializer(g.fresh('b'), [s[2]], b)]);
    },
    // Means as MatMuls with a [C, 1] column of 1/C (MLAS's SIMD gemm), the reciprocal std on [L, 1].
    matmulMean: (g, x, s) => {
      const c = s[2];
      const { w, b } = params(c);
      const col = g.initializer(g.fresh('mean'), [c, 1], new Float32Array(c).fill(1 / c));
      const d = g.op('Sub', [x, g.op('MatMul', [x, col])]);
      const v = g.op('MatMul', [g.op('Mul', [d, d]), col]);
      const r = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [v, g.scalar(1e-5)])])]);
      return g.op('Add', [g.op('Mul', [g.op('Mul', [d, r]), g.initializer(g.fresh('w'), [c], w)]), g.initializer(g.fresh('b'), [c], b)]);
    },
  },
  // LayerNorm over the channels of an NCHW tensor (a block's norms, whose input the block also has
  // as an image): reductions over axis 1.
  channelNorm: {
    // The emitter's 'op' form (cpu, cuda, webgpu): to tokens, LayerNormalization, back.
    viaTokens: (g, x, s) => {
      const { w, b } = params(s[1]);
      const t = g.op('Transpose', [x], { perm: [0, 2, 3, 1] });
      const n = g.op('LayerNormalization', [t, g.initializer(g.fresh('w'), [s[1]], w), g.initializer(g.fresh('b'), [s[1]], b)], { axis: -1, epsilon: { float: 1e-5 } });
      return g.op('Transpose', [n], { perm: [0, 3, 1, 2] });
    },
    reduceMean: (g, x, s) => {
      const c = s[1];
      const { w, b } = params(c);
      const d = g.op('Sub', [x, g.op('ReduceMean', [x], { axes: [1], keepdims: 1 })]);
      const v = g.op('ReduceMean', [g.op('Mul', [d, d])], { axes: [1], keepdims: 1 });
      const r = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [v, g.scalar(1e-5)])])]);
      return g.op('Add', [g.op('Mul', [g.op('Mul', [d, r]), g.initializer(g.fresh('w'), [1, c, 1, 1], w)]), g.initializer(g.fresh('b'), [1, c, 1, 1], b)]);
    },
    // Means as a 1x1 Conv from C channels to 1 with weights 1/C: the emitter's 'channels' form (wasm).
    convMean: (g, x, s) => {
      const c = s[1];
      const { w, b } = params(c);
      const k = g.initializer(g.fresh('mean'), [1, c, 1, 1], new Float32Array(c).fill(1 / c));
      const mean = (v: string) => g.op('Conv', [v, k], { kernel_shape: [1, 1] });
      const d = g.op('Sub', [x, mean(x)]);
      const r = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [mean(g.op('Mul', [d, d])), g.scalar(1e-5)])])]);
      return g.op('Add', [g.op('Mul', [g.op('Mul', [d, r]), g.initializer(g.fresh('w'), [1, c, 1, 1], w)]), g.initializer(g.fresh('b'), [1, c, 1, 1], b)]);
    },
    // The same without the scale and shift (folded into the next 1x1 conv's weights and bias).
    convMeanNoAffine: (g, x, s) => {
      const c = s[1];
      const k = g.initializer(g.fresh('mean'), [1, c, 1, 1], new Float32Array(c).fill(1 / c));
      const mean = (v: string) => g.op('Conv', [v, k], { kernel_shape: [1, 1] });
      const d = g.op('Sub', [x, mean(x)]);
      const r = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [mean(g.op('Mul', [d, d])), g.scalar(1e-5)])])]);
      return g.op('Mul', [d, r]);
    },
  },
};

export interface OpRequest { op: string; variant: string; shape: number[]; runs: number; repeat: number; graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all' }

/**
 * One model of the lowering applied `repeat` times in a row (so the kernels outweigh copying x in
 * and y out), with the device's session options (a segment's), run 1 + `runs` times.
 */
export async function timeOp(ort: OrtRuntime, executionProvider: string, req: OpRequest) {
  const v = OP_VARIANTS[req.op]?.[req.variant];
  if (!v) throw new Error(`ops: no variant ${req.op}/${req.variant}`);
  const g = new OnnxGraphBuilder();
  let y = g.input('x', req.shape);
  for (let i = 0; i < req.repeat; i++) y = v(g, y, req.shape);
  if (!g.renameComputed(y, 'y')) g.identityAs(y, 'y');
  g.output('y', req.shape);
  const options = { ...ortSessionOptions({ executionProvider, segment: true }), ...(req.graphOptimizationLevel ? { graphOptimizationLevel: req.graphOptimizationLevel } : {}) };
  const session = await ort.InferenceSession.create(g.toBytes('op'), options as Parameters<OrtRuntime['InferenceSession']['create']>[1]);
  const rand = seededRandom(7);
  const data = Float32Array.from({ length: req.shape.reduce((a, b) => a * b, 1) }, () => 4 * (rand() - 0.5));
  const feeds = { x: new ort.Tensor('float32', data, req.shape) };
  const ms: number[] = [];
  let out: Float32Array = new Float32Array(0);
  for (let r = 0; r <= req.runs; r++) {
    const t = performance.now();
    const o = await session.run(feeds);
    if (r > 0) ms.push(performance.now() - t);
    out = o.y.data as Float32Array;
  }
  await session.release();
  return { ms, out: Array.from(out.subarray(0, 4096)), maxAbs: out.reduce((m, x) => Math.max(m, Math.abs(x)), 0) };
}
