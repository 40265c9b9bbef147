/** Importing the package probes nothing and loads no tfjs backend; init loads only the one asked for. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { resolveDevice } from '@dpmambair/core';
import { quietTfjs } from './testing/quiet.js';

quietTfjs();

test('import is inert; init(device) imports and registers only that tfjs backend', async () => {
  const { tfBackend } = await import('./index.js');
  for (const name of ['cpu', 'wasm', 'webgl', 'webgpu']) assert.equal(tf.findBackendFactory(name), null, `${name} registered at import`);
  assert.equal(tf.engine().backendName ?? null, null, 'no tfjs backend initialised at import');
  await tfBackend.init('tf-wasm');
  assert.ok(tf.findBackendFactory('wasm'));
  assert.equal(tf.findBackendFactory('cpu'), null, 'tf-wasm init must not load the cpu backend');
  assert.ok(tf.getKernel('DpmSelectiveScan', 'wasm'), 'the scan kernel is registered for wasm');
});

test("the core registry resolves tf-wasm to this backend, and 'auto' skips the GPU devices with reasons", async () => {
  await import('./index.js');
  const r = await resolveDevice('tf-wasm');
  assert.equal(r.backend.name, 'tfjs');
  await assert.rejects(resolveDevice('tf-webgpu'), /device 'tf-webgpu' is not available: tfjs: WebGPU is not available here/);
});
