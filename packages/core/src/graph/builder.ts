import type { Graph, GraphParam, Node, Op, Shape, Value } from './ir.js';

const mulDim = (d: number | null, f: number) => (d === null ? null : d * f);
const divDim = (d: number | null, f: number) => (d === null ? null : d / f);

/** Numpy-style broadcast of two shapes; unknown dims stay unknown. */
export function broadcastShapes(a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < rank; i++) {
    const ia = a.length - rank + i;
    const ib = b.length - rank + i;
    const da = ia >= 0 ? a[ia] : 1;
    const db = ib >= 0 ? b[ib] : 1;
    if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else if (da === null || db === null) out.push(da ?? db);
    else if (da === db) out.push(da);
    else throw new Error(`cannot broadcast [${a}] with [${b}]`);
  }
  return out;
}

/** Records typed nodes with shape inference; the shapes catch wiring mistakes at build time. */
export class GraphBuilder {
  private nextId = 0;
  private readonly graph: Graph = { inputs: [], params: [], nodes: [], outputs: [] };
  private readonly paramsByName = new Map<string, GraphParam>();

  private value(shape: Shape): Value {
    return { id: this.nextId++, shape };
  }

  input(name: string, shape: Shape): Value {
    const value = this.value(shape);
    this.graph.inputs.push({ name, value });
    return value;
  }

  /** A parameter stored in weight files. */
  param(name: string, shape: number[]): Value {
    return this.addParam(name, shape, false);
  }

  /** A parameter computed from stored ones when weights load. */
  derivedParam(name: string, shape: number[]): Value {
    return this.addParam(name, shape, true);
  }

  private addParam(name: string, shape: number[], derived: boolean): Value {
    const existing = this.paramsByName.get(name);
    if (existing) return existing.value;
    const param = { name, value: this.value(shape), derived };
    this.paramsByName.set(name, param);
    this.graph.params.push(param);
    return param.value;
  }

  output(name: string, value: Value): void {
    this.graph.outputs.push({ name, value });
  }

  build(): Graph {
    return this.graph;
  }

  private emit(op: Op, shapes: Shape[]): Value[] {
    const outputs = shapes.map((s) => this.value(s));
    this.graph.nodes.push({ ...op, outputs } as Node);
    return outputs;
  }

  private one(op: Op, shape: Shape): Value {
    return this.emit(op, [shape])[0];
  }

  conv2d(x: Value, weight: Value, bias?: Value, stride = 1, groups = 1): Value {
    const [n, cin, h, w] = x.shape;
    const [cout, cinPerGroup, k] = weight.shape as number[];
    if (cin !== cinPerGroup * groups) throw new Error(`conv2d: input has ${cin} channels, weight expects ${cinPerGroup * groups}`);
    if (k % 2 !== 1) throw new Error('conv2d: kernel size must be odd');
    const out: Shape = stride === 1 ? [n, cout, h, w] : [n, cout, divDim(h, stride), divDim(w, stride)];
    return this.one({ op: 'conv2d', x, weight, bias, stride, groups }, out);
  }

  linear(x: Value, weight: Value, bias?: Value): Value {
    const [outF, inF] = weight.shape as number[];
    if (x.shape[x.shape.length - 1] !== inF) throw new Error(`linear: input has ${x.shape.at(-1)} features, weight expects ${inF}`);
    return this.one({ op: 'linear', x, weight, bias }, [...x.shape.slice(0, -1), outF]);
  }

  layerNorm(x: Value, weight: Value, bias: Value, eps = 1e-5): Value {
    return this.one({ op: 'layerNorm', x, weight, bias, eps }, x.shape);
  }

  gelu(x: Value): Value { return this.one({ op: 'gelu', x }, x.shape); }
  silu(x: Value): Value { return this.one({ op: 'silu', x }, x.shape); }
  softplus(x: Value): Value { return this.one({ op: 'softplus', x }, x.shape); }
  exp(x: Value): Value { return this.one({ op: 'exp', x }, x.shape); }

  /** x * scale + shift, with constant scalars. */
  affine(x: Value, scale: number, shift: number): Value {
    return this.one({ op: 'affine', x, scale, shift }, x.shape);
  }

  add(a: Value, b: Value): Value { return this.one({ op: 'add', a, b }, broadcastShapes(a.shape, b.shape)); }
  sub(a: Value, b: Value): Value { return this.one({ op: 'sub', a, b }, broadcastShapes(a.shape, b.shape)); }
  mul(a: Value, b: Value): Value { return this.one({ op: 'mul', a, b }, broadcastShapes(a.shape, b.shape)); }

  /** NCHW x times a per-channel vector. */
  channelScale(x: Value, scale: Value): Value {
    if (scale.shape[0] !== x.shape[1]) throw new Error(`channelScale: ${scale.shape[0]} scales for ${x.shape[1]} channels`);
    return this.one({ op: 'channelScale', x, scale }, x.shape);
  }

  /** NCHW -> (N, H*W, C). */
  toTokens(x: Value): Value {
    const [n, c, h, w] = x.shape;
    return this.one({ op: 'toTokens', x }, [n, h === null || w === null ? null : h * w, c]);
  }

  /** (N, H*W, C) -> NCHW, with H and W taken from `like`. */
  fromTokens(x: Value, like: Value): Value {
    return this.one({ op: 'fromTokens', x, like }, [x.shape[0], x.shape[2], like.shape[2], like.shape[3]]);
  }

  /** Splits the last axis. */
  split(x: Value, sizes: number[]): Value[] {
    const total = sizes.reduce((a, b) => a + b, 0);
    if (x.shape.at(-1) !== total) throw new Error(`split: last axis is ${x.shape.at(-1)}, sizes sum to ${total}`);
    return this.emit({ op: 'split', x, sizes }, sizes.map((s) => [...x.shape.slice(0, -1), s]));
  }

  concat(xs: Value[], axis: number): Value {
    const shape = [...xs[0].shape];
    shape[axis] = xs.reduce<number | null>((sum, v) => (sum === null || v.shape[axis] === null ? null : sum + (v.shape[axis] as number)), 0);
    return this.one({ op: 'concat', xs, axis }, shape);
  }

  /** PyTorch PixelShuffle(2): (N, 4C, H, W) -> (N, C, 2H, 2W). */
  pixelShuffle(x: Value): Value {
    const [n, c, h, w] = x.shape;
    return this.one({ op: 'pixelShuffle', x }, [n, divDim(c, 4), mulDim(h, 2), mulDim(w, 2)]);
  }

  /** PyTorch PixelUnshuffle(2): (N, C, H, W) -> (N, 4C, H/2, W/2). */
  pixelUnshuffle(x: Value): Value {
    const [n, c, h, w] = x.shape;
    return this.one({ op: 'pixelUnshuffle', x }, [n, mulDim(c, 4), divDim(h, 2), divDim(w, 2)]);
  }

  mean(x: Value, axes: number[], keepDims: boolean): Value {
    const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    return this.one({ op: 'mean', x, axes, keepDims }, shape);
  }

  /**
   * Mamba-1 selective scan: h_t = exp(delta_t A) h_{t-1} + delta_t B_t x_t, y_t = C_t . h_t + D x_t.
   * x, delta: (N, L, Di); A: (Di, Ns); B, C: (N, L, Ns); D: (Di).
   */
  selectiveScan(x: Value, delta: Value, A: Value, B: Value, C: Value, D: Value): Value {
    return this.one({ op: 'selectiveScan', x, delta, A, B, C, D }, x.shape);
  }
}
