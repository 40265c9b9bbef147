/**
 * Where the resident memory of a `cpu` restore goes (issue 12): `small` restores one random
 * square image with restoreImage in this process, and the resident set (VmRSS) and its peak
 * (VmHWM) are printed after each stage, then the time and memory page-faulted per tile.
 *
 *   npx tsx benchmarks/memory.ts [size=2048] [tile=core's DEFAULT_TILE] [options]
 *
 *   --extractor-arena   the extractor keeps onnxruntime's CPU arena (as before issue 12)
 *   --ballast=MiB       keep a Float32Array of that size alive during the restore
 *   --gc                a V8 GC after every onnxruntime run (needs node --expose-gc --import tsx)
 *   --v8=FLAG           v8.setFlagsFromString(FLAG) first, e.g. --v8=--no-memory-reducer
 *   ORT_OPTIONS='{...}' extra onnxruntime session options for every session (environment)
 *
 * glibc's allocator settings are environment variables read when the process starts, e.g.
 * `MALLOC_ARENA_MAX=1 npx tsx benchmarks/memory.ts`. Linux only (/proc/self).
 */
import { readFileSync } from 'node:fs';
import { extractorInput, getConfig, openModelSession, prepareModel, randomParams, restoreImage, seededRandom, DEFAULT_TILE } from '@dpmambair/core';
import { createOnnxNodeBackend } from '@dpmambair/backend-cuda';
import * as ort from 'onnxruntime-node';
import v8 from 'node:v8';

const flags = process.argv.slice(2);
const args = flags.filter((a) => !a.startsWith('--'));
const size = Number(args[0] ?? 2048);
const tile = Number(args[1] ?? DEFAULT_TILE);
for (const f of flags.filter((a) => a.startsWith('--v8=')).map((a) => a.slice(5))) v8.setFlagsFromString(f);
const ballastMiB = Number(flags.find((a) => a.startsWith('--ballast='))?.split('=')[1] ?? 0);

// Every session the backend creates goes through here, so its own options stay as they are.
type Create = (model: Uint8Array, options?: object) => Promise<ort.InferenceSession>;
const create = ort.InferenceSession.create.bind(ort.InferenceSession) as Create;
const extraOptions = process.env.ORT_OPTIONS ? JSON.parse(process.env.ORT_OPTIONS) as object : {};
const gc = flags.includes('--gc') ? (globalThis as { gc?: () => void }).gc : undefined;
if (flags.includes('--gc') && !gc) throw new Error('--gc needs node --expose-gc --import tsx benchmarks/memory.ts');
let created = 0;
(ort.InferenceSession as { create: Create }).create = async (model, options) => {
  // Session 0 is init's probe, 1 the extractor (openModelSession compiles it first).
  const arena = flags.includes('--extractor-arena') && created++ === 1 ? { enableCpuMemArena: true } : {};
  const session = await create(model, { ...options, ...extraOptions, ...arena });
  if (gc) {
    const run = session.run.bind(session) as (feeds: object) => Promise<object>;
    (session as { run: unknown }).run = async (feeds: object) => {
      const out = await run(feeds);
      gc();
      return out;
    };
  }
  return session;
};

const MiB = 2 ** 20;
const status = () => Object.fromEntries(readFileSync('/proc/self/status', 'utf8').split('\n')
  .filter((l) => /^Vm(RSS|HWM)/.test(l)).map((l) => [l.split(':')[0], Math.round(Number(l.split(/\s+/)[1]) / 1024)]));
const report = (stage: string) => console.log(stage.padEnd(28), JSON.stringify(status()), 'MB');
/** Minor page faults of this process so far: fresh memory the kernel had to map. */
const faults = () => Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[7]);

console.log(`small, ${size}x${size} on cpu, tiles of at most ${tile}${ballastMiB ? `, ${ballastMiB} MiB ballast` : ''}`);
report('start');
const config = getConfig('small');
const session = await openModelSession(createOnnxNodeBackend(), prepareModel(config, randomParams(config, 1)), 'cpu');
report('compiled');
const rand = seededRandom(1);
const image = { width: size, height: size, rgb: Float32Array.from({ length: 3 * size * size }, () => rand()) };
const ballast = new Float32Array((ballastMiB * MiB) / 4).fill(1);
report('image');
await session.embed(extractorInput(image));
report('embedded');

const start = { t: performance.now(), cpu: process.cpuUsage(), faults: faults() };
let last = { t: start.t, faults: start.faults };
const tiles: { ms: number; faultedMiB: number }[] = [];
await restoreImage(session, image, {
  tile,
  onProgress(p) {
    const now = { t: performance.now(), faults: faults() };
    if (p.stage === 'restore') {
      tiles.push({ ms: now.t - last.t, faultedMiB: ((now.faults - last.faults) * 4096) / MiB });
      if (p.done <= 3 || p.done === p.total) report(`tile ${p.done}/${p.total}`);
    }
    last = now;
  },
});
report('restored');
const cpu = process.cpuUsage(start.cpu);
const later = tiles.slice(1);
const mean = (f: (t: (typeof tiles)[number]) => number) => (later.reduce((s, t) => s + f(t), 0) / later.length).toFixed(0);
if (later.length) console.log(`tiles after the first: ${mean((t) => t.ms)} ms, ${mean((t) => t.faultedMiB)} MiB page-faulted on average`);
console.log(`restore: ${(performance.now() - start.t).toFixed(0)} ms wall, CPU ${(cpu.user / 1000).toFixed(0)} ms user + ${(cpu.system / 1000).toFixed(0)} ms system, `
  + `${(((faults() - start.faults) * 4096) / MiB).toFixed(0)} MiB page-faulted${ballast.length ? ` (ballast ${ballast.length * 4 / MiB} MiB alive)` : ''}`);
