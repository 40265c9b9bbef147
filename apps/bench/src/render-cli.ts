/** Re-renders benchmarks/results/report.md and its charts from the records already there. */
import { RESULTS_DIR } from './node-io.js';
import { writeReport } from './results.js';

console.log(writeReport(process.argv[2] ?? RESULTS_DIR));
