/**
 * The suite run on core's reference backend (the oracle itself: every difference must be 0), plus
 * checks that the suite is not vacuous: it covers every op, and a backend that is slightly off or
 * not deterministic fails with the numbers in the message.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OP_NAMES, referenceBackend, type Backend, type Tensor } from '@dpmambair/core';
import { CASES, EXCLUSIONS, TOLERANCE, opOfCase } from './index.js';
import { loadFixtures, runBackendConformance, runCasesWithNodeTest } from './node.js';

runCasesWithNodeTest(referenceBackend, 'cpu', { prefix: 'reference: ' });

// The per-backend runner lists every device the backend names. The reference interpreter serves
// `cpu` here and refuses `cuda` in init, as a backend does on a machine without the hardware.
const cudaRefused = 'no NVIDIA GPU for the reference interpreter';
const listed = await runBackendConformance({
  ...referenceBackend,
  devices: ['cpu', 'cuda'],
  init: async (device) => { if (device === 'cuda') throw new Error(cudaRefused); },
}, { cases: CASES.filter((c) => c.name === 'op/split'), variants: { cpu: [{ name: 'as is' }, { name: 'again', backend: referenceBackend }] } });

test('the backend runner lists every device: one that cannot start is skipped with its init reason', () => {
  assert.deepEqual(listed, [
    { device: 'cpu', variant: 'as is', title: 'reference cpu (as is)' },
    { device: 'cpu', variant: 'again', title: 'reference cpu (again)' },
    { device: 'cuda', variant: '', title: 'reference cuda', skipped: `cuda cannot start here: ${cudaRefused}` },
  ]);
});

test('every op in core OP_NAMES has a case', () => {
  const covered = new Set(CASES.map((c) => opOfCase(c.name)).filter(Boolean));
  assert.deepEqual(OP_NAMES.filter((op) => !covered.has(op)), []);
});

test('case names are unique; exclusions name real cases and give reasons', () => {
  const names = CASES.map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  for (const [device, cases] of Object.entries(EXCLUSIONS)) {
    for (const [name, reason] of Object.entries(cases ?? {})) {
      assert.ok(names.includes(name), `${device}: excluded case '${name}' does not exist`);
      assert.ok(reason.length > 10, `${device}: '${name}' needs a reason`);
    }
  }
  for (const [k, v] of Object.entries(TOLERANCE)) assert.ok(Number.isFinite(v) && v >= 0, k);
});

test('loadFixtures finds the golden configs in models/golden', async () => {
  const f = await loadFixtures();
  assert.ok(f.golden.tiny && f.golden.small, `golden configs found: ${Object.keys(f.golden).join(', ') || 'none'}`);
  const empty = await loadFixtures(new URL('file:///nonexistent-golden-dir/'));
  assert.deepEqual(empty.golden, {});
});

/** The reference, with every output changed by `perturb`. */
function perturbed(perturb: (t: Tensor, call: number) => Tensor): Backend {
  let calls = 0;
  return {
    name: 'perturbed', devices: [], init: async () => {},
    async compile(graph, params, device) {
      const inner = await referenceBackend.compile(graph, params, device);
      return {
        async run(inputs) {
          const out = await inner.run(inputs);
          const call = calls++;
          return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, perturb(t, call)]));
        },
        dispose: () => inner.dispose(),
      };
    },
  };
}

/** Changes one element by `by` times the tensor's scale (max(1, max |t|)), which is what tolerances bound. */
const bump = (t: Tensor, by: number): Tensor => {
  const data = Float32Array.from(t.data);
  const scale = data.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
  data[data.length >> 1] += by * scale;
  return { shape: t.shape, data };
};

test('a backend off by 1e-3 in one element fails every op case, with the numbers', async () => {
  const fixtures = await loadFixtures();
  const off = perturbed((t) => bump(t, 1e-3));
  for (const c of CASES.filter((c) => c.name.startsWith('op/'))) {
    await assert.rejects(c.run(off, 'cpu', fixtures), /max \|diff\| .*\(scaled 1\.0\de-3\) exceeds the tolerance/, c.name);
  }
});

test('golden, tiling and determinism cases catch small errors', async () => {
  const fixtures = await loadFixtures();
  const byName = (n: string) => CASES.find((c) => c.name === n)!;
  await assert.rejects(byName('model/golden tiny').run(perturbed((t) => bump(t, 1e-4)), 'cpu', fixtures), /exceeds the tolerance/);
  await assert.rejects(byName('pipeline/restoreImage with tiles').run(perturbed((t) => bump(t, 1e-3)), 'cpu', fixtures), /exceeds the tolerance/);
  // Differs only on the 5th run (the second restore of the same image).
  await assert.rejects(byName('determinism: same input twice, bit-identical').run(perturbed((t, call) => (call === 5 ? bump(t, 1e-7) : t)), 'cpu', fixtures), /values differ between two runs/);
});

test('missing golden files fall back to the reference on a seeded random model', async () => {
  const c = CASES.find((c) => c.name === 'model/golden tiny')!;
  const metrics = await (c as any).measure(referenceBackend, 'cpu', { golden: {} });
  assert.equal(metrics.golden, 0);
  assert.equal(metrics.outputMaxAbs, 0);
});
