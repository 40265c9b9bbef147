import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_OVERLAP, DEFAULT_TILE, parseDevice, type DeviceRequest } from '@dpmambair/core';
import { UsageError } from './errors.js';

export type OutputFormat = 'png' | 'jpeg' | 'webp';

export const DEFAULT_MAX_PIXELS = 100_000_000;
export const DEFAULT_QUALITY = 90;

export interface RestoreArgs {
  command: 'restore';
  inputs: string[];
  output: string;
  device: DeviceRequest;
  /** Path of a weights manifest (.json); undefined: the embedded default model. */
  model?: string;
  tile: number;
  overlap: number;
  /** How much of the restoration to apply, 0..1 (core's RestoreOptions.strength). */
  strength: number;
  format?: OutputFormat;
  quality: number;
  maxPixels: number;
  force: boolean;
  json: boolean;
  quiet: boolean;
  /** Restore on workers through this Redis (redis://host:port) instead of here. */
  redis?: string;
  /** The queue's name (with --redis). */
  queue?: string;
  /** With --redis: jobs carry input paths, read by workers from storage they all mount. */
  sharedStorage?: boolean;
}

/** `dpmambair worker`: restores jobs from a Redis queue until SIGTERM/SIGINT. */
export interface WorkerArgs {
  command: 'worker';
  redis: string;
  queue?: string;
  device: DeviceRequest;
  model?: string;
  /** Jobs at once, each in its own process. */
  concurrency: number;
  /** onnxruntime threads per job; undefined: cores / concurrency. */
  threads?: number;
}

export interface InfoArgs {
  command: 'info';
  model?: string;
  json: boolean;
}

export type Args = RestoreArgs | WorkerArgs | InfoArgs | { command: 'help'; topic?: 'restore' | 'info' | 'worker' } | { command: 'version' };

const FORMATS: Record<string, OutputFormat> = { png: 'png', jpeg: 'jpeg', jpg: 'jpeg', webp: 'webp' };

export function parseFormat(value: string): OutputFormat {
  const f = FORMATS[value.toLowerCase()];
  if (!f) throw new UsageError(`unknown format '${value}' (choose png, jpeg or webp)`);
  return f;
}

function integer(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** A decimal number from 0 to 1 ("0.5", ".5", "1"). */
function fraction(name: string, value: string): number {
  const n = /^(?:\d+\.?\d*|\.\d+)$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 1)) throw new UsageError(`--${name} must be a number from 0 to 1, got '${value}'`);
  return n;
}

/** "100000000", "100M", "24.5M" or "500k" pixels. */
export function parsePixels(value: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(value);
  const n = m ? Math.round(Number(m[1]) * (m[2] ? (m[2].toLowerCase() === 'm' ? 1e6 : 1e3) : 1)) : NaN;
  if (!(n >= 1)) throw new UsageError(`--max-pixels must be a pixel count such as 100000000 or 100M, got '${value}'`);
  return n;
}

