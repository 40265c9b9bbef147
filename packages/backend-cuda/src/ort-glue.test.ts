// Core's onnxruntime glue (onnx/runtime.ts) on the real onnxruntime-node: the probe, and a compiled
// graph that converts tensors both ways.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder, emitOnnx, ortCompiledGraph, ortSessionOptions, OrtProbeError, ParamStore, probeOrt, tensor } from '@dpmambair/core';
import * as ort from 'onnxruntime-node';

test('probeOrt passes on the CPU EP and names the stage that fails', async () => {
  await probeOrt(ort, ortSessionOptions({ executionProvider: 'cpu' }));
  await assert.rejects(probeOrt(ort, ortSessionOptions({ executionProvider: 'no-such-ep' })), (e: unknown) =>
    e instanceof OrtProbeError && e.stage === 'start' && /^failed to start: /.test(e.message));
});

test('ortCompiledGraph feeds core tensors and returns core tensors, by the graph\'s names', async () => {
  const g = new GraphBuilder();
  const y = g.add(g.input('a', [2, 3]), g.input('b', [3]));
  g.output('sum', y);
  const session = await ort.InferenceSession.create(emitOnnx(g.build(), new ParamStore()), ortSessionOptions({ executionProvider: 'cpu' }));
  const compiled = ortCompiledGraph(ort, session, 'onnxruntime-node', { serialise: true });
  try {
    const a = tensor([2, 3], [1, 2, 3, 4, 5, 6]);
    const b = tensor([3], [10, 20, 30]);
    // Two runs at once on a serialised graph: both complete, each with its own inputs.
    const [first, second] = await Promise.all([compiled.run({ a, b }), compiled.run({ a, b: tensor([3], [0, 0, 0]) })]);
    assert.deepEqual(first.sum.shape, [2, 3]);
    assert.deepEqual([...first.sum.data], [11, 22, 33, 14, 25, 36]);
    assert.deepEqual([...second.sum.data], [1, 2, 3, 4, 5, 6]);
  } finally {
    await compiled.dispose();
  }
});
