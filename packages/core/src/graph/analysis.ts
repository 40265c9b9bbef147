import type { Graph, Node, Value } from './ir.js';

/** The values a node reads, in operand order (a value read twice appears twice). */
export function nodeInputs(node: Node): Value[] {
  switch (node.op) {
    case 'conv2d': case 'linear': return [node.x, node.weight, ...(node.bias ? [node.bias] : [])];
    case 'layerNorm': return [node.x, node.weight, node.bias];
    case 'add': case 'sub': case 'mul': return [node.a, node.b];
    case 'channelScale': return [node.x, node.scale];
    case 'fromTokens': return [node.x, node.like];
    case 'concat': return node.xs;
    case 'selectiveScan': return [node.x, node.delta, node.A, node.B, node.C, node.D];
    case 'gelu': case 'silu': case 'softplus': case 'exp': case 'affine': case 'toTokens': case 'split':
    case 'pixelShuffle': case 'pixelUnshuffle': case 'mean':
      return [node.x];
  }
}

/** Who makes and who reads each value of a graph, by value id. */
export interface GraphAnalysis {
  /** The node that computes a value (graph inputs and parameters have none). */
  producer: Map<number, Node>;
  /** Every node that reads a value, once per read. */
  consumers: Map<number, Node[]>;
  /** Reads by nodes plus one for each graph output the value is: 0 means nothing needs it. */
  uses: Map<number, number>;
  /** Parameter value ids. */
  params: Set<number>;
}

/** One pass over the graph; what every rewrite, planner and partitioner builds on. */
export function analyseGraph(graph: Graph): GraphAnalysis {
  const producer = new Map<number, Node>();
  const consumers = new Map<number, Node[]>();
  const uses = new Map<number, number>();
  const use = (v: Value) => uses.set(v.id, (uses.get(v.id) ?? 0) + 1);
  for (const node of graph.nodes) {
    for (const v of node.outputs) producer.set(v.id, node);
    for (const v of nodeInputs(node)) {
      const list = consumers.get(v.id);
      if (list) list.push(node);
      else consumers.set(v.id, [node]);
      use(v);
    }
  }
  for (const { value } of graph.outputs) use(value);
  return { producer, consumers, uses, params: new Set(graph.params.map((p) => p.value.id)) };
}
