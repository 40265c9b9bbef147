// `dpmambair restore ... --redis <url>`: the same plan and refusals as a local run, the images
// restored by `dpmambair worker` processes anywhere, each output written here atomically as its
// result arrives.
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { batchId, DEFAULT_QUEUE, enqueueRestore, pingRedis, redisConnection, RedisUnreachableError, type BatchProgress } from '@dpmambair/queue';
import type { RestoreArgs } from '../args.js';
import { LoadError, message } from '../errors.js';
import { writeAtomic } from '../io.js';
import { loadModelFile, untrainedWarning } from '../model.js';
import type { Job, Plan } from '../plan.js';
import { formatDuration } from '../progress.js';
import { weightsSha256 } from '../queue-processor.js';
import { makeDirectory, removeStaleTemps } from '../safety.js';
import type { FileResult, RestoreContext } from './restore.js';

const IDLE_WARNING_MS = 30_000;

type Fail = (index: number, input: string, output: string | null, error: string, device?: string | null, width?: number | null, height?: number | null) => void;

/** Restores the plan's jobs on the queue; failures go through `fail`, successes through `report`. */
export async function restoreOnQueue(args: RestoreArgs & { redis: string }, plan: Plan, ctx: RestoreContext, report: (index: number, r: FileResult) => void, fail: Fail): Promise<void> {
  const { progress, signal } = ctx;
  const connection = redisConnection(args.redis);
  let loaded;
  try {
    loaded = await loadModelFile(args.model);
    await pingRedis(connection).catch(asLoadError);
  } catch (e) {
    // As a local run: every input still gets its line; the exit code (3) says what is at fault.
    const why = `not restored: ${message(e)}`;
    for (const job of plan.jobs) report(job.index, { input: job.input, output: job.output, width: job.header.width, height: job.header.height, ms: null, device: null, ok: false, error: why });
    throw e;
  }
  if (loaded.untrained) progress.warn(`dpmambair: warning: ${untrainedWarning(loaded)}`);
  const model = weightsSha256(loaded);
  for (const dir of plan.directories) {
    await makeDirectory(dir).catch((e: unknown) => {
      for (const job of plan.jobs.splice(0)) fail(job.index, job.input, job.output, message(e));
    });
    for (const stale of await removeStaleTemps(dir)) progress.note(`dpmambair: note: removed ${stale}, left by an earlier run that was killed`);
  }
  const byInput = new Map<string, Job>(plan.jobs.map((j) => [j.input, j]));
  // The same command (model and output target) gives the same batch, so a re-run finds its jobs.
  const batch = batchId(model, resolve(args.output));
  progress.note(`dpmambair: ${plan.jobs.length} image${plan.jobs.length === 1 ? '' : 's'} to queue '${args.queue ?? DEFAULT_QUEUE}' (batch ${batch}, model '${loaded.model.config.name}' sha256 ${model.slice(0, 12)}…)`);
  const status = new StatusLine(progress.mode === 'bar');
  // Nothing moving for a while usually means no worker listens on this queue: say so, once.
  let lastMove = Date.now();
  let lastDone = 0;
  let warnedIdle = false;
  const onProgress = (p: BatchProgress) => {
    if (p.active > 0 || p.done !== lastDone) [lastMove, lastDone] = [Date.now(), p.done];
    if (!warnedIdle && Date.now() - lastMove > IDLE_WARNING_MS) {
      warnedIdle = true;
      status.clear();
      progress.warn(`dpmambair: warning: no worker has taken a job for ${IDLE_WARNING_MS / 1000} s; is 'dpmambair worker --redis ${args.redis}${args.queue ? ` --queue ${args.queue}` : ''}' running somewhere?`);
    }
    status.draw(p);
  };
  try {
    const results = enqueueRestore({
      connection,
      queue: args.queue,
      sharedStorage: args.sharedStorage,
      batch,
      model,
      signal,
      images: plan.jobs.map((job) => ({
        name: job.input,
        read: () => fs.readFile(job.input),
        path: resolve(job.input),
        options: { tile: args.tile, overlap: args.overlap, format: job.format, quality: args.quality, maxPixels: args.maxPixels, strength: args.strength },
      })),
      onProgress,
    });
    for await (const r of results) {
      const job = byInput.get(r.name)!;
      const { width, height } = job.header;
      status.clear();
      if (!r.ok) {
        fail(job.index, job.input, job.output, r.error, null, width, height);
        continue;
      }
      try {
        await writeAtomic(job.output, r.image, args.force);
      } catch (e) {
        fail(job.index, job.input, job.output, message(e), r.device, width, height);
        continue;
      }
      progress.done(`${job.input} -> ${job.output}  ${r.width}x${r.height}  ${formatDuration(r.ms)}  ${r.device} on ${r.worker}`);
      report(job.index, { input: job.input, output: job.output, width: r.width, height: r.height, ms: r.ms, device: r.device, ok: true, error: null });
    }
  } catch (e) {
    asLoadError(e);
  } finally {
    status.clear();
  }
}

/** Redis gone: exit 3 with its reason, like a model that cannot be loaded. */
function asLoadError(e: unknown): never {
  throw e instanceof RedisUnreachableError ? new LoadError(e.message) : e;
}

/** One redrawn line on a terminal: the batch across all workers. */
class StatusLine {
  private drawn = false;
  constructor(private readonly enabled: boolean) {}

  draw(p: BatchProgress): void {
    if (!this.enabled) return;
    const failed = p.failed ? `, ${p.failed} failed` : '';
    process.stderr.write(`\r\x1b[K[${p.done}/${p.total}] ${p.active} restoring on the workers, ${p.waiting} waiting${failed}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) process.stderr.write('\r\x1b[K');
    this.drawn = false;
  }
}
