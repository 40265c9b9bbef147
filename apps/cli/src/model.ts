import { promises as fs } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { loadModel, parseManifest, type PreparedModel } from '@dpmambair/core';
import { DEFAULT_MODEL as DEFAULT_MODEL_ID, modelPath } from '@dpmambair/models';
import { LoadError } from './errors.js';

/** The default model's manifest, shipped by @dpmambair/models. */
export const DEFAULT_MODEL = modelPath(DEFAULT_MODEL_ID, 'manifest');

export interface LoadedModel {
  model: PreparedModel;
  /** The manifest's path. */
  path: string;
  embedded: boolean;
  /** Set when the manifest says the weights are not trained. */
  untrained: boolean;
  ms: number;
}

/** Loads a weights manifest and the safetensors file it names (beside it). Throws LoadError. */
export async function loadModelFile(path?: string): Promise<LoadedModel> {
  const start = performance.now();
  const embedded = path === undefined;
  const jsonPath = resolve(path ?? DEFAULT_MODEL);
  let text: string;
  try {
    text = await fs.readFile(jsonPath, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new LoadError(embedded
      ? `the embedded model ${jsonPath} is missing (${why}); build @dpmambair/models first: npx turbo run build --filter=dpmambair...`
      : `cannot read model ${jsonPath}: ${why}`);
  }
  try {
    const manifest = parseManifest(text, jsonPath);
    const [file] = Object.keys(manifest.files);
    if (basename(file) !== file) throw new Error(`${jsonPath}: weights file name '${file}' must be a plain file name beside the manifest`);
    const weightsPath = join(dirname(jsonPath), file);
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(weightsPath);
    } catch (e) {
      throw new Error(`cannot read ${weightsPath} (named by the manifest): ${(e as Error).message}`);
    }
    const model = await loadModel(text, bytes, jsonPath);
    const untrained = model.manifest?.training?.status === 'untrained';
    return { model, path: jsonPath, embedded, untrained, ms: performance.now() - start };
  } catch (e) {
    if (e instanceof LoadError) throw e;
    throw new LoadError(`cannot load model: ${(e as Error).message}`);
  }
}

export function untrainedWarning(m: LoadedModel): string {
  const note = m.model.manifest?.training?.note;
  return `the model ${m.embedded ? '(embedded default) ' : ''}is UNTRAINED${typeof note === 'string' ? ` (${note})` : ''}: outputs are not restorations. `
    + 'Train one (models/train.py) and rebuild, or pass --model <weights.json>.';
}
