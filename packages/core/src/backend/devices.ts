/** Every device string users can pass, mapped to the backend package that serves it. */
export const DEVICES = {
  cuda: { backend: 'onnxruntime-node', package: '@dpmambair/backend-cuda', description: 'onnxruntime-node, CUDA execution provider' },
  cpu: { backend: 'onnxruntime-node', package: '@dpmambair/backend-cuda', description: 'onnxruntime-node, CPU execution provider' },
  webgpu: { backend: 'onnxruntime-web', package: '@dpmambair/backend-webgpu', description: 'onnxruntime-web, WebGPU execution provider' },
  wasm: { backend: 'onnxruntime-web', package: '@dpmambair/backend-webgpu', description: 'onnxruntime-web, WebAssembly' },
  'tf-webgpu': { backend: 'tfjs', package: '@dpmambair/backend-tf', description: 'TensorFlow.js, webgpu backend' },
  'tf-webgl': { backend: 'tfjs', package: '@dpmambair/backend-tf', description: 'TensorFlow.js, webgl backend' },
  'tf-wasm': { backend: 'tfjs', package: '@dpmambair/backend-tf', description: 'TensorFlow.js, wasm backend' },
  'tf-cpu': { backend: 'tfjs', package: '@dpmambair/backend-tf', description: 'TensorFlow.js, cpu backend' },
} as const;

export type Device = keyof typeof DEVICES;
export type DeviceRequest = Device | 'auto';

export const DEVICE_NAMES = Object.keys(DEVICES) as Device[];

export function parseDevice(value: string): DeviceRequest {
  if (value === 'auto' || value in DEVICES) return value as DeviceRequest;
  throw new Error(`unknown device '${value}' (choose auto, ${DEVICE_NAMES.join(', ')})`);
}
