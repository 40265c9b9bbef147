import * as tf from '@tensorflow/tfjs-core';
import { analyseGraph, nodeInputs, OP_NAMES, type Graph, type Node, type OpName, type ParamStore, type Tensor, type Value } from '@dpmambair/core';
import { layerNorm } from './layernorm.js';
import { selectiveScan, type TfScan } from './scan/register.js';

/**
 * Interprets a core graph op by op with tfjs. Rank-4 image values (NCHW in the graph) are kept
 * NHWC inside (tfjs convolutions are NHWC): graph inputs are transposed once on the way in, outputs
 * once on the way out, and toTokens / fromTokens become reshapes. Every other rank keeps the
 * graph's layout.
 */

/** A runtime value: the tensor and whether it holds a logical NCHW value as NHWC. */
interface Slot {
  t: tf.Tensor;
  nhwc: boolean;
}

const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];
/** Logical NCHW axis -> physical NHWC axis. */
const NHWC_AXIS = [0, 3, 1, 2];

export class UnsupportedOpError extends Error {}

/** The ops this interpreter implements (all of core's OP_NAMES; kept explicit so a new op fails clearly). */
export const SUPPORTED_OPS: ReadonlySet<OpName> = new Set<OpName>([
  'conv2d', 'linear', 'layerNorm', 'gelu', 'silu', 'softplus', 'exp', 'affine', 'add', 'sub', 'mul',
  'channelScale', 'toTokens', 'fromTokens', 'split', 'concat', 'pixelShuffle', 'pixelUnshuffle', 'mean', 'selectiveScan',
]);

export function checkOps(graph: Graph, backendName: string): void {
  for (const node of graph.nodes) {
    if (!SUPPORTED_OPS.has(node.op)) {
      const known = (OP_NAMES as readonly string[]).includes(node.op) ? '' : ' (not in core OP_NAMES either)';
      throw new UnsupportedOpError(`backend '${backendName}' has no implementation of op '${node.op}'${known}`);
    }
  }
}

function logical(s: Slot): tf.Tensor {
  return s.nhwc ? tf.transpose(s.t, TO_NCHW) : s.t;
}

function asNhwc(s: Slot): tf.Tensor {
  if (s.nhwc) return s.t;
  if (s.t.rank !== 4) throw new Error(`expected an image (rank 4), got shape [${s.t.shape}]`);
  return tf.transpose(s.t, TO_NHWC);
}

/** Brings a plain (logical-layout) operand into NHWC so it broadcasts against an NHWC one. */
function broadcastToNhwc(t: tf.Tensor): tf.Tensor {
  if (t.size === 1) return t;
  const shape = [...new Array(Math.max(0, 4 - t.rank)).fill(1), ...t.shape];
  if (shape.length !== 4) throw new Error(`cannot broadcast shape [${t.shape}] against an image`);
  return tf.transpose(tf.reshape(t, shape), TO_NHWC);
}

function binary(a: Slot, b: Slot, f: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor): Slot {
  if (a.nhwc === b.nhwc) return { t: f(a.t, b.t), nhwc: a.nhwc };
  if (a.nhwc) return { t: f(a.t, broadcastToNhwc(b.t)), nhwc: true };
  return { t: f(broadcastToNhwc(a.t), b.t), nhwc: true };
}

/** erf form, as the spec says (tfjs has Erf on every backend). */
const gelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
const silu = (x: tf.Tensor) => tf.mul(x, tf.sigmoid(x));
/** softplus(x) = max(x, 0) + log1p(exp(-|x|)): no overflow, and accurate for very negative x. */
const softplus = (x: tf.Tensor) => tf.add(tf.relu(x), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));

/**
 * One step of a run: a graph node, or a `linear` whose only reader is a `split` of its output,
 * run as one matMul per part against weight slices cut once at compile time (slicing activations
 * along the last axis is costly on tfjs-backend-cpu, and this is the in_proj / x_proj pattern).
 */
