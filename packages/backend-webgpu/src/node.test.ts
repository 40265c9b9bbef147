/** The backend under Node (onnxruntime-web's wasm runs there too): registration, 'auto', init errors, configure order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listDevices, resolveDevice } from '@dpmambair/core';
import { configure, onnxWebBackend } from './node.js';

test('registers webgpu and wasm; auto falls back to wasm and says why webgpu was skipped', async () => {
  const statuses = await listDevices();
  const webgpu = statuses.find((s) => s.device === 'webgpu')!;
  const wasm = statuses.find((s) => s.device === 'wasm')!;
  assert.equal(wasm.available, true, wasm.reason);
  assert.equal(wasm.backend, 'onnxruntime-web');
  assert.equal(webgpu.available, false);
  assert.match(webgpu.reason ?? '', /WebGPU is not available: this is the Node build/);
  const resolved = await resolveDevice('auto');
  // cpu (onnxruntime-node) is not registered in this process, so after webgpu comes wasm.
  assert.equal(resolved.device, 'wasm');
  assert.match(resolved.warnings.join('\n'), /skipped webgpu .*Node build/);
});

test('init is cached: the same promise each time', async () => {
  assert.equal(onnxWebBackend.init('wasm'), onnxWebBackend.init('wasm'));
  await onnxWebBackend.init('wasm');
});

test('an unknown device is refused with a reason', async () => {
  await assert.rejects(onnxWebBackend.init('cuda'), /onnxruntime-web does not serve device 'cuda'/);
});

test('configure() after the wasm has loaded throws', () => {
  assert.throws(() => configure({ numThreads: 1 }), /must be called before the first init/);
});
