/** The conformance suite on onnxruntime-web in headless Chromium: `wasm` and `webgpu` (SwiftShader). */
import { describeBrowserConformance, ORT_WEB_DIST } from './testing/index.js';

describeBrowserConformance({
  title: 'onnxruntime-web in Chromium',
  entry: new URL('./testing/ort-web-entry.ts', import.meta.url),
  devices: ['wasm', 'webgpu'],
  mounts: { '/ort/': ORT_WEB_DIST },
  timeout: { wasm: 60_000, webgpu: 120_000 },
});
