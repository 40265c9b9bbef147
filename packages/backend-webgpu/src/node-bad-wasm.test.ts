/** A wasm that cannot load: init fails, says where the wasm came from and how to fix it, and stays failed (cached). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configure, onnxWebBackend } from './node.js';

test('init explains a wasm that does not load', async () => {
  assert.throws(() => configure({ numThreads: 0 }), /numThreads must be a positive integer/);
  configure({ wasmBinary: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 255]) }); // a truncated wasm module
  const first = onnxWebBackend.init('wasm');
  await assert.rejects(first, /onnxruntime-web wasm failed to start \(ort-wasm-simd-threaded\.wasm from the bytes given to configure\(\{ wasmBinary \}\).*\)/);
  assert.equal(onnxWebBackend.init('wasm'), first);
});
