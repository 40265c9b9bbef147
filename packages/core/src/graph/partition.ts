import { nodeInputs } from './analysis.js';
import type { Graph, GraphParam, Node, Value } from './ir.js';

/**
 * A graph cut at the nodes a backend runs itself (host nodes, e.g. selectiveScan on our own
 * kernel): segments, each a complete graph the backend compiles as usual (ONNX through the shared
 * emitter), with host nodes between them. Values that cross a cut are named by `valueName`; every
 * rewrite a backend does inside a segment stays inside it, because the segment's graph sees each
 * crossing value as one of its inputs or outputs.
 */
export type PartitionStep = { kind: 'segment'; graph: Graph } | { kind: 'host'; node: Node };

/** The name of a value that crosses a cut: graph inputs keep theirs, everything else is `v<id>`. */
export function valueNamer(graph: Graph): (v: Value) => string {
  const inputNames = new Map(graph.inputs.map((i) => [i.value.id, i.name]));
  return (v) => inputNames.get(v.id) ?? `v${v.id}`;
}

/**
 * Splits the node list, in order, into maximal runs of non-host nodes and single host nodes. A
 * segment's inputs are the non-parameter values it reads and does not make; its outputs are the
 * values it makes that a later step or the graph's outputs read. Parameters stay parameters.
 */
export function partitionGraph(graph: Graph, isHost: (node: Node) => boolean): PartitionStep[] {
  const name = valueNamer(graph);
  const params = new Map<number, GraphParam>(graph.params.map((p) => [p.value.id, p]));
  const runs: ({ kind: 'segment'; nodes: Node[] } | { kind: 'host'; node: Node })[] = [];
  for (const node of graph.nodes) {
    const last = runs.at(-1);
    if (isHost(node)) runs.push({ kind: 'host', node });
    else if (last?.kind === 'segment') last.nodes.push(node);
    else runs.push({ kind: 'segment', nodes: [node] });
  }
  // Values read after step i: by later steps or as graph outputs.
  const readLater: Set<number>[] = new Array(runs.length);
  const later = new Set(graph.outputs.map((o) => o.value.id));
  for (let i = runs.length - 1; i >= 0; i--) {
    readLater[i] = new Set(later);
    const r = runs[i];
    for (const node of r.kind === 'host' ? [r.node] : r.nodes) for (const v of nodeInputs(node)) later.add(v.id);
  }
  return runs.map((r, i): PartitionStep => {
    if (r.kind === 'host') return r;
    const made = new Map<number, Value>();
    const inputs = new Map<number, Value>();
    const used = new Map<number, GraphParam>();
    for (const node of r.nodes) {
      for (const v of nodeInputs(node)) {
        const p = params.get(v.id);
        if (p) used.set(v.id, p);
        else if (!made.has(v.id)) inputs.set(v.id, v);
      }
      for (const v of node.outputs) made.set(v.id, v);
    }
    const outputs = [...made.values()].filter((v) => readLater[i].has(v.id));
    return {
      kind: 'segment',
      graph: {
        inputs: [...inputs.values()].map((value) => ({ name: name(value), value })),
        params: [...used.values()],
        nodes: r.nodes,
        outputs: outputs.map((value) => ({ name: name(value), value })),
      },
    };
  });
}
