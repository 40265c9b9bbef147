import type { Graph } from '../graph/ir.js';
import { ParamStore } from '../weights/params.js';
import type { ModelConfig } from './config.js';
import { buildExtractorGraph, buildRestorerGraph, cdcCentreName, mergedNames } from './dpmambair.js';

/** Every stored parameter of a config, by name, with its shape: what a weights file must hold. */
export function storedParameterShapes(config: ModelConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const graph of [buildExtractorGraph(config, { reparameterised: false }), buildRestorerGraph(config)]) {
    for (const p of graph.params) if (!p.derived) shapes.set(p.name, p.value.shape as number[]);
  }
  return shapes;
}

export function parameterCount(config: ModelConfig): { extractor: number; restorer: number; total: number } {
  let extractor = 0;
  let restorer = 0;
  for (const [name, shape] of storedParameterShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (name.startsWith('extractor.')) extractor += n;
    else restorer += n;
  }
  return { extractor, restorer, total: extractor + restorer };
}

/** The MSCDC prefixes of the extractor, each with its input and output channels. */
function mscdcPrefixes(config: ModelConfig): { prefix: string; cin: number; cout: number }[] {
  const { dim, stages } = config.extractor;
  const list = [{ prefix: 'extractor.stem', cin: 3, cout: dim }];
  for (let s = 0; s < stages; s++) list.push({ prefix: `extractor.stages.${s}.mscdc`, cin: dim * 2 ** (s + 1), cout: dim * 2 ** (s + 1) });
  return list;
}

/** -theta * sum over the kernel window of w: the 1x1 conv that turns a plain conv into a CDC. */
function cdcCentre(w: Float32Array, cout: number, cin: number, k: number, theta: number): Float32Array {
  const out = new Float32Array(cout * cin);
  for (let i = 0; i < cout * cin; i++) {
    let sum = 0;
    for (let j = 0; j < k * k; j++) sum += w[i * k * k + j];
    out[i] = -theta * sum;
  }
  return out;
}

/**
 * Adds the derived parameters the graphs use: per-branch CDC centre weights (multi-branch form)
 * and the exact re-parameterisation of each MSCDC into one conv (inference form).
 */
export function withDerivedParams(config: ModelConfig, stored: ParamStore): ParamStore {
  const out = new ParamStore(new Map(stored.tensors));
  const { cdcKernels, plainKernel, theta } = config.extractor;
  const K = Math.max(plainKernel, ...cdcKernels);
  for (const { prefix, cin, cout } of mscdcPrefixes(config)) {
    const merged = new Float32Array(cout * cin * K * K);
    const bias = Float32Array.from(stored.get(`${prefix}.plain.bias`));
    const addCentred = (w: Float32Array, k: number) => {
      const off = (K - k) / 2;
      for (let i = 0; i < cout * cin; i++) {
        for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) merged[i * K * K + (y + off) * K + (x + off)] += w[i * k * k + y * k + x];
      }
    };
    addCentred(stored.get(`${prefix}.plain.weight`), plainKernel);
    cdcKernels.forEach((k, b) => {
      const w = stored.get(`${prefix}.branches.${b}.weight`);
      const centre = cdcCentre(w, cout, cin, k, theta);
      out.set(cdcCentreName(prefix, b), [cout, cin, 1, 1], centre);
      addCentred(w, k);
      const c = (K - 1) / 2;
      for (let i = 0; i < cout * cin; i++) merged[i * K * K + c * K + c] += centre[i];
      const bb = stored.get(`${prefix}.branches.${b}.bias`);
      for (let o = 0; o < cout; o++) bias[o] += bb[o];
    });
    const names = mergedNames(prefix);
    out.set(names.weight, [cout, cin, K, K], merged);
    out.set(names.bias, [cout], bias);
  }
  return out;
}

/** Checks that a store holds every parameter a graph uses, with the right shape. */
export function assertParamsFit(graph: Graph, params: ParamStore): void {
  for (const p of graph.params) {
    const shape = params.shape(p.name);
    if (shape.join() !== (p.value.shape as number[]).join()) throw new Error(`parameter '${p.name}' has shape [${shape}], the graph needs [${p.value.shape}]`);
  }
}
