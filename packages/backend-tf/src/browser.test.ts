/**
 * The conformance suite in headless Chromium (Debian's /usr/bin/chromium via playwright-core) on
 * tf-wasm, tf-cpu, tf-webgl and tf-webgpu (SwiftShader for both GPU APIs: correct, but far slower
 * than wasm: the tiny golden model alone takes 45-75 s there on this 2-core machine). To keep
 * `npm test` within a few minutes, tf-webgl runs every op case and tf-webgpu every op case plus the
 * tiny golden model by default; DPM_BROWSER_FULL=1 runs every case on all four.
 *
 * Uses the shared harness of packages/backend-webgpu (`@dpmambair/backend-webgpu/testing`: one test
 * per case) when its build is there; otherwise this package's own small harness (src/testing/chromium.ts).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
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

type Shared = typeof import('@dpmambair/backend-webgpu/testing');
const shared = (await import('@dpmambair/backend-webgpu/testing').catch(() => undefined)) as Shared | undefined;

if (!existsSync(chromiumPath)) {
  test('chromium conformance', { skip: `no Chromium at ${chromiumPath} (set CHROMIUM_PATH)` }, () => {});
} else if (shared) {
  const wasmDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  shared.describeBrowserConformance({
    title: 'tfjs in Chromium',
    entry: new URL('./testing/tf-entry.ts', import.meta.url),
    devices,
    mounts: { '/wasm/': wasmDir },
    filter: wanted,
    timeout: { 'tf-wasm': 60_000, 'tf-cpu': 60_000, 'tf-webgl': 120_000, 'tf-webgpu': 180_000 },
  });
} else {
  for (const device of devices) {
    const cases = CASES.map((c) => c.name).filter((n) => wanted(n, device));
    test(`chromium ${device}: conformance (${cases.length} of ${CASES.length} cases)`, { timeout: 300_000 }, async (t) => {
      const r = await runInChromium(device, cases.length === CASES.length ? [] : cases, 280_000);
      assert.equal(r.init, 'ok', `${device} did not initialise in Chromium: ${r.init}\n${r.console.slice(0, 5).join('\n')}`);
      t.diagnostic(`scan: ${r.scan}`);
      assert.equal(r.results.length, cases.length, 'every requested case ran');
      for (const res of r.results) {
        await t.test(res.name, () => {
          t.diagnostic(`${res.name}: ${Math.round(res.ms)} ms ${JSON.stringify(res.metrics ?? {})}`);
          assert.ok(res.ok, res.error);
        });
      }
    });
  }
}

// The GPU scan programs at sizes the suite does not reach: L = 65536 (a 256x256 level), L not a
// multiple of the chunk length, N = 16 (the paper config); delta spanning 1e-4..20, A down to -16.
for (const device of GPU) {
  test(`chromium ${device}: scan kernel at L=65536, odd L, N=16 vs the JS recurrence`, { skip: existsSync(chromiumPath) ? false : 'no Chromium', timeout: 240_000 }, async (t) => {
    const r = await runInChromium(device, [], 220_000, [[1000, 5, 3], [65536, 4, 4], [4097, 8, 16]]);
    assert.equal(r.init, 'ok', r.init);
    for (const res of r.results) {
      t.diagnostic(`${res.name}: ${Math.round(res.ms)} ms ${JSON.stringify(res.metrics)}`);
      assert.ok(res.ok, res.error);
    }
    assert.equal(r.results.length, 3);
  });
}
