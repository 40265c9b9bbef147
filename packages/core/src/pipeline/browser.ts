/**
 * Conversions between the pipeline's RgbImage and what browsers hand out: ImageData, ImageBitmap,
 * Blob and canvases. They use the globals of a window or worker (ImageData, OffscreenCanvas,
 * createImageBitmap) when called, so importing them anywhere (Node included) costs nothing.
 */
import { fromInterleaved, toInterleaved, type RgbImage } from './image.js';

/** What ImageData carries: 8-bit RGBA, row by row. */
export interface ImageDataLike {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/** Anything a 2D canvas can draw with a size: ImageBitmap, HTMLImageElement, a canvas, a video frame. */
export interface DrawableLike {
  readonly width: number;
  readonly height: number;
}

interface Canvas2D {
  drawImage(image: DrawableLike, x: number, y: number): void;
  getImageData(x: number, y: number, w: number, h: number, settings?: { colorSpace?: string }): ImageDataLike;
  putImageData(data: ImageDataLike, x: number, y: number): void;
}
interface OffscreenCanvasLike {
  getContext(kind: '2d', options?: { willReadFrequently?: boolean; colorSpace?: string }): Canvas2D | null;
  convertToBlob(options?: { type?: string; quality?: number }): Promise<Blob>;
}
interface BrowserGlobals {
  ImageData?: new (data: Uint8ClampedArray, width: number, height: number) => ImageDataLike;
  OffscreenCanvas?: new (width: number, height: number) => OffscreenCanvasLike;
  createImageBitmap?: (blob: Blob, options?: Record<string, string>) => Promise<DrawableLike & { close(): void }>;
}
const browser = globalThis as unknown as BrowserGlobals;

function need<K extends keyof BrowserGlobals>(name: K): NonNullable<BrowserGlobals[K]> {
  const value = browser[name];
  if (!value) throw new Error(`${name} is not available here: this helper needs a browser or a worker`);
  return value as NonNullable<BrowserGlobals[K]>;
}

/** ImageData (or any 8-bit RGBA of that shape) to an RgbImage; alpha is kept unless fully opaque. */
export function fromImageData(image: ImageDataLike): RgbImage {
  const out = fromInterleaved({ width: image.width, height: image.height, channels: 4, data: image.data });
  if (out.alpha?.every((a) => a === 1)) out.alpha = undefined;
  return out;
}

/** An RgbImage to ImageData (a real one where the global exists), opaque when it has no alpha. */
export function toImageData(image: RgbImage): ImageDataLike {
  const n = image.width * image.height;
  const px = toInterleaved({ ...image, alpha: image.alpha ?? new Float32Array(n).fill(1) }, 8);
  const data = new Uint8ClampedArray(px.data.buffer, px.data.byteOffset, px.data.length);
  return browser.ImageData ? new browser.ImageData(data, image.width, image.height) : { width: image.width, height: image.height, data };
}

function canvas(width: number, height: number): { canvas: OffscreenCanvasLike; ctx: Canvas2D } {
  const c = new (need('OffscreenCanvas'))(width, height);
  const ctx = c.getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' });
  if (!ctx) throw new Error('no 2D context on an OffscreenCanvas here');
  return { canvas: c, ctx };
}

/** The pixels of anything drawable (ImageBitmap, <img>, <canvas>, VideoFrame), read through a 2D canvas. */
export function imageFromBitmap(source: DrawableLike): RgbImage {
  const { ctx } = canvas(source.width, source.height);
  ctx.drawImage(source, 0, 0);
  return fromImageData(ctx.getImageData(0, 0, source.width, source.height, { colorSpace: 'srgb' }));
}

/** Decodes an image file (a Blob or File: PNG, JPEG, WebP, ...), without colour-space conversion or premultiplied alpha. */
export async function imageFromBlob(blob: Blob): Promise<RgbImage> {
  const bitmap = await need('createImageBitmap')(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
  try {
    return imageFromBitmap(bitmap);
  } finally {
    bitmap.close();
  }
}

/** Encodes an RgbImage as a file: PNG by default, or 'image/jpeg' / 'image/webp' with a quality 0..1. */
export function imageToBlob(image: RgbImage, type = 'image/png', quality?: number): Promise<Blob> {
  const c = canvas(image.width, image.height);
  c.ctx.putImageData(toImageData(image), 0, 0);
  return c.canvas.convertToBlob({ type, quality });
}
