export * from './degradations.js';
export { encodeJpeg, decodeJpeg, jpegQuantTables } from './jpeg.js';
export type { Rgb8, JpegEncodeOptions } from './jpeg.js';
export { Rng } from './random.js';
