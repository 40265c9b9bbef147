/**
 * The table of known models. Each URL is written out as `new URL('<literal>', import.meta.url)`
 * so that Vite, webpack and Parcel see the files, copy them into the bundle output and rewrite
 * the URL; in Node it points into this package's dist/weights/.
 */
export interface ModelEntry {
  id: string;
  description: string;
  /** Where the files lie: the manifest (config, sha256, training record), the weights, the degradation probe. */
  files: { manifest: URL; weights: URL; probe: URL };
}

export const MODELS = {
  small: {
    id: 'small',
    description: 'DPMambaIR small: about 1.1 M parameters, trained for noise, JPEG, blur, low light, haze, rain and snow (models/README.md has the model card)',
    files: {
      manifest: new URL('./weights/small.json', import.meta.url),
      weights: new URL('./weights/small.safetensors', import.meta.url),
      probe: new URL('./weights/small.probe.json', import.meta.url),
    },
  },
} as const satisfies Record<string, ModelEntry>;

export type ModelId = keyof typeof MODELS;

/** The model every app uses unless told otherwise. */
export const DEFAULT_MODEL: ModelId = 'small';

export const MODEL_IDS = Object.keys(MODELS) as ModelId[];
