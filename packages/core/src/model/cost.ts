import type { Graph } from '../graph/ir.js';
import type { ModelConfig } from './config.js';
import { buildExtractorGraph, buildRestorerGraph } from './dpmambair.js';

export interface GraphCost {
  /** 2 x multiply-accumulates of convolutions and linear layers. */
  convMatmulFlops: number;
  /** Selective-scan elements: tokens x channels x states (one exp and two FMAs each). */
  scanElements: number;
  /** Everything else (norms, activations, element-wise), roughly one FLOP per output element. */
  otherFlops: number;
}

const size = (shape: (number | null)[]) => {
  if (shape.some((d) => d === null)) throw new Error('cost: build the graph with a fixed size');
  return (shape as number[]).reduce((a, b) => a * b, 1);
};

export function graphCost(graph: Graph): GraphCost {
  const cost: GraphCost = { convMatmulFlops: 0, scanElements: 0, otherFlops: 0 };
  for (const node of graph.nodes) {
    const out = size(node.outputs[0].shape);
    if (node.op === 'conv2d') {
      const [, cinG, k] = node.weight.shape as number[];
      cost.convMatmulFlops += 2 * out * cinG * k * k;
    } else if (node.op === 'linear') {
      cost.convMatmulFlops += 2 * out * (node.weight.shape[1] as number);
    } else if (node.op === 'selectiveScan') {
      cost.scanElements += out * (node.A.shape[1] as number);
    } else {
      cost.otherFlops += node.outputs.reduce((s, v) => s + size(v.shape), 0);
    }
  }
  return cost;
}

/** Cost of restoring one height x width image: the extractor on the whole image plus the restorer. */
export function modelCost(config: ModelConfig, height: number, width: number): GraphCost & { totalFlops: number } {
  const e = graphCost(buildExtractorGraph(config, { reparameterised: true, size: [1, height, width] }));
  const r = graphCost(buildRestorerGraph(config, { size: [height, width] }));
  const sum = {
    convMatmulFlops: e.convMatmulFlops + r.convMatmulFlops,
    scanElements: e.scanElements + r.scanElements,
    otherFlops: e.otherFlops + r.otherFlops,
  };
  // A scan element costs about 3 FLOPs (exp aside) in the usual FLOP counts.
  return { ...sum, totalFlops: sum.convMatmulFlops + 3 * sum.scanElements + sum.otherFlops };
}
