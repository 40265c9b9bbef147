import type { Graph, Node, Value } from '../graph/ir.js';
import type { ParamStore } from '../weights/params.js';
import * as ops from './ops.js';
import type { Tensor } from '../tensor.js';

/** Runs a graph op by op with the reference ops. Slow and simple: the oracle for every backend. */
export function runReference(graph: Graph, params: ParamStore, inputs: Record<string, Tensor>): Record<string, Tensor> {
  const values = new Map<number, Tensor>();
  const get = (v: Value): Tensor => {
    const t = values.get(v.id);
    if (!t) throw new Error(`reference: value ${v.id} used before it was defined`);
    return t;
  };
  for (const { name, value } of graph.inputs) {
    const t = inputs[name];
    if (!t) throw new Error(`reference: missing input '${name}'`);
    values.set(value.id, t);
  }
  for (const { name, value } of graph.params) {
    values.set(value.id, { shape: value.shape as number[], data: params.get(name) });
  }
  for (const node of graph.nodes) {
    const outs = evaluate(node, get);
    node.outputs.forEach((v, i) => values.set(v.id, outs[i]));
  }
  return Object.fromEntries(graph.outputs.map(({ name, value }) => [name, get(value)]));
}

function evaluate(node: Node, get: (v: Value) => Tensor): Tensor[] {
  switch (node.op) {
    case 'conv2d': return [ops.conv2d(get(node.x), get(node.weight), node.bias && get(node.bias), node.stride, node.groups)];
    case 'linear': return [ops.linear(get(node.x), get(node.weight), node.bias && get(node.bias))];
    case 'layerNorm': return [ops.layerNorm(get(node.x), get(node.weight), get(node.bias), node.eps)];
    case 'gelu': case 'silu': case 'softplus': case 'exp': return [ops.map(get(node.x), ops.unary[node.op])];
    case 'affine': return [ops.map(get(node.x), (v) => v * node.scale + node.shift)];
    case 'add': return [ops.binary(get(node.a), get(node.b), (a, b) => a + b)];
    case 'sub': return [ops.binary(get(node.a), get(node.b), (a, b) => a - b)];
    case 'mul': return [ops.binary(get(node.a), get(node.b), (a, b) => a * b)];
    case 'channelScale': return [ops.channelScale(get(node.x), get(node.scale))];
    case 'toTokens': return [ops.toTokens(get(node.x))];
    case 'fromTokens': { const like = get(node.like); return [ops.fromTokens(get(node.x), like.shape[2], like.shape[3])]; }
    case 'split': return ops.split(get(node.x), node.sizes);
    case 'concat': return [ops.concat(node.xs.map(get), node.axis)];
    case 'pixelShuffle': return [ops.pixelShuffle(get(node.x))];
    case 'pixelUnshuffle': return [ops.pixelUnshuffle(get(node.x))];
    case 'mean': return [ops.mean(get(node.x), node.axes, node.keepDims)];
    case 'selectiveScan':
      return [ops.selectiveScan(get(node.x), get(node.delta), get(node.A), get(node.B), get(node.C), get(node.D))];
  }
}
