/**
 * Op-level checks against core's runReference on tf-cpu and tf-wasm (Node), including the scan at
 * L = 1, L = 4096 and extreme delta; plus init/compile behaviour (errors name the op and backend).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder, ParamStore, runReference, type Graph } from '@dpmambair/core';
import { tfBackend, UnsupportedOpError } from './index.js';
import { opCases, scanCases } from './testing/opcases.js';
import { quietTfjs } from './testing/quiet.js';

quietTfjs();

for (const device of ['tf-cpu', 'tf-wasm'] as const) {
  for (const c of [...opCases(), ...scanCases()]) {
    test(`${device}: ${c.name}`, async (t) => {
      const expected = runReference(c.graph, c.params, c.inputs);
      const compiled = await tfBackend.compile(c.graph, c.params, device);
      try {
        const actual = await compiled.run(c.inputs);
        for (const [name, e] of Object.entries(expected)) {
          const a = actual[name];
          assert.deepEqual(a.shape, e.shape, `${name} shape`);
          let maxAbs = 0;
          let scale = 1;
          for (let i = 0; i < e.data.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(a.data[i] - e.data[i]));
            scale = Math.max(scale, Math.abs(e.data[i]));
          }
          t.diagnostic(`${name}: max abs diff ${maxAbs.toExponential(2)} (scale ${scale.toPrecision(3)})`);
          assert.ok(maxAbs <= c.tolerance * scale, `${c.name} ${name}: max abs diff ${maxAbs} > ${c.tolerance} x ${scale}`);
        }
      } finally {
        await compiled.dispose();
      }
    });
  }
}

test('init is cached, and refuses devices it does not serve or cannot start here', async () => {
  const p1 = tfBackend.init('tf-cpu');
  assert.equal(tfBackend.init('tf-cpu'), p1);
  await p1;
  await assert.rejects(tfBackend.init('cuda'), /tfjs does not serve device 'cuda'/);
  await assert.rejects(tfBackend.init('tf-webgl'), /WebGL needs a browser/);
  await assert.rejects(tfBackend.init('tf-webgpu'), /WebGPU is not available here/);
});

test('an op the backend lacks fails at compile, naming the op and the backend', async () => {
  const g = new GraphBuilder();
  const x = g.input('x', [1, 4]);
  g.output('y', g.gelu(x));
  const graph = g.build();
  const bad: Graph = { ...graph, nodes: graph.nodes.map((n) => ({ ...n, op: 'erfinv' as never })) };
  await assert.rejects(tfBackend.compile(bad, new ParamStore(), 'tf-cpu'), (e: Error) =>
    e instanceof UnsupportedOpError && /backend 'tfjs\/cpu' has no implementation of op 'erfinv'/.test(e.message));
});

test('compile uploads parameters once; dispose frees them and runs leave nothing behind', async () => {
  const tf = await import('@tensorflow/tfjs-core');
  const c = opCases().find((o) => o.name === 'conv2d 3x3')!;
  await tfBackend.init('tf-cpu');
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const compiled = await tfBackend.compile(c.graph, c.params, 'tf-cpu');
  const afterCompile = tf.memory().numTensors;
  assert.ok(afterCompile > before);
  await compiled.run(c.inputs);
  await compiled.run(c.inputs);
  assert.equal(tf.memory().numTensors, afterCompile, 'runs must not leak tensors');
  await compiled.dispose();
  assert.equal(tf.memory().numTensors, before, 'dispose must free the parameters');
  await assert.rejects(compiled.run(c.inputs), /after dispose/);
});
