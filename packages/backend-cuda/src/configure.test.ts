// configure({ intraOpNumThreads }): several worker processes on one machine must not each start
// a thread per core. Seen through Linux's /proc: the threads a session adds to this process.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { getConfig, randomParams, prepareModel } from '@dpmambair/core';
import { configure, onnxNodeBackend } from './index.js';

const threads = () => readdirSync('/proc/self/task').length;

test('intraOpNumThreads must be a positive integer', () => {
  assert.throws(() => configure({ intraOpNumThreads: 0 }), /positive integer, got 0/);
  assert.throws(() => configure({ intraOpNumThreads: 1.5 }), /positive integer/);
});

test('a session compiled after configure({ intraOpNumThreads: n }) adds n - 1 pool threads', { skip: process.platform !== 'linux' }, async () => {
  const model = prepareModel(getConfig('tiny'), randomParams(getConfig('tiny'), 1));
  await onnxNodeBackend.init('cpu');
  const added: number[] = [];
  for (const n of [1, 3]) {
    configure({ intraOpNumThreads: n });
    const before = threads();
    const graph = await onnxNodeBackend.compile(model.extractor, model.params, 'cpu');
    added.push(threads() - before);
    await graph.dispose();
  }
  // onnxruntime's intra-op pool has n - 1 threads (the caller's thread is the n-th).
  assert.deepEqual(added, [0, 2]);
});