export type Step =
  | { kind: 'node'; node: Node }
  | { kind: 'linearSplit'; linear: Node & { op: 'linear' }; split: Node & { op: 'split' }; parts: { w: tf.Tensor; b?: tf.Tensor }[] };

export const stepInputs = (s: Step): Value[] => (s.kind === 'node' ? nodeInputs(s.node) : nodeInputs(s.linear));
export const stepOutputs = (s: Step): Value[] => (s.kind === 'node' ? s.node.outputs : s.split.outputs);

/** Per-compile state: parameters uploaded once (conv filters and linear weights in tfjs layout), and the steps. */
export class ParamTensors {
  readonly steps: Step[] = [];

  readonly plain = new Map<number, tf.Tensor>();
  readonly filters = new Map<number, tf.Tensor>();
  /** linear weights transposed to (in, out): tfjs-backend-wasm's fused matMul gets transposeB + bias wrong. */
  readonly linearWeights = new Map<number, tf.Tensor>();

  constructor(graph: Graph, params: ParamStore) {
    tf.tidy(() => {
      for (const { name, value } of graph.params) {
        const t = tf.tensor(params.get(name), value.shape as number[], 'float32');
        this.plain.set(value.id, tf.keep(t));
      }
      for (const node of graph.nodes) {
        if (node.op === 'linear' && !this.linearWeights.has(node.weight.id)) {
          const w = this.plain.get(node.weight.id);
          if (w) this.linearWeights.set(node.weight.id, tf.keep(tf.transpose(w)));
        }
        if (node.op !== 'conv2d' || this.filters.has(node.weight.id)) continue;
        const w = this.plain.get(node.weight.id);
        if (!w) continue; // a computed weight: transposed at run time
        this.filters.set(node.weight.id, tf.keep(convFilter(w, node.groups)));
      }
      this.plan(graph);
    });
  }

  private plan(graph: Graph): void {
    const { producer, uses } = analyseGraph(graph);
    const index = new Map(graph.nodes.map((n, i) => [n, i]));
    const fused = new Map<number, Step>();
    graph.nodes.forEach((split, i) => {
      if (split.op !== 'split') return;
      const linear = producer.get(split.x.id);
      if (!linear || linear.op !== 'linear' || uses.get(split.x.id) !== 1) return;
      const wT = this.linearWeights.get(linear.weight.id);
      const bias = linear.bias && this.plain.get(linear.bias.id);
      if (!wT || (linear.bias && !bias)) return;
      let offset = 0;
      const parts = split.sizes.map((size) => {
        const part = { w: tf.keep(tf.slice(wT, [0, offset], [-1, size])), b: bias ? tf.keep(tf.slice(bias, [offset], [size])) : undefined };
        offset += size;
        return part;
      });
      fused.set(index.get(linear)!, { kind: 'linearSplit', linear, split, parts });
      fused.set(i, { kind: 'node', node: split }); // placeholder: emitted at the linear's position
    });
    graph.nodes.forEach((node, i) => {
      const f = fused.get(i);
      if (!f) this.steps.push({ kind: 'node', node });
      else if (f.kind === 'linearSplit') this.steps.push(f);
    });
  }

  dispose(): void {
    for (const m of [this.plain, this.filters, this.linearWeights]) {
      for (const t of m.values()) t.dispose();
      m.clear();
    }
    for (const s of this.steps) if (s.kind === 'linearSplit') for (const p of s.parts) tf.dispose([p.w, ...(p.b ? [p.b] : [])]);
    this.steps.length = 0;
  }
}

/** PyTorch (cout, cin/g, k, k) -> tfjs conv2d [k, k, cin, cout] (groups 1) or depthwise [k, k, cin, 1]. */
function convFilter(w: tf.Tensor, groups: number): tf.Tensor {
  const [cout, cinG] = w.shape;
  if (groups === 1) return tf.transpose(w, [2, 3, 1, 0]);
  if (cinG === 1 && groups === cout) return tf.transpose(w, [2, 3, 0, 1]);
  // Grouped: one [k, k, cin/g, cout/g] filter per group, stacked on a leading axis.
  return tf.stack(tf.split(w, groups, 0).map((g) => tf.transpose(g, [2, 3, 1, 0])));
}

