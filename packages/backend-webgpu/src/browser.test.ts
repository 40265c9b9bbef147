/**
 * The conformance suite on onnxruntime-web in headless Chromium: every case on `wasm`; on `webgpu`
 * (SwiftShader, ~60x slower than wasm: each model run costs seconds) every op case, the tiny golden
 * model and determinism by default, everything with DPM_WEBGPU_FULL=1.
 */
import { describeBrowserConformance, ORT_WEB_DIST } from './testing/index.js';

const FULL = process.env.DPM_WEBGPU_FULL === '1';
const WEBGPU_DEFAULT = (name: string) =>
  name.startsWith('op/') || name === 'model/golden tiny' || name.startsWith('determinism');

describeBrowserConformance({
  title: 'onnxruntime-web in Chromium',
  entry: new URL('./testing/ort-web-entry.ts', import.meta.url),
  devices: ['wasm', 'webgpu'],
  mounts: { '/ort/': ORT_WEB_DIST },
  filter: (name, device) => device !== 'webgpu' || FULL || WEBGPU_DEFAULT(name),
  timeout: { wasm: 60_000, webgpu: 240_000 },
});
