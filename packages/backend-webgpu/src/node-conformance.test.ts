/**
 * The whole conformance suite in Node on the `node` entry (onnxruntime-web/wasm, device wasm),
 * twice: with the selective scan on our WebAssembly kernel between ONNX segments (the default) and
 * as com.microsoft.LinearAttention in one ONNX model (a second backend, configured so).
 */
import { runCasesWithNodeTest } from '@dpmambair/conformance/node';
import { createOnnxWebBackend, ORT_WASM_FILES, onnxWebBackend } from './node.js';

runCasesWithNodeTest(onnxWebBackend, 'wasm', { prefix: 'onnxruntime-web (Node) wasm, scan kernel: ' });

const linearAttention = createOnnxWebBackend({ wasm: { load: () => import('onnxruntime-web/wasm'), wasmFile: ORT_WASM_FILES.wasm } });
linearAttention.configure({ scan: 'linearAttention' });
runCasesWithNodeTest(linearAttention.backend, 'wasm', { prefix: 'onnxruntime-web (Node) wasm, LinearAttention: ' });
