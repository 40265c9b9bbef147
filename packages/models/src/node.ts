/** @dpmambair/models in Node: file: URLs (this package's own weights) are read from disk, others fetched. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createLoaders, fetchUrl, modelUrls, type ReadUrl } from './load.js';

export { DEFAULT_MODEL, MODEL_IDS, MODELS, type ModelEntry, type ModelId } from './models.js';
export { UnknownModelError, modelEntry, modelUrls, type LoadOptions, type ModelFiles } from './load.js';

const readUrl: ReadUrl = async (url, optional, signal) => {
  if (url.protocol !== 'file:') return fetchUrl(url, optional, signal);
  try {
    return new Uint8Array(await readFile(fileURLToPath(url), { signal }));
  } catch (e) {
    if (optional && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${fileURLToPath(url)} is missing (build @dpmambair/models: npm run build -w @dpmambair/models)`);
    throw e;
  }
};

export const { loadModel, loadModelFiles, loadProbe } = createLoaders(readUrl);

/** The file-system path of one of the model's files in this package (Node only). */
export function modelPath(id: string | undefined, file: 'manifest' | 'weights' | 'probe'): string {
  return fileURLToPath(modelUrls(id)[file]);
}
