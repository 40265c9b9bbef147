/**
 * init and compile behaviour of the tfjs backend in Node: init is cached and says why a device
 * cannot start, an op the backend lacks is named at compile, parameters are uploaded once and freed.
 * The op cases themselves are the shared suite's (conformance.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OpGraph } from '@dpmambair/conformance';
import { GraphBuilder, ParamStore, type Graph } from '@dpmambair/core';
import { tfBackend, UnsupportedOpError } from './index.js';
import { quietTfjs } from './testing/quiet.js';

quietTfjs();

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
  const c = new OpGraph(1);
  c.output('y', c.g.conv2d(c.input('x', [2, 6, 10, 12]), c.param('w', [5, 6, 3, 3]), c.param('b', [5])));
  const graph = c.build();
  await tfBackend.init('tf-cpu');
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const compiled = await tfBackend.compile(graph, c.params, 'tf-cpu');
  const afterCompile = tf.memory().numTensors;
  assert.ok(afterCompile > before);
  await compiled.run(c.inputs);
  await compiled.run(c.inputs);
  assert.equal(tf.memory().numTensors, afterCompile, 'runs must not leak tensors');
  await compiled.dispose();
  assert.equal(tf.memory().numTensors, before, 'dispose must free the parameters');
  await assert.rejects(compiled.run(c.inputs), /after dispose/);
});