function device(value: string): DeviceRequest {
  try {
    return parseDevice(value);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** node:util parseArgs, with its errors turned into usage errors. */
function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

const RESTORE_OPTIONS = {
  output: { type: 'string', short: 'o' },
  device: { type: 'string', short: 'd' },
  model: { type: 'string', short: 'm' },
  tile: { type: 'string' },
  overlap: { type: 'string' },
  strength: { type: 'string' },
  format: { type: 'string', short: 'f' },
  quality: { type: 'string', short: 'q' },
  'max-pixels': { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  redis: { type: 'string' },
  queue: { type: 'string' },
  'shared-storage': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const WORKER_OPTIONS = {
  redis: { type: 'string' },
  queue: { type: 'string' },
  device: { type: 'string', short: 'd' },
  model: { type: 'string', short: 'm' },
  concurrency: { type: 'string' },
  threads: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function redisUrl(value: string | undefined, command: string): string | undefined {
  if (value === undefined) return undefined;
  if (!/^rediss?:\/\/./.test(value)) throw new UsageError(`${command}: --redis must be a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379), got '${value}'`);
  return value;
}

const INFO_OPTIONS = {
  model: { type: 'string', short: 'm' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses the command line (without node and the script). Throws UsageError. */
export function parseCommandLine(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    const topic = command === 'help' ? rest[0] : undefined;
    if (topic !== undefined && topic !== 'restore' && topic !== 'info' && topic !== 'worker') throw new UsageError(`unknown command '${topic}' (restore, info, worker)`);
    return { command: 'help', topic };
  }
  if (command === '-V' || command === '--version' || command === 'version') return { command: 'version' };

  if (command === 'restore') {
    const { values: v, positionals } = parse(rest, RESTORE_OPTIONS);
    if (v.help) return { command: 'help', topic: 'restore' };
    if (positionals.length === 0) throw new UsageError('restore: no input images given');
    if (v.output === undefined) throw new UsageError('restore: missing -o/--output (a file for one input, a directory for several)');
    if (v.output === '') throw new UsageError('restore: -o/--output is empty');
    if (v.queue !== undefined && v.redis === undefined) throw new UsageError('restore: --queue needs --redis <url>');
    if (v['shared-storage'] && v.redis === undefined) throw new UsageError('restore: --shared-storage needs --redis <url>');
    const tile = v.tile === undefined ? DEFAULT_TILE : integer('tile', v.tile, 16, 8192);
    const overlap = v.overlap === undefined ? Math.min(DEFAULT_OVERLAP, tile / 2) : integer('overlap', v.overlap, 0, Math.floor(tile / 2));
    return {
      command: 'restore',
      inputs: positionals,
      output: v.output,
      device: v.device === undefined ? 'auto' : device(v.device),
      model: v.model,
      tile,
      overlap,
      strength: v.strength === undefined ? 1 : fraction('strength', v.strength),
      format: v.format === undefined ? undefined : parseFormat(v.format),
      quality: v.quality === undefined ? DEFAULT_QUALITY : integer('quality', v.quality, 1, 100),
      maxPixels: v['max-pixels'] === undefined ? DEFAULT_MAX_PIXELS : parsePixels(v['max-pixels']),
      force: v.force ?? false,
      json: v.json ?? false,
      quiet: v.quiet ?? false,
      ...(v.redis !== undefined ? { redis: redisUrl(v.redis, 'restore') } : {}),
      ...(v.queue !== undefined ? { queue: v.queue } : {}),
      ...(v['shared-storage'] ? { sharedStorage: true } : {}),
    };
  }

  if (command === 'worker') {
    const { values: v, positionals } = parse(rest, WORKER_OPTIONS);
    if (v.help) return { command: 'help', topic: 'worker' };
    if (positionals.length) throw new UsageError(`worker: unexpected argument '${positionals[0]}'`);
    const redis = redisUrl(v.redis, 'worker');
    if (redis === undefined) throw new UsageError('worker: missing --redis <url> (e.g. redis://127.0.0.1:6379)');
    return {
      command: 'worker',
      redis,
      queue: v.queue,
      device: v.device === undefined ? 'auto' : device(v.device),
      model: v.model,
      concurrency: v.concurrency === undefined ? 1 : integer('concurrency', v.concurrency, 1, 256),
      threads: v.threads === undefined ? undefined : integer('threads', v.threads, 1, 1024),
    };
  }

  if (command === 'info') {
    const { values: v, positionals } = parse(rest, INFO_OPTIONS);
    if (v.help) return { command: 'help', topic: 'info' };
    if (positionals.length) throw new UsageError(`info: unexpected argument '${positionals[0]}'`);
    return { command: 'info', model: v.model, json: v.json ?? false };
  }

  throw new UsageError(`unknown command '${command}' (restore, info, worker; see dpmambair --help)`);
}
