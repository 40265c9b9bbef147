/**
 * The whole conformance suite in Node on every device of the `node` entry (onnxruntime-web/wasm).
 * `wasm` runs twice: with the selective scan on our WebAssembly kernel between ONNX segments (the
 * default) and as com.microsoft.LinearAttention in one ONNX model (a second backend, configured so).
 * `webgpu` needs a browser: it is listed as skipped with init's reason (browser.test.ts runs it).
 */
import { runBackendConformance } from '@dpmambair/conformance/node';
import { createOnnxWebBackend, ORT_WASM_FILES, onnxWebBackend } from './node.js';

const linearAttention = createOnnxWebBackend({ wasm: { load: () => import('onnxruntime-web/wasm'), wasmFile: ORT_WASM_FILES.wasm } });
linearAttention.configure({ scan: 'linearAttention' });

await runBackendConformance(onnxWebBackend, {
  variants: { wasm: [{ name: 'scan kernel' }, { name: 'LinearAttention', backend: linearAttention.backend }] },
});
