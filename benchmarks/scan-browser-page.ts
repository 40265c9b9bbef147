/**
 * The in-page side of benchmarks/scan-browser.ts (bundled with esbuild): the scan kernel from
 * @dpmambair/scan-wasm's browser entry, timed per shape on the inputs benchmarks/scan.ts uses.
 */
import { createScanKernel, defaultBrowserThreads } from '@dpmambair/scan-wasm';
import { elements, repeatsFor, scanInputs, timeBest, type ScanShape } from './scan-inputs.js';

/** Times the kernel on the page's default threads over `shapes`. */
async function run(shapes: ScanShape[]) {
  const kernel = await createScanKernel();
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
  // Default threads: what this page gives the kernel, and why (one thread unless cross-origin isolated).
  const description = defaultBrowserThreads().reason;
  return { threads: kernel.threads, crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true, description, rows };
}

(globalThis as { __scan?: unknown }).__scan = { run };
