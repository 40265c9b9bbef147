import { fromInterleaved, type InterleavedPixels, type RgbImage } from '@dpmambair/core';

/** The network's input: planar float RGB. Alpha stays with the source pixels and is copied at the end. */
export function toModelInput(px: InterleavedPixels): RgbImage {
  const { width, height, rgb } = fromInterleaved(px);
  return { width, height, rgb };
}

export interface OutputLayout {
  bits: 8 | 16;
  /** Write one gray channel (the mean of R, G and B). */
  gray: boolean;
  /** Keep the source's alpha (copied sample for sample); false with an alpha source: flatten onto white. */
  alpha: boolean;
}

/**
 * Quantises a restored image for the encoder. Alpha comes from the source pixels, unchanged when
 * the bit depth is kept (16 -> 8 rounds a / 257).
 */
export function toOutputPixels(restored: RgbImage, source: InterleavedPixels, layout: OutputLayout): InterleavedPixels {
  const { width, height, rgb } = restored;
  const n = width * height;
  const srcAlpha = source.channels === 2 || source.channels === 4;
  const keepAlpha = layout.alpha && srcAlpha;
  const flatten = !layout.alpha && srcAlpha;
  const colours = layout.gray ? 1 : 3;
  const channels = (colours + (keepAlpha ? 1 : 0)) as 1 | 2 | 3 | 4;
  const max = layout.bits === 16 ? 65535 : 255;
  const data = layout.bits === 16 ? new Uint16Array(n * channels) : new Uint8Array(n * channels);
  const srcMax = source.data instanceof Uint16Array ? 65535 : 255;
  const sc = source.channels;
  const q = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * max);
  for (let i = 0; i < n; i++) {
    const o = i * channels;
    const a = srcAlpha ? source.data[i * sc + sc - 1] : srcMax;
    const af = a / srcMax;
    const put = (c: number, v: number) => {
      data[o + c] = q(flatten ? v * af + (1 - af) : v);
    };
    if (layout.gray) put(0, (rgb[i] + rgb[n + i] + rgb[2 * n + i]) / 3);
    else for (let c = 0; c < 3; c++) put(c, rgb[c * n + i]);
    if (keepAlpha) data[o + colours] = srcMax === max ? a : srcMax > max ? Math.round(a / 257) : a * 257;
  }
  return { width, height, channels, data };
}
