import type { Graph } from '../graph/ir.js';
import type { ModelConfig } from '../model/config.js';
import { EXTRACTOR_INPUT, EXTRACTOR_OUTPUT, RESTORER_INPUTS, RESTORER_OUTPUT } from '../model/dpmambair.js';
import type { Tensor } from '../tensor.js';
import type { WeightsManifest } from '../weights/load.js';
import type { ParamStore } from '../weights/params.js';
import type { Device } from './devices.js';

/** A model ready for any backend: config, parameters (derived ones included) and both graphs. */
export interface PreparedModel {
  config: ModelConfig;
  params: ParamStore;
  extractor: Graph;
  restorer: Graph;
  manifest?: WeightsManifest;
}

/** One graph compiled for one device. Inputs and outputs by the graph's names. */
export interface CompiledGraph {
  run(inputs: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  dispose(): Promise<void>;
}

/**
 * A backend package (onnxruntime-node, onnxruntime-web, tfjs). `init` checks that a device can
 * run here; it is idempotent and cached, and throws an Error whose message says why not.
 * Nothing is probed at import time. `compile` turns any core graph into something runnable.
 */
export interface Backend {
  readonly name: string;
  readonly devices: readonly Device[];
  init(device: Device): Promise<void>;
  compile(graph: Graph, params: ParamStore, device: Device): Promise<CompiledGraph>;
}

/** One model loaded on one device. */
export interface ModelSession {
  readonly device: Device;
  readonly model: PreparedModel;
  /** crops (K, 3, H, W) of one image -> degradation embedding (1, E). */
  embed(crops: Tensor): Promise<Tensor>;
  /** image (1, 3, H, W), H and W multiples of 8, + embedding (1, E) -> restored (1, 3, H, W). */
  restore(image: Tensor, embedding: Tensor): Promise<Tensor>;
  dispose(): Promise<void>;
}

/** Compiles both graphs of a model on one backend. */
export async function openModelSession(backend: Backend, model: PreparedModel, device: Device): Promise<ModelSession> {
  await backend.init(device);
  const extractor = await backend.compile(model.extractor, model.params, device);
  const restorer = await backend.compile(model.restorer, model.params, device);
  return {
    device,
    model,
    async embed(crops) {
      return (await extractor.run({ [EXTRACTOR_INPUT]: crops }))[EXTRACTOR_OUTPUT];
    },
    async restore(image, embedding) {
      return (await restorer.run({ [RESTORER_INPUTS[0]]: image, [RESTORER_INPUTS[1]]: embedding }))[RESTORER_OUTPUT];
    },
    async dispose() {
      await Promise.all([extractor.dispose(), restorer.dispose()]);
    },
  };
}

/** Makes a per-device availability probe idempotent: each device is probed once, its outcome cached. */
export function initOncePerDevice(probe: (device: Device) => Promise<void>): (device: Device) => Promise<void> {
  const outcomes = new Map<Device, Promise<void>>();
  return (device) => {
    let outcome = outcomes.get(device);
    if (!outcome) {
      outcome = probe(device);
      outcomes.set(device, outcome);
    }
    return outcome;
  };
}
