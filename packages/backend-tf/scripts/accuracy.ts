/**
 * Max abs difference vs the oracle (core's reference, or the PyTorch golden vectors) for every
 * conformance case on tf-cpu and tf-wasm in Node: one JSON line per device with the worst op case,
 * the worst scan case and the golden models.   node --import tsx scripts/accuracy.ts
 */
import { CASES, type MeasuredCase } from '@dpmambair/conformance';
import { loadFixtures } from '@dpmambair/conformance/node';
import { tfBackend } from '../src/index.js';
import { quietTfjs } from '../src/testing/quiet.js';

quietTfjs();
const fixtures = await loadFixtures();
for (const device of ['tf-cpu', 'tf-wasm'] as const) {
  const row: Record<string, number | string> = { device };
  let ops = 0;
  let scan = 0;
  for (const c of CASES as MeasuredCase[]) {
    const m = await c.measure(tfBackend, device, fixtures);
    if (c.name.startsWith('op/selectiveScan')) scan = Math.max(scan, m.maxAbs);
    else if (c.name.startsWith('op/')) ops = Math.max(ops, m.maxAbs);
    else if (c.name.startsWith('model/')) row[c.name] = Math.max(m.embeddingMaxAbs, m.outputMaxAbs);
    else row[c.name] = m.maxAbs;
  }
  console.log(JSON.stringify({ ...row, opsMaxAbs: ops, scanMaxAbs: scan }));
}