function conv2d(x: tf.Tensor4D, filter: tf.Tensor, bias: tf.Tensor | undefined, stride: number, groups: number, k: number, cout: number): tf.Tensor {
  const pad = (k - 1) / 2; // PyTorch's symmetric zero padding k // 2 (not tfjs 'same', which pads asymmetrically at stride 2)
  const cin = x.shape[3];
  if (groups === 1) {
    return tf.fused.conv2d({ x, filter: filter as tf.Tensor4D, strides: stride, pad, bias });
  }
  if (groups === cin && groups === cout) {
    return tf.fused.depthwiseConv2d({ x, filter: filter as tf.Tensor4D, strides: stride, pad, bias });
  }
  const xs = tf.split(x, groups, 3);
  const fs = tf.unstack(filter);
  const ys = xs.map((xg, g) => tf.conv2d(xg as tf.Tensor4D, fs[g] as tf.Tensor4D, stride, pad));
  const y = tf.concat(ys, 3);
  return bias ? tf.add(y, bias) : y;
}

function pixelShuffleNhwc(x: tf.Tensor): tf.Tensor {
  // x [n, h, w, 4C] with channel c*4 + i*2 + j -> [n, 2h, 2w, C] at (2y+i, 2x+j, c).
  const [n, h, w, c4] = x.shape;
  const c = c4 / 4;
  const t = tf.transpose(tf.reshape(x, [n * h, w, c, 2, 2]), [0, 3, 1, 4, 2]); // [nh, i, w, j, c]
  return tf.reshape(t, [n, 2 * h, 2 * w, c]);
}

function pixelUnshuffleNhwc(x: tf.Tensor): tf.Tensor {
  // x [n, 2h, 2w, C] -> [n, h, w, 4C] with channel c*4 + i*2 + j.
  const [n, h2, w2, c] = x.shape;
  const h = h2 / 2;
  const w = w2 / 2;
  const t = tf.transpose(tf.reshape(x, [n * h, 2, w, 2, c]), [0, 2, 4, 1, 3]); // [nh, w, c, i, j]
  return tf.reshape(t, [n, h, w, 4 * c]);
}

/** x (..., in) times wT (in, out) + b. */
export function linear(x: tf.Tensor, wT: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const inF = x.shape[x.rank - 1];
  const outF = wT.shape[1] as number;
  const rows = tf.reshape(x, [-1, inF]) as tf.Tensor2D;
  const y = tf.fused.matMul({ a: rows, b: wT as tf.Tensor2D, bias: b });
  return tf.reshape(y, [...x.shape.slice(0, -1), outF]);
}


function mean(s: Slot, axes: number[], keepDims: boolean): Slot {
  if (s.nhwc) {
    const phys = axes.map((a) => NHWC_AXIS[a]);
    if (keepDims) return { t: tf.mean(s.t, phys, true), nhwc: true };
    // Dropping axes keeps the logical order when the kept physical axes are in logical order.
    const kept = [0, 1, 2, 3].filter((a) => !phys.includes(a)).map((p) => NHWC_AXIS.indexOf(p));
    if (kept.every((v, i) => i === 0 || kept[i - 1] < v)) return { t: tf.mean(s.t, phys, false), nhwc: false };
  }
  return { t: tf.mean(logical(s), axes, keepDims), nhwc: false };
}

export interface Weights {
  /** A conv weight in tfjs layout. */
  filter(w: Value, groups: number): tf.Tensor;
  /** A linear weight transposed to (in, out). */
  linear(w: Value): tf.Tensor;
}

