import { analyseGraph } from '../graph/analysis.js';
import type { Graph, Node, Value } from '../graph/ir.js';
import type { ParamStore } from '../weights/params.js';
import { MS_DOMAIN, OnnxGraphBuilder } from './model.js';

export interface EmitOptions {
  /** The model's name (default 'dpmambair'). */
  name?: string;
  /**
   * How a layerNorm next to toTokens/fromTokens is written. 'op' (default): LayerNormalization over
   * the tokens. 'channels': over the channels of the NCHW image (channelLayerNorm below); the same
   * values to ~1e-7 (benchmarks/results/chromium-wasm-threads.md).
   */
  layerNorm?: 'op' | 'channels';
}

/**
 * The lowering each onnxruntime execution provider gets: the one place it is chosen per device.
 * 'wasm' (onnxruntime-web's CPU build, where LayerNormalization is scalar) writes layerNorm over
 * channels: a 280² tile of `small` in 0.90-0.97x the time on one thread in Chromium. Every other
 * provider keeps LayerNormalization (onnxruntime-node's x86 build runs it vectorised).
 */
export function emitOptionsFor(executionProvider: string): EmitOptions {
  return executionProvider === 'wasm' ? { layerNorm: 'channels' } : {};
}

/**
 * Compiles a core graph to an ONNX model (opset 17 + com.microsoft for the scan), shared by the
 * onnxruntime backends. Weights become initializers, so the bytes are self-contained.
 *
 * The selective scan lowers to com.microsoft.LinearAttention (gated rule), which is exactly a
 * diagonal SSM with per-key decay: one KV head per channel d, d_k = N, d_v = 1,
 * key = B (shared by all channels), value = delta * x, decay = delta * A (log space), query = C.
 * Checked against the TypeScript reference scan by the conformance suite (packages/conformance).
 */
export function emitOnnx(graph: Graph, params: ParamStore, options: EmitOptions = {}): Uint8Array {
  const { name = 'dpmambair', layerNorm = 'op' } = options;
  const g = new OnnxGraphBuilder();
  const names = new Map<number, string>();
  const dims = (v: Value, prefix: string) => v.shape.map((d, i) => d ?? `${prefix}_d${i}`);

  for (const input of graph.inputs) names.set(input.value.id, g.input(input.name, dims(input.value, input.name)));
  // Parameters become initializers on first use, so a linear weight is stored only transposed.
  const paramNames = new Map(graph.params.map((p) => [p.value.id, p.name]));
  const ref = (v: Value): string => {
    const n = names.get(v.id);
    if (n !== undefined) return n;
    const param = paramNames.get(v.id);
    if (param === undefined) throw new Error(`ONNX emitter: value ${v.id} used before it was defined`);
    names.set(v.id, g.initializer(param, v.shape as number[], params.get(param)));
    return param;
  };
  // Linear weights are stored transposed ([in, out], what MatMul takes), whole or by rows.
  const transposed = new Map<string, string>();
  const weightRowsT = (v: Value, start: number, size: number): string => {
    const key = `${v.id}:${start}:${size}`;
    let t = transposed.get(key);
    if (t) return t;
    const param = paramNames.get(v.id);
    const [out, inF] = v.shape as number[];
    if (param === undefined) {
      // A weight fed as a graph input (never in the model; the IR allows it): transposed at run
      // time. Only parameters are split by rows (planProjections), so this one is whole.
      if (start !== 0 || size !== out) throw new Error('ONNX emitter: only parameter weights are split by rows');
      t = g.op('Transpose', [ref(v)], { perm: [1, 0] });
    } else {
      const w = params.get(param);
      const wt = new Float32Array(inF * size);
      for (let i = 0; i < inF; i++) for (let o = 0; o < size; o++) wt[i * size + o] = w[(start + o) * inF + i];
      t = g.initializer(size === out ? `${param}.T` : `${param}.T[${start}:${start + size}]`, [inF, size], wt);
    }
    transposed.set(key, t);
    return t;
  };
  const weightT = (v: Value) => weightRowsT(v, 0, v.shape[0] as number);
  const partWeightT = ({ linear, start, size }: ProjectionPart) => weightRowsT(linear.weight, start, size);

  const plan = planProjections(graph);
  const norms = layerNorm === 'channels' ? planChannelNorms(graph) : undefined;
  // Each fromTokens(t, like) written once: a block's second norm reads t as NCHW, which its residual also computes.
  const nchwOf = new Map<string, string>();
  const fromTokens = (t: Value, like: Value): string => {
    const key = `${t.id}:${like.id}`;
    let n = nchwOf.get(key);
    if (n === undefined) nchwOf.set(key, (n = emitFromTokens(g, ref(t), ref(like), channels(t, 2))));
    return n;
  };
  for (const node of graph.nodes) {
    if (plan.skipped.has(node) || norms?.skipped.has(node)) continue;
    let outs: string[];
    if (norms && node.op === 'fromTokens') {
      const norm = norms.beforeFromTokens.get(node);
      outs = [norm ? channelLayerNorm(g, fromTokens(norm.x, node.like), norm, ref) : fromTokens(node.x, node.like)];
    } else if (node.op === 'layerNorm' && norms?.afterToTokens.has(node)) {
      const image = norms.afterToTokens.get(node)!.x;
      outs = [emitToTokens(g, channelLayerNorm(g, ref(image), node, ref), channels(image, 1))];
    } else if (node.op === 'split' && plan.parts.has(node.outputs[0].id)) {
      outs = node.outputs.map((v) => {
        const part = plan.parts.get(v.id)!;
        return plan.deferred.has(v.id) ? '' : g.op('MatMul', [ref(part.linear.x), partWeightT(part)]);
      });
    } else if (node.op === 'mul' && plan.scaled.has(node)) {
      const part = plan.scaled.get(node)!;
      outs = [g.op('MatMul', [ref(part.linear.x), g.op('Mul', [partWeightT(part), ref(node.b)])])];
    } else {
      outs = lower(g, node, ref, weightT);
    }
    node.outputs.forEach((v, i) => { if (outs[i]) names.set(v.id, outs[i]); });
  }
  // A computed value takes its output's name; a value that is an input, a parameter or already an
  // output is copied under it.
  const taken = new Set(graph.inputs.map((i) => i.name));
  for (const output of graph.outputs) {
    const name = ref(output.value);
    if (taken.has(name) || !g.renameComputed(name, output.name)) g.identityAs(name, output.name);
    else names.set(output.value.id, output.name);
    taken.add(output.name);
    g.output(output.name, dims(output.value, output.name));
  }
  return g.toBytes(name);
}

