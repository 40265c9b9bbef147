/**
 * The in-page side of benchmarks/scan-browser.ts (bundled with esbuild): the scan kernel from
 * @dpmambair/scan-wasm's browser entry, timed per shape on the inputs benchmarks/scan.ts uses.
 */
import { createScanKernel } from '@dpmambair/scan-wasm';
import { elements, repeatsFor, scanInputs, timeBest, type ScanShape } from './scan-inputs.js';

async function run(shapes: ScanShape[], threads?: number) {
  const kernel = await createScanKernel(threads === undefined ? {} : { threads });
  const rows: { shape: ScanShape; ns: number }[] = [];
  try {
    for (const shape of shapes) {
      const [x, delta, A, B, C, D] = scanInputs(shape);
      const ms = await timeBest(() => kernel.scan(x, delta, A, B, C, D), repeatsFor(shape));
      rows.push({ shape, ns: (ms * 1e6) / elements(shape) });
    }
  } finally {
    await kernel.dispose();
  }
  return { threads: kernel.threads, crossOriginIsolated: globalThis.crossOriginIsolated === true, rows };
}

(globalThis as { __scan?: unknown }).__scan = { run };
