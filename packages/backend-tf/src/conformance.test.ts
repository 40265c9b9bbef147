/**
 * The shared conformance suite (@dpmambair/conformance) on every tfjs device, in Node: tf-cpu and
 * tf-wasm run it (the selective scan on our WebAssembly kernel); tf-webgl and tf-webgpu need a
 * browser and are listed as skipped with init's reason (browser.test.ts runs them in Chromium).
 */
import { runBackendConformance } from '@dpmambair/conformance/node';
import { tfBackend } from './index.js';
import { quietTfjs } from './testing/quiet.js';

quietTfjs();
await runBackendConformance(tfBackend);
