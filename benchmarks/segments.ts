/**
 * Where the time of the segmented cpu path goes (issue 12): `small` restores one square tile on
 * the real cpu backend (ONNX segments + our scan kernel between them), and each onnxruntime
 * segment is timed with the bytes it is fed and returns and the memory it page-faults; the scan
 * kernel and the runner take the rest.
 *
 *   npx tsx benchmarks/segments.ts [side=368] [runs=3] [--profile] [--busy] [--session '<json>']
 *
 * 368 is the tile a 1024² image got with the old default tile of 512 (3x3 tiles, overlap 32), 440
 * a 2048² one's, 512 a 512² image's; with today's default of 280 every size runs tiles of 256-280. --profile adds onnxruntime's own profile of the last run, summed by
 * op type over all segments. --busy keeps one core busy with another process (a shell loop) during
 * the runs: the restore must slow down gracefully, not collapse. The sessions are the backend's
 * own: onnxruntime-node's InferenceSession is wrapped, not rebuilt, so every session option is the
 * backend's, except those --session lays over them (e.g. '{"graphOptimizationLevel":"extended"}').
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getConfig, openModelSession, prepareModel, randomParams, seededRandom, tensor } from '@dpmambair/core';
import { createOnnxNodeBackend } from '@dpmambair/backend-cuda';
import * as ort from 'onnxruntime-node';

const sessionAt = process.argv.indexOf('--session');
const sessionOverrides = sessionAt > 0 ? (JSON.parse(process.argv[sessionAt + 1]) as ort.InferenceSession.SessionOptions) : {};
const args = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--session');
const side = Number(args[0] ?? 368);
const runs = Number(args[1] ?? 3);
const profile = process.argv.includes('--profile');
const busy = process.argv.includes('--busy');
const profileDir = profile ? mkdtempSync(path.join(os.tmpdir(), 'segments-')) : '';

/** Minor page faults of this process so far (Linux): fresh memory the kernel had to map. */
const minorFaults = () => Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[7]);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

interface Step { session: number; ms: number; inBytes: number; outBytes: number; faultedBytes: number; inputs: string[]; outputs: string[] }
let steps: Step[] = [];
const sessions: ort.InferenceSession[] = [];
const bytesOf = (ts: Record<string, ort.Tensor>) => Object.values(ts).reduce((s, t) => s + (t.data as Float32Array).byteLength, 0);

const create = ort.InferenceSession.create.bind(ort.InferenceSession) as (model: Uint8Array, options?: ort.InferenceSession.SessionOptions) => Promise<ort.InferenceSession>;
(ort.InferenceSession as { create: unknown }).create = async (model: Uint8Array, options: ort.InferenceSession.SessionOptions = {}) => {
  const index = sessions.length;
  const given = { ...options, ...sessionOverrides };
  const session = await create(model, profile ? { ...given, enableProfiling: true, profileFilePrefix: path.join(profileDir, `s${index}`) } : given);
  sessions.push(session);
  const run = session.run.bind(session) as (feeds: Record<string, ort.Tensor>) => Promise<Record<string, ort.Tensor>>;
  (session as { run: unknown }).run = async (feeds: Record<string, ort.Tensor>) => {
    const faults = minorFaults();
    const t = performance.now();
    const out = await run(feeds);
    steps.push({
      session: index, ms: performance.now() - t, inBytes: bytesOf(feeds), outBytes: bytesOf(out),
      faultedBytes: (minorFaults() - faults) * 4096, inputs: Object.keys(feeds), outputs: Object.keys(out),
    });
    return out;
  };
  return session;
};

const config = getConfig('small');
const model = prepareModel(config, randomParams(config, 1));
const session = await openModelSession(createOnnxNodeBackend(), model, 'cpu');
const rand = seededRandom(1);
const image = tensor([1, 3, side, side], Float32Array.from({ length: 3 * side * side }, () => rand()));
const embedding = tensor([1, config.embedDim], Float32Array.from({ length: config.embedDim }, () => rand()));

console.log(`small, one ${side}x${side} tile on cpu (scan kernel), ${runs} runs; ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}${busy ? '; one core kept busy by another process' : ''}${sessionAt > 0 ? `; session options over the backend's: ${JSON.stringify(sessionOverrides)}` : ''}`);
const spinner = busy ? spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }) : undefined;
process.on('exit', () => spinner?.kill()); // also when a run throws
for (let r = 0; r < runs; r++) {
  steps = [];
  const cpu = process.cpuUsage();
  const faults = minorFaults();
  const t = performance.now();
  await session.restore(image, embedding);
  const wall = performance.now() - t;
  const used = process.cpuUsage(cpu);
  const segmentsMs = steps.reduce((s, x) => s + x.ms, 0);
  const crossing = steps.reduce((s, x) => s + x.inBytes + x.outBytes, 0);
  console.log(`run ${r}: ${wall.toFixed(0)} ms wall, CPU ${(used.user / 1000).toFixed(0)} ms user + ${(used.system / 1000).toFixed(0)} ms system; `
    + `segments ${segmentsMs.toFixed(0)} ms, scan kernel + runner ${(wall - segmentsMs).toFixed(0)} ms; fed + returned ${mib(crossing)} MiB; `
    + `page-faulted ${mib((minorFaults() - faults) * 4096)} MiB; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}
spinner?.kill();
console.log('\nlast run, segment by segment (ms, MiB fed, MiB returned, MiB page-faulted inside onnxruntime-node, inputs -> outputs):');
for (const s of steps) {
  console.log(`${s.ms.toFixed(1).padStart(7)} ${mib(s.inBytes).padStart(6)} ${mib(s.outBytes).padStart(6)} ${mib(s.faultedBytes).padStart(6)}  session ${s.session}: ${s.inputs.join(',')} -> ${s.outputs.join(',')}`);
}
await session.dispose();

if (profile) {
  // Each session writes its profile when it ends; count the last run's nodes only.
  const ran = new Set(steps.map((s) => `s${s.session}_`));
  const byOp = new Map<string, { us: number; n: number }>();
  for (const file of readdirSync(profileDir)) {
    if (![...ran].some((prefix) => file.startsWith(prefix))) continue;
    const events = JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')) as { name: string; cat: string; ts: number; dur: number; args?: { op_name?: string } }[];
    const last = events.filter((e) => e.name === 'model_run').at(-1);
    if (!last) continue;
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < last.ts || e.ts > last.ts + last.dur) continue;
      const op = e.args?.op_name ?? '?';
      const entry = byOp.get(op) ?? { us: 0, n: 0 };
      entry.us += e.dur;
      entry.n++;
      byOp.set(op, entry);
    }
  }
  const total = [...byOp.values()].reduce((s, e) => s + e.us, 0);
  console.log(`\nonnxruntime's profile of the last run: ${(total / 1000).toFixed(0)} ms in kernels, by op type (ms, nodes):`);
  for (const [op, e] of [...byOp].sort((a, b) => b[1].us - a[1].us)) console.log(`${(e.us / 1000).toFixed(1).padStart(8)} ${String(e.n).padStart(4)}  ${op}`);
  console.log(`(profiles in ${profileDir})`);
}
