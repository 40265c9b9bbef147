import { loadModel as prepare, parseProbe, type DegradationProbe, type PreparedModel } from '@dpmambair/core';
import { DEFAULT_MODEL, MODEL_IDS, MODELS, type ModelEntry, type ModelId } from './models.js';

/** Thrown for a model id that is not in the table; `known` lists the ids that are. */
export class UnknownModelError extends Error {
  override readonly name = 'UnknownModelError';
  constructor(
    readonly modelId: string,
    readonly known: readonly string[] = MODEL_IDS,
  ) {
    super(`unknown model '${modelId}' (known: ${known.join(', ')})`);
  }
}

export interface LoadOptions {
  /**
   * Where the three files lie (`<baseUrl><id>.json`, `.safetensors`, `.probe.json`), for bundlers
   * that do not copy `new URL(..., import.meta.url)` assets (esbuild) or a CDN. Default: this package.
   */
  baseUrl?: string | URL;
  signal?: AbortSignal;
}

/** The model's table entry; throws UnknownModelError for an id not in MODELS. */
export function modelEntry(id: string = DEFAULT_MODEL): ModelEntry {
  if (!Object.hasOwn(MODELS, id)) throw new UnknownModelError(id);
  return MODELS[id as ModelId];
}

/** The URLs of the model's files, from the table or under `baseUrl`. */
export function modelUrls(id: string = DEFAULT_MODEL, baseUrl?: string | URL): ModelEntry['files'] {
  const { files } = modelEntry(id);
  if (baseUrl === undefined) return files;
  const base = new URL(baseUrl, globalThis.location?.href);
  return { manifest: new URL(`${id}.json`, base), weights: new URL(`${id}.safetensors`, base), probe: new URL(`${id}.probe.json`, base) };
}

export interface ModelFiles {
  id: string;
  manifestText: string;
  safetensors: Uint8Array;
  /** The degradation probe (parsed JSON), when the model ships one. */
  probe?: unknown;
}

/** Reads a URL's bytes; undefined when `optional` and it does not exist. */
export type ReadUrl = (url: URL, optional: boolean, signal?: AbortSignal) => Promise<Uint8Array | undefined>;

export const fetchUrl: ReadUrl = async (url, optional, signal) => {
  const response = await fetch(url, { signal });
  if (optional && response.status === 404) return undefined;
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
};

/** The loaders, over one way of reading URLs (fetch in browsers, the file system in Node). */
export function createLoaders(read: ReadUrl) {
  async function loadModelFiles(id: string = DEFAULT_MODEL, options: LoadOptions = {}): Promise<ModelFiles> {
    const urls = modelUrls(id, options.baseUrl);
    const [manifest, safetensors, probe] = await Promise.all([
      read(urls.manifest, false, options.signal),
      read(urls.weights, false, options.signal),
      read(urls.probe, true, options.signal),
    ]);
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return { id, manifestText: decode(manifest!), safetensors: safetensors!, probe: probe && JSON.parse(decode(probe)) };
  }

  /** Loads a known model (default 'small'): reads its files, checks the sha256 and every parameter. */
  async function loadModel(id: string = DEFAULT_MODEL, options: LoadOptions = {}): Promise<PreparedModel> {
    const files = await loadModelFiles(id, options);
    return prepare(files.manifestText, files.safetensors, id);
  }

  /** The model's degradation probe, checked against its embedding size; undefined when it ships none. */
  async function loadProbe(id: string = DEFAULT_MODEL, options: LoadOptions & { embedDim?: number } = {}): Promise<DegradationProbe | undefined> {
    const urls = modelUrls(id, options.baseUrl);
    const bytes = await read(urls.probe, true, options.signal);
    if (!bytes) return undefined;
    const embedDim = options.embedDim ?? (JSON.parse(new TextDecoder().decode((await read(urls.manifest, false, options.signal))!)) as { config: { embedDim: number } }).config.embedDim;
    return parseProbe(JSON.parse(new TextDecoder().decode(bytes)), embedDim);
  }

  return { loadModelFiles, loadModel, loadProbe };
}
