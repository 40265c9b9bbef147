/** Node-only helpers: golden fixtures from the repository's models/golden, and node:test registration. */
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
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

/** One way of running a device, e.g. the selective scan on our kernel or on LinearAttention. */
export interface DeviceVariant {
  /** Shown in the suite's name: `<backend> <device> (<name>)`. */
  name: string;
  /** The backend configured for this variant (default: the backend under test). */
  backend?: Backend;
}

/** One suite registered by runBackendConformance; `skipped` is the reason when its device cannot start here. */
export interface ListedSuite {
  device: Device;
  variant: string;
  title: string;
  skipped?: string;
}

export interface BackendSuiteOptions extends Omit<NodeTestOptions, 'prefix'> {
  /** Per device, the variants to run, each as its own suite (default: the backend as it is). */
  variants?: Partial<Record<Device, readonly DeviceVariant[]>>;
}

/**
 * The suite on every device of a backend (`backend.devices`), one node:test `describe` per device
 * and variant. Each device's `init` runs first: a device that cannot start here (no GPU, no
 * browser) is still listed, as one skipped test whose reason is the `init` error, so a missing
 * device shows as skipped rather than absent. Call it with top-level await in a *.test.ts file.
 */
export async function runBackendConformance(backend: Backend, options: BackendSuiteOptions = {}): Promise<ListedSuite[]> {
  let fixtures: Promise<ConformanceFixtures> | undefined;
  const getFixtures = () => (fixtures ??= Promise.resolve(options.fixtures ?? loadFixtures()));
  // Every init first, then every suite: node:test starts running a registered suite at once, and an
  // init running beside it may switch global state (tfjs has one active backend).
  const whyNot = new Map<Device, string | undefined>();
  for (const device of backend.devices) {
    whyNot.set(device, await backend.init(device).then(() => undefined, (e: unknown) => (e instanceof Error ? e.message : String(e))));
  }
  const listed: ListedSuite[] = [];
  for (const device of backend.devices) {
    for (const variant of options.variants?.[device] ?? [{ name: '' }]) {
      const title = `${backend.name} ${device}${variant.name ? ` (${variant.name})` : ''}`;
      const reason = whyNot.get(device);
      const skipped = reason && `${device} cannot start here: ${reason}`;
      if (skipped) test(title, { skip: skipped }, () => {});
      else describe(title, () => runCasesWithNodeTest(variant.backend ?? backend, device, { ...options, fixtures: getFixtures(), prefix: '' }));
      listed.push({ device, variant: variant.name, title, ...(skipped ? { skipped } : {}) });
    }
  }
  return listed;
}
