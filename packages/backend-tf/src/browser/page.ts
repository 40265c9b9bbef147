/**
 * Browser page entry (bundled by esbuild for the Chromium tests): checks the registered scan kernel
 * of one tfjs device against the JS recurrence at the given shapes and publishes the results on
 * `window.__dpm`. (The conformance suite runs through packages/backend-webgpu/src/testing.)
 * Query: ?device=tf-webgpu&scan=<JSON array of [L, Di, N]>&wasm=/wasm/
 */
import type { Device } from '@dpmambair/core';
import * as tf from '@tensorflow/tfjs-core';
import { configure, SCAN_IMPLEMENTATION, selectiveScan, selectiveScanJS, tfBackend } from '../index.js';

interface Result {
  name: string;
  ok: boolean;
  ms: number;
  metrics?: Record<string, number>;
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
  const scans = JSON.parse(q.get('scan') ?? '[]') as [number, number, number][];
  for (const [L, Di, N] of scans) state.results.push(await checkScan(L, Di, N));
}

/** The registered scan kernel on this device vs the JS recurrence (float64 state), one shape. */
async function checkScan(L: number, Di: number, N: number): Promise<Result> {
  let seed = L * 131 + Di * 7 + N;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const fill = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  const x = fill(L * Di, () => rand() * 2 - 1);
  const delta = fill(L * Di, () => Math.exp(Math.log(1e-4) + rand() * Math.log(2e5)));
  const A = fill(Di * N, () => -1 - 15 * rand());
  const B = fill(L * N, () => rand() * 2 - 1);
  const C = fill(L * N, () => rand() * 2 - 1);
  const D = fill(Di, () => 1);
  const expected = selectiveScanJS(x, delta, A, B, C, D, 1, L, Di, N, new Float32Array(L * Di));
  const t0 = performance.now();
  const ts = [tf.tensor(x, [1, L, Di]), tf.tensor(delta, [1, L, Di]), tf.tensor(A, [Di, N]), tf.tensor(B, [1, L, N]), tf.tensor(C, [1, L, N]), tf.tensor(D, [Di])] as const;
  const y = selectiveScan(...ts);
  const actual = (await y.data()) as Float32Array;
  const ms = performance.now() - t0;
  tf.dispose([...ts, y]);
  let maxAbs = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  const scaled = maxAbs / scale;
  const name = `scan L=${L} Di=${Di} N=${N}`;
  return { name, ok: scaled <= 1e-5, ms, metrics: { maxAbs, scaled }, error: scaled <= 1e-5 ? undefined : `${name}: scaled diff ${scaled}` };
}

main()
  .catch((e) => { state.init = `page error: ${(e as Error).message}`; })
  .finally(() => { state.done = true; });
