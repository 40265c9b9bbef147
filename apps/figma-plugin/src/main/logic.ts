/**
 * The plugin's main-thread logic as pure functions of a `figma`-like API object (figma-like.ts):
 * find image fills in the selection, explain what cannot be restored, and write results back as
 * new image fills (in place, or on a duplicate beside the original) as one undoable change.
 */
import { MAX_IMAGE_SIDE, type ImageFormat, type ImageUse, type Placement, type RestoredImage, type SelectedImage, type SelectionState, type Skipped } from '../shared/messages.js';
import { fitWithinLimit } from '../shared/limits.js';
import type { FigmaLike, NodeLike, PaintLike } from './figma-like.js';

export { fitWithinLimit };

/** At most this many layers are searched below the selection (big pages stay responsive). */
export const MAX_NODES_SEARCHED = 2000;
/** Gap, in canvas pixels, between an original and its restored duplicate. */
export const DUPLICATE_GAP = 40;

/** The format of encoded image bytes, from their signature. */
export function sniffFormat(bytes: Uint8Array): ImageFormat {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'gif';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return 'webp';
  return 'unknown';
}

const isImagePaint = (p: PaintLike): boolean => p.type === 'IMAGE';

/** Selected nodes and everything below them, depth first, in layer order; capped. */
export function collectNodes(selection: readonly NodeLike[], max = MAX_NODES_SEARCHED): { nodes: NodeLike[]; truncated: boolean } {
  const nodes: NodeLike[] = [];
  const seen = new Set<string>();
  const stack = [...selection].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    if (seen.has(node.id)) continue;
    if (nodes.length >= max) return { nodes, truncated: true };
    seen.add(node.id);
    nodes.push(node);
    if (node.children) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  return { nodes, truncated: false };
}

interface ImageFacts {
  width: number;
  height: number;
  format: ImageFormat;
}

/** Size and format of images by hash, read once (images do not change under a hash). */
export class ImageFactsCache {
  private readonly facts = new Map<string, Promise<ImageFacts | null>>();
  constructor(private readonly api: Pick<FigmaLike, 'getImageByHash'>) {}

  get(hash: string): Promise<ImageFacts | null> {
    let p = this.facts.get(hash);
    if (!p) {
      p = this.read(hash);
      this.facts.set(hash, p);
      p.then((v) => v ?? this.facts.delete(hash), () => this.facts.delete(hash));
    }
    return p;
  }

