/**
 * The conformance suite on onnxruntime-web in headless Chromium: every case on `wasm`; on `webgpu`
 * (SwiftShader: every new shape compiles shaders on the CPU and each model run costs seconds, so
 * golden small, tiling and determinism take 1-2 minutes each here) every op case and the tiny
 * golden model by default, every case with DPM_WEBGPU_FULL=1 (all pass; see the README).
 */
import { describeBrowserConformance, ORT_WEB_DIST } from './testing/index.js';

const FULL = process.env.DPM_WEBGPU_FULL === '1';
const WEBGPU_DEFAULT = (name: string) => name.startsWith('op/') || name === 'model/golden tiny';

describeBrowserConformance({
  title: 'onnxruntime-web in Chromium',
  entry: new URL('./testing/ort-web-entry.ts', import.meta.url),
  devices: ['wasm', 'webgpu'],
  mounts: { '/ort/': ORT_WEB_DIST },
  filter: (name, device) => device !== 'webgpu' || FULL || WEBGPU_DEFAULT(name),
  timeout: { wasm: 60_000, webgpu: 240_000 },
});