type LinearNode = Extract<Node, { op: 'linear' }>;
interface ProjectionPart { linear: LinearNode; start: number; size: number }

/**
 * Token projections: a bias-free linear whose only consumer is a split becomes one MatMul per
 * part, and a part whose only consumer multiplies it by a per-image vector (the prompt-modulated
 * B and C) takes that vector into its small weight instead. Same function; onnxruntime's Split and
 * broadcast Mul over L tokens of 4 to 32 channels cost more than the MatMuls themselves.
 * A value counts as used once more for each graph output it is, so in a segment of a partitioned
 * graph (graph/partition.ts) a value another segment reads is never folded away.
 */
function planProjections(graph: Graph) {
  const { producer, consumers, uses, params } = analyseGraph(graph);
  const skipped = new Set<Node>();
  const parts = new Map<number, ProjectionPart>();
  const deferred = new Set<number>();
  const scaled = new Map<Node, ProjectionPart>();
  for (const split of graph.nodes) {
    if (split.op !== 'split') continue;
    const linear = producer.get(split.x.id);
    if (linear?.op !== 'linear' || linear.bias || !params.has(linear.weight.id) || uses.get(split.x.id) !== 1) continue;
    skipped.add(linear);
    let start = 0;
    split.outputs.forEach((v, i) => {
      const part = { linear, start, size: split.sizes[i] };
      start += split.sizes[i];
      parts.set(v.id, part);
      const only = consumers.get(v.id)?.[0];
      if (uses.get(v.id) === 1 && only?.op === 'mul' && only.a === v && !params.has(only.b.id) && only.b.shape.join() === `1,${part.size}`) {
        deferred.add(v.id);
        scaled.set(only, part);
      }
    });
  }
  return { skipped, parts, deferred, scaled };
}

