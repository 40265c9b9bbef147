import { ParamStore } from '../weights/params.js';
import type { ModelConfig } from './config.js';
import { storedParameterShapes } from './parameters.js';

/** Deterministic PRNG (mulberry32) so tests and benchmarks are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Seeded random weights for a config, scaled like a trained network (fan-in scaling, Mamba's A and
 * delta ranges) and with every prompt and HEB path non-zero. For tests and benchmarks; never shipped
 * as a restoration model.
 */
export function randomParams(config: ModelConfig, seed = 1): ParamStore {
  const rand = seededRandom(seed);
  const uniform = (bound: number) => (rand() * 2 - 1) * bound;
  const store = new ParamStore();
  for (const [name, shape] of storedParameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length > 1 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
    const leaf = name.slice(name.lastIndexOf('.') + 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      if (leaf === 'A_log') data[i] = Math.log((i % shape[1]) + 1);
      else if (name.endsWith('dt_proj.bias')) data[i] = Math.log(Math.expm1(Math.exp(Math.log(1e-3) + rand() * Math.log(100))));
      else if (leaf === 'D' || leaf === 'skip1' || leaf === 'skip2') data[i] = 1 + uniform(0.1);
      else if (name.includes('norm') && leaf === 'weight') data[i] = 1 + uniform(0.1);
      else if (leaf === 'alpha') data[i] = uniform(0.5);
      else if (name.includes('.prompt.') && !name.includes('.fc.')) data[i] = uniform(0.3 / Math.sqrt(fanIn));
      else data[i] = uniform(1 / Math.sqrt(fanIn));
    }
    store.set(name, shape, data);
  }
  return store;
}
