/**
 * Decoding and encoding in the iframe, with the browser's own codecs: createImageBitmap (EXIF
 * orientation applied, colours converted to sRGB) and a canvas; PNG out through canvas.toBlob.
 */
import { fromInterleaved, type RgbImage } from '@dpmambair/core';

export interface Decoded {
  image: RgbImage;
  /** The decoded pixels, for the "before" preview. */
  canvas: HTMLCanvasElement;
}

function canvas2d(width: number, height: number): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas here');
  return { canvas, ctx };
}

export async function decodeImage(bytes: Uint8Array): Promise<Decoded> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), { imageOrientation: 'from-image', premultiplyAlpha: 'none' });
  } catch (e) {
    throw new Error(`this browser could not decode the image (${(e as Error).message})`);
  }
  const { width, height } = bitmap;
  const { canvas, ctx } = canvas2d(width, height);
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const data = ctx.getImageData(0, 0, width, height).data;
  let opaque = true;
  for (let i = 3; i < data.length; i += 4) {
    if (data[i] !== 255) {
      opaque = false;
      break;
    }
  }
  const image = fromInterleaved({ width, height, channels: 4, data });
  if (opaque) delete image.alpha;
  return { image, canvas };
}

/** Draws planar RGB(A) in [0, 1] onto a new canvas. */
export function imageToCanvas(image: RgbImage): HTMLCanvasElement {
  const { width, height, rgb, alpha } = image;
  const { canvas, ctx } = canvas2d(width, height);
  const out = ctx.createImageData(width, height);
  const px = out.data;
  const n = width * height;
  // Uint8ClampedArray rounds to the nearest level by itself (adding 0.5 first rounded k/255 up to k + 1).
  for (let i = 0; i < n; i++) {
    px[4 * i] = rgb[i] * 255;
    px[4 * i + 1] = rgb[n + i] * 255;
    px[4 * i + 2] = rgb[2 * n + i] * 255;
    px[4 * i + 3] = alpha ? alpha[i] * 255 : 255;
  }
  ctx.putImageData(out, 0, 0);
  return canvas;
}

/** PNG bytes of a canvas, resampled (high quality) to `size` when given. */
export async function encodePng(source: HTMLCanvasElement, size?: { width: number; height: number }): Promise<Uint8Array> {
  let canvas = source;
  if (size && (size.width !== source.width || size.height !== source.height)) {
    const scaled = canvas2d(size.width, size.height);
    scaled.ctx.imageSmoothingEnabled = true;
    scaled.ctx.imageSmoothingQuality = 'high';
    scaled.ctx.drawImage(source, 0, 0, size.width, size.height);
    canvas = scaled.canvas;
  }
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the browser could not encode a PNG');
  return new Uint8Array(await blob.arrayBuffer());
}
