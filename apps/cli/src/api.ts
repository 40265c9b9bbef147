/**
 * The programmatic Node API of the `dpmambair` package: the CLI's own decoding, checks and atomic
 * writes (planOutputs, readHeader, decodeImage, renderOne, writeAtomic), called as functions.
 *
 *   import { restoreFile } from 'dpmambair';
 *   await restoreFile('noisy.png', 'clean.png');             // default model, best device here
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_OVERLAP, DEFAULT_TILE, type DeviceRequest, type ModelSession, type RestoreProgress } from '@dpmambair/core';
import { DEFAULT_MAX_PIXELS, DEFAULT_QUALITY, type OutputFormat, type RestoreArgs } from './args.js';
import { openSession, renderOne } from './commands/restore.js';
import { InputError } from './errors.js';
import { readHeader, writeAtomic } from './io.js';
import { planOutputs } from './plan.js';
import { Progress } from './progress.js';
import { makeDirectory } from './safety.js';

export interface RestoreOptions {
  /** 'auto' (default): CUDA when it works, else the CPU; or any device string (`dpmambair info` lists them). */
  device?: DeviceRequest;
  /** A weights manifest (.json); default: `small` from @dpmambair/models. */
  model?: string;
  /** Tile side in pixels (default 512) and overlap (default 32): memory grows with the tile. */
  tile?: number;
  overlap?: number;
  /** How much of the restoration to apply, 0..1 (default 1). */
  strength?: number;
  /** Output format; default: from the output's extension, else the input's format. */
  format?: OutputFormat;
  /** JPEG/WebP quality, 1..100 (default 90). */
  quality?: number;
  /** Refuse images with more pixels, from the header, before decoding (default 100 M). */
  maxPixels?: number;
  signal?: AbortSignal;
  onProgress?: (p: RestoreProgress) => void;
}

export interface RestoreFileOptions extends RestoreOptions {
  /** Replace an existing output (never an input). Default false: an existing output is an error. */
  force?: boolean;
}

export interface RestoreFileResult {
  input: string;
  output: string;
  width: number;
  height: number;
  format: OutputFormat;
  device: string;
  ms: number;
}

/** Progress that goes to the caller's callback only: a library writes nothing to stderr. */
class CallbackProgress extends Progress {
  constructor(private readonly callback?: (p: RestoreProgress) => void) {
    super('silent', process.stderr, false);
  }
  override update(p: RestoreProgress): void {
    this.callback?.(p);
  }
}

/** One model session per (device, model), opened on first use and kept for later calls. */
const sessions = new Map<string, Promise<ModelSession>>();
function session(options: RestoreOptions): Promise<ModelSession> {
  const key = `${options.device ?? 'auto'}\n${options.model ?? ''}`;
  let s = sessions.get(key);
  if (!s) {
    s = openSession({ device: options.device ?? 'auto', model: options.model }, new CallbackProgress());
    sessions.set(key, s);
    s.catch(() => sessions.delete(key));
  }
  return s;
}

/** Closes the sessions opened by restoreFile/restoreBuffer (the next call opens them again). */
export async function closeSessions(): Promise<void> {
  const open = [...sessions.values()];
  sessions.clear();
  await Promise.all(open.map((s) => s.then((x) => x.dispose(), () => undefined)));
}

function restoreArgs(input: string, output: string, options: RestoreFileOptions): RestoreArgs {
  const tile = options.tile ?? DEFAULT_TILE;
  return {
    command: 'restore',
    inputs: [input],
    output,
    device: options.device ?? 'auto',
    model: options.model,
    tile,
    overlap: options.overlap ?? Math.min(DEFAULT_OVERLAP, tile / 2),
    strength: options.strength ?? 1,
    format: options.format,
    quality: options.quality ?? DEFAULT_QUALITY,
    maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
    force: options.force ?? false,
    json: true,
    quiet: true,
  };
}

/**
 * Restores one image file into another, as `dpmambair restore input -o output` does: the input is
 * checked from its header first; the output is written atomically and never replaces an input,
 * nor an existing file unless `force`. Throws InputError (bad input or output), LoadError (model
 * or device), or the signal's AbortError.
 */
export async function restoreFile(input: string, output: string, options: RestoreFileOptions = {}): Promise<RestoreFileResult> {
  const t0 = performance.now();
  const args = restoreArgs(input, output, options);
  const plan = await planOutputs(args);
  if (plan.refused.length) throw new InputError(`${input}: ${plan.refused[0].error}`);
  const [job] = plan.jobs;
  for (const dir of plan.directories) await makeDirectory(dir);
  const s = await session(options);
  const ctx = { signal: options.signal ?? new AbortController().signal, progress: new CallbackProgress(options.onProgress) };
  const bytes = await renderOne(job, s, args, ctx);
  ctx.signal.throwIfAborted();
  await writeAtomic(job.output, bytes, args.force);
  return { input, output: job.output, width: job.header.width, height: job.header.height, format: job.format, device: s.device, ms: performance.now() - t0 };
}

/**
 * Restores an encoded image (PNG, JPEG or WebP bytes) and returns the encoded result, in the
 * input's format unless `format` says otherwise. Same decoding and checks as restoreFile.
 */
export async function restoreBuffer(bytes: Uint8Array, options: RestoreOptions = {}): Promise<Buffer> {
  const args = restoreArgs('<buffer>', '<buffer>', options);
  // The CLI's decoder reads files (headers before pixels); a private temporary file feeds it.
  const dir = await mkdtemp(join(tmpdir(), 'dpmambair-'));
  try {
    const path = join(dir, 'input');
    await writeFile(path, bytes, { mode: 0o600 });
    const header = await readHeader(path, args.maxPixels).catch((e: Error) => {
      throw new InputError(`the input bytes: ${e.message}`);
    });
    const s = await session(options);
    const ctx = { signal: options.signal ?? new AbortController().signal, progress: new CallbackProgress(options.onProgress) };
    const out = await renderOne({ input: 'the input bytes', format: options.format ?? header.format, header }, s, args, ctx);
    ctx.signal.throwIfAborted();
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