function lower(g: OnnxGraphBuilder, node: Node, ref: (v: Value) => string, weightT: (v: Value) => string): string[] {
  switch (node.op) {
    case 'conv2d': {
      const k = node.weight.shape[2] as number;
      const p = (k - 1) / 2;
      const inputs = [ref(node.x), ref(node.weight), ...(node.bias ? [ref(node.bias)] : [])];
      return [g.op('Conv', inputs, { kernel_shape: [k, k], pads: [p, p, p, p], strides: [node.stride, node.stride], group: node.groups })];
    }
    case 'linear': {
      const y = g.op('MatMul', [ref(node.x), weightT(node.weight)]);
      return [node.bias ? g.op('Add', [y, ref(node.bias)]) : y];
    }
    case 'layerNorm':
      return [g.op('LayerNormalization', [ref(node.x), ref(node.weight), ref(node.bias)], { axis: -1, epsilon: { float: node.eps } })];
    case 'gelu': {
      const x = ref(node.x);
      // Written as x / sqrt(2), the form onnxruntime's GeluFusion recognises (one fused kernel).
      const erf = g.op('Erf', [g.op('Div', [x, g.scalar(Math.SQRT2)])]);
      return [g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), g.op('Add', [erf, g.scalar(1)])])];
    }
    case 'silu': {
      const x = ref(node.x);
      return [g.op('Mul', [x, g.op('Sigmoid', [x])])];
    }
    case 'softplus': {
      // max(x, log(1 + exp(min(x, 20)))): exact in float32 (softplus(x) - x < 3e-9 above 20) and
      // several times faster than onnxruntime's CPU Softplus, which took 10% of the restorer's time.
      const x = ref(node.x);
      const soft = g.op('Log', [g.op('Add', [g.op('Exp', [g.op('Min', [x, g.scalar(20)])]), g.scalar(1)])]);
      return [g.op('Max', [x, soft])];
    }
    case 'exp':
      return [g.op('Exp', [ref(node.x)])];
    case 'affine': {
      let y = ref(node.x);
      if (node.scale !== 1) y = g.op('Mul', [y, g.scalar(node.scale)]);
      if (node.shift !== 0) y = g.op('Add', [y, g.scalar(node.shift)]);
      return [node.scale === 1 && node.shift === 0 ? g.op('Identity', [y]) : y];
    }
    case 'add':
      return [g.op('Add', [ref(node.a), ref(node.b)])];
    case 'sub':
      return [g.op('Sub', [ref(node.a), ref(node.b)])];
    case 'mul':
      return [g.op('Mul', [ref(node.a), ref(node.b)])];
    case 'channelScale':
      return [g.op('Mul', [ref(node.x), g.op('Reshape', [ref(node.scale), g.ints([-1, 1, 1])])])];
    case 'toTokens':
      return [emitToTokens(g, ref(node.x), channels(node.x, 1))];
    case 'fromTokens':
      return [emitFromTokens(g, ref(node.x), ref(node.like), channels(node.x, 2))];
    case 'split':
      return g.node('Split', [ref(node.x), g.ints(node.sizes)], { axis: -1 }, node.sizes.length);
    case 'concat':
      return [g.op('Concat', node.xs.map(ref), { axis: node.axis })];
    case 'pixelShuffle':
      return [g.op('DepthToSpace', [ref(node.x)], { blocksize: 2, mode: 'CRD' })];
    case 'pixelUnshuffle': {
      // A grouped 2x2 stride-2 conv with one-hot kernels: output channel c*4 + i*2 + j takes pixel
      // (i, j) of each 2x2 block of channel c (PyTorch's order). Exact, and unlike SpaceToDepth it
      // has a kernel on every execution provider, WebGPU included.
      const c = node.x.shape[1] as number;
      const w = new Float32Array(4 * c * 4);
      for (let ch = 0; ch < c; ch++) for (let k = 0; k < 4; k++) w[(ch * 4 + k) * 4 + k] = 1;
      const weight = g.initializer(g.fresh('unshuffle'), [4 * c, 1, 2, 2], w);
      return [g.op('Conv', [ref(node.x), weight], { kernel_shape: [2, 2], strides: [2, 2], group: c })];
    }
    case 'mean':
      if (node.axes.length === 0) return [g.op('Identity', [ref(node.x)])];
      return [g.op('ReduceMean', [ref(node.x)], { axes: node.axes, keepdims: node.keepDims ? 1 : 0 })];
    case 'selectiveScan': {
      const Di = node.A.shape[0] as number;
      const x = ref(node.x);
      const delta = ref(node.delta);
      const key = g.op('Reshape', [g.op('Expand', [g.op('Unsqueeze', [ref(node.B), g.ints([2])]), g.ints([1, 1, Di, 1])]), g.ints([0, 0, -1])]);
      const value = g.op('Mul', [delta, x]);
      const decay = g.op('Reshape', [g.op('Mul', [g.op('Unsqueeze', [delta, g.ints([3])]), ref(node.A)]), g.ints([0, 0, -1])]);
      const [y] = g.node('LinearAttention', [ref(node.C), key, value, '', decay], {
        update_rule: 'gated', q_num_heads: 1, kv_num_heads: Di, scale: { float: 1 },
      }, 2, MS_DOMAIN);
      return [g.op('Add', [y, g.op('Mul', [x, ref(node.D)])])];
    }
  }
}

