import type { Backend, Device } from '@dpmambair/core';

/** One golden config: models/golden/<config>/{weights.json, weights.safetensors, io.safetensors}. */
export interface GoldenFixture {
  weightsJson: string;
  weights: Uint8Array;
  io: Uint8Array;
}

/** Data the cases need that does not live in code. A missing golden config falls back (see the model cases). */
export interface ConformanceFixtures {
  golden: Partial<Record<'tiny' | 'small', GoldenFixture>>;
}

/** One check every backend must pass. `run` throws on failure, with a message that gives the numbers. */
export interface ConformanceCase {
  name: string;
  run(backend: Backend, device: Device, fixtures: ConformanceFixtures): Promise<void>;
}

/** What a case measured, e.g. `{ maxAbs: 3e-7 }`; for reports and benchmarks. */
export type CaseMetrics = Record<string, number>;

/** Every case in CASES is also measurable: `measure` does what `run` does and returns the numbers. */
export interface MeasuredCase extends ConformanceCase {
  measure(backend: Backend, device: Device, fixtures: ConformanceFixtures): Promise<CaseMetrics>;
}

/**
 * Every tolerance of the suite, in one place. Differences are judged on
 * `max |backend - oracle| / max(1, max |oracle|)`: absolute for values up to 1 (images, most
 * activations), relative to the largest value above that. The oracle is core's reference
 * interpreter (float64 accumulation) for op, tiling and random-model cases, and the PyTorch
 * golden vectors (models/golden) for the golden cases.
 */
export const TOLERANCE = {
  /** Op cases: float32 arithmetic of the same maths; covers summation order in convs of up to 9x9x8 taps. */
  float32MaxAbs: 1e-5,
  /** exp, softplus, GELU (erf), SiLU (sigmoid): each backend's own transcendental functions. */
  transcendentalMaxAbs: 1e-5,
  /** The selective scan (LinearAttention on onnxruntime), incl. L = 4096 and extreme Delta. */
  selectiveScanMaxAbs: 1e-5,
  /** Whole model against the PyTorch golden vectors (or the reference on a random model): embedding. */
  goldenEmbeddingMaxAbs: 1e-5,
  /** Whole model: restored image (values in [0, 1] plus a residual). */
  goldenOutputMaxAbs: 1e-5,
  /** Restore pipeline with several overlapping tiles, against the same pipeline on the reference backend. */
  tilingMaxAbs: 1e-5,
  /** The same input twice on one compiled model: bit-identical, nothing else passes. */
  determinismMaxAbs: 0,
} as const;
