/**
 * The shared conformance suite (@dpmambair/conformance) on every tfjs device, in Node. tf-cpu and
 * tf-wasm run it twice: with the selective scan on our WebAssembly kernel (the default) and on the
 * JS recurrence (the fallback where WebAssembly SIMD is missing). tf-webgl and tf-webgpu need a
 * browser and are listed as skipped with init's reason (browser.test.ts runs them in Chromium).
 */
import { runBackendConformance } from '@dpmambair/conformance/node';
import { createTfBackend, tfBackend } from './index.js';
import { quietTfjs } from './testing/quiet.js';

quietTfjs();
const js = createTfBackend({ scan: 'js' });
const scans = [{ name: 'scan kernel' }, { name: 'JS scan', backend: js }];
await runBackendConformance(tfBackend, { variants: { 'tf-cpu': scans, 'tf-wasm': scans } });
