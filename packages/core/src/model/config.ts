/** A model configuration fully determines the graph and every parameter shape (docs/model-spec.md). */
export interface ExtractorConfig {
  /** Ce: extractor channels at full resolution. */
  dim: number;
  /** Stride-2 stages after the stem. */
  stages: number;
  /** Kernel sizes of the central-difference branches. */
  cdcKernels: number[];
  /** Kernel size of the plain conv branch. */
  plainKernel: number;
  /** CDC theta: how much of the centre pixel is subtracted. */
  theta: number;
}

export interface ModelConfig {
  name: string;
  /** C: channels at level 0. */
  dim: number;
  /** Blocks at levels 0, 1, 2 (encoder; the decoder mirrors them) and 3 (latent). */
  blocks: [number, number, number, number];
  refinementBlocks: number;
  /** d_inner = expand * width. */
  expand: number;
  /** N: SSM state size. */
  dState: number;
  /** E: size of the degradation embedding. */
  embedDim: number;
  /** P: hidden size of each block's prompt MLP. */
  promptDim: number;
  extractor: ExtractorConfig;
}

export const CONFIGS = {
  tiny: {
    name: 'tiny', dim: 8, blocks: [1, 1, 1, 1], refinementBlocks: 1, expand: 1, dState: 2,
    embedDim: 8, promptDim: 8,
    extractor: { dim: 4, stages: 1, cdcKernels: [3, 5], plainKernel: 3, theta: 0.7 },
  },
  small: {
    name: 'small', dim: 16, blocks: [1, 1, 2, 2], refinementBlocks: 1, expand: 1, dState: 4,
    embedDim: 64, promptDim: 32,
    extractor: { dim: 8, stages: 2, cdcKernels: [3, 5, 7, 9], plainKernel: 3, theta: 0.7 },
  },
  paper: {
    name: 'paper', dim: 48, blocks: [4, 6, 6, 8], refinementBlocks: 4, expand: 2, dState: 16,
    embedDim: 512, promptDim: 128,
    extractor: { dim: 32, stages: 3, cdcKernels: [3, 5, 7, 9], plainKernel: 3, theta: 0.7 },
  },
} as const satisfies Record<string, ModelConfig>;

export type ConfigName = keyof typeof CONFIGS;

/** Inputs must be a multiple of this (three 2x downsamplings). */
export const SIZE_MULTIPLE = 8;

export const dtRank = (width: number): number => Math.ceil(width / 16);

/** Channel width at U-Net level 0..3. */
export const levelWidth = (config: ModelConfig, level: number): number => config.dim * 2 ** level;

export function getConfig(name: string): ModelConfig {
  const config = (CONFIGS as Record<string, ModelConfig>)[name];
  if (!config) throw new Error(`unknown model config '${name}' (known: ${Object.keys(CONFIGS).join(', ')})`);
  return structuredClone(config) as ModelConfig;
}

/** Checks a config read from a weights file; throws naming the first bad field. */
export function validateConfig(value: unknown, where = 'config'): ModelConfig {
  const fail = (field: string, want: string): never => {
    throw new Error(`${where}: field '${field}' must be ${want}`);
  };
  const isPosInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  if (typeof value !== 'object' || value === null) fail('(root)', 'an object');
  const c = value as Record<string, unknown>;
  if (typeof c.name !== 'string') fail('name', 'a string');
  for (const f of ['dim', 'refinementBlocks', 'expand', 'dState', 'embedDim', 'promptDim']) {
    if (!isPosInt(c[f])) fail(f, 'a positive integer');
  }
  if (!Array.isArray(c.blocks) || c.blocks.length !== 4 || !c.blocks.every(isPosInt)) {
    fail('blocks', 'four positive integers');
  }
  const e = c.extractor as Record<string, unknown> | undefined;
  if (typeof e !== 'object' || e === null) fail('extractor', 'an object');
  for (const f of ['dim', 'stages', 'plainKernel']) if (!isPosInt(e![f])) fail(`extractor.${f}`, 'a positive integer');
  if (!Array.isArray(e!.cdcKernels) || e!.cdcKernels.length === 0 ||
      !e!.cdcKernels.every((k: unknown) => isPosInt(k) && (k as number) % 2 === 1)) {
    fail('extractor.cdcKernels', 'a non-empty list of odd positive integers');
  }
  if ((e!.plainKernel as number) % 2 !== 1) fail('extractor.plainKernel', 'odd');
  if (typeof e!.theta !== 'number' || !Number.isFinite(e!.theta)) fail('extractor.theta', 'a finite number');
  return value as ModelConfig;
}
