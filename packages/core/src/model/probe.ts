/**
 * The optional degradation probe: a linear classifier from the extractor's embedding to the seven
 * degradation types (and, if given, a severity), as models/probe.py fits it (multinomial logistic
 * regression on standardised embeddings). Shipped only when the weights come with one; without it
 * the apps show no "detected degradation" at all.
 *
 * Format (JSON, `models/weights/<config>.probe.json` or `probe` in the weights manifest):
 *   { "format": "dpmambair-probe/1", "types": [7 names], "mean": [E], "std": [E],
 *     "weight": [E][7] (x_std @ weight + bias = logits), "bias": [7],
 *     "severity"?: { "weight": [E], "bias": number } (x_std @ weight + bias, in [0, 1] after clamp) }
 */

import type { ModelSession } from '../backend/backend.js';
import type { RgbImage } from '../pipeline/image.js';
import { extractorInput } from '../pipeline/restore.js';

export const PROBE_FORMAT = 'dpmambair-probe/1';

export interface DegradationProbe {
  format: typeof PROBE_FORMAT;
  types: string[];
  mean: number[];
  std: number[];
  weight: number[][];
  bias: number[];
  severity?: { weight: number[]; bias: number };
}

const numbers = (v: unknown, n: number, what: string): number[] => {
  if (!Array.isArray(v) || v.length !== n || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw new Error(`probe: '${what}' must be ${n} finite numbers`);
  return v as number[];
};

/** Checks a probe against the embedding size; throws naming the first problem. */
export function parseProbe(value: unknown, embedDim: number): DegradationProbe {
  const p = value as Partial<DegradationProbe> | null;
  if (!p || typeof p !== 'object' || p.format !== PROBE_FORMAT) throw new Error(`probe: 'format' must be '${PROBE_FORMAT}'`);
  if (!Array.isArray(p.types) || p.types.length < 2 || p.types.some((t) => typeof t !== 'string')) throw new Error("probe: 'types' must list the class names");
  const k = p.types.length;
  numbers(p.mean, embedDim, 'mean');
  numbers(p.std, embedDim, 'std');
  if (!Array.isArray(p.weight) || p.weight.length !== embedDim) throw new Error(`probe: 'weight' must be ${embedDim} rows of ${k}`);
  p.weight.forEach((row, i) => numbers(row, k, `weight[${i}]`));
  numbers(p.bias, k, 'bias');
  if (p.severity !== undefined) {
    numbers(p.severity.weight, embedDim, 'severity.weight');
    if (typeof p.severity.bias !== 'number') throw new Error("probe: 'severity.bias' must be a number");
  }
  return p as DegradationProbe;
}

export interface Detection {
  type: string;
  probability: number;
}

/** Class probabilities for one embedding, most likely first; and the severity if the probe has one. */
export function classify(probe: DegradationProbe, embedding: ArrayLike<number>): { classes: Detection[]; severity?: number } {
  const e = probe.mean.length;
  if (embedding.length !== e) throw new Error(`probe expects an embedding of ${e}, got ${embedding.length}`);
  const x = Array.from({ length: e }, (_, i) => (embedding[i] - probe.mean[i]) / (probe.std[i] || 1));
  const logits = probe.bias.map((b, k) => x.reduce((s, xi, i) => s + xi * probe.weight[i][k], b));
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  const classes = probe.types.map((type, k) => ({ type, probability: exps[k] / sum })).sort((a, b) => b.probability - a.probability);
  const severity = probe.severity ? Math.min(1, Math.max(0, x.reduce((s, xi, i) => s + xi * probe.severity!.weight[i], probe.severity.bias))) : undefined;
  return severity === undefined ? { classes } : { classes, severity };
}

/** Runs the extractor on an image (as the restore pipeline feeds it) and classifies its embedding. */
export async function detectDegradation(session: ModelSession, image: RgbImage, probe: DegradationProbe): Promise<{ classes: Detection[]; severity?: number }> {
  const embedding = await session.embed(extractorInput(image));
  return classify(probe, embedding.data);
}
