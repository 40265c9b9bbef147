import { restoreBands, type ImageSource, type InterleavedPixels, type ModelSession, type Region, type RestoreOptions, type RgbImage } from '@dpmambair/core';

/**
 * Decoded 8/16-bit samples as a restore source: each region is converted to planar float RGB
 * when asked for (gray is replicated to R = G = B), so no whole-image float copy exists.
 */
export function interleavedSource(px: InterleavedPixels): ImageSource {
  const { width, height, channels, data } = px;
  const scale = 1 / (data instanceof Uint16Array ? 65535 : 255);
  const colour = channels >= 3;
  return {
    width,
    height,
    read(r: Region) {
      const n = r.width * r.height;
      const rgb = new Float32Array(3 * n);
      for (let y = 0; y < r.height; y++) {
        for (let x = 0; x < r.width; x++) {
          const s = ((r.y + y) * width + r.x + x) * channels;
          const o = y * r.width + x;
          for (let c = 0; c < 3; c++) rgb[c * n + o] = data[s + (colour ? c : 0)] * scale;
        }
      }
      return rgb;
    },
  };
}

export interface OutputLayout {
  bits: 8 | 16;
  /** Write one gray channel (the mean of R, G and B). */
  gray: boolean;
  /** Keep the source's alpha (copied sample for sample); false with an alpha source: flatten onto white. */
  alpha: boolean;
}

/**
 * The encoder's buffer, filled band by band: restored rows are quantised into it as they come,
 * with alpha from the source pixels, unchanged when the bit depth is kept (16 -> 8 rounds a / 257).
 */
export function outputBuffer(source: InterleavedPixels, layout: OutputLayout): { pixels: InterleavedPixels; writeRows: (y: number, rows: RgbImage) => void } {
  const { width, height } = source;
  const srcAlpha = source.channels === 2 || source.channels === 4;
  const keepAlpha = layout.alpha && srcAlpha;
  const flatten = !layout.alpha && srcAlpha;
  const colours = layout.gray ? 1 : 3;
  const channels = (colours + (keepAlpha ? 1 : 0)) as 1 | 2 | 3 | 4;
  const max = layout.bits === 16 ? 65535 : 255;
  const data = layout.bits === 16 ? new Uint16Array(width * height * channels) : new Uint8Array(width * height * channels);
  const srcMax = source.data instanceof Uint16Array ? 65535 : 255;
  const sc = source.channels;
  const q = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * max);
  const writeRows = (y0: number, rows: RgbImage) => {
    const { rgb } = rows;
    const n = width * rows.height;
    for (let i = 0; i < n; i++) {
      const p = y0 * width + i;
      const o = p * channels;
      const a = srcAlpha ? source.data[p * sc + sc - 1] : srcMax;
      const af = a / srcMax;
      const put = (c: number, v: number) => {
        data[o + c] = q(flatten ? v * af + (1 - af) : v);
      };
      if (layout.gray) put(0, (rgb[i] + rgb[n + i] + rgb[2 * n + i]) / 3);
      else for (let c = 0; c < 3; c++) put(c, rgb[c * n + i]);
      if (keepAlpha) data[o + colours] = srcMax === max ? a : srcMax > max ? Math.round(a / 257) : a * 257;
    }
  };
  return { pixels: { width, height, channels, data }, writeRows };
}

/** Quantises a whole restored image for the encoder (see outputBuffer). */
export function toOutputPixels(restored: RgbImage, source: InterleavedPixels, layout: OutputLayout): InterleavedPixels {
  const out = outputBuffer(source, layout);
  out.writeRows(0, restored);
  return out.pixels;
}

/**
 * Restores decoded pixels into the encoder's layout, band by band: besides the model, memory is
 * the 8/16-bit input and output buffers plus one band of tiles in float, whatever the height.
 */
export async function restorePixels(session: ModelSession, source: InterleavedPixels, layout: OutputLayout, options: RestoreOptions): Promise<InterleavedPixels> {
  const out = outputBuffer(source, layout);
  await restoreBands(session, interleavedSource(source), out.writeRows, options);
  return out.pixels;
}
