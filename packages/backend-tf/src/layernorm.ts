import * as tf from '@tensorflow/tfjs-core';

/**
 * LayerNorm over the last axis. tfjs has no such op; composed from tfjs ops it needs two
 * (rows, 1)-broadcasts, which tfjs-backend-cpu runs through its generic per-element index path
 * (~30x slower than a plain loop). So on `cpu` it is a registered kernel (one JS loop, float64
 * sums); every other backend composes tfjs ops.
 */
export const LAYERNORM_KERNEL = 'DpmLayerNorm';

/* eslint-disable @typescript-eslint/no-explicit-any */
const cpuKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, weight, bias } = inputs as unknown as { x: tf.TensorInfo; weight: tf.TensorInfo; bias: tf.TensorInfo };
  const eps = (attrs as unknown as { eps: number }).eps;
  const b = backend as any;
  const xv = b.readSync(x.dataId) as Float32Array;
  const wv = b.readSync(weight.dataId) as Float32Array;
  const bv = b.readSync(bias.dataId) as Float32Array;
  const c = x.shape[x.shape.length - 1];
  const out = new Float32Array(xv.length);
  for (let r = 0; r < xv.length; r += c) {
    let mean = 0;
    for (let i = 0; i < c; i++) mean += xv[r + i];
    mean /= c;
    let v = 0;
    for (let i = 0; i < c; i++) v += (xv[r + i] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / c + eps);
    for (let i = 0; i < c; i++) out[r + i] = (xv[r + i] - mean) * inv * wv[i] + bv[i];
  }
  return b.makeTensorInfo(x.shape, 'float32', out);
};

export function registerLayerNormKernels(backendName: string): void {
  if (backendName === 'cpu' && !tf.getKernel(LAYERNORM_KERNEL, 'cpu')) {
    tf.registerKernel({ kernelName: LAYERNORM_KERNEL, backendName: 'cpu', kernelFunc: cpuKernel });
  }
}

export function layerNorm(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  if (tf.getKernel(LAYERNORM_KERNEL, tf.getBackend())) {
    return tf.engine().runKernel(LAYERNORM_KERNEL, { x, weight: w, bias: b } as unknown as tf.NamedTensorMap, { eps } as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, eps))), w), b);
}
