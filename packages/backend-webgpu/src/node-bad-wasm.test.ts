/** A wasm that cannot load: init fails, says where the wasm came from and how to fix it, and stays failed (cached). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configure, createOnnxWebBackend, ORT_WASM_FILES, onnxWebBackend } from './node.js';

const truncated = () => new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 255]); // a truncated wasm module
const cause = /onnxruntime-web wasm failed to start \(ort-wasm-simd-threaded\.wasm from the bytes given to configure\(\{ wasmBinaries \}\).*\)/;

test('init explains a wasm that does not load', async () => {
  assert.throws(() => configure({ numThreads: 0 }), /numThreads must be a positive integer/);
  configure({ wasmBinaries: { [ORT_WASM_FILES.wasm]: truncated() } });
  const first = onnxWebBackend.init('wasm');
  await assert.rejects(first, cause);
  assert.equal(onnxWebBackend.init('wasm'), first);
});

test('the deprecated wasmBinary (bare bytes: the wasm device\'s file) still reaches the same wasm', async () => {
  const web = createOnnxWebBackend({ wasm: { load: () => import('onnxruntime-web/wasm'), wasmFile: ORT_WASM_FILES.wasm } });
  web.configure({ wasmBinary: truncated() });
  await assert.rejects(web.backend.init('wasm'), cause);
});
