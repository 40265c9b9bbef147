/**
 * The conformance suite in Chromium (Debian's /usr/bin/chromium via playwright-core) on tf-wasm,
 * tf-cpu, tf-webgl and tf-webgpu (SwiftShader for both GPU APIs: correct, but far slower than wasm).
 * To keep `npm test` within a few minutes, the GPU devices run every op case plus the tiny golden
 * model by default; DPM_BROWSER_FULL=1 runs the whole suite on all four (about 5 minutes here).
 * Skipped, with the reason, when Chromium is not installed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { CASES } from '@dpmambair/conformance';
import { CHROMIUM, runInChromium } from './testing/chromium.js';

const full = process.env.DPM_BROWSER_FULL === '1';
const opCases = CASES.filter((c) => c.name.startsWith('op/')).map((c) => c.name);
const gpuCases = [...opCases, 'model/golden tiny'];
const plan: [string, string[]][] = [
  ['tf-wasm', []],
  ['tf-cpu', []],
  ['tf-webgl', full ? [] : gpuCases],
  ['tf-webgpu', full ? [] : gpuCases],
];
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`;

for (const [device, cases] of plan) {
  test(`chromium ${device}: conformance${cases.length ? ` (${cases.length} of ${CASES.length} cases)` : ''}`, { skip, timeout: 300_000 }, async (t) => {
    const r = await runInChromium(device, cases, 280_000);
    assert.equal(r.init, 'ok', `${device} did not initialise in Chromium: ${r.init}\n${r.console.slice(0, 5).join('\n')}`);
    t.diagnostic(`scan: ${r.scan}`);
    assert.equal(r.results.length, cases.length || CASES.length, 'every requested case ran');
    for (const res of r.results) {
      await t.test(res.name, () => {
        t.diagnostic(`${res.name}: ${Math.round(res.ms)} ms ${JSON.stringify(res.metrics ?? {})}`);
        assert.ok(res.ok, res.error);
      });
    }
  });
}
