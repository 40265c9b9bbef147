/** Node-only helpers: golden fixtures from the repository's models/golden, and node:test registration. */
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import type { Backend, Device } from '@dpmambair/core';
import { CASES } from './index.js';
import { EXCLUSIONS } from './exclusions.js';
import { GOLDEN_CONFIGS, GOLDEN_FILES } from './fixtures.js';
import type { ConformanceCase, ConformanceFixtures, MeasuredCase } from './types.js';

/** models/golden of this repository (src/ and dist/ sit at the same depth). */
export const GOLDEN_DIR = new URL('../../../models/golden/', import.meta.url);

/** Reads models/golden/<config>/{weights.json, weights.safetensors, io.safetensors}; a config missing any file is absent. */
export async function loadFixtures(dir: URL = GOLDEN_DIR): Promise<ConformanceFixtures> {
  const golden: ConformanceFixtures['golden'] = {};
  for (const name of GOLDEN_CONFIGS) {
    const read = (file: string) => readFile(new URL(`${name}/${file}`, dir)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    const [json, weights, io] = await Promise.all([read(GOLDEN_FILES.weightsJson), read(GOLDEN_FILES.weights), read(GOLDEN_FILES.io)]);
    if (json && weights && io) golden[name] = { weightsJson: json.toString('utf8'), weights: new Uint8Array(weights), io: new Uint8Array(io) };
  }
  return { golden };
}

export interface NodeTestOptions {
  /** Fixtures to use; loaded from models/golden when absent. */
  fixtures?: ConformanceFixtures | Promise<ConformanceFixtures>;
  /** Cases to register (default: all of CASES). */
  cases?: readonly ConformanceCase[];
  /** Exclusions to honour (default: the suite's EXCLUSIONS). */
  exclusions?: typeof EXCLUSIONS;
  /** Per-case timeout in ms (default 120 s). */
  timeout?: number;
  /** Test name prefix (default `<backend.name> <device>: `). */
  prefix?: string;
}

/**
 * Registers every case as a node:test `test()`; excluded ones are skipped with their reason. The
 * measured numbers (max abs differences) are printed as test diagnostics.
 */
export function runCasesWithNodeTest(backend: Backend, device: Device, options: NodeTestOptions = {}): void {
  let fixtures: Promise<ConformanceFixtures> | undefined;
  const getFixtures = () => (fixtures ??= Promise.resolve(options.fixtures ?? loadFixtures()));
  const exclusions = options.exclusions ?? EXCLUSIONS;
  const prefix = options.prefix ?? `${backend.name} ${device}: `;
  for (const c of options.cases ?? CASES) {
    const reason = exclusions[device]?.[c.name];
    test(`${prefix}${c.name}`, { skip: reason ? `excluded on ${device}: ${reason}` : false, timeout: options.timeout ?? 120_000 }, async (t) => {
      const f = await getFixtures();
      const measure = (c as Partial<MeasuredCase>).measure;
      if (measure) t.diagnostic(JSON.stringify(await measure.call(c, backend, device, f)));
      else await c.run(backend, device, f);
    });
  }
}
