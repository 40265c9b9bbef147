/**
 * The backend inside a dedicated module Web Worker in Chromium (the shared harness of
 * packages/backend-webgpu, context 'worker'): every case on tf-wasm; on tf-webgpu and tf-webgl
 * (OffscreenCanvas) the scan cases and a conv. Skipped when that harness's build or Chromium is missing.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { CHROMIUM } from './testing/chromium.js';

type Shared = typeof import('@dpmambair/backend-webgpu/testing');
const shared = (await import('@dpmambair/backend-webgpu/testing').catch(() => undefined)) as Shared | undefined;
const chromiumPath = process.env.CHROMIUM_PATH ?? CHROMIUM;

if (!shared || !existsSync(chromiumPath)) {
  test('tfjs in a Chromium worker', { skip: !shared ? 'the shared harness (@dpmambair/backend-webgpu/testing) is not built' : `no Chromium at ${chromiumPath}` }, () => {});
} else {
  const wasmDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  shared.describeBrowserConformance({
    title: 'tfjs in a Chromium worker',
    entry: new URL('./testing/tf-entry.ts', import.meta.url),
    devices: ['tf-wasm', 'tf-webgpu', 'tf-webgl'],
    mounts: { '/wasm/': wasmDir },
    context: 'worker',
    filter: (name, device) => device === 'tf-wasm' || name.startsWith('op/selectiveScan') || name === 'op/conv2d 3x3 + bias, batch 2',
  });
}
