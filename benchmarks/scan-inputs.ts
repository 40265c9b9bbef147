/**
 * The scan shapes, seeded inputs and timing loop that every scan benchmark shares, with nothing
 * Node-only in it, so the Chromium page of benchmarks/scan-browser.ts bundles the same code that
 * benchmarks/scan.ts runs in Node. One element = one (token, channel, state).
 */
import { buildRestorerGraph, seededRandom, tensor, type ModelConfig, type Tensor } from '@dpmambair/core';

export interface ScanShape { tokens: number; channels: number; states: number }
export const shapeKey = ({ tokens, channels, states }: ScanShape) => `${tokens}/${channels}/${states}`;
export const elements = ({ tokens, channels, states }: ScanShape) => tokens * channels * states;

/** Every distinct selectiveScan shape of the restorer on one square tile. */
export function scanShapes(config: ModelConfig, side: number): ScanShape[] {
  const shapes = new Map<string, ScanShape>();
  for (const node of buildRestorerGraph(config, { size: [side, side] }).nodes) {
    if (node.op !== 'selectiveScan') continue;
    const shape = { tokens: node.x.shape[1] as number, channels: node.x.shape[2] as number, states: node.A.shape[1] as number };
    shapes.set(shapeKey(shape), shape);
  }
  return [...shapes.values()];
}

export async function timeBest(run: () => Promise<unknown> | unknown, repeats: number): Promise<number> {
  await run(); // warm-up
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await run();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/** Seeded inputs in Mamba's ranges: delta in (0.001, 0.101), A in (-1 - N, -1). Order: x, delta, A, B, C, D. */
export function scanInputs({ tokens, channels, states }: ScanShape): Tensor[] {
  const rand = seededRandom(7);
  const fill = (shape: number[], f: (v: number) => number) => tensor(shape, Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => f(rand())));
  return [
    fill([1, tokens, channels], (v) => v - 0.5),
    fill([1, tokens, channels], (v) => 0.001 + 0.1 * v),
    fill([channels, states], (v) => -1 - v * states),
    fill([1, tokens, states], (v) => v),
    fill([1, tokens, states], (v) => v),
    fill([channels], (v) => v),
  ];
}

export const repeatsFor = (shape: ScanShape) => (elements(shape) > 5e7 ? 2 : 4);
