import { createSession, DeviceUnavailableError, type ModelSession } from '@dpmambair/core';
import type { RestoreArgs } from '../args.js';
import { loadBackends, importFailure } from '../devices.js';
import { EXIT, LoadError, isAbort, message, type ExitCode } from '../errors.js';
import { decodeImage, encodeImage, writeAtomic } from '../io.js';
import { loadModelFile, untrainedWarning } from '../model.js';
import { restorePixels } from '../pixels.js';
import { planOutputs, type Job } from '../plan.js';
import { formatDuration, Progress } from '../progress.js';
import { makeDirectory, removeStaleTemps } from '../safety.js';
import { restoreOnQueue } from './remote.js';

/** One line of --json output, per input. */
export interface FileResult {
  input: string;
  output: string | null;
  width: number | null;
  height: number | null;
  ms: number | null;
  device: string | null;
  ok: boolean;
  error: string | null;
}

export interface RestoreContext {
  signal: AbortSignal;
  progress: Progress;
  /** Receives one result per input (printed as JSON lines with --json). */
  report: (r: FileResult) => void;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('interrupted', 'AbortError');
}

/** Loads the model on the requested device (used by local runs and by queue workers). Throws LoadError. */
export async function openSession(args: Pick<RestoreArgs, 'device' | 'model'>, progress: Progress): Promise<ModelSession> {
  await loadBackends(args.device);
  if (args.device !== 'auto') {
    const failed = importFailure(args.device);
    if (failed) throw new LoadError(new DeviceUnavailableError(args.device, [failed]).message);
  }
  const loaded = await loadModelFile(args.model);
  if (loaded.untrained) progress.warn(`dpmambair: warning: ${untrainedWarning(loaded)}`);
  try {
    const { session, warnings } = await createSession(loaded.model, args.device);
    for (const w of warnings) progress.note(`dpmambair: note: ${w}`);
    progress.note(`dpmambair: model '${loaded.model.config.name}' (${loaded.embedded ? 'embedded' : loaded.path}) on ${session.device}`);
    return session;
  } catch (e) {
    // DeviceUnavailableError names the device and why; anything else failed compiling the model for it.
    throw new LoadError(e instanceof DeviceUnavailableError ? e.message : `cannot use device '${args.device}': ${message(e)}`);
  }
}

/** Decodes, restores and encodes one planned input: the output file's bytes (also what a queue worker returns). */
export async function renderOne(
  job: Pick<Job, 'input' | 'format' | 'header'>,
  session: ModelSession,
  args: Pick<RestoreArgs, 'maxPixels' | 'tile' | 'overlap' | 'quality'> & { strength?: number },
  ctx: Pick<RestoreContext, 'signal' | 'progress'>,
): Promise<Buffer> {
  const { signal } = ctx;
  const decoded = await decodeImage(job.header, args.maxPixels);
  throwIfAborted(signal);
  const png = job.format === 'png';
  const layout = { bits: png && job.header.bits === 16 ? 16 : 8, gray: job.header.gray, alpha: job.format !== 'jpeg' } as const;
  const pixels = await restorePixels(session, decoded.pixels, layout, { tile: args.tile, overlap: args.overlap, strength: args.strength, signal, onProgress: (p) => ctx.progress.update(p) });
  throwIfAborted(signal);
  if (job.format === 'jpeg' && decoded.header.alpha) ctx.progress.note(`dpmambair: note: ${job.input}: JPEG has no alpha channel; flattened onto white`);
  return encodeImage(pixels, { format: job.format, quality: args.quality });
}

async function restoreOne(job: Job, session: ModelSession, args: RestoreArgs, ctx: RestoreContext): Promise<void> {
  const bytes = await renderOne(job, session, args, ctx);
  throwIfAborted(ctx.signal);
  await writeAtomic(job.output, bytes, args.force);
}

/** `dpmambair restore`: every input is tried; failures are reported and make the exit code 1. */
export async function runRestore(args: RestoreArgs, ctx: RestoreContext): Promise<ExitCode> {
  const { progress, signal } = ctx;
  const plan = await planOutputs(args);
  const report = inInputOrder(args.inputs.length, ctx.report);
  let failed = 0;
  const fail = (index: number, input: string, output: string | null, error: string, device: string | null = null, width: number | null = null, height: number | null = null) => {
    failed++;
    progress.error(`dpmambair: error: ${input}: ${error}`);
    report(index, { input, output, width, height, ms: null, device, ok: false, error });
  };
  for (const r of plan.refused) fail(r.index, r.input, r.output, r.error);
  if (plan.jobs.length === 0) return EXIT.FAILED;
  if (args.redis !== undefined) {
    await restoreOnQueue({ ...args, redis: args.redis }, plan, ctx, report, fail);
    return failed ? EXIT.FAILED : EXIT.OK;
  }

  let session: ModelSession;
  try {
    session = await openSession(args, progress);
  } catch (e) {
    // Every input still gets its line; the exit code (3) says the model is at fault.
    const why = `not restored: ${message(e)}`;
    for (const job of plan.jobs) report(job.index, { input: job.input, output: job.output, width: job.header.width, height: job.header.height, ms: null, device: null, ok: false, error: why });
    throw e;
  }
  try {
    for (const dir of plan.directories) {
      await makeDirectory(dir).catch((e: unknown) => {
        for (const job of plan.jobs.splice(0)) fail(job.index, job.input, job.output, message(e));
      });
      for (const stale of await removeStaleTemps(dir)) progress.note(`dpmambair: note: removed ${stale}, left by an earlier run that was killed`);
    }
    let count = 0;
    for (const job of plan.jobs) {
      throwIfAborted(signal);
      const { width, height } = job.header;
      progress.start({ index: ++count, count: plan.jobs.length, input: job.input, width, height });
      const start = performance.now();
      try {
        await restoreOne(job, session, args, ctx);
        const ms = Math.round(performance.now() - start);
        progress.done(`${job.input} -> ${job.output}  ${width}x${height}  ${formatDuration(ms)}  ${session.device}`);
        report(job.index, { input: job.input, output: job.output, width, height, ms, device: session.device, ok: true, error: null });
      } catch (e) {
        if (isAbort(e) || signal.aborted) throw e;
        fail(job.index, job.input, job.output, message(e), session.device, width, height);
      }
    }
    // A signal that came during the last write: that output is complete, but the run was still
    // interrupted, and a script must not read exit 0.
    throwIfAborted(signal);
  } finally {
    await session.dispose().catch(() => undefined);
  }
  return failed ? EXIT.FAILED : EXIT.OK;
}

/**
 * Passes results on in input order, each as soon as every earlier input has its result: refused
 * inputs are known first, restored ones later, and --json promises input order.
 */
export function inInputOrder(count: number, report: (r: FileResult) => void): (index: number, r: FileResult) => void {
  const waiting = new Map<number, FileResult>();
  let next = 0;
  return (index, r) => {
    waiting.set(index, r);
    for (let ready = waiting.get(next); ready && next < count; ready = waiting.get(next)) {
      waiting.delete(next++);
      report(ready);
    }
  };
}
