import type { PreparedModel } from '../backend/backend.js';
import { checkParameters, loadWeights } from '../weights/load.js';
import type { ParamStore } from '../weights/params.js';
import type { ModelConfig } from './config.js';
import { buildExtractorGraph, buildRestorerGraph } from './dpmambair.js';
import { assertParamsFit, withDerivedParams } from './parameters.js';

/** Checks stored parameters, derives the inference-form ones and builds both graphs. */
export function prepareModel(config: ModelConfig, stored: ParamStore, manifest?: PreparedModel['manifest']): PreparedModel {
  checkParameters(config, stored, `model '${config.name}'`);
  const params = withDerivedParams(config, stored);
  const extractor = buildExtractorGraph(config, { reparameterised: true });
  const restorer = buildRestorerGraph(config);
  assertParamsFit(extractor, params);
  assertParamsFit(restorer, params);
  return { config, params, extractor, restorer, manifest };
}

/** Loads a weights manifest (JSON text) and its safetensors bytes into a ready model. */
export async function loadModel(manifestText: string, safetensors: Uint8Array, source = 'weights'): Promise<PreparedModel> {
  const { manifest, params } = await loadWeights(manifestText, safetensors, source);
  return prepareModel(manifest.config, params, manifest);
}