  private async read(hash: string): Promise<ImageFacts | null> {
    const image = this.api.getImageByHash(hash);
    if (!image) return null;
    const [size, bytes] = await Promise.all([image.getSizeAsync(), image.getBytesAsync()]);
    return { width: size.width, height: size.height, format: sniffFormat(bytes) };
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * What the selection holds: its distinct images (each with every node and fill that uses it) and
 * what is skipped, with reasons; or why nothing can be restored.
 */
export async function scanSelection(api: FigmaLike, cache = new ImageFactsCache(api)): Promise<SelectionState> {
  const selection = api.currentPage.selection;
  const nodeCount = selection.length;
  if (nodeCount === 0) {
    return { ok: false, reason: 'no-selection', message: 'Select one or more layers filled with an image (a rectangle, frame or any shape).', skipped: [], nodeCount };
  }
  const { nodes, truncated } = collectNodes(selection);
  const skipped: Skipped[] = [];
  const byHash = new Map<string, ImageUse[]>();
  let imagePaints = 0;
  for (const node of nodes) {
    const fills = node.fills;
    if (fills === undefined) continue;
    if (typeof fills === 'symbol') {
      skipped.push({ nodeName: node.name, reason: 'has mixed fills (text with several fills): not supported' });
      continue;
    }
    fills.forEach((paint, fillIndex) => {
      if (!isImagePaint(paint)) return;
      imagePaints++;
      if (!paint.imageHash) {
        skipped.push({ nodeName: node.name, reason: 'image fill without an image' });
        return;
      }
      const uses = byHash.get(paint.imageHash) ?? [];
      uses.push({ nodeId: node.id, nodeName: node.name, fillIndex });
      byHash.set(paint.imageHash, uses);
    });
  }
  if (truncated) skipped.push({ nodeName: '…', reason: `only the first ${MAX_NODES_SEARCHED} layers of the selection were searched` });
  if (imagePaints === 0) {
    return {
      ok: false,
      reason: 'no-image-fill',
      message:
        nodeCount === 1
          ? 'The selected layer (and what is inside it) has no image fill. Select a layer filled with an image (Fill → Image).'
          : `None of the ${nodeCount} selected layers (nor what is inside them) has an image fill. Select layers filled with an image (Fill → Image).`,
      skipped,
      nodeCount,
    };
  }
  const images: SelectedImage[] = [];
  for (const [hash, uses] of byHash) {
    const facts = await cache.get(hash);
    const names = [...new Set(uses.map((u) => u.nodeName))].join(', ');
    if (!facts) {
      skipped.push({ nodeName: names, reason: 'the image could not be read (not loaded yet?)' });
      continue;
    }
    if (facts.format === 'gif') {
      skipped.push({ nodeName: names, reason: 'GIF images are not supported (they may be animated; the plugin writes still PNGs)' });
      continue;
    }
    if (facts.format === 'unknown') {
      skipped.push({ nodeName: names, reason: 'unrecognised image format (PNG, JPEG and WebP are supported)' });
      continue;
    }
    const downscaleTo = fitWithinLimit(facts.width, facts.height);
    images.push({ hash, width: facts.width, height: facts.height, format: facts.format, uses, ...(downscaleTo ? { downscaleTo } : {}) });
  }
  if (images.length === 0) {
    const why = [...new Set(skipped.map((s) => s.reason))].join('; ');
    return { ok: false, reason: 'nothing-restorable', message: `Nothing to restore in the selection: ${why}.`, skipped, nodeCount };
  }
  return { ok: true, images, skipped, nodeCount };
}

/** A one-line summary of a selection state, for the UI. */
export function describeSelection(state: SelectionState): string {
  if (!state.ok) return state.message;
  const uses = state.images.reduce((n, i) => n + i.uses.length, 0);
  return `${plural(state.images.length, 'image')} in ${plural(uses, 'fill')}${state.skipped.length ? `, ${state.skipped.length} skipped` : ''}`;
}

export interface ApplyReport {
  /** Fills written (in place or on duplicates). */
  written: number;
  /** Duplicates created. */
  duplicated: number;
  /** Anything the designer should know: downscaling, layers that changed or vanished meanwhile. */
  notes: string[];
}

function nodeWithFills(node: Awaited<ReturnType<FigmaLike['getNodeByIdAsync']>>): NodeLike | null {
  if (!node || node.removed) return null;
  const n = node as NodeLike;
  return Array.isArray(n.fills) ? n : null;
}

/** Puts a clone of a node right after it in its parent, offset to its right, named "… (restored)". */
export function duplicateBeside(api: FigmaLike, node: NodeLike): NodeLike {
  if (!node.clone) throw new Error(`layer '${node.name}' cannot be duplicated`);
  const copy = node.clone();
  const parent = node.parent;
  if (parent && parent.type !== 'INSTANCE' && parent.insertChild) {
    parent.insertChild(parent.children.indexOf(node) + 1, copy);
  } else {
    api.currentPage.appendChild?.(copy);
  }
  if (typeof node.x === 'number' && typeof node.width === 'number') copy.x = node.x + node.width + DUPLICATE_GAP;
  if (typeof node.y === 'number') copy.y = node.y;
  copy.name = `${node.name} (restored)`;
  return copy;
}

/** A new fills array with the IMAGE paint at `index` pointing at another image; everything else kept. */
export function replaceImagePaint(fills: readonly PaintLike[], index: number, imageHash: string, scale = 1): PaintLike[] {
  return fills.map((p, i) => {
    if (i !== index) return p;
    const next: PaintLike = { ...p, imageHash };
    // A tiled image keeps its size on the canvas when its pixels shrink.
    if (scale !== 1 && p.scaleMode === 'TILE') (next as { scalingFactor?: number }).scalingFactor = (p.scalingFactor ?? 1) * scale;
    return next;
  });
}

/** Index of the IMAGE paint with this hash, preferring the one at `hint` (the index seen at scan time). */
export function findImagePaint(fills: readonly PaintLike[], hash: string, hint: number): number {
  if (fills[hint]?.type === 'IMAGE' && fills[hint].imageHash === hash) return hint;
  return fills.findIndex((p) => p.type === 'IMAGE' && p.imageHash === hash);
}

function isPng(bytes: Uint8Array): boolean {
  return sniffFormat(bytes) === 'png';
}

/**
 * Writes restored images back: one `figma.createImage` per result, a new fills array on every
 * node that used the original (or on a duplicate of it). Bracketed by `commitUndo()` so one undo
 * brings every original back. Results for images the job did not ask for, or that are not
 * PNGs within Figma's size limit, are refused.
 */
export async function applyResults(api: FigmaLike, images: readonly SelectedImage[], results: readonly RestoredImage[], placement: Placement): Promise<ApplyReport> {
  const report: ApplyReport = { written: 0, duplicated: 0, notes: [] };
  const byHash = new Map(images.map((i) => [i.hash, i]));
  const checked: { result: RestoredImage; image: SelectedImage }[] = [];
  for (const result of results) {
    const image = byHash.get(result.hash);
    if (!image) {
      report.notes.push(`a result for an image that was not asked for was ignored`);
      continue;
    }
    if (!isPng(result.bytes)) throw new Error(`the restored image for '${image.uses[0].nodeName}' is not a PNG`);
    if (result.width > MAX_IMAGE_SIDE || result.height > MAX_IMAGE_SIDE) {
      throw new Error(`the restored image for '${image.uses[0].nodeName}' is ${result.width}x${result.height}; Figma accepts at most ${MAX_IMAGE_SIDE} px per side`);
    }
    checked.push({ result, image });
  }
  if (!checked.length) return report;

  api.commitUndo(); // whatever came before is its own undo step
  const duplicates = new Map<string, NodeLike>();
  for (const { result, image } of checked) {
    const created = api.createImage(result.bytes);
    const from = result.downscaledFrom;
    const scale = from ? from.width / result.width : 1;
    if (from) report.notes.push(`'${image.uses[0].nodeName}': restored at ${from.width}x${from.height}, written at ${result.width}x${result.height} (Figma's limit is ${MAX_IMAGE_SIDE} px per side)`);
    for (const use of image.uses) {
      const original = nodeWithFills(await api.getNodeByIdAsync(use.nodeId));
      if (!original) {
        report.notes.push(`'${use.nodeName}' was deleted or lost its fills meanwhile: skipped`);
        continue;
      }
      let target = original;
      if (placement === 'duplicate') {
        let dup = duplicates.get(original.id);
        if (!dup) {
          dup = duplicateBeside(api, original);
          duplicates.set(original.id, dup);
          report.duplicated++;
        }
        target = dup;
      }
      const fills = target.fills as readonly PaintLike[];
      const index = findImagePaint(fills, image.hash, use.fillIndex);
      if (index < 0) {
        report.notes.push(`'${use.nodeName}' no longer uses this image: skipped`);
        continue;
      }
      target.fills = replaceImagePaint(fills, index, created.hash, scale);
      report.written++;
    }
  }
  api.commitUndo(); // the whole change is one undo step
  return report;
}
