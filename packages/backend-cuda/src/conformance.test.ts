// The shared conformance suite (packages/conformance) on every device of onnxruntime-node. `cpu`
// runs twice: with the selective scan on our WebAssembly kernel between ONNX segments (the default)
// and as com.microsoft.LinearAttention in one ONNX model. `cuda` needs an NVIDIA GPU and
// onnxruntime-node's CUDA build; where init refuses it, it is listed as skipped with init's reason.
import { runBackendConformance } from '@dpmambair/conformance/node';
import { createOnnxNodeBackend, onnxNodeBackend } from './index.js';

await runBackendConformance(onnxNodeBackend, {
  variants: { cpu: [{ name: 'scan kernel' }, { name: 'LinearAttention', backend: createOnnxNodeBackend({ scan: 'linearAttention' }) }] },
});
