/**
 * The backend inside a module Web Worker (no DOM): a few conformance cases per device, run by the
 * same harness with `context: 'worker'`. The page suite (browser.test.ts) runs every case.
 */
import { describeBrowserConformance, ORT_WEB_DIST } from './testing/index.js';

const IN_WORKER: Record<string, string[]> = {
  wasm: ['op/selectiveScan L=4096', 'model/golden tiny', 'determinism: same input twice, bit-identical'],
  webgpu: ['op/conv2d 3x3 + bias, batch 2', 'op/selectiveScan random shapes'],
};

describeBrowserConformance({
  title: 'onnxruntime-web in a Chromium Web Worker',
  entry: new URL('./testing/ort-web-entry.ts', import.meta.url),
  devices: ['wasm', 'webgpu'],
  mounts: { '/ort/': ORT_WEB_DIST },
  context: 'worker',
  filter: (name, device) => IN_WORKER[device]?.includes(name) ?? false,
  timeout: 120_000,
});
