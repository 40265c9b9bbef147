/**
 * The test page that plays Figma's role (bundled for Chromium): the plugin's real main-thread
 * code (createController) runs against FakeFigma, and dist/ui.html is loaded, like Figma does,
 * into a sandboxed iframe (sandbox="allow-scripts", srcdoc: null origin, no storage, not
 * cross-origin isolated). Messages are relayed as Figma relays them: UI -> main from
 * `parent.postMessage({ pluginMessage }, '*')` to `figma.ui.onmessage(pluginMessage)`;
 * main -> UI from `figma.ui.postMessage(msg)` to a `{ pluginMessage: msg }` message event.
 */
import { fromInterleaved, psnr, type RgbImage } from '@dpmambair/core';
import { createController } from '../../src/main/controller.js';
import type { PaintLike } from '../../src/main/figma-like.js';
import { FakeFigma, fakeGifBytes, type FakeNode } from '../fake-figma.js';

export interface HostOptions {
  theme: 'light' | 'dark';
  /** Run the engine in the iframe instead of a worker (the fallback path). */
  engineInFrame?: boolean;
  /** Square crop of the noisy sample used as the image (px), at (x, y); `scale` upsamples it. */
  crop: { x: number; y: number; size: number; scale?: number };
  /** Also put a GIF and a solid rectangle in the selection (shown as skipped). */
  extras?: boolean;
  /** Select the image when the page opens (default true). */
  select?: boolean;
  /** A Content-Security-Policy put into ui.html (a <meta>), as a strict host might impose. */
  csp?: string;
  /** How the iframe gets ui.html: srcdoc (default) or a blob: URL; both give it a null origin. */
  load?: 'srcdoc' | 'blob';
  /** Also add (unselected) 'Phone photo': a 96x64 JPEG whose EXIF says "rotate 90° clockwise" (shown 64x96). */
  exifJpeg?: boolean;
  /** Also add (unselected) 'Astronaut (large)': the crop upsampled to this size, for long jobs. */
  large?: number;
}

async function loadPixels(url: string): Promise<ImageBitmap> {
  const blob = await (await fetch(url)).blob();
  return createImageBitmap(blob);
}

function canvasOf(bitmap: CanvasImageSource, sx: number, sy: number, size: number, out: number): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = out;
  c.height = out;
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, sx, sy, size, size, 0, 0, out, out);
  return c;
}

const rgbOf = (c: HTMLCanvasElement): RgbImage => {
  const data = c.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, c.width, c.height).data;
  const img = fromInterleaved({ width: c.width, height: c.height, channels: 4, data });
  delete img.alpha;
  return img;
};

