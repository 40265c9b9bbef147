import { availableParallelism } from 'node:os';
import { createWorker, DEFAULT_QUEUE, defaultThreads, redisConnection } from '@dpmambair/queue';
import type { WorkerArgs } from '../args.js';
import { EXIT, LoadError, message, type ExitCode } from '../errors.js';
import { loadModelFile, untrainedWarning } from '../model.js';
import { weightsSha256 } from '../queue-processor.js';

const say = (line: string) => process.stderr.write(`dpmambair worker: ${line}\n`);

/**
 * `dpmambair worker`: restores jobs from the queue until SIGTERM or SIGINT, which finish the jobs
 * running (a second signal quits at once; its jobs are taken over by another worker once their
 * lock expires). Exits 0 after a graceful stop, 3 when the model cannot be loaded.
 */
export async function runWorker(args: WorkerArgs): Promise<ExitCode> {
  let loaded;
  try {
    loaded = await loadModelFile(args.model);
  } catch (e) {
    say(`error: ${message(e)}`);
    return e instanceof LoadError ? EXIT.LOAD : EXIT.FAILED;
  }
  if (loaded.untrained) say(`warning: ${untrainedWarning(loaded)}`);
  const sha = weightsSha256(loaded);
  const threads = args.threads ?? defaultThreads(args.concurrency);
  const cores = availableParallelism();
  if (args.concurrency * threads > cores) say(`note: ${args.concurrency} processes x ${threads} threads is more than the ${cores} cores here`);
  const queue = args.queue ?? DEFAULT_QUEUE;
  const worker = createWorker({
    connection: redisConnection(args.redis),
    queue,
    processor: new URL('../queue-processor.js', import.meta.url),
    concurrency: args.concurrency,
    env: { DPMAMBAIR_MODEL: loaded.embedded ? '' : loaded.path, DPMAMBAIR_DEVICE: args.device, DPMAMBAIR_THREADS: String(threads) },
    // Tests shorten the lock so that a killed worker's job is taken over in seconds.
    lockDurationMs: process.env.DPMAMBAIR_QUEUE_LOCK_MS ? Number(process.env.DPMAMBAIR_QUEUE_LOCK_MS) : undefined,
  });
  let lastError = 0;
  worker.on('error', (e) => {
    if (Date.now() - lastError < 5000) return; // one line per outage, not one per retry
    lastError = Date.now();
    say(`redis: ${message(e)} (retrying)`);
  });
  worker.on('completed', (job, r) => say(`restored ${job.data.name} (${r.width}x${r.height}, ${r.ms} ms)`));
  worker.on('failed', (job, e) => say(`failed ${job?.data.name ?? job?.id}: ${message(e)}`));
  worker.on('ready', () => say(`ready: queue '${queue}' on ${args.redis.replace(/\/\/[^@/]*@/, '//***@')}, model '${loaded.model.config.name}' sha256 ${sha.slice(0, 12)}…, ${args.concurrency} process${args.concurrency > 1 ? 'es' : ''} x ${threads} thread${threads > 1 ? 's' : ''}, device ${args.device}`));

  return new Promise<ExitCode>((resolve) => {
    let stopping = false;
    const stop = (name: NodeJS.Signals) => {
      if (stopping) {
        say(`${name} again: quitting now; running jobs go back to the queue when their lock expires`);
        void worker.close(true).finally(() => resolve(name === 'SIGINT' ? EXIT.INTERRUPTED : EXIT.TERMINATED));
        return;
      }
      stopping = true;
      say(`${name}: finishing the running jobs, taking no new ones (${name} again to quit now)`);
      void worker.close().then(() => {
        say('stopped');
        resolve(EXIT.OK);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
