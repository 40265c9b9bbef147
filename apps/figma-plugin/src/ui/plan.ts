/** How an image is cut into tiles, and how much work each step is (for progress and time left). */
import { EXTRACTOR_CROP, EXTRACTOR_GRID, EXTRACTOR_WHOLE_PIXELS, tileGrid } from '@dpmambair/core';

/** Tile side for an image: the multiple of 32 in [192, 384] that pads it least (fewer wasted pixels). */
export function chooseTile(width: number, height: number, overlap: number): number {
  let best = 384;
  let bestArea = Infinity;
  for (let t = 384; t >= 192; t -= 32) {
    const g = tileGrid(width, height, t, overlap);
    const area = g.xs.length * g.tileWidth * g.ys.length * g.tileHeight;
    if (area < bestArea) {
      best = t;
      bestArea = area;
    }
  }
  return best;
}

export const OVERLAP = 32;
/** The extractor's cost per pixel relative to the restorer's (measured ~0.15 in WASM): only weights the first estimate. */
const EMBED_WEIGHT = 0.15;

export interface Work {
  tile: number;
  tiles: number;
  /** Units (pixels processed) for the embedding and for each tile. */
  embed: number;
  perTile: number;
}

export function planWork(width: number, height: number): Work {
  const tile = chooseTile(width, height, OVERLAP);
  const { xs, ys, tileWidth, tileHeight } = tileGrid(width, height, tile, OVERLAP);
  // What core's extractorInput feeds the extractor: the whole image, or a grid of native-resolution crops.
  const embedPixels = width * height <= EXTRACTOR_WHOLE_PIXELS ? width * height : EXTRACTOR_GRID ** 2 * Math.min(EXTRACTOR_CROP, width) * Math.min(EXTRACTOR_CROP, height);
  return { tile, tiles: xs.length * ys.length, embed: embedPixels * EMBED_WEIGHT, perTile: tileWidth * tileHeight };
}

