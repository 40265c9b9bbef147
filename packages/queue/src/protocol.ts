// What travels through Redis: one job per image, its bytes inside, and the restored bytes back.
import { createHash } from 'node:crypto';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** Everything that decides the output bytes of one image, besides the image and the model. */
export interface ImageJobOptions {
  tile: number;
  overlap: number;
  /** The output's format (decided by the submitter, as a local run decides it). */
  format: ImageFormat;
  quality: number;
  /** Larger images are refused from their header, before decoding. */
  maxPixels: number;
  /** How much of the restoration to apply, 0..1 (default 1). */
  strength?: number;
}

export interface RestoreJobData {
  batch: string;
  /** The input's name, for messages (a path on the submitting machine). */
  name: string;
  /** sha256 of the weights the batch asks for; a worker with other weights refuses the job. */
  model: string;
  options: ImageJobOptions;
  /** The input file's bytes, base64; or, in shared-storage mode, none and: */
  image?: string;
  /** The input's absolute path, on storage every worker mounts at the same place. */
  path?: string;
}

export interface RestoreJobResult {
  /** The encoded output's bytes, base64. */
  image: string;
  width: number;
  height: number;
  /** Time spent restoring on the worker. */
  ms: number;
  device: string;
  /** host:pid of the process that restored it. */
  worker: string;
}

export const DEFAULT_QUEUE = 'dpmambair';
/** Inputs above this are refused by the submitter: job data lives in Redis's memory. */
export const DEFAULT_MAX_IMAGE_BYTES = 32 * 1024 * 1024;

/** Prefix of the failure reason of a job whose model does not match the worker's. */
export const MODEL_MISMATCH = 'model mismatch';
/** Prefix of the failure reason of an image that cannot be restored (retrying would not help). */
export const BAD_IMAGE = 'bad image';

export const sha256 = (...parts: (string | Uint8Array)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/**
 * A job's id: the batch and the input's content (with the options that shape the output), so
 * submitting the same batch again finds the jobs already done instead of adding new ones, and
 * identical files in one batch are restored once.
 */
export function jobId(batch: string, image: Uint8Array, options: ImageJobOptions): string {
  return `${batch}-${sha256(image, JSON.stringify(options)).slice(0, 32)}`;
}

/** A batch id derived from what a run asks for (model, and a caller's key such as the output directory). */
export function batchId(model: string, key: string): string {
  return sha256(model, '\0', key).slice(0, 16);
}

/** ioredis connection options from a redis:// (or rediss://, TLS) URL; throws with the reason. */
export function redisConnection(url: string): { host: string; port: number; username?: string; password?: string; db?: number; tls?: object } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--redis '${url}' is not a URL (e.g. redis://127.0.0.1:6379)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`--redis '${url}' must start with redis:// or rediss://`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  if (db !== undefined && !Number.isInteger(db)) throw new Error(`--redis '${url}': the path must be a database number`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== undefined ? { db } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
