/**
 * Images inside the pipeline: planar float32 RGB in [0, 1], plus an optional alpha plane that
 * the network never sees and that is passed through untouched.
 */
export interface RgbImage {
  width: number;
  height: number;
  /** 3 * height * width values, plane by plane (R, G, B). */
  rgb: Float32Array;
  /** height * width values in [0, 1], or undefined when the image is opaque. */
  alpha?: Float32Array;
}

/** Interleaved pixels as decoders give them: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA) channels. */
export interface InterleavedPixels {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  /** 8- or 16-bit samples. */
  data: Uint8Array | Uint8ClampedArray | Uint16Array;
}

export function fromInterleaved(px: InterleavedPixels): RgbImage {
  const { width, height, channels, data } = px;
  const n = width * height;
  if (data.length !== n * channels) throw new Error(`image data has ${data.length} samples, expected ${n * channels} for ${width}x${height}x${channels}`);
  const scale = 1 / (data instanceof Uint16Array ? 65535 : 255);
  const rgb = new Float32Array(3 * n);
  const hasAlpha = channels === 2 || channels === 4;
  const alpha = hasAlpha ? new Float32Array(n) : undefined;
  const colour = channels >= 3;
  for (let i = 0; i < n; i++) {
    const base = i * channels;
    for (let c = 0; c < 3; c++) rgb[c * n + i] = data[base + (colour ? c : 0)] * scale;
    if (alpha) alpha[i] = data[base + channels - 1] * scale;
  }
  return { width, height, rgb, alpha };
}

/** Quantises to interleaved 8- or 16-bit RGB(A), clamping to [0, 1]. */
export function toInterleaved(image: RgbImage, bits: 8 | 16 = 8): InterleavedPixels {
  const { width, height, rgb, alpha } = image;
  const n = width * height;
  const channels = alpha ? 4 : 3;
  const max = bits === 16 ? 65535 : 255;
  const data = bits === 16 ? new Uint16Array(n * channels) : new Uint8Array(n * channels);
  const q = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * max);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) data[i * channels + c] = q(rgb[c * n + i]);
    if (alpha) data[i * channels + 3] = q(alpha[i]);
  }
  return { width, height, channels, data };
}
