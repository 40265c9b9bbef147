/** The whole conformance suite in Node on the `node` entry (onnxruntime-web/wasm, device wasm). */
import { runCasesWithNodeTest } from '@dpmambair/conformance/node';
import { onnxWebBackend } from './node.js';

runCasesWithNodeTest(onnxWebBackend, 'wasm', { prefix: 'onnxruntime-web (Node) wasm: ' });
