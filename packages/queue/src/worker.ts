// Workers: a BullMQ Worker in this process, restoring in sandboxed child processes (one per
// concurrent job), so CPU-bound inference never blocks lock renewal and jobs are not marked
// stalled while they run.
import { readFile } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import { UnrecoverableError, Worker, type ConnectionOptions, type SandboxedJob } from 'bullmq';
import { BAD_IMAGE, DEFAULT_QUEUE, MODEL_MISMATCH, type ImageJobOptions, type RestoreJobData, type RestoreJobResult } from './protocol.js';

/** An image that cannot be restored (undecodable, too large, ...): failed at once, never retried. */
export class BadImageError extends Error {
  override name = 'BadImageError';
}

/** What a processor file supplies: a model loaded once per process, restoring encoded bytes. */
export interface ImageRestorer {
  /** sha256 of the weights in use. */
  readonly model: string;
  /** e.g. the manifest's path, for the mismatch message. */
  readonly modelName: string;
  /** Throws BadImageError for an input no retry can fix. */
  restore(image: Uint8Array, options: ImageJobOptions): Promise<{ image: Uint8Array; width: number; height: number; device: string }>;
}

/**
 * The default export of a sandboxed processor file. `open` runs once per child process, on its
 * first job (the model is loaded once, not per job); a failed load is retried on the next job.
 */
export function restoreProcessor(open: () => Promise<ImageRestorer>): (job: SandboxedJob<RestoreJobData, RestoreJobResult>) => Promise<RestoreJobResult> {
  let restorer: Promise<ImageRestorer> | undefined;
  const worker = `${hostname()}:${process.pid}`;
  // The worker that forked this process died (kill -9, OOM): stop at once instead of living on
  // as an orphan holding the model; the job's lock expires and another worker takes it over.
  process.once('disconnect', () => process.exit(1));
  return async (job) => {
    restorer ??= open().catch((e) => {
      restorer = undefined;
      throw e;
    });
    const r = await restorer;
    const { data } = job;
    if (data.model !== r.model) {
      // Unrecoverable: every retry would land on a worker of the same fleet and model.
      throw new UnrecoverableError(`${MODEL_MISMATCH}: the batch asks for model sha256 ${data.model.slice(0, 12)}…, worker ${worker} runs ${r.model.slice(0, 12)}… (${r.modelName}); start workers with the batch's model (--model) or use another --queue`);
    }
    const start = performance.now();
    let image: Uint8Array;
    try {
      image = data.image !== undefined ? Buffer.from(data.image, 'base64') : await readFile(data.path!);
    } catch (e) {
      // Another worker may see the file: fail this try, not the job.
      throw new Error(`cannot read ${data.path} on worker ${worker} (${(e as Error).message}); shared storage must be mounted at the same path on every worker`);
    }
    try {
      const out = await r.restore(image, data.options);
      return { image: Buffer.from(out.image).toString('base64'), width: out.width, height: out.height, device: out.device, ms: Math.round(performance.now() - start), worker };
    } catch (e) {
      if (e instanceof BadImageError) throw new UnrecoverableError(`${BAD_IMAGE}: ${e.message}`);
      throw e;
    }
  };
}

/** onnxruntime intra-op threads per job so that concurrency × threads fills, and never exceeds, the cores. */
export function defaultThreads(concurrency: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / concurrency));
}

export interface WorkerOptions {
  connection: ConnectionOptions;
  queue?: string;
  /** Path or file: URL of the sandboxed processor (a module whose default export is restoreProcessor(...)). */
  processor: string | URL;
  /** Jobs at once, each in its own child process. Default 1. */
  concurrency?: number;
  /** Environment of the child processes (model, device, threads for the processor file). */
  env?: Record<string, string>;
  /** How long a job's lock lasts without renewal; a killed worker's job is taken over after about this long. Default 30 s. */
  lockDurationMs?: number;
}

/** A BullMQ worker on the restore queue; close() waits for running jobs (close(true) does not). */
export function createWorker(options: WorkerOptions): Worker<RestoreJobData, RestoreJobResult> {
  const lockDuration = options.lockDurationMs ?? 30_000;
  return new Worker<RestoreJobData, RestoreJobResult>(options.queue ?? DEFAULT_QUEUE, options.processor, {
    connection: options.connection,
    concurrency: options.concurrency ?? 1,
    useWorkerThreads: false,
    workerForkOptions: { env: { ...process.env, ...options.env } },
    lockDuration,
    // A killed worker's jobs are moved back to wait by whichever worker checks next.
    stalledInterval: Math.max(1000, Math.round(lockDuration / 2)),
    // Two stalls before giving up: a job whose worker was killed once should not fail for it.
    maxStalledCount: 2,
  });
}
