/** The backend under Node (onnxruntime-web's wasm runs there too): registration, 'auto', init errors, configure order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRestorerGraph, getConfig, listDevices, prepareModel, randomParams, resolveDevice, seededRandom, tensor } from '@dpmambair/core';
import { configure, createOnnxWebBackend, ORT_WASM_FILES, onnxWebBackend } from './node.js';

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

test('configure({ layerNorm }): wasm\'s channel-wise layerNorm (the default) restores as LayerNormalization does', async () => {
  const make = (layerNorm?: 'op' | 'channels') => {
    const b = createOnnxWebBackend({ wasm: { load: () => import('onnxruntime-web/wasm'), wasmFile: ORT_WASM_FILES.wasm } });
    if (layerNorm) b.configure({ layerNorm });
    return b.backend;
  };
  assert.throws(() => createOnnxWebBackend({}).configure({ layerNorm: 'tokens' as 'op' }), /layerNorm must be 'op' or 'channels', got "tokens"/);
  const config = getConfig('small');
  const { params } = prepareModel(config, randomParams(config, 1));
  const graph = buildRestorerGraph(config);
  const rand = seededRandom(5);
  const inputs = { image: tensor([1, 3, 32, 32], Float32Array.from({ length: 3 * 32 * 32 }, () => rand())), embedding: tensor([1, config.embedDim], Float32Array.from({ length: config.embedDim }, () => rand() - 0.5)) };
  const outputs = [];
  for (const backend of [make('op'), make()]) {
    const compiled = await backend.compile(graph, params, 'wasm');
    outputs.push((await compiled.run(inputs)).restored.data);
    await compiled.dispose();
  }
  const [op, channels] = outputs;
  let worst = 0;
  for (let i = 0; i < op.length; i++) worst = Math.max(worst, Math.abs(op[i] - channels[i]));
  // Not bit-identical (so the option does choose another model), equal to float32 rounding.
  assert.ok(worst > 0 && worst < 2e-6, `max |op - channels| ${worst}`);
});
