// Helpers for the CLI's tests: run the real binary (dist/bin.js) as a child process, make small
// real images with sharp, craft broken files, and build an "identity" model whose output is its
// input (so pixel-exact checks are possible whatever the trained weights do).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { getConfig, randomParams, serializeSafetensors, sha256Hex, WEIGHTS_FORMAT } from '@dpmambair/core';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const SAMPLES = join(REPO, 'samples');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak resident memory of the CLI process, in bytes (from process.resourceUsage at exit). */
  maxRssBytes?: number;
}

/** Prints the process's peak RSS on stderr as it exits (loaded with --import into the child). */
const RSS_HOOK = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\n@maxrss '+process.resourceUsage().maxRSS+'\\n'))`;

export interface RunOptions {
  cwd?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Called with each chunk of stderr (and the child), e.g. to send a signal once restoring starts. */
  onStderr?: (text: string, child: ChildProcess) => void;
  /** Called with each chunk of stdout (and the child), e.g. to close the pipe after the first line. */
  onStdout?: (text: string, child: ChildProcess) => void;
  /** Run as this user and group (root only): permission checks do not apply to root. */
  user?: { uid: number; gid: number };
}

/** The unprivileged user that tests which need permission errors run the CLI as. */
export const NOBODY = { uid: 65534, gid: 65534 };

/** Runs `dpmambair <args>`; never throws on a non-zero exit. */
export function runCli(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', RSS_HOOK, BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, FORCE_COLOR: '0', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options.user,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      options.onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      options.onStderr?.(stderr, child);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const m = /\n@maxrss (\d+)\n/.exec(stderr);
      stderr = stderr.replace(/\n@maxrss \d+\n/, '');
      resolve({ code, signal, stdout, stderr, ms: performance.now() - start, maxRssBytes: m ? Number(m[1]) * 1024 : undefined });
    });
  });
}

export function tempDir(prefix = 'dpmambair-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A smooth, asymmetric test picture (no two corners alike), interleaved, 8- or 16-bit. */
export function testPattern(width: number, height: number, channels: 1 | 2 | 3 | 4, bits: 8 | 16 = 8): Uint8Array | Uint16Array {
  const max = bits === 16 ? 65535 : 255;
  const data = bits === 16 ? new Uint16Array(width * height * channels) : new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      const r = x / (width - 1);
      const g = y / (height - 1);
      const b = 0.5 + 0.5 * Math.sin((x + 2 * y) / 7);
      const colours = channels >= 3 ? [r, g, b] : [(r + 2 * g) / 3];
      colours.forEach((v, c) => (data[i + c] = Math.round(v * max)));
      if (channels === 2 || channels === 4) data[i + channels - 1] = Math.round(((x * 7 + y * 13) % 256) / 255 * max); // every alpha value, zeros included
    }
  }
  return data;
}

/** Writes a PNG from interleaved pixels (16-bit when given a Uint16Array; gray for 1-2 channels). */
export async function writePng(path: string, width: number, height: number, channels: 1 | 2 | 3 | 4, data: Uint8Array | Uint16Array): Promise<void> {
  const sixteen = data instanceof Uint16Array;
  const gray = channels <= 2;
  await sharp(data, { raw: { width, height, channels } })
    .toColourspace(sixteen ? (gray ? 'grey16' : 'rgb16') : gray ? 'b-w' : 'srgb')
    .png()
    .toFile(path);
}

/** Decoded pixels as the CLI would see them (RGB/RGBA, upright), at the file's bit depth. */
export async function readPixels(path: string): Promise<{ width: number; height: number; channels: number; depth: string; data: Uint8Array | Uint16Array }> {
  const meta = await sharp(path).metadata();
  const sixteen = meta.depth === 'ushort';
  const { data, info } = await sharp(path).rotate().toColourspace(sixteen ? 'rgb16' : 'srgb').raw({ depth: sixteen ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
  const copy = Uint8Array.from(data);
  return {
    width: info.width,
    height: info.height,
    channels: info.channels,
    depth: meta.depth ?? 'uchar',
    data: sixteen ? new Uint16Array(copy.buffer, 0, copy.length / 2) : copy,
  };
}

// ---------------------------------------------------------------- crafted PNGs

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/**
 * A valid-looking PNG whose IHDR claims width x height (8-bit RGB) with a tiny IDAT: what a
 * decompression bomb or a lying header looks like to a decoder.
 */
export function pngWithHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

// ---------------------------------------------------------------- identity model

/**
 * The 'tiny' config with seeded weights and the final conv zeroed: the restorer adds a zero
 * residual, so output == input up to float rounding. Returns the manifest's path.
 */
export async function writeIdentityModel(dir: string): Promise<string> {
  const config = getConfig('tiny');
  const params = randomParams(config, 7);
  for (const name of ['output.weight', 'output.bias']) params.set(name, params.shape(name), new Float32Array(params.get(name).length));
  const bytes = serializeSafetensors(params);
  await fs.writeFile(join(dir, 'identity.safetensors'), bytes);
  const manifest = {
    format: WEIGHTS_FORMAT,
    config,
    files: { 'identity.safetensors': await sha256Hex(bytes) },
    training: { status: 'test fixture', note: "identity: config 'tiny', seeded weights, final conv zeroed" },
  };
  const path = join(dir, 'identity.json');
  await fs.writeFile(path, JSON.stringify(manifest, null, 2));
  return path;
}

export function psnr8(a: Uint8Array | Uint16Array, b: Uint8Array | Uint16Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return 10 * Math.log10((255 * 255) / (se / a.length));
}