export function evaluate(node: Node, get: (v: Value) => Slot, weights: Weights, backendName: string, scan: TfScan = 'kernel'): Slot[] {
  const plain = (t: tf.Tensor): Slot[] => [{ t, nhwc: false }];
  const image = (t: tf.Tensor): Slot[] => [{ t, nhwc: true }];
  switch (node.op) {
    case 'conv2d': {
      const [cout, , k] = node.weight.shape as number[];
      const bias = node.bias && logical(get(node.bias));
      return image(conv2d(asNhwc(get(node.x)) as tf.Tensor4D, weights.filter(node.weight, node.groups), bias, node.stride, node.groups, k, cout));
    }
    case 'linear': return plain(linear(logical(get(node.x)), weights.linear(node.weight), node.bias && logical(get(node.bias))));
    case 'layerNorm': return plain(layerNorm(logical(get(node.x)), logical(get(node.weight)), logical(get(node.bias)), node.eps));
    case 'gelu': case 'silu': case 'softplus': case 'exp': {
      const s = get(node.x);
      const f = node.op === 'gelu' ? gelu : node.op === 'silu' ? silu : node.op === 'softplus' ? softplus : tf.exp;
      return [{ t: f(s.t), nhwc: s.nhwc }];
    }
    case 'affine': {
      const s = get(node.x);
      let t = node.scale === 1 ? s.t : tf.mul(s.t, node.scale);
      if (node.shift !== 0) t = tf.add(t, node.shift);
      return [{ t: t === s.t ? tf.clone(t) : t, nhwc: s.nhwc }];
    }
    case 'add': return [binary(get(node.a), get(node.b), tf.add)];
    case 'sub': return [binary(get(node.a), get(node.b), tf.sub)];
    case 'mul': return [binary(get(node.a), get(node.b), tf.mul)];
    case 'channelScale': {
      const s = get(node.x);
      const scale = logical(get(node.scale));
      return s.nhwc ? image(tf.mul(s.t, scale)) : plain(tf.mul(s.t, tf.reshape(scale, [1, -1, 1, 1])));
    }
    case 'toTokens': {
      const x = asNhwc(get(node.x));
      const [n, h, w, c] = x.shape;
      return plain(tf.reshape(x, [n, h * w, c]));
    }
    case 'fromTokens': {
      const t = logical(get(node.x));
      const like = get(node.like);
      const [h, w] = like.nhwc ? like.t.shape.slice(1, 3) : like.t.shape.slice(2, 4);
      const [n, l, c] = t.shape;
      if (l !== h * w) throw new Error(`fromTokens: ${l} tokens for ${h}x${w}`);
      return image(tf.reshape(t, [n, h, w, c]));
    }
    case 'split': return tf.split(logical(get(node.x)), node.sizes, -1).map((t) => ({ t, nhwc: false }));
    case 'concat': {
      const slots = node.xs.map(get);
      const axis = node.axis < 0 ? node.axis + node.outputs[0].shape.length : node.axis;
      if (slots.some((s) => s.nhwc)) return image(tf.concat(slots.map(asNhwc), NHWC_AXIS[axis]));
      return plain(tf.concat(slots.map((s) => s.t), axis));
    }
    case 'pixelShuffle': return image(pixelShuffleNhwc(asNhwc(get(node.x))));
    case 'pixelUnshuffle': return image(pixelUnshuffleNhwc(asNhwc(get(node.x))));
    case 'mean': {
      const rank = node.x.shape.length;
      return [mean(get(node.x), node.axes.map((a) => (a < 0 ? a + rank : a)), node.keepDims)];
    }
    case 'selectiveScan': {
      const [x, delta, A, B, C, D] = [node.x, node.delta, node.A, node.B, node.C, node.D].map((v) => logical(get(v)));
      return plain(selectiveScan(x, delta, A, B, C, D, scan));
    }
    default:
      throw new UnsupportedOpError(`backend '${backendName}' has no implementation of op '${(node as Node).op}'`);
  }
}

/** Runs a graph once. Values are disposed right after their last use, each node inside tf.tidy. */
/**
 * 'nhwc' (default): images stay NHWC between ops. 'nchw': every image is brought back to NCHW after
 * the op that made it (a transpose around each conv / pixel shuffle): kept only to measure the choice.
 */
