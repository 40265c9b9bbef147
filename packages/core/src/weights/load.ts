import { validateConfig, type ModelConfig } from '../model/config.js';
import { storedParameterShapes } from '../model/parameters.js';
import type { ParamStore } from './params.js';
import { parseSafetensors } from './safetensors.js';

export const WEIGHTS_FORMAT = 'dpmambair-weights/1';

/** The JSON beside a safetensors file. */
export interface WeightsManifest {
  format: typeof WEIGHTS_FORMAT;
  config: ModelConfig;
  /** sha256 (hex) of each weights file, by file name. */
  files: Record<string, string>;
  /** How the weights were made: free-form, shown by `dpmambair info`. */
  training?: Record<string, unknown>;
}

export interface LoadedWeights {
  manifest: WeightsManifest;
  params: ParamStore;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function parseManifest(text: string, source = 'weights manifest'): WeightsManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not valid JSON (${(e as Error).message})`);
  }
  const m = value as Partial<WeightsManifest>;
  if (typeof m !== 'object' || m === null || m.format !== WEIGHTS_FORMAT) {
    throw new Error(`${source}: 'format' must be '${WEIGHTS_FORMAT}'`);
  }
  validateConfig(m.config, `${source}: config`);
  if (typeof m.files !== 'object' || m.files === null || Object.keys(m.files).length !== 1) {
    throw new Error(`${source}: 'files' must map exactly one safetensors file name to its sha256`);
  }
  return m as WeightsManifest;
}

/**
 * Parses and checks weights: the sha256 in the manifest, then every parameter's name, shape and
 * dtype against the config. Fails naming the first mismatch.
 */
export async function loadWeights(manifestText: string, safetensors: Uint8Array, source = 'weights'): Promise<LoadedWeights> {
  const manifest = parseManifest(manifestText, `${source} (json)`);
  const [[file, expected]] = Object.entries(manifest.files);
  const actual = await sha256Hex(safetensors);
  if (actual !== expected) throw new Error(`${source}: sha256 of ${file} is ${actual}, the manifest says ${expected} (corrupt or mismatched file)`);
  const params = parseSafetensors(safetensors, `${source}: ${file}`);
  checkParameters(manifest.config, params, `${source}: ${file}`);
  return { manifest, params };
}

export function checkParameters(config: ModelConfig, params: ParamStore, source: string): void {
  const expected = storedParameterShapes(config);
  for (const [name, shape] of expected) {
    if (!params.has(name)) throw new Error(`${source}: parameter '${name}' [${shape}] is missing (config '${config.name}')`);
    const actual = params.shape(name);
    if (actual.length !== shape.length || actual.some((d, i) => d !== shape[i])) {
      throw new Error(`${source}: parameter '${name}' has shape [${actual}], config '${config.name}' needs [${shape}]`);
    }
  }
  for (const name of params.names()) {
    if (!expected.has(name)) throw new Error(`${source}: unexpected parameter '${name}' (not in config '${config.name}')`);
  }
}
