/** Node-side inputs of the bench: the model files, the benchmark photo, the evaluation set. */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { fromInterleaved, sha256Hex, type RgbImage } from '@dpmambair/core';
import { DEFAULT_MODEL, loadModelFiles } from '@dpmambair/models';
import type { EvalPair } from './measure.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const RESULTS_DIR = join(REPO_ROOT, 'benchmarks', 'results');
export const EVAL_DIR = join(REPO_ROOT, 'apps', 'bench', 'fixtures', 'eval');

export interface ModelFiles {
  manifestText: string;
  safetensors: Uint8Array;
  sha256: string;
  /** Path relative to the repository root. */
  source: string;
  trained: boolean;
  name: string;
}

/**
 * The shipped `small` model (@dpmambair/models), or a weights manifest given with --weights. The
 * training run rewrites models/weights/ every few minutes, so an explicit manifest whose sha256
 * does not match its safetensors is re-read.
 */
export async function readModelFiles(explicit?: string): Promise<ModelFiles> {
  if (!explicit) {
    const { manifestText, safetensors } = await loadModelFiles(DEFAULT_MODEL);
    const manifest = JSON.parse(manifestText) as { config: { name: string }; files: Record<string, string> };
    return { manifestText, safetensors, sha256: Object.values(manifest.files)[0], source: `@dpmambair/models '${DEFAULT_MODEL}'`, trained: true, name: manifest.config.name };
  }
  const path = resolve(explicit);
  for (let attempt = 0; ; attempt++) {
    const manifestText = readFileSync(path, 'utf8');
    const manifest = JSON.parse(manifestText) as { config: { name: string }; files: Record<string, string> };
    const [[file, sha]] = Object.entries(manifest.files);
    const safetensors = new Uint8Array(readFileSync(join(dirname(path), file)));
    if ((await sha256Hex(safetensors)) === sha || attempt >= 5) {
      return { manifestText, safetensors, sha256: sha, source: path.startsWith(REPO_ROOT) ? path.slice(REPO_ROOT.length + 1) : path, trained: !path.includes(`${join('models', 'golden')}`), name: manifest.config.name };
    }
    await new Promise((r) => setTimeout(r, 2000)); // being rewritten by the training run
  }
}

export async function readPng(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return fromInterleaved({ width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) });
}

/** Averages 2x2 blocks (exact, deterministic: the same input on every device and runtime). */
export function halve(img: RgbImage): RgbImage {
  const w = img.width >> 1;
  const h = img.height >> 1;
  const n = img.width * img.height;
  const rgb = new Float32Array(3 * w * h);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = (yy: number, xx: number) => img.rgb[c * n + yy * img.width + xx];
        rgb[c * w * h + y * w + x] = (p(2 * y, 2 * x) + p(2 * y, 2 * x + 1) + p(2 * y + 1, 2 * x) + p(2 * y + 1, 2 * x + 1)) / 4;
      }
    }
  }
  return { width: w, height: h, rgb };
}

/** The benchmark photo: samples/astronaut.png (512²) halved to 256². */
export async function baseImage(): Promise<RgbImage> {
  return halve(await readPng(join(REPO_ROOT, 'samples', 'astronaut.png')));
}

export interface EvalManifest {
  description: string;
  items: { name: string; degradation: string; input: string; reference: string }[];
}

export async function loadEvalSet(dir = EVAL_DIR): Promise<{ set: string; pairs: EvalPair[] }> {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as EvalManifest;
  const pairs: EvalPair[] = [];
  for (const it of m.items) {
    pairs.push({ name: it.name, degradation: it.degradation, input: await readPng(join(dir, it.input)), reference: await readPng(join(dir, it.reference)) });
  }
  return { set: m.description, pairs };
}

/**
 * Whether models/train.py (or another training job) is running on this machine: it competes for
 * the CPU. A job stopped for the measurement (SIGSTOP, state T in /proc/<pid>/stat) does not.
 */
export function trainingJobRunning(command = /train\.py/): boolean {
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (!command.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) continue;
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        if (state !== 'T' && state !== 't') return true;
      } catch {
        // gone
      }
    }
  } catch {
    // no /proc
  }
  return false;
}

/**
 * Copies a consistent snapshot of the model into `dir` (the training run may rewrite
 * models/weights/ during a bench run; every device must measure the same weights).
 */
export function snapshotModel(files: ModelFiles, dir: string): string {
  const manifest = JSON.parse(files.manifestText) as { files: Record<string, string> };
  const [[file]] = Object.entries(manifest.files);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), files.safetensors);
  const path = join(dir, 'model.json');
  writeFileSync(path, files.manifestText);
  return path;
}
