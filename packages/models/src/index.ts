/**
 * @dpmambair/models: the trained weights and their loader (browsers, workers, bundlers: fetch).
 * Node resolves ./node.js instead (the `node` export condition), which reads file: URLs from disk.
 */
import { createLoaders, fetchUrl } from './load.js';

export { DEFAULT_MODEL, MODEL_IDS, MODELS, type ModelEntry, type ModelId } from './models.js';
export { UnknownModelError, modelEntry, modelUrls, type LoadOptions, type ModelFiles } from './load.js';

export const { loadModel, loadModelFiles, loadProbe } = createLoaders(fetchUrl);
