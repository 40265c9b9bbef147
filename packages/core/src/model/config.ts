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

/**
 * Upper bounds of every config field, checked before anything is built: a manifest is untrusted
 * input, and `blocks: [200000, ...]` would otherwise build a graph for minutes and gigabytes.
 * About 4x to 64x the paper config; a config at every bound still builds its graph in well under
 * a second (tested). Stated in docs/model-spec.md.
 */
export const CONFIG_LIMITS = {
  nameLength: 100,
  dim: 256,
  blocksPerLevel: 64,
  refinementBlocks: 64,
  expand: 8,
  dState: 256,
  embedDim: 4096,
  promptDim: 4096,
  extractorDim: 256,
  extractorStages: 6,
  cdcKernelCount: 8,
  kernelSize: 15,
} as const;

/** Checks a config read from a weights file; throws naming the first bad field. */
export function validateConfig(value: unknown, where = 'config'): ModelConfig {
  const L = CONFIG_LIMITS;
  const fail = (field: string, want: string): never => {
    throw new Error(`${where}: field '${field}' must be ${want}`);
  };
  const isPosInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  const checkInt = (v: unknown, field: string, max: number) => {
    if (!isPosInt(v)) fail(field, 'a positive integer');
    if ((v as number) > max) fail(field, `at most ${max} (got ${v})`);
  };
  if (typeof value !== 'object' || value === null) fail('(root)', 'an object');
  const c = value as Record<string, unknown>;
  if (typeof c.name !== 'string') fail('name', 'a string');
  if ((c.name as string).length > L.nameLength) fail('name', `at most ${L.nameLength} characters`);
  const top: [string, number][] = [['dim', L.dim], ['refinementBlocks', L.refinementBlocks], ['expand', L.expand], ['dState', L.dState], ['embedDim', L.embedDim], ['promptDim', L.promptDim]];
  for (const [f, max] of top) checkInt(c[f], f, max);
  if (!Array.isArray(c.blocks) || c.blocks.length !== 4 || !c.blocks.every(isPosInt)) {
    fail('blocks', 'four positive integers');
  }
  (c.blocks as number[]).forEach((b, i) => checkInt(b, `blocks[${i}]`, L.blocksPerLevel));
  const e = c.extractor as Record<string, unknown> | undefined;
  if (typeof e !== 'object' || e === null) fail('extractor', 'an object');
  checkInt(e!.dim, 'extractor.dim', L.extractorDim);
  checkInt(e!.stages, 'extractor.stages', L.extractorStages);
  checkInt(e!.plainKernel, 'extractor.plainKernel', L.kernelSize);
  if (!Array.isArray(e!.cdcKernels) || e!.cdcKernels.length === 0 ||
      !e!.cdcKernels.every((k: unknown) => isPosInt(k) && (k as number) % 2 === 1)) {
    fail('extractor.cdcKernels', 'a non-empty list of odd positive integers');
  }
  if ((e!.cdcKernels as number[]).length > L.cdcKernelCount) fail('extractor.cdcKernels', `at most ${L.cdcKernelCount} kernels`);
  (e!.cdcKernels as number[]).forEach((k, i) => checkInt(k, `extractor.cdcKernels[${i}]`, L.kernelSize));
  if ((e!.plainKernel as number) % 2 !== 1) fail('extractor.plainKernel', 'odd');
  if (typeof e!.theta !== 'number' || !(e!.theta >= 0 && e!.theta <= 1)) fail('extractor.theta', 'a number from 0 to 1');
  return value as ModelConfig;
}