async function jpegOf(source: HTMLCanvasElement, width: number, height: number): Promise<Uint8Array> {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  c.getContext('2d')!.drawImage(source, 0, 0, width, height, 0, 0, width, height);
  return new Uint8Array(await (await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/jpeg', 0.95))).arrayBuffer());
}

/** Inserts an EXIF APP1 segment with one Orientation tag right after the JPEG's SOI marker. */
function withExifOrientation(jpeg: Uint8Array, orientation: number): Uint8Array {
  const app1 = Uint8Array.of(
    0xff, 0xe1, 0x00, 34, // APP1, length 34
    0x45, 0x78, 0x69, 0x66, 0x00, 0x00, // "Exif\0\0"
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // TIFF, big endian, IFD at 8
    0x00, 0x01, // one entry
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00, // Orientation, SHORT, 1
    0x00, 0x00, 0x00, 0x00, // no next IFD
  );
  const out = new Uint8Array(jpeg.length + app1.length);
  out.set(jpeg.subarray(0, 2));
  out.set(app1, 2);
  out.set(jpeg.subarray(2), 2 + app1.length);
  return out;
}

/** Decoded size of encoded image bytes (orientation applied). */
export async function decodedSize(bytes: Uint8Array): Promise<{ width: number; height: number }> {
  const bmp = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  return { width: bmp.width, height: bmp.height };
}

const pngOf = async (c: HTMLCanvasElement) => new Uint8Array(await (await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/png'))).arrayBuffer());

/** Decodes PNG bytes the way a viewer would (no colour management surprises: sRGB in, sRGB out). */
async function decode(bytes: Uint8Array): Promise<RgbImage> {
  const bmp = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
  const c = document.createElement('canvas');
  c.width = bmp.width;
  c.height = bmp.height;
  c.getContext('2d', { willReadFrequently: true })!.drawImage(bmp, 0, 0);
  return rgbOf(c);
}

export class Host {
  readonly figma = new FakeFigma();
  iframe!: HTMLIFrameElement;
  photo!: FakeNode;
  large?: FakeNode;
  phone?: FakeNode;
  clean!: RgbImage;
  noisy!: RgbImage;
  originalHash!: string;

  async start(options: HostOptions): Promise<void> {
    const { x, y, size, scale = 1 } = options.crop;
    const out = size * scale;
    const [noisyBmp, cleanBmp, html] = await Promise.all([loadPixels('/samples/noisy-astronaut.png'), loadPixels('/samples/astronaut.png'), fetch('/ui.html').then((r) => r.text())]);
    const noisyCanvas = canvasOf(noisyBmp, x, y, size, out);
    this.noisy = rgbOf(noisyCanvas);
    this.clean = rgbOf(canvasOf(cleanBmp, x, y, size, out));
    const figma = this.figma;
    const image = figma.addImage(await pngOf(noisyCanvas));
    this.originalHash = image.hash;
    const board = figma.node('FRAME', 'Moodboard', { width: 1600, height: 900, fills: [{ type: 'SOLID' } as PaintLike] });
    this.photo = figma.node('RECTANGLE', 'Astronaut (noisy)', { fills: [figma.imagePaint(image.hash, { scaleMode: 'FILL' })], x: 40, y: 40, width: 400, height: 400 }, board);
    if (options.large) {
      const big = figma.addImage(await pngOf(canvasOf(noisyBmp, x, y, size, options.large)));
      this.large = figma.node('RECTANGLE', 'Astronaut (large)', { fills: [figma.imagePaint(big.hash)], x: 480, y: 40, width: 400, height: 400 }, board);
    }
    if (options.exifJpeg) {
      const jpeg = withExifOrientation(await jpegOf(canvasOf(noisyBmp, x, y, 96, 96), 96, 64), 6);
      const img = figma.addImage(jpeg);
      this.phone = figma.node('RECTANGLE', 'Phone photo', { fills: [figma.imagePaint(img.hash)], x: 920, y: 40, width: 200, height: 300 }, board);
    }
    const selected = [this.photo];
    if (options.extras) {
      const gif = figma.addImage(fakeGifBytes(120, 120));
      selected.push(figma.node('RECTANGLE', 'Loading spinner.gif', { fills: [figma.imagePaint(gif.hash)] }, board));
      selected.push(figma.node('RECTANGLE', 'Button background', { fills: [{ type: 'SOLID' } as PaintLike] }, board));
    }

    // The plugin's main thread, as code.ts wires it (showUI is this page's iframe).
    createController(figma);
    figma.onUiMessage = (message) => this.iframe.contentWindow?.postMessage({ pluginMessage: message }, '*');
    window.addEventListener('message', (event) => {
      if (event.source !== this.iframe.contentWindow) return;
      const data = event.data as { pluginMessage?: unknown } | null;
      if (data && 'pluginMessage' in data) figma.ui.onmessage?.(data.pluginMessage, { origin: event.origin });
    });

    // Figma's themeColors: a figma-light/figma-dark class on <html> and --figma-color-* variables.
    const vars =
      options.theme === 'dark'
        ? '--figma-color-bg:#2c2c2c;--figma-color-bg-secondary:#383838;--figma-color-bg-hover:#383838;--figma-color-text:#ffffff;--figma-color-text-secondary:#ffffffb3;--figma-color-border:#444444;--figma-color-bg-brand:#0c8ce9;--figma-color-text-onbrand:#ffffff;--figma-color-text-danger:#ff7a5c;--figma-color-bg-warning-tertiary:#5c4300;--figma-color-text-warning:#f7d15f'
        : '--figma-color-bg:#ffffff;--figma-color-bg-secondary:#f5f5f5;--figma-color-bg-hover:#f5f5f5;--figma-color-text:#000000e5;--figma-color-text-secondary:#00000080;--figma-color-border:#e6e6e6;--figma-color-bg-brand:#0d99ff;--figma-color-text-onbrand:#ffffff;--figma-color-text-danger:#dc3412;--figma-color-bg-warning-tertiary:#fff1c2;--figma-color-text-warning:#b86200';
    let doc = html.replace('<html lang="en">', `<html lang="en" class="figma-${options.theme}">`).replace('<head>', `<head><style id="figma-style">:root{${vars}}</style>`);
    if (options.engineInFrame) doc = doc.replace('<head>', '<head><meta name="dpm-engine" content="in-frame">');
    if (options.csp) doc = doc.replace('<head>', `<head><meta http-equiv="Content-Security-Policy" content="${options.csp}">`);

    this.iframe = document.createElement('iframe');
    this.iframe.id = 'plugin';
    this.iframe.setAttribute('sandbox', 'allow-scripts');
    this.iframe.style.cssText = 'width:380px;height:700px;border:0;display:block;';
    if (options.load === 'blob') this.iframe.src = URL.createObjectURL(new Blob([doc], { type: 'text/html' }));
    else this.iframe.srcdoc = doc;
    document.body.append(this.iframe);
    if (options.select !== false) figma.select(...selected);
  }

  select(which: 'photo' | 'large' | 'both' | 'none'): void {
    const extra = [this.large, this.phone].filter((n): n is FakeNode => !!n);
    const nodes = { photo: [this.photo], large: this.large ? [this.large] : [], both: [this.photo, ...extra], none: [] }[which];
    this.figma.select(...nodes);
  }

  largeHash(): string | null | undefined {
    return this.large ? (this.large.fills as readonly PaintLike[])[0].imageHash : undefined;
  }

  currentHash(): string | null | undefined {
    return (this.photo.fills as readonly PaintLike[])[0].imageHash;
  }

  /** PSNR against the clean crop: of the input, and of whatever image the photo's fill now holds. */
  async quality(): Promise<{ inputPsnr: number; outputPsnr: number; width: number; height: number; hashChanged: boolean; format: string }> {
    const hash = this.currentHash()!;
    const bytes = await this.figma.getImageByHash(hash)!.getBytesAsync();
    const out = await decode(bytes);
    const format = bytes[0] === 0x89 && bytes[1] === 0x50 ? 'png' : 'other';
    return { inputPsnr: psnr(this.noisy, this.clean), outputPsnr: out.width === this.clean.width && out.height === this.clean.height ? psnr(out, this.clean) : NaN, width: out.width, height: out.height, hashChanged: hash !== this.originalHash, format };
  }

  undo(): boolean {
    return this.figma.triggerUndo();
  }
}

(window as unknown as { host: Host }).host = new Host();
