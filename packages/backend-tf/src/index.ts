import * as tf from '@tensorflow/tfjs-core';
import { registerBackend, type Backend } from '@dpmambair/core';
import { activateSync, config, initDevice, isTfDevice, TF_BACKEND, TF_DEVICES, type TfDevice } from './devices.js';
import { checkOps, ParamTensors, runGraph } from './interpreter.js';
import type { TfScan } from './scan/register.js';

export { configure, TF_BACKEND, TF_DEVICES, type TfConfig, type TfDevice } from './devices.js';
export { SUPPORTED_OPS, UnsupportedOpError } from './interpreter.js';
export { SCAN_IMPLEMENTATION, SCAN_KERNEL, selectiveScan, registerScanKernels, type TfScan } from './scan/register.js';
export { selectiveScanJS } from './scan/js.js';

/**
 * TensorFlow.js backend: interprets the core graph op by op on the tfjs cpu, wasm, webgl or webgpu
 * backend (devices tf-cpu, tf-wasm, tf-webgl, tf-webgpu). tfjs backends are imported lazily in init.
 * tfjs has one active backend at a time; each run activates its device's backend first.
 * `tfBackend` (registered) is `createTfBackend()`; `{ scan: 'js' }` runs the selective scan on the JS
 * recurrence on tf-cpu and tf-wasm (the fallback where WebAssembly SIMD is missing), to test it.
 */
export function createTfBackend({ scan = 'kernel' }: { scan?: TfScan } = {}): Backend {
  return {
    name: 'tfjs',
    devices: TF_DEVICES,
    init(device) {
      return initDevice(device);
    },
    async compile(graph, params, device) {
      if (!isTfDevice(device)) throw new Error(`tfjs does not serve device '${device}'`);
      const name = `tfjs/${TF_BACKEND[device]}`;
      checkOps(graph, name);
      await initDevice(device);
      activateSync(device);
      const uploaded = new ParamTensors(graph, params);
      const layout = config.layout ?? 'nhwc';
      let disposed = false;
      let queue: Promise<unknown> = Promise.resolve();
      return {
        run(inputs) {
          if (disposed) return Promise.reject(new Error(`${name}: run() after dispose()`));
          // Serialise runs of this graph; switch the global tfjs backend to this device's for each.
          const next = queue.then(async () => {
            await initDevice(device);
            activateSync(device as TfDevice);
            return runGraph(graph, uploaded, inputs, name, layout, scan); // issues every op before its first await
          });
          queue = next.catch(() => undefined);
          return next;
        },
        async dispose() {
          if (disposed) return;
          disposed = true;
          await queue;
          uploaded.dispose();
        },
      };
    },
  };
}

export const tfBackend = createTfBackend();

/** Bytes currently held by tfjs on the active backend (for tests and diagnostics). */
export const tfMemory = () => tf.memory();

registerBackend(tfBackend);