const channels = (v: Value, axis: number): number => {
  const c = v.shape[axis];
  if (c === null) throw new Error(`ONNX emitter: tokens need a known channel count (value ${v.id})`);
  return c;
};

// Tokens are NHWC with H and W flattened, so each direction is one NCHW <-> NHWC Transpose
// with the Reshape on the NHWC side. onnxruntime's NCHWc transformer folds exactly that
// Transpose into the reorder it puts beside a Conv (ReorderInput/ReorderOutput with
// channels_last). The same values as Reshape + a (0, 2, 1) Transpose, which it left alone:
// on a 512² tile of `small` (segmented cpu path) Transposes were 17% of onnxruntime's time,
// 55 of them; with this form 19 remain and the tile takes 11% less.
function emitToTokens(g: OnnxGraphBuilder, image: string, c: number): string {
  return g.op('Reshape', [g.op('Transpose', [image], { perm: [0, 2, 3, 1] }), g.ints([0, -1, c])]);
}

function emitFromTokens(g: OnnxGraphBuilder, tokens: string, like: string, c: number): string {
  const hw = g.op('Shape', [like], { start: 2, end: 4 });
  const shape = g.op('Concat', [g.ints([0]), hw, g.ints([c])], { axis: 0 });
  return g.op('Transpose', [g.op('Reshape', [tokens, shape])], { perm: [0, 3, 1, 2] });
}

type LayerNormNode = Extract<Node, { op: 'layerNorm' }>;
type ToTokensNode = Extract<Node, { op: 'toTokens' }>;
type FromTokensNode = Extract<Node, { op: 'fromTokens' }>;

/**
 * Where `layerNorm: 'channels'` applies: a layerNorm of toTokens(x) (computed on x, then to
 * tokens) and a layerNorm whose only reader is fromTokens (computed on fromTokens of its input,
 * which the block computes anyway for its residual, so one Transpose fewer).
 */
function planChannelNorms(graph: Graph) {
  const { producer, consumers, uses } = analyseGraph(graph);
  const skipped = new Set<Node>();
  const beforeFromTokens = new Map<FromTokensNode, LayerNormNode>();
  const afterToTokens = new Map<LayerNormNode, ToTokensNode>();
  for (const node of graph.nodes) {
    if (node.op !== 'layerNorm') continue;
    const out = node.outputs[0];
    const only = consumers.get(out.id)?.[0];
    if (uses.get(out.id) === 1 && only?.op === 'fromTokens' && only.x === out) {
      skipped.add(node);
      beforeFromTokens.set(only, node);
      continue;
    }
    // Only where the tokens are read elsewhere too (the residual): else their Transpose would be left unread.
    const from = producer.get(node.x.id);
    if (from?.op === 'toTokens' && (uses.get(node.x.id) ?? 0) > 1) afterToTokens.set(node, from);
  }
  return { skipped, beforeFromTokens, afterToTokens };
}

/**
 * LayerNorm over the channels of an NCHW image, the means as 1x1 Convs to one channel with
 * weights 1/C, two-pass variance. The same function as LayerNormalization over tokens (to ~1e-7),
 * and on onnxruntime-web's wasm build 2.6 ns per element against 7.7 for LayerNormalization alone
 * (benchmarks/ops-browser.ts: its LayerNormalization is scalar there, MLAS's conv is SIMD; the
 * ReduceMean and MatMul forms of the means were slower).
 */
function channelLayerNorm(g: OnnxGraphBuilder, image: string, norm: LayerNormNode, ref: (v: Value) => string): string {
  const c = channels(norm.weight, 0);
  const k = g.initializer(g.fresh('channel_mean'), [1, c, 1, 1], new Float32Array(c).fill(1 / c));
  const mean = (v: string) => g.op('Conv', [v, k], { kernel_shape: [1, 1] });
  const d = g.op('Sub', [image, mean(image)]);
  const inverseStd = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [mean(g.op('Mul', [d, d])), g.scalar(norm.eps)])])]);
  const perChannel = (v: Value) => g.op('Reshape', [ref(v), g.ints([-1, 1, 1])]);
  return g.op('Add', [g.op('Mul', [g.op('Mul', [d, inverseStd]), perChannel(norm.weight)]), perChannel(norm.bias)]);
}
