import { promises as fs } from 'node:fs';
import sharp from 'sharp';
import type { InterleavedPixels } from '@dpmambair/core';
import type { OutputFormat } from './args.js';
import { InputError } from './errors.js';
import { assertReadable, assertReplaceable, tempPathFor } from './safety.js';

/** What the header says, read before any pixel is decoded. */
export interface ImageHeader {
  path: string;
  format: OutputFormat;
  /** Upright size (after the EXIF orientation). */
  width: number;
  height: number;
  bits: 8 | 16;
  gray: boolean;
  alpha: boolean;
}

export interface DecodedImage {
  header: ImageHeader;
  /** Upright, interleaved RGB or RGBA at the header's bit depth. */
  pixels: InterleavedPixels & { channels: 3 | 4 };
}

const FORMAT_NAMES: Record<string, OutputFormat> = { png: 'png', jpeg: 'jpeg', webp: 'webp' };

/** A pixel count in words: megapixels from 0.1 MP up, else the plain count (so a 1k limit is not "0.00 MP"). */
export const formatPixels = (n: number): string => (n >= 1e5 ? `${(n / 1e6).toFixed(n < 1e7 ? 2 : 0)} MP` : `${n} pixels`);

/**
 * Checks that a path is a PNG, JPEG or WebP no larger than maxPixels, from its header alone:
 * nothing is decoded, so a file that claims 100000x100000 costs a few kilobytes to refuse.
 */
export async function readHeader(path: string, maxPixels: number): Promise<ImageHeader> {
  let stat;
  try {
    stat = await fs.stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such file' : `cannot read: ${(e as Error).message}`);
  }
  if (stat.isDirectory()) throw new InputError('is a directory, not an image file');
  if (!stat.isFile()) throw new InputError('not a regular file');
  if (stat.size === 0) throw new InputError('empty file (0 bytes)');
  await assertReadable(path);

  let meta: sharp.Metadata;
  try {
    // The pixel limit is ours (below), with a clearer message than sharp's.
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new InputError(`not a readable PNG, JPEG or WebP image (${(e as Error).message})`);
  }
  const format = meta.format ? FORMAT_NAMES[meta.format] : undefined;
  if (!format) throw new InputError(`unsupported image format '${meta.format ?? 'unknown'}' (PNG, JPEG and WebP are supported)`);
  const { width, height } = meta;
  if (!width || !height) throw new InputError('the header has no image size');
  if ((meta.pages ?? 1) > 1) throw new InputError(`animated or multi-page image (${meta.pages} frames) is not supported`);
  if (width * height > maxPixels) {
    throw new InputError(`image is ${width}x${height} (${formatPixels(width * height)}), over the limit of ${formatPixels(maxPixels)}; raise it with --max-pixels if you have the memory`);
  }
  const swap = (meta.orientation ?? 1) >= 5;
  return {
    path,
    format,
    width: swap ? height : width,
    height: swap ? width : height,
    bits: meta.depth === 'ushort' ? 16 : 8,
    gray: meta.channels !== undefined && meta.channels <= 2,
    alpha: meta.hasAlpha ?? false,
  };
}

/** What decoders say when the data ends before the pixels the header promises. */
const TRUNCATED = /premature end|truncat|end of stream|not enough image data|unexpected end|read error/i;

const firstLine = (e: unknown) => (e as Error).message.split('\n')[0].replace(/^Vips\w*: /, '');

/**
 * Decodes to upright interleaved RGB(A), 8- or 16-bit. Gray becomes RGB (R = G = B). A file
 * whose data ends before the pixels its header claims (truncated, or a patched JPEG SOF) is
 * refused at the decoder's first complaint, before any pixel buffer of the claimed size is used.
 */
