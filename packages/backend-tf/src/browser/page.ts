/**
 * Browser page entry (bundled by esbuild for the Chromium tests): runs the conformance suite, or a
 * subset, on one tfjs device and publishes the results on `window.__dpm`.
 * Query: ?device=tf-webgpu&cases=<JSON array of case names; absent for all>&wasm=/wasm/&golden=/golden/
 */
import { CASES, fetchFixtures, type CaseMetrics, type MeasuredCase } from '@dpmambair/conformance';
import type { Device } from '@dpmambair/core';
import { configure, SCAN_IMPLEMENTATION, tfBackend } from '../index.js';

interface Result {
  name: string;
  ok: boolean;
  ms: number;
  metrics?: CaseMetrics;
  error?: string;
}

interface PageState {
  done: boolean;
  device: string;
  init?: string;
  results: Result[];
  scan?: string;
}

const state: PageState = { done: false, device: '', results: [] };
(globalThis as unknown as { __dpm: PageState }).__dpm = state;

async function main(): Promise<void> {
  const q = new URLSearchParams(location.search);
  const device = (q.get('device') ?? 'tf-wasm') as Device;
  state.device = device;
  configure({ wasmPaths: q.get('wasm') ?? '/wasm/' });
  try {
    await tfBackend.init(device);
    state.init = 'ok';
  } catch (e) {
    state.init = (e as Error).message;
    return;
  }
  const backendName = device.slice(3) as keyof typeof SCAN_IMPLEMENTATION;
  state.scan = SCAN_IMPLEMENTATION[backendName];
  const fixtures = await fetchFixtures(new URL(q.get('golden') ?? '/golden/', location.href).href);
  const wanted = JSON.parse(q.get('cases') ?? '[]') as string[];
  const cases = wanted.length ? CASES.filter((c) => wanted.includes(c.name)) : CASES;
  for (const c of cases as MeasuredCase[]) {
    const t0 = performance.now();
    try {
      const metrics = await c.measure(tfBackend, device, fixtures);
      state.results.push({ name: c.name, ok: true, ms: performance.now() - t0, metrics });
    } catch (e) {
      state.results.push({ name: c.name, ok: false, ms: performance.now() - t0, error: (e as Error).message ?? String(e) });
    }
  }
}

main()
  .catch((e) => { state.init = `page error: ${(e as Error).message}`; })
  .finally(() => { state.done = true; });
