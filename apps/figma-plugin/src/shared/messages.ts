/**
 * The messages between the plugin's main thread (Figma's sandbox: no DOM, no browser APIs) and
 * its UI iframe (where the model runs). UI -> main: `parent.postMessage({ pluginMessage }, '*')`;
 * main -> UI: `figma.ui.postMessage(msg)`. Uint8Arrays are copied across.
 */

/** Figma's limit on each side of an image made with `figma.createImage`. */
export const MAX_IMAGE_SIDE = 4096;

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'unknown';

/** One place an image is used: a node and the index of the IMAGE paint in its fills. */
export interface ImageUse {
  nodeId: string;
  nodeName: string;
  fillIndex: number;
}

/** One distinct image (by hash) found in the selection; restored once, written to all its uses. */
export interface SelectedImage {
  hash: string;
  width: number;
  height: number;
  format: ImageFormat;
  uses: ImageUse[];
  /** Set when the result must be smaller than the input (Figma's 4096 px limit), with the size it gets. */
  downscaleTo?: { width: number; height: number };
}

/** A node or paint that the plugin leaves alone, and why (shown to the designer). */
export interface Skipped {
  nodeName: string;
  reason: string;
}

export type SelectionState =
  | { ok: true; images: SelectedImage[]; skipped: Skipped[]; nodeCount: number }
  | { ok: false; reason: 'no-selection' | 'no-image-fill' | 'nothing-restorable'; message: string; skipped: Skipped[]; nodeCount: number };

export type Placement = 'replace' | 'duplicate';

export interface RestoredImage {
  /** Hash of the original image. */
  hash: string;
  /** PNG bytes of the result. */
  bytes: Uint8Array;
  width: number;
  height: number;
  /** Set when the result was downscaled to fit Figma's limit: the restored size before that. */
  downscaledFrom?: { width: number; height: number };
}

export type MainToUi =
  | { type: 'selection'; state: SelectionState }
  /** A restore job starts: its images follow, one 'image' message each. */
  | { type: 'job'; jobId: number; images: SelectedImage[]; placement: Placement }
  | { type: 'image'; jobId: number; hash: string; bytes: Uint8Array }
  | { type: 'applied'; jobId: number; written: number; duplicated: number; notes: string[] }
  | { type: 'error'; jobId?: number; message: string };

export type UiToMain =
  | { type: 'ready' }
  | { type: 'restore'; placement: Placement }
  | { type: 'results'; jobId: number; placement: Placement; results: RestoredImage[] }
  | { type: 'cancelled'; jobId: number }
  | { type: 'notify'; message: string; error?: boolean };
