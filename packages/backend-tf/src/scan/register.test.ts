/**
 * Which scan the CPU tfjs backends run: our WebAssembly kernel from @dpmambair/scan-wasm's registry,
 * and the JS recurrence only where that kernel cannot run, each saying why it was chosen.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernels } from '@dpmambair/scan-wasm';
import { chooseCpuScan, SCAN_IMPLEMENTATION } from './register.js';

const sizes = { batch: 1, L: 50, Di: 6, N: 4 };
const operands = () => {
  let seed = 17;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const fill = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  const { L, Di, N } = sizes;
  return [fill(L * Di, () => rand() * 2 - 1), fill(L * Di, () => 0.01 + 0.3 * rand()), fill(Di * N, () => -1 - 7 * rand()),
    fill(L * N, () => rand() * 2 - 1), fill(L * N, () => rand() * 2 - 1), fill(Di, () => rand())] as const;
};

test('Node has WebAssembly SIMD, so tf-cpu and tf-wasm run our kernel and say why', () => {
  assert.match(SCAN_IMPLEMENTATION.cpu, /^our WebAssembly SIMD selective-scan kernel \(@dpmambair\/scan-wasm, one thread\) inside a tfjs kernel, operands copied in from the backend arrays \(chosen: this engine has WebAssembly SIMD\)$/);
  assert.match(SCAN_IMPLEMENTATION.wasm, /views of the wasm heap \(chosen: this engine has WebAssembly SIMD\)$/);
});

test('where the kernel cannot run, the JS recurrence is the fallback, names the reason and computes the same y', (t) => {
  const warn = t.mock.method(console, 'warn', () => {});
  const entry = kernels.sync('tf-cpu', 'selectiveScan');
  const kernel = chooseCpuScan(entry, 'the backend arrays');
  // The registry entry of an engine without SIMD reports why; its kernel must then never be made.
  const withoutSimd = { ...entry, unsupportedReason: () => 'this WebAssembly engine has no SIMD (v128)', create: () => assert.fail('created a kernel that cannot run') };
  const fallback = chooseCpuScan(withoutSimd, 'the backend arrays');

  assert.equal(kernel.kernel, 'wasm-simd');
  assert.equal(fallback.kernel, 'js');
  assert.equal(fallback.implementation, 'JS kernel: sequential recurrence on the backend arrays (the fallback, chosen because our WebAssembly kernel cannot run here: this WebAssembly engine has no SIMD (v128))');
  assert.equal(warn.mock.callCount(), 1, 'the fallback is announced once, when chosen');
  assert.match(String(warn.mock.calls[0].arguments[0]), /^@dpmambair\/backend-tf tf-cpu: selective scan on the JS kernel: .*no SIMD/);

  const [x, delta, A, B, C, D] = operands();
  const [a, b] = [new Float32Array(sizes.L * sizes.Di), new Float32Array(sizes.L * sizes.Di)];
  kernel.scanInto(x, delta, A, B, C, D, sizes, a);
  fallback.scanInto(x, delta, A, B, C, D, sizes, b);
  const maxAbs = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
  assert.ok(maxAbs <= 1e-5, `kernel vs JS recurrence: max |diff| ${maxAbs}`);
  assert.ok(a.some((v) => v !== 0));
});

test("createTfBackend({ scan: 'js' }) runs the JS recurrence itself: the op's result is selectiveScanJS's, bit for bit", async () => {
  const tf = await import('@tensorflow/tfjs-core');
  const { tfBackend } = await import('../index.js');
  const { selectiveScan } = await import('./register.js');
  const { selectiveScanJS } = await import('./js.js');
  await tfBackend.init('tf-cpu');
  await tf.setBackend('cpu');
  const [x, delta, A, B, C, D] = operands();
  const { L, Di, N } = sizes;
  const ts = [tf.tensor(x, [1, L, Di]), tf.tensor(delta, [1, L, Di]), tf.tensor(A, [Di, N]), tf.tensor(B, [1, L, N]), tf.tensor(C, [1, L, N]), tf.tensor(D, [Di])] as const;
  const y = selectiveScan(...ts, 'js');
  const expected = selectiveScanJS(x, delta, A, B, C, D, 1, L, Di, N, new Float32Array(L * Di));
  assert.deepEqual(await y.data(), expected);
  tf.dispose([...ts, y]);
});
