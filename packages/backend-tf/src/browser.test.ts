/**
 * The conformance suite in headless Chromium (Debian's /usr/bin/chromium via playwright-core) on
 * tf-wasm, tf-cpu, tf-webgl and tf-webgpu (SwiftShader for both GPU APIs: correct, but far slower
 * than wasm: the tiny golden model alone takes 45-75 s there on this 2-core machine). To keep
 * `npm test` within a few minutes, tf-webgl runs every op case and tf-webgpu every op case plus the
 * tiny golden model by default; DPM_BROWSER_FULL=1 runs every case on all four.
 *
 * Uses the shared harness of packages/backend-webgpu (`packages/backend-webgpu/src/testing`: one test
 * per case); this package's small runner (src/testing/chromium.ts) drives the scan-kernel checks.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { describeBrowserConformance } from '../../backend-webgpu/src/testing/index.js';
import { CASES } from '@dpmambair/conformance';
import type { Device } from '@dpmambair/core';
import { CHROMIUM, runInChromium } from './testing/chromium.js';

const full = process.env.DPM_BROWSER_FULL === '1';
const GPU: readonly string[] = ['tf-webgl', 'tf-webgpu'];
const opCases = new Set(CASES.filter((c) => c.name.startsWith('op/')).map((c) => c.name));
const wanted = (name: string, device: string) =>
  full || !GPU.includes(device) || opCases.has(name) || (device === 'tf-webgpu' && name === 'model/golden tiny');
const devices: Device[] = ['tf-wasm', 'tf-cpu', 'tf-webgl', 'tf-webgpu'];
const chromiumPath = process.env.CHROMIUM_PATH ?? CHROMIUM;

if (!existsSync(chromiumPath)) {
  test('chromium conformance', { skip: `no Chromium at ${chromiumPath} (set CHROMIUM_PATH)` }, () => {});
} else {
  const wasmDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  describeBrowserConformance({
    title: 'tfjs in Chromium',
    entry: new URL('./testing/tf-entry.ts', import.meta.url),
    devices,
    mounts: { '/wasm/': wasmDir },
    filter: wanted,
    timeout: { 'tf-wasm': 60_000, 'tf-cpu': 60_000, 'tf-webgl': 120_000, 'tf-webgpu': 180_000 },
  });
}

// The GPU scan programs at sizes the suite does not reach: L = 65536 (a 256x256 level), L not a
// multiple of the chunk length, N = 16 (the paper config); delta spanning 1e-4..20, A down to -16.
for (const device of GPU) {
  test(`chromium ${device}: scan kernel at L=65536, odd L, N=16 vs the JS recurrence`, { skip: existsSync(chromiumPath) ? false : 'no Chromium', timeout: 240_000 }, async (t) => {
    const r = await runInChromium(device, [[1000, 5, 3], [65536, 4, 4], [4097, 8, 16]], 220_000);
    assert.equal(r.init, 'ok', r.init);
    for (const res of r.results) {
      t.diagnostic(`${res.name}: ${Math.round(res.ms)} ms ${JSON.stringify(res.metrics)}`);
      assert.ok(res.ok, res.error);
    }
    assert.equal(r.results.length, 3);
  });
}
