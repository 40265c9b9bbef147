import { nodeInputs } from '../graph/analysis.js';
import type { Graph, Node, OpName } from '../graph/ir.js';
import { partitionGraph, valueNamer } from '../graph/partition.js';
import type { Tensor } from '../tensor.js';
import type { ParamStore } from '../weights/params.js';
import type { CompiledGraph } from './backend.js';

/**
 * A node a backend runs itself: its input tensors in operand order (see nodeInputs) -> its outputs.
 * `reusable[j]` says input j's data belongs to this run and nothing reads it afterwards (not a
 * graph input, not a weight, no other live tensor shares its buffer): the op may write its output
 * into it instead of allocating (fresh arrays cost page faults, issue 12).
 */
export type HostOp = (inputs: Tensor[], node: Node, reusable: boolean[]) => Promise<Tensor[]>;

export interface SegmentedOptions {
  /** The ops the backend runs itself, e.g. `{ selectiveScan: ourKernel }`. The graph is cut at them. */
  hostOps: Partial<Record<OpName, HostOp>>;
  /** Compiles one segment (a complete graph) the backend's usual way. */
  compileSegment(segment: Graph): Promise<CompiledGraph>;
}

/**
 * Compiles a graph as segments with host ops between them (graph/partition.ts) and runs them in
 * order, passing tensors by name. A tensor is dropped after its last reader, so what stays alive
 * is what the ops in flight need, as in a whole-graph run.
 */
export async function compileSegmented(graph: Graph, params: ParamStore, options: SegmentedOptions): Promise<CompiledGraph> {
  const steps = partitionGraph(graph, (node) => options.hostOps[node.op] !== undefined);
  const name = valueNamer(graph);
  const paramNames = new Map(graph.params.map((p) => [p.value.id, p.name]));
  const compiled: (CompiledGraph | undefined)[] = [];
  try {
    for (const step of steps) compiled.push(step.kind === 'segment' && step.graph.nodes.length ? await options.compileSegment(step.graph) : undefined);
  } catch (e) {
    await Promise.all(compiled.map((c) => c?.dispose()));
    throw e;
  }
  // The last step that reads each named tensor; graph outputs live to the end.
  const lastRead = new Map<string, number>();
  steps.forEach((step, i) => {
    const reads = step.kind === 'segment' ? step.graph.inputs.map((v) => v.name) : nodeInputs(step.node).filter((v) => !paramNames.has(v.id)).map(name);
    for (const n of reads) lastRead.set(n, i);
  });
  for (const o of graph.outputs) lastRead.set(name(o.value), steps.length);

  return {
    async run(inputs) {
      const tensors = new Map<string, Tensor>();
      // What the caller passed stays untouched, even where a segment hands it on unchanged.
      const callerBuffers = new Set(Object.values(inputs).map((t) => t.data.buffer));
      for (const { name: n } of graph.inputs) {
        const t = inputs[n];
        if (!t) throw new Error(`segmented graph: missing input '${n}'`);
        tensors.set(n, t);
      }
      const get = (n: string): Tensor => {
        const t = tensors.get(n);
        if (!t) throw new Error(`segmented graph: tensor '${n}' used before it was made`);
        return t;
      };
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i];
        if (step.kind === 'segment') {
          const segment = compiled[i];
          if (segment) {
            const out = await segment.run(Object.fromEntries(step.graph.inputs.map(({ name: n }) => [n, get(n)])));
            for (const { name: n } of step.graph.outputs) tensors.set(n, out[n]);
          }
        } else {
          const operands = nodeInputs(step.node);
          const args = operands.map((v) => {
            const param = paramNames.get(v.id);
            return param !== undefined ? { shape: params.shape(param), data: params.get(param) } : get(name(v));
          });
          const reusable = operands.map((v, j) => {
            const n = name(v);
            const buffer = args[j].data.buffer;
            if (paramNames.has(v.id) || lastRead.get(n) !== i || callerBuffers.has(buffer)) return false;
            let sharers = 0;
            for (const t of tensors.values()) if (t.data.buffer === buffer) sharers++;
            return sharers === 1;
          });
          const outs = await options.hostOps[step.node.op]!(args, step.node, reusable);
          step.node.outputs.forEach((v, j) => tensors.set(name(v), outs[j]));
        }
        for (const [n, last] of lastRead) if (last === i) tensors.delete(n);
      }
      return Object.fromEntries(graph.outputs.map((o) => [o.name, get(name(o.value))]));
    },
    async dispose() {
      await Promise.all(compiled.map((c) => c?.dispose()));
    },
  };
}
