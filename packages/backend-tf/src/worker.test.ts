/**
 * The backend inside a dedicated module Web Worker in Chromium (the shared harness of
 * packages/backend-webgpu, context 'worker'): every case on tf-wasm; on tf-webgpu and tf-webgl
 * (OffscreenCanvas) the scan cases and a conv. Skipped when Chromium is missing.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { describeBrowserConformance } from '../../backend-webgpu/src/testing/index.js';
import { CHROMIUM } from './testing/chromium.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? CHROMIUM;

if (!existsSync(chromiumPath)) {
  test('tfjs in a Chromium worker', { skip: `no Chromium at ${chromiumPath}` }, () => {});
} else {
  const wasmDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  describeBrowserConformance({
    title: 'tfjs in a Chromium worker',
    entry: new URL('./testing/tf-entry.ts', import.meta.url),
    devices: ['tf-wasm', 'tf-webgpu', 'tf-webgl'],
    mounts: { '/wasm/': wasmDir },
    context: 'worker',
    filter: (name, device) => device === 'tf-wasm' || name.startsWith('op/selectiveScan') || name === 'op/conv2d 3x3 + bias, batch 2',
  });
}
