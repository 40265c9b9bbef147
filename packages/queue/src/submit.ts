// Submitting a batch: one job per image, a bounded number in Redis at a time, results yielded as
// they finish. The submitter holds the inputs, so it is the source of truth: a job that vanished
// (Redis restarted without persistence) is added again, and a re-run of the same batch finds
// the jobs already done under the same ids instead of redoing them.
import { Job, Queue, type ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { DEFAULT_MAX_IMAGE_BYTES, DEFAULT_QUEUE, jobId, type ImageJobOptions, type RestoreJobData, type RestoreJobResult } from './protocol.js';

export interface BatchImage {
  /** The input's name (its path), used in results and messages. */
  name: string;
  /** Reads the input's bytes; called again if its job has to be added again. */
  read(): Promise<Uint8Array>;
  /** Its absolute path, for shared-storage mode. */
  path?: string;
  options: ImageJobOptions;
}

export type BatchResult =
  | { name: string; ok: true; image: Uint8Array; width: number; height: number; ms: number; device: string; worker: string }
  | { name: string; ok: false; error: string };

export interface BatchProgress {
  total: number;
  /** Results yielded so far (restored or failed). */
  done: number;
  failed: number;
  /** Jobs being restored right now, across all workers. */
  active: number;
  /** Jobs in Redis waiting for a worker. */
  waiting: number;
}

export interface EnqueueOptions {
  connection: ConnectionOptions;
  queue?: string;
  /** The batch id (see batchId): the same for a re-run of the same command. */
  batch: string;
  /** sha256 of the weights the batch asks for. */
  model: string;
  images: BatchImage[];
  /** Inputs larger than this are failed without a job. Default 32 MiB (no limit in shared-storage mode). */
  maxImageBytes?: number;
  /**
   * Jobs carry each image's `path` instead of its bytes: for archives on storage that every
   * worker mounts at the same path. The submitter still reads each file once, for its job id.
   */
  sharedStorage?: boolean;
  /** Jobs in Redis at once (image bytes sit in Redis's memory). Default 64. */
  window?: number;
  /** Tries per job for transient errors (a bad image is tried once). Default 3. */
  attempts?: number;
  /** How often job states are polled. Default 200 ms. */
  pollMs?: number;
  /** Give up when Redis is unreachable this long. Default 60 s. */
  redisTimeoutMs?: number;
  /** Aborting stops submitting, removes this batch's jobs that no worker has started, and ends the iteration with the abort reason. */
  signal?: AbortSignal;
  onProgress?: (p: BatchProgress) => void;
}

interface InFlight {
  id: string;
  image: BatchImage;
  /** Other inputs with identical content and options: one job, several results. */
  also: BatchImage[];
}

/** Redis could not be reached (at the start, or for longer than the batch's redisTimeoutMs). */
export class RedisUnreachableError extends Error {
  override name = 'RedisUnreachableError';
}

/** Fails fast, with the reason, when Redis cannot be reached (a batch would otherwise wait for it). */
export async function pingRedis(connection: RedisOptions, timeoutMs = 5000): Promise<void> {
  const client = new Redis({ ...connection, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let cause: Error | undefined; // ioredis rejects with 'Connection is closed'; the reason comes as an event
  client.on('error', (e: Error) => (cause ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw new RedisUnreachableError(`cannot reach Redis at ${connection.host ?? '127.0.0.1'}:${connection.port ?? 6379}: ${(cause ?? (e as Error)).message || 'connection failed'}`);
  } finally {
    client.disconnect();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Why a job could not be restored, without BullMQ's own wording around it. */
function reasonOf(job: Job | undefined): string {
  const reason = job?.failedReason?.trim();
  return reason ? reason : 'failed (no reason recorded)';
}

/**
 * Submits a batch and yields one result per image, in the order they finish. A completed job is
 * removed from Redis once the loop body that received its result has run (i.e. on the next
 * step), so a caller that writes the output inside the loop never loses a result: if it stops
 * first, the job stays completed in Redis and a re-run collects it without restoring again.
 */
export async function* enqueueRestore(options: EnqueueOptions): AsyncGenerator<BatchResult> {
  const { batch, model, signal } = options;
  const maxBytes = options.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES;
  const window = options.window ?? 64;
  const pollMs = options.pollMs ?? 200;
  const redisTimeoutMs = options.redisTimeoutMs ?? 60_000;
  const attempts = options.attempts ?? 3;
  const queue = new Queue<RestoreJobData, RestoreJobResult>(options.queue ?? DEFAULT_QUEUE, { connection: options.connection });
  queue.on('error', () => undefined); // reconnects are retried below; the reason is reported if they keep failing
  const inFlight = new Map<string, InFlight>();
  const progress: BatchProgress = { total: options.images.length, done: 0, failed: 0, active: 0, waiting: 0 };
  let next = 0;
  let lastReachable = Date.now();

  /** Retries a Redis call through a restart; fails when Redis stays unreachable. */
  async function redis<T>(call: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        const value = await call();
        lastReachable = Date.now();
        return value;
      } catch (e) {
        if (Date.now() - lastReachable > redisTimeoutMs) throw new RedisUnreachableError(`Redis unreachable for ${Math.round(redisTimeoutMs / 1000)} s: ${(e as Error).message}`);
        if (signal?.aborted) throw e;
        await sleep(pollMs);
      }
    }
  }

  async function add(entry: InFlight, bytes: Uint8Array): Promise<void> {
    const { name, options: imageOptions, path } = entry.image;
    const data: RestoreJobData = options.sharedStorage ? { batch, name, model, options: imageOptions, path } : { batch, name, model, options: imageOptions, image: Buffer.from(bytes).toString('base64') };
    await redis(() => queue.add('restore', data, {
      jobId: entry.id,
      attempts,
      backoff: { type: 'exponential', delay: 1000 },
      // Results nobody collected (the submitter was stopped) do not stay in Redis forever.
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    }));
  }

  /** Submits the next input; returns a result when it fails before any job is made. */
  async function submitNext(): Promise<BatchResult | undefined> {
    const image = options.images[next++];
    let bytes: Uint8Array;
    try {
      bytes = await image.read();
    } catch (e) {
      return { name: image.name, ok: false, error: `cannot read: ${(e as Error).message}` };
    }
    if (options.sharedStorage && !image.path?.startsWith('/')) {
      return { name: image.name, ok: false, error: 'shared-storage mode needs the absolute path of every input' };
    }
    if (!options.sharedStorage && bytes.length > maxBytes) {
      return { name: image.name, ok: false, error: `file is ${(bytes.length / 2 ** 20).toFixed(1)} MiB, over the queue's limit of ${(maxBytes / 2 ** 20).toFixed(0)} MiB per image` };
    }
    const id = jobId(batch, bytes, image.options);
    const same = inFlight.get(id);
    if (same) {
      same.also.push(image);
      return undefined;
    }
    const entry: InFlight = { id, image, also: [] };
    inFlight.set(id, entry);
    // A job failed in an earlier run is tried afresh; a completed one is collected as it is.
    if ((await redis(() => queue.getJobState(id))) === 'failed') await redis(() => queue.remove(id));
    await add(entry, bytes);
    return undefined;
  }

  function resultsOf(entry: InFlight, make: (image: BatchImage) => BatchResult): BatchResult[] {
    return [entry.image, ...entry.also].map(make);
  }

  /** Removes the jobs of this batch that no worker has started (on abort). */
  async function withdraw(): Promise<void> {
    await Promise.all([...inFlight.keys()].map(async (id) => {
      try {
        const state = await queue.getJobState(id);
        if (state === 'waiting' || state === 'delayed' || state === 'prioritized') await queue.remove(id);
      } catch {
        // best effort: a job left behind is finished by a worker and expires with the batch
      }
    }));
  }

  try {
    while (next < options.images.length || inFlight.size > 0) {
      if (signal?.aborted) {
        await withdraw();
        throw signal.reason instanceof Error ? signal.reason : new DOMException('interrupted', 'AbortError');
      }
      while (next < options.images.length && inFlight.size < window && !signal?.aborted) {
        const early = await submitNext();
        if (early) {
          progress.done++;
          progress.failed++;
          yield early;
        }
      }
      const ids = [...inFlight.keys()];
      const states = await redis(() => Promise.all(ids.map((id) => queue.getJobState(id))));
      progress.active = states.filter((s) => s === 'active').length;
      progress.waiting = states.filter((s) => s === 'waiting' || s === 'delayed' || s === 'prioritized').length;
      let finished = 0;
      for (let i = 0; i < ids.length; i++) {
        const entry = inFlight.get(ids[i])!;
        const state = states[i];
        if (state === 'unknown') {
          // Gone from Redis (restarted without its data, or removed by hand): add it again.
          let bytes: Uint8Array;
          try {
            bytes = await entry.image.read();
          } catch (e) {
            inFlight.delete(entry.id);
            for (const r of resultsOf(entry, (image) => ({ name: image.name, ok: false, error: `cannot read again after Redis lost its job: ${(e as Error).message}` }))) {
              progress.done++;
              progress.failed++;
              yield r;
            }
            continue;
          }
          await add(entry, bytes);
          continue;
        }
        if (state !== 'completed' && state !== 'failed') continue;
        const job = await redis(() => Job.fromId<RestoreJobData, RestoreJobResult>(queue, entry.id));
        if (!job) continue; // vanished between the two calls: found as 'unknown' next time
        const results = state === 'completed' && job.returnvalue
          ? resultsOf(entry, (image) => ({ name: image.name, ok: true, ...job.returnvalue, image: Buffer.from(job.returnvalue.image, 'base64') }))
          : resultsOf(entry, (image) => ({ name: image.name, ok: false, error: reasonOf(job) }));
        for (const r of results) {
          progress.done++;
          if (!r.ok) progress.failed++;
          yield r;
        }
        // The caller has handled the results: the job's bytes can leave Redis.
        inFlight.delete(entry.id);
        await redis(() => job.remove()).catch(() => undefined);
        finished++;
      }
      options.onProgress?.({ ...progress });
      if (!finished) await sleep(pollMs);
    }
  } finally {
    await queue.close().catch(() => undefined);
  }
}
