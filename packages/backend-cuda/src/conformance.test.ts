// The shared conformance suite (packages/conformance) on onnxruntime-node's CPU execution provider.
// The cuda device needs an NVIDIA GPU; where it is missing, init says why and no case runs on it.
import { runCasesWithNodeTest } from '@dpmambair/conformance/node';
import { onnxNodeBackend } from './index.js';

runCasesWithNodeTest(onnxNodeBackend, 'cpu');
