// The shared conformance suite (packages/conformance) on onnxruntime-node's CPU execution provider,
// twice: with the selective scan on our WebAssembly kernel between ONNX segments (the default) and
// as com.microsoft.LinearAttention in one ONNX model. The cuda device needs an NVIDIA GPU; where it
// is missing, init says why and no case runs on it.
import { runCasesWithNodeTest } from '@dpmambair/conformance/node';
import { createOnnxNodeBackend, onnxNodeBackend } from './index.js';

runCasesWithNodeTest(onnxNodeBackend, 'cpu', { prefix: 'onnxruntime-node cpu (scan kernel): ' });
runCasesWithNodeTest(createOnnxNodeBackend({ scan: 'linearAttention' }), 'cpu', { prefix: 'onnxruntime-node cpu (LinearAttention): ' });
