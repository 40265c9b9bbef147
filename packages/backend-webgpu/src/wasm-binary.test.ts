/** configure({ wasmBinaries }) in Chromium: the wasm comes from bytes, nothing else is fetched, and the model runs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeBrowserConformance, ORT_WEB_DIST } from './testing/index.js';

const harness = describeBrowserConformance({
  title: 'onnxruntime-web wasm from bytes (configure({ wasmBinaries }))',
  entry: new URL('./testing/ort-web-bytes-entry.ts', import.meta.url),
  devices: ['wasm'],
  mounts: { '/ort/': ORT_WEB_DIST },
  webgpu: false,
  filter: (name) => name === 'model/golden tiny',
});

test('nothing was fetched from wasmPaths when wasmBinaries was given', () => {
  const log = harness.server?.log ?? [];
  assert.ok(log.some((l) => l.endsWith('/ort/ort-wasm-simd-threaded.wasm')), `the entry fetched the bytes itself: ${log.join(', ')}`);
  assert.deepEqual(log.filter((l) => l.includes('/no-wasm-here/')), []);
});