export async function decodeImage(header: ImageHeader, maxPixels: number): Promise<DecodedImage> {
  const sixteen = header.bits === 16;
  const decode = (failOn: 'warning' | 'error') =>
    sharp(header.path, { limitInputPixels: maxPixels, failOn })
      .rotate() // EXIF orientation; the tag is not carried over
      .toColourspace(sixteen ? 'rgb16' : 'srgb')
      .raw({ depth: sixteen ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    // Strict first: libjpeg only *warns* when entropy data runs out, then fills in gray.
    raw = await decode('warning');
  } catch (strict) {
    if (TRUNCATED.test(firstLine(strict))) {
      throw new InputError(`cannot decode (the data ends before the ${header.width}x${header.height} pixels the header claims: ${firstLine(strict)}); the file is truncated or corrupt`);
    }
    try {
      raw = await decode('error'); // harmless warnings (an odd ICC profile, stray bytes) are fine
    } catch (e) {
      throw new InputError(`cannot decode (${firstLine(e)}); the file may be truncated or corrupt`);
    }
  }
  const { width, height, channels } = raw.info;
  if (channels !== 3 && channels !== 4) throw new InputError(`decoded to ${channels} channels, expected RGB or RGBA`);
  let data: Uint8Array | Uint16Array;
  if (sixteen) {
    // Copy when the buffer is not 2-byte aligned (Uint16Array views need it).
    const bytes = raw.data.byteOffset % 2 ? Uint8Array.from(raw.data) : raw.data;
    data = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  } else {
    data = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  }
  return { header: { ...header, width, height, alpha: channels === 4 }, pixels: { width, height, channels, data } };
}

export interface EncodeOptions {
  format: OutputFormat;
  quality: number;
}

/** Encodes interleaved pixels: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA) channels, 8 or 16 bits (16 only for PNG). */
export async function encodeImage(px: InterleavedPixels, options: EncodeOptions): Promise<Buffer> {
  const sixteen = px.data instanceof Uint16Array;
  if (sixteen && options.format !== 'png') throw new Error(`16-bit output is PNG only, not ${options.format}`);
  const gray = px.channels <= 2;
  let img = sharp(px.data, { raw: { width: px.width, height: px.height, channels: px.channels } });
  img = img.toColourspace(sixteen ? (gray ? 'grey16' : 'rgb16') : gray ? 'b-w' : 'srgb');
  switch (options.format) {
    case 'png':
      return img.png({ compressionLevel: 6 }).toBuffer();
    case 'jpeg':
      // Optimised Huffman tables need a second pass over a whole-image coefficient buffer
      // (+283 MB at 24 MP, 4:4:4); past 8 MP one pass keeps memory flat for ~10% more bytes.
      return img.jpeg({ quality: options.quality, mozjpeg: false, chromaSubsampling: options.quality >= 90 ? '4:4:4' : '4:2:0', optimiseCoding: px.width * px.height <= 8e6 }).toBuffer();
    case 'webp':
      return img.webp({ quality: options.quality }).toBuffer();
  }
}

/** Temporary files being written; removed on failure and on Ctrl-C. */
export const pendingTemps = new Set<string>();

export async function removeTemps(): Promise<void> {
  await Promise.all([...pendingTemps].map((t) => fs.rm(t, { force: true }).catch(() => undefined)));
  pendingTemps.clear();
}

/** The same, synchronously: for a second Ctrl-C, when there is no time to wait. */
export function removeTempsSync(fsSync: typeof import('node:fs')): void {
  for (const t of pendingTemps) {
    try {
      fsSync.rmSync(t, { force: true });
    } catch {
      // best effort
    }
  }
  pendingTemps.clear();
}

/**
 * Writes a file atomically: a temporary file in the target's directory, then a rename. Without
 * `overwrite`, the target is claimed with link(2), which fails if it appeared in the meantime.
 */
export async function writeAtomic(target: string, bytes: Uint8Array, overwrite: boolean): Promise<void> {
  const temp = tempPathFor(target);
  pendingTemps.add(temp);
  try {
    await fs.writeFile(temp, bytes, { flag: 'wx', mode: 0o644 });
    if (overwrite) {
      await assertReplaceable(target); // again: something else may have appeared since the plan
      await fs.rename(temp, target);
    } else {
      try {
        await fs.link(temp, target);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new InputError(`output ${target} appeared while restoring; not overwritten (use --force)`);
        // File systems without hard links: check, then rename (a small window, but no clobbering of old files).
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') throw e;
        if (await exists(target)) throw new InputError(`output ${target} appeared while restoring; not overwritten (use --force)`);
        await fs.rename(temp, target);
      }
    }
  } finally {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    pendingTemps.delete(temp);
  }
}

/** True when anything (even a dangling symlink) is at the path. */
export async function exists(path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch {
    return false;
  }
}
