import { promises as fs } from 'node:fs';
import { createSession, restoreImage, type ModelSession } from '@dpmambair/core';
import type { RestoreArgs } from '../args.js';
import { loadBackends, importFailure } from '../devices.js';
import { EXIT, LoadError, isAbort, message, type ExitCode } from '../errors.js';
import { decodeImage, encodeImage, writeAtomic } from '../io.js';
import { loadModelFile, untrainedWarning } from '../model.js';
import { toModelInput, toOutputPixels } from '../pixels.js';
import { planOutputs, type Job } from '../plan.js';
import { formatDuration, Progress } from '../progress.js';

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

async function openSession(args: RestoreArgs, progress: Progress): Promise<ModelSession> {
  await loadBackends(args.device);
  if (args.device !== 'auto') {
    const failed = importFailure(args.device);
    if (failed) throw new LoadError(`device '${args.device}' is not available: ${failed}`);
  }
  const loaded = await loadModelFile(args.model);
  if (loaded.untrained) progress.warn(`dpmambair: warning: ${untrainedWarning(loaded)}`);
  try {
    const { session, warnings } = await createSession(loaded.model, args.device);
    for (const w of warnings) progress.note(`dpmambair: note: ${w}`);
    progress.note(`dpmambair: model '${loaded.model.config.name}' (${loaded.embedded ? 'embedded' : loaded.path}) on ${session.device}`);
    return session;
  } catch (e) {
    const why = message(e);
    const cuda = args.device === 'cuda' ? 'CUDA is not available here: ' : '';
    throw new LoadError(`${cuda}cannot use device '${args.device}': ${why}`);
  }
}

async function restoreOne(job: Job, session: ModelSession, args: RestoreArgs, ctx: RestoreContext): Promise<void> {
  const { signal } = ctx;
  const decoded = await decodeImage(job.header, args.maxPixels);
  throwIfAborted(signal);
  const restored = await restoreImage(session, toModelInput(decoded.pixels), {
    tile: args.tile,
    overlap: args.overlap,
    signal,
    onProgress: (p) => ctx.progress.update(p),
  });
  throwIfAborted(signal);
  const png = job.format === 'png';
  const pixels = toOutputPixels(restored, decoded.pixels, {
    bits: png && job.header.bits === 16 ? 16 : 8,
    gray: job.header.gray,
    alpha: job.format !== 'jpeg',
  });
  if (job.format === 'jpeg' && decoded.header.alpha) ctx.progress.note(`dpmambair: note: ${job.input}: JPEG has no alpha channel; flattened onto white`);
  const bytes = await encodeImage(pixels, { format: job.format, quality: args.quality });
  throwIfAborted(signal);
  await writeAtomic(job.output, bytes, args.force);
}

/** `dpmambair restore`: every input is tried; failures are reported and make the exit code 1. */
export async function runRestore(args: RestoreArgs, ctx: RestoreContext): Promise<ExitCode> {
  const { progress, signal } = ctx;
  const plan = await planOutputs(args);
  let failed = 0;
  const fail = (input: string, output: string | null, error: string, device: string | null = null, width: number | null = null, height: number | null = null) => {
    failed++;
    progress.error(`dpmambair: error: ${input}: ${error}`);
    ctx.report({ input, output, width, height, ms: null, device, ok: false, error });
  };
  for (const r of plan.refused) fail(r.input, r.output, r.error);
  if (plan.jobs.length === 0) return EXIT.FAILED;

  const session = await openSession(args, progress);
  try {
    for (const dir of plan.directories) await fs.mkdir(dir, { recursive: true }).catch(() => undefined);
    let index = 0;
    for (const job of plan.jobs) {
      throwIfAborted(signal);
      const { width, height } = job.header;
      progress.start({ index: ++index, count: plan.jobs.length, input: job.input, width, height });
      const start = performance.now();
      try {
        await restoreOne(job, session, args, ctx);
        const ms = Math.round(performance.now() - start);
        progress.done(`${job.input} -> ${job.output}  ${width}x${height}  ${formatDuration(ms)}  ${session.device}`);
        ctx.report({ input: job.input, output: job.output, width, height, ms, device: session.device, ok: true, error: null });
      } catch (e) {
        if (isAbort(e) || signal.aborted) throw e;
        fail(job.input, job.output, message(e), session.device, width, height);
      }
    }
  } finally {
    await session.dispose().catch(() => undefined);
  }
  return failed ? EXIT.FAILED : EXIT.OK;
}
