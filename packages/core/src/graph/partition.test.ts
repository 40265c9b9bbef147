import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSegmented } from '../backend/segmented.js';
import { CONFIGS } from '../model/config.js';
import { buildRestorerGraph, RESTORER_INPUTS, RESTORER_OUTPUT } from '../model/dpmambair.js';
import { randomParams } from '../model/init.js';
import { prepareModel } from '../model/prepare.js';
import { referenceBackend } from '../reference/backend.js';
import { runReference } from '../reference/interpreter.js';
import { selectiveScan } from '../reference/ops.js';
import { tensor } from '../tensor.js';
import { ParamStore } from '../weights/params.js';
import { analyseGraph, nodeInputs } from './analysis.js';
import { GraphBuilder } from './builder.js';
import { partitionGraph } from './partition.js';

const isScan = (node: { op: string }) => node.op === 'selectiveScan';

test('analysis: producers, every read, and graph outputs count as uses', () => {
  const g = new GraphBuilder();
  const x = g.input('x', [1, 4]);
  const y = g.mul(x, x);
  const z = g.exp(y);
  g.output('y', y);
  g.output('z', z);
  const graph = g.build();
  const a = analyseGraph(graph);
  assert.equal(a.uses.get(x.id), 2); // read twice by one mul
  assert.equal(a.uses.get(y.id), 2); // read by exp, and a graph output
  assert.equal(a.consumers.get(y.id)?.length, 1);
  assert.equal(a.producer.get(z.id)?.op, 'exp');
  assert.equal(a.producer.get(x.id), undefined);
});

test('the restorer is cut at every scan: segments hold no scan, crossing values are named once', () => {
  const graph = buildRestorerGraph(CONFIGS.tiny, { size: [16, 16] });
  const steps = partitionGraph(graph, isScan);
  const scans = graph.nodes.filter(isScan).length;
  assert.ok(scans > 1);
  assert.equal(steps.filter((s) => s.kind === 'host').length, scans);
  assert.equal(steps.filter((s) => s.kind === 'segment').length, scans + 1);
  const made = new Set<string>(graph.inputs.map((i) => i.name));
  for (const step of steps) {
    if (step.kind === 'host') {
      for (const v of nodeInputs(step.node)) assert.ok(graph.params.some((p) => p.value === v) || made.has(`v${v.id}`), `scan input v${v.id} is made by an earlier segment`);
      made.add(`v${step.node.outputs[0].id}`);
      continue;
    }
    assert.ok(!step.graph.nodes.some(isScan));
    for (const i of step.graph.inputs) assert.ok(made.has(i.name), `segment input ${i.name} is made before it is read`);
    for (const o of step.graph.outputs) made.add(o.name);
  }
});

test('segments and host ops run by the core runner equal the whole graph, bit for bit (reference ops on both sides)', async () => {
  const model = prepareModel(CONFIGS.tiny, randomParams(CONFIGS.tiny, 3));
  const image = tensor([1, 3, 16, 24], Float32Array.from({ length: 3 * 16 * 24 }, (_, i) => (Math.sin(i) + 1) / 2));
  const embedding = tensor([1, CONFIGS.tiny.embedDim], Float32Array.from({ length: CONFIGS.tiny.embedDim }, (_, i) => Math.cos(i)));
  const inputs = { [RESTORER_INPUTS[0]]: image, [RESTORER_INPUTS[1]]: embedding };
  const whole = runReference(model.restorer, model.params, inputs)[RESTORER_OUTPUT];
  let hostCalls = 0;
  const segmented = await compileSegmented(model.restorer, model.params, {
    hostOps: { selectiveScan: async ([x, delta, A, B, C, D]) => { hostCalls++; return [selectiveScan(x, delta, A, B, C, D)]; } },
    compileSegment: (segment) => referenceBackend.compile(segment, model.params, 'cpu'),
  });
  const out = (await segmented.run(inputs))[RESTORER_OUTPUT];
  assert.equal(hostCalls, model.restorer.nodes.filter(isScan).length);
  assert.deepEqual(out.shape, whole.shape);
  assert.deepEqual(out.data, whole.data);
});

test('a host op may read graph inputs and parameters and make a graph output', async () => {
  const g = new GraphBuilder();
  const x = g.input('x', [1, 3, 4]);
  const delta = g.input('delta', [1, 3, 4]);
  const B = g.input('B', [1, 3, 2]);
  const y = g.selectiveScan(x, delta, g.param('A', [4, 2]), B, B, g.param('D', [4]));
  g.output('y', y);
  g.output('twice', g.add(y, y));
  const graph = g.build();
  const params = new ParamStore();
  params.set('A', [4, 2], Float32Array.from({ length: 8 }, (_, i) => -1 - i));
  params.set('D', [4], Float32Array.of(1, 2, 3, 4));
  const inputs = { x: tensor([1, 3, 4], Float32Array.from({ length: 12 }, (_, i) => i / 12)), delta: tensor([1, 3, 4], new Float32Array(12).fill(0.3)), B: tensor([1, 3, 2], [1, 2, 3, 4, 5, 6]) };
  const segmented = await compileSegmented(graph, params, {
    hostOps: { selectiveScan: async ([a, b, c, d, e, f]) => [selectiveScan(a, b, c, d, e, f)] },
    compileSegment: (segment) => referenceBackend.compile(segment, params, 'cpu'),
  });
  const out = await segmented.run(inputs);
  const whole = runReference(graph, params, inputs);
  assert.deepEqual(out.y.data, whole.y.data);
  assert.deepEqual(out.twice.data, whole.twice.data);
});

test('a host op is told which inputs nothing reads later, and may write its output into them', async () => {
  const g = new GraphBuilder();
  const x = g.input('x', [1, 3, 4]);
  const B = g.input('B', [1, 3, 2]);
  const delta = g.exp(g.mul(x, x)); // read only by the scan
  const u = g.mul(x, x); // read by the scan and after it
  const y = g.selectiveScan(u, delta, g.param('A', [4, 2]), B, B, g.param('D', [4]));
  g.output('out', g.add(y, u));
  const graph = g.build();
  const params = new ParamStore();
  params.set('A', [4, 2], Float32Array.from({ length: 8 }, (_, i) => -1 - i));
  params.set('D', [4], Float32Array.of(1, 2, 3, 4));
  const inputs = { x: tensor([1, 3, 4], Float32Array.from({ length: 12 }, (_, i) => i / 12)), B: tensor([1, 3, 2], [1, 2, 3, 4, 5, 6]) };
  const callerB = inputs.B.data.slice();
  const told: boolean[][] = [];
  const segmented = await compileSegmented(graph, params, {
    hostOps: {
      selectiveScan: async (args, _node, reusable) => {
        told.push(reusable);
        const [a, b, c, d, e, f] = args;
        const y = selectiveScan(a, b, c, d, e, f);
        args.forEach((t, j) => { if (reusable[j]) t.data.fill(NaN); }); // what is offered may be clobbered
        if (!reusable[1]) return [y];
        b.data.set(y.data); // y into delta's array, as the kernel does
        return [{ shape: y.shape, data: b.data }];
      },
    },
    compileSegment: (segment) => referenceBackend.compile(segment, params, 'cpu'),
  });
  const out = await segmented.run(inputs);
  assert.deepEqual(told, [[false, true, false, false, false, false]]); // u is read later; A, D weights; B the caller's
  assert.deepEqual(out.out.data, runReference(graph, params, inputs).out.data);
  assert.deepEqual(inputs.B.data, callerB);
});
