/** The shared conformance suite (@dpmambair/conformance) on tf-cpu and tf-wasm, in Node. */
import { loadFixtures, runCasesWithNodeTest } from '@dpmambair/conformance/node';
import { tfBackend } from './index.js';
import { quietTfjs } from './testing/quiet.js';

quietTfjs();
const fixtures = loadFixtures();
for (const device of ['tf-cpu', 'tf-wasm'] as const) runCasesWithNodeTest(tfBackend, device, { fixtures });
