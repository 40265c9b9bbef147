/**
 * Restoring through the queue: images per second with 1 and 2 worker processes, and the queue's
 * cost per job against a local run of the same images. Real redis-server (random port), real
 * `dpmambair worker` and `dpmambair restore --redis` processes, the shipped small model.
 *
 *   npx turbo run build --filter=dpmambair... && ROUNDS=2 npx tsx benchmarks/queue.ts [count] [side]
 *   (default: 24 crops of 128x128 of samples/noisy-astronaut.png)
 *
 * Workers are started and their model loaded before the clock starts; a local run's model load
 * is taken out by using the sum of its per-image times (--json ms) as well as its wall time.
 * The table also goes to benchmarks/results/queue.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { startRedisServer } from '../packages/queue/src/testing.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'apps/cli/dist/bin.js');
const count = Number(process.argv[2] ?? 24);
const side = Number(process.argv[3] ?? 128);
const cores = os.availableParallelism();

const loadBefore = os.loadavg()[0];
const dir = mkdtempSync(join(os.tmpdir(), 'dpmambair-bench-queue-'));
const inputs: string[] = [];
for (let i = 0; i < count; i++) {
  const path = join(dir, `in-${i}.png`);
  await sharp(join(root, 'samples/noisy-astronaut.png')).extract({ left: (i * 37) % (512 - side), top: (i * 61) % (512 - side), width: side, height: side }).png().toFile(path);
  inputs.push(path);
}

function run(args: string[]): Promise<{ ms: number; stdout: string; code: number | null }> {
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('close', (code) => resolve({ ms: performance.now() - start, stdout, code }));
  });
}

function startWorker(redis: string, threads: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--redis', redis, '--threads', String(threads)], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    child.stderr.on('data', (d) => {
      log += d;
      if (log.includes('ready:')) resolve(child);
    });
    child.on('exit', () => reject(new Error(`worker exited: ${log}`)));
  });
}

const sumMs = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l)).reduce((s, r) => s + r.ms, 0);

interface Measure {
  /** Wall time of the submitting command. */
  wallMs: number;
  /** Mean restoring time per image, as the local run or the worker measured it (--json ms). */
  perImageMs: number;
}

/** The local CLI (no --threads: onnxruntime uses every core). */
async function local(round: number): Promise<Measure> {
  const r = await run(['restore', ...inputs, '-o', join(dir, `local-${round}`), '--device', 'cpu', '--json']);
  if (r.code !== 0) throw new Error(`local run exited ${r.code}`);
  return { wallMs: r.ms, perImageMs: sumMs(r.stdout) / count };
}

/** `restore --redis` with `workers` worker processes of `threads` threads, started (model loaded) before the clock. */
async function queued(redis: string, workers: number, threads: number, round: number): Promise<Measure> {
  const procs = await Promise.all(Array.from({ length: workers }, () => startWorker(redis, threads)));
  try {
    const r = await run(['restore', ...inputs, '-o', join(dir, `queue-${workers}x${threads}-${round}`), '--redis', redis, '--json']);
    if (r.code !== 0) throw new Error(`queued run exited ${r.code}`);
    return { wallMs: r.ms, perImageMs: sumMs(r.stdout) / count };
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((res) => (p.exitCode !== null ? res(0) : p.once('exit', res)))));
  }
}

const half = Math.max(1, Math.floor(cores / 2));
const configs = [
  { key: 'local', what: `local \`dpmambair restore\` (${cores} threads)`, note: 'wall includes the model load' },
  { key: `1x${cores}`, what: `\`restore --redis\`, 1 worker process x ${cores} threads`, workers: 1, threads: cores },
  { key: '1x1', what: '`restore --redis`, 1 worker process x 1 thread', workers: 1, threads: 1 },
  { key: `2x${half}`, what: `\`restore --redis\`, 2 worker processes x ${half} thread${half > 1 ? 's' : ''}`, workers: 2, threads: half },
];
// Rounds interleave the configurations; the fastest round of each counts (the least disturbed
// by whatever else runs on the machine).
const rounds = Number(process.env.ROUNDS ?? 2);
const best: Record<string, Measure> = {};
await run(['restore', inputs[0], '-o', join(dir, 'warm.png'), '--device', 'cpu', '--quiet']); // file cache, first onnxruntime load
const redis = await startRedisServer();
try {
  for (let round = 0; round < rounds; round++) {
    for (const c of configs) {
      const m = c.key === 'local' ? await local(round) : await queued(redis.url, c.workers!, c.threads!, round);
      console.log(`round ${round + 1}: ${c.key}: ${(m.wallMs / 1000).toFixed(2)} s, ${m.perImageMs.toFixed(0)} ms per image`);
      if (!best[c.key] || m.wallMs < best[c.key].wallMs) best[c.key] = m;
    }
  }
} finally {
  await redis.stop();
}
const rows = configs.map((c) => {
  const m = best[c.key];
  return `| ${c.what} | ${(m.wallMs / 1000).toFixed(2)} | ${((count * 1000) / m.wallMs).toFixed(2)} | ${m.perImageMs.toFixed(0)} | ${c.note ?? ''} |`;
});

// One worker with one process restores jobs back to back: what its wall time per image has on
// top of the restoring itself (measured on the worker) is the queue's cost per job.
const serialOverhead = best['1x1'].wallMs / count - best['1x1'].perImageMs;
const lines = [
  '# Restoring through the queue (BullMQ on Redis) vs locally',
  '',
  `Command: \`ROUNDS=${rounds} npx tsx benchmarks/queue.ts ${count} ${side}\` (${count} crops of ${side}x${side} of samples/noisy-astronaut.png, shipped small model, onnxruntime-node CPU EP).`,
  `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, redis-server on 127.0.0.1. Date: ${new Date().toISOString().slice(0, 16)} UTC.`,
  '',
  `| run (fastest of ${rounds} rounds) | wall s | images/s | restoring ms per image (local run / worker) | note |`,
  '|---|---|---|---|---|',
  ...rows,
  '',
  `Queue cost per job: ${serialOverhead.toFixed(0)} ms (1 worker x 1 thread: wall per image minus the restoring time the worker measured),`,
  'for submitting, base64 through Redis, BullMQ moving the job, the worker writing it to a temporary file, and returning the result;',
  `End to end per image: local ${(best.local.wallMs / count).toFixed(0)} ms (its wall includes loading the model), through the queue with 1 worker x ${cores} threads ${(best[`1x${cores}`].wallMs / count).toFixed(0)} ms.`,
  'Workers were started (model loaded) before the clock; the local wall time includes its model load.',
  `1-minute load average: ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after (${cores} cores; anything above ${cores} is other work competing: compare rows of one run, not runs).`,
];
writeFileSync(join(root, 'benchmarks/results/queue.md'), `${lines.join('\n')}\n`);
console.log(lines.slice(-4).join('\n'));