export type Layout = 'nhwc' | 'nchw';

export async function runGraph(graph: Graph, params: ParamTensors, inputs: Record<string, Tensor>, backendName: string, layout: Layout = 'nhwc', scan: TfScan = 'kernel'): Promise<Record<string, Tensor>> {
  const slots = new Map<number, Slot>();
  const owned = new Set<number>(); // values this run created (disposed after their last use)
  const uses = new Map<number, number>();
  const addUse = (v: Value) => uses.set(v.id, (uses.get(v.id) ?? 0) + 1);
  for (const step of params.steps) for (const v of stepInputs(step)) addUse(v);
  for (const { value } of graph.outputs) addUse(value);

  const get = (v: Value): Slot => {
    const s = slots.get(v.id);
    if (s) return s;
    const p = params.plain.get(v.id);
    if (p) return { t: p, nhwc: false };
    throw new Error(`backend '${backendName}': value ${v.id} used before it was defined`);
  };
  const release = (v: Value) => {
    const left = (uses.get(v.id) ?? 0) - 1;
    uses.set(v.id, left);
    if (left <= 0 && owned.has(v.id)) {
      slots.get(v.id)?.t.dispose();
      slots.delete(v.id);
      owned.delete(v.id);
    }
  };
  const weights: Weights = {
    filter: (w, groups) => params.filters.get(w.id) ?? convFilter(logical(get(w)), groups),
    linear: (w) => params.linearWeights.get(w.id) ?? tf.transpose(logical(get(w))),
  };

  try {
    for (const { name, value } of graph.inputs) {
      const input = inputs[name];
      if (!input) throw new Error(`backend '${backendName}': missing input '${name}'`);
      const expected = value.shape;
      if (input.shape.length !== expected.length || expected.some((d, i) => d !== null && d !== input.shape[i])) {
        throw new Error(`backend '${backendName}': input '${name}' has shape [${input.shape}], the graph expects [${expected.map((d) => d ?? '?')}]`);
      }
      const slot = tf.tidy(() => {
        const t = tf.tensor(input.data, input.shape, 'float32');
        return input.shape.length === 4 && layout === 'nhwc' ? { t: tf.transpose(t, TO_NHWC), nhwc: true } : { t, nhwc: false };
      });
      slots.set(value.id, slot);
      owned.add(value.id);
    }
    for (const step of params.steps) {
      let outs: Slot[] = [];
      tf.tidy(() => {
        if (step.kind === 'node') outs = evaluate(step.node, get, weights, backendName, scan);
        else {
          const x = logical(get(step.linear.x));
          outs = step.parts.map((p) => ({ t: linear(x, p.w, p.b), nhwc: false }));
        }
        if (layout === 'nchw') outs = outs.map((o) => (o.nhwc ? { t: tf.transpose(o.t, TO_NCHW), nhwc: false } : o));
        for (const s of outs) tf.keep(s.t);
      });
      stepOutputs(step).forEach((v, i) => {
        slots.set(v.id, outs[i]);
        owned.add(v.id);
        if (!uses.get(v.id)) release(v); // an output nobody reads (e.g. an unused split part)
      });
      for (const v of stepInputs(step)) release(v);
    }
    // Every op is issued before the first await: another graph may activate another tfjs backend
    // while this one waits for its downloads.
    const finals = graph.outputs.map(({ name, value }) => {
      const s = get(value);
      return { name, t: s.nhwc ? tf.transpose(s.t, TO_NCHW) : s.t, temporary: s.nhwc };
    });
    const result: Record<string, Tensor> = {};
    try {
      for (const f of finals) {
        const data = (await f.t.data()) as Float32Array;
        result[f.name] = { shape: [...f.t.shape], data: Float32Array.from(data) };
      }
    } finally {
      for (const f of finals) if (f.temporary) f.t.dispose();
    }
    return result;
  } finally {
    for (const id of owned) slots.get(id)?.t.dispose();
  }
}
