// The sandboxed processor that `dpmambair worker` hands to BullMQ: each child process loads the
// model once (on its first job) and restores jobs with the same functions as a local run
// (readHeader's checks, renderOne's decode -> restore -> encode). Configured by the worker
// through the environment: DPMAMBAIR_MODEL (manifest path; unset: the default model),
// DPMAMBAIR_DEVICE, DPMAMBAIR_THREADS (onnxruntime intra-op threads).
import { promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDevice, type ModelSession } from '@dpmambair/core';
import { BadImageError, restoreProcessor, type ImageRestorer } from '@dpmambair/queue';
import { openSession, renderOne } from './commands/restore.js';
import { InputError } from './errors.js';
import { readHeader } from './io.js';
import { Progress } from './progress.js';

/** sha256 of a loaded model's weights, as its manifest records them (what a batch asks for). */
export function weightsSha256(session: Pick<ModelSession, 'model'>): string {
  const files = Object.values(session.model.manifest?.files ?? {});
  if (files.length !== 1) throw new Error('the model manifest names no single weights file, so it has no sha256 to match batches against');
  return files[0];
}

export async function openQueueRestorer(env: NodeJS.ProcessEnv = process.env): Promise<ImageRestorer> {
  const threads = env.DPMAMBAIR_THREADS ? Number(env.DPMAMBAIR_THREADS) : undefined;
  const device = parseDevice(env.DPMAMBAIR_DEVICE ?? 'auto');
  if (threads !== undefined) {
    // A variable specifier, as in devices.ts: the backend package is optional at compile time.
    const pkg: string = '@dpmambair/backend-cuda';
    const backend = (await import(pkg)) as { configure(o: { intraOpNumThreads: number }): void };
    backend.configure({ intraOpNumThreads: threads });
  }
  const model = env.DPMAMBAIR_MODEL || undefined;
  const silent = new Progress('silent', process.stderr, false);
  const session = await openSession({ device, model }, silent);
  const never = new AbortController().signal;
  const scratch = await fs.mkdtemp(join(tmpdir(), 'dpmambair-worker-'));
  process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
  let n = 0;
  return {
    model: weightsSha256(session),
    modelName: model ?? `the default model '${session.model.config.name}'`,
    async restore(image, options) {
      // readHeader checks a file: the job's bytes go to a private temporary one first.
      const path = join(scratch, `${n++}.img`);
      await fs.writeFile(path, image, { mode: 0o600 });
      try {
        const header = await readHeader(path, options.maxPixels);
        const bytes = await renderOne({ input: path, format: options.format, header }, session, options, { signal: never, progress: silent });
        return { image: bytes, width: header.width, height: header.height, device: session.device };
      } catch (e) {
        if (e instanceof InputError) throw new BadImageError(e.message);
        throw e;
      } finally {
        await fs.rm(path, { force: true });
      }
    },
  };
}

export default restoreProcessor(() => openQueueRestorer());
