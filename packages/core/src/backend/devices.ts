/**
 * Every device string users can pass, mapped to the backend package that serves it. `auto` is the
 * rank at which device 'auto' tries it (fastest first): the one source of that order.
 */
export const DEVICES = {
  cuda: { backend: 'onnxruntime-node', package: '@dpmambair/backend-cuda', auto: 1, description: 'onnxruntime-node, CUDA execution provider' },
  cpu: { backend: 'onnxruntime-node', package: '@dpmambair/backend-cuda', auto: 3, description: 'onnxruntime-node, CPU execution provider' },
  webgpu: { backend: 'onnxruntime-web', package: '@dpmambair/backend-webgpu', auto: 2, description: 'onnxruntime-web, WebGPU execution provider' },
  wasm: { backend: 'onnxruntime-web', package: '@dpmambair/backend-webgpu', auto: 4, description: 'onnxruntime-web, WebAssembly' },
  'tf-webgpu': { backend: 'tfjs', package: '@dpmambair/backend-tf', auto: 5, description: 'TensorFlow.js, webgpu backend' },
  'tf-webgl': { backend: 'tfjs', package: '@dpmambair/backend-tf', auto: 6, description: 'TensorFlow.js, webgl backend' },
  'tf-wasm': { backend: 'tfjs', package: '@dpmambair/backend-tf', auto: 7, description: 'TensorFlow.js, wasm backend' },
  'tf-cpu': { backend: 'tfjs', package: '@dpmambair/backend-tf', auto: 8, description: 'TensorFlow.js, cpu backend' },
} as const;

export type Device = keyof typeof DEVICES;
export type DeviceRequest = Device | 'auto';

export const DEVICE_NAMES = Object.keys(DEVICES) as Device[];

/** Order in which 'auto' tries devices: fastest first (DEVICES[device].auto). */
export const AUTO_ORDER: readonly Device[] = [...DEVICE_NAMES].sort((a, b) => DEVICES[a].auto - DEVICES[b].auto);

/**
 * A device that cannot be used here: `device` is what was asked for ('auto' when no device
 * worked), `reasons` says why, one entry per backend tried (for 'auto': per device, prefixed).
 */
export class DeviceUnavailableError extends Error {
  override readonly name = 'DeviceUnavailableError';
  constructor(
    readonly device: DeviceRequest,
    readonly reasons: readonly string[],
  ) {
    super(device === 'auto' ? `no device is available: ${reasons.join('; ')}` : `device '${device}' is not available: ${reasons.join('; ')}`);
  }
}

export function parseDevice(value: string): DeviceRequest {
  if (value === 'auto' || value in DEVICES) return value as DeviceRequest;
  throw new Error(`unknown device '${value}' (choose auto, ${DEVICE_NAMES.join(', ')})`);
}
