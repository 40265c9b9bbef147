import { MAX_IMAGE_SIDE } from './messages.js';

/** The size that fits within Figma's limit, keeping the aspect ratio; undefined when it already fits. */
export function fitWithinLimit(width: number, height: number, max = MAX_IMAGE_SIDE): { width: number; height: number } | undefined {
  if (width <= max && height <= max) return undefined;
  const s = max / Math.max(width, height);
  return { width: Math.max(1, Math.min(max, Math.round(width * s))), height: Math.max(1, Math.min(max, Math.round(height * s))) };
}
