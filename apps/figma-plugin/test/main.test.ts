/**
 * The main-thread logic against FakeFigma (a fake of the few Figma plugin API calls it uses):
 * selection scanning, every refusal, write-back, undo, duplicates, selection following.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createController } from '../src/main/controller.js';
import type { PaintLike } from '../src/main/figma-like.js';
import { applyResults, collectNodes, fitWithinLimit, replaceImagePaint, scanSelection, sniffFormat } from '../src/main/logic.js';
import type { RestoredImage, SelectionState } from '../src/shared/messages.js';
import { FakeFigma, fakeGifBytes, fakePngBytes } from './fake-figma.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

function scene() {
  const figma = new FakeFigma();
  const photo = figma.addImage(fakePngBytes(800, 600, 1));
  const other = figma.addImage(fakePngBytes(300, 200, 2));
  const rect = figma.node('RECTANGLE', 'Hero photo', { fills: [figma.imagePaint(photo.hash, { scaleMode: 'CROP', imageTransform: [[0.5, 0, 0.1], [0, 0.5, 0.2]], opacity: 0.8 })], x: 10, y: 20, width: 400, height: 300 });
  return { figma, photo, other, rect };
}

function result(hash: string, width: number, height: number, salt = 99): RestoredImage {
  return { hash, bytes: fakePngBytes(width, height, salt), width, height };
}

describe('pure helpers', () => {
  it('sniffs formats from signatures', () => {
    assert.equal(sniffFormat(fakePngBytes(1, 1)), 'png');
    assert.equal(sniffFormat(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0)), 'jpeg');
    assert.equal(sniffFormat(fakeGifBytes(1, 1)), 'gif');
    assert.equal(sniffFormat(new TextEncoder().encode('RIFF0000WEBPVP8 ')), 'webp');
    assert.equal(sniffFormat(Uint8Array.of(1, 2, 3)), 'unknown');
  });
  it('fits sizes within 4096 px, keeping the aspect ratio', () => {
    assert.equal(fitWithinLimit(4096, 4096), undefined);
    assert.deepEqual(fitWithinLimit(5000, 3000), { width: 4096, height: 2458 });
    assert.deepEqual(fitWithinLimit(1000, 8192), { width: 500, height: 4096 });
  });
  it('replaces one paint in a new array, keeping its other properties, and rescales tiles', () => {
    const fills: PaintLike[] = [{ type: 'SOLID' }, { type: 'IMAGE', imageHash: 'a', scaleMode: 'TILE', scalingFactor: 0.5 }];
    const out = replaceImagePaint(fills, 1, 'b', 2);
    assert.notEqual(out, fills);
    assert.equal(out[0], fills[0]);
    assert.deepEqual(out[1], { type: 'IMAGE', imageHash: 'b', scaleMode: 'TILE', scalingFactor: 1 });
  });
  it('collects selected nodes and their descendants once each', () => {
    const figma = new FakeFigma();
    const a = figma.node('RECTANGLE', 'a');
    const frame = figma.node('FRAME', 'f');
    const b = figma.node('RECTANGLE', 'b', {}, frame);
    assert.deepEqual(collectNodes([frame, b, a]).nodes.map((n) => n.name), ['f', 'b', 'a']);
    assert.equal(collectNodes([frame, a], 2).truncated, true);
  });
});

describe('scanSelection: what can be restored, and every refusal', () => {
  it('refuses an empty selection', async () => {
    const { figma } = scene();
    const s = await scanSelection(figma);
    assert.equal(s.ok, false);
    assert.equal(!s.ok && s.reason, 'no-selection');
    assert.match(!s.ok ? s.message : '', /Select one or more layers/);
  });
  it('refuses layers without an image fill', async () => {
    const figma = new FakeFigma();
    const solid = figma.node('RECTANGLE', 'Button', { fills: [{ type: 'SOLID' }] });
    const text = figma.node('TEXT', 'Title', { fills: [{ type: 'SOLID' }] });
    figma.select(solid);
    let s = await scanSelection(figma);
    assert.equal(!s.ok && s.reason, 'no-image-fill');
    assert.match(!s.ok ? s.message : '', /The selected layer .* has no image fill/);
    figma.select(solid, text);
    s = await scanSelection(figma);
    assert.match(!s.ok ? s.message : '', /None of the 2 selected layers .* has an image fill/);
  });
  it('refuses GIFs, saying why', async () => {
    const figma = new FakeFigma();
    const gif = figma.addImage(fakeGifBytes(64, 64));
    const r = figma.node('RECTANGLE', 'Spinner', { fills: [figma.imagePaint(gif.hash)] });
    figma.select(r);
    const s = await scanSelection(figma);
    assert.equal(!s.ok && s.reason, 'nothing-restorable');
    assert.match(!s.ok ? s.message : '', /GIF/);
    assert.deepEqual(s.skipped.map((k) => k.nodeName), ['Spinner']);
  });
  it('skips a GIF, mixed text fills and an empty image paint but keeps the rest', async () => {
    const { figma, photo, rect } = scene();
    const gif = figma.addImage(fakeGifBytes(64, 64));
    const g = figma.node('RECTANGLE', 'Spinner', { fills: [figma.imagePaint(gif.hash)] });
    const t = figma.node('TEXT', 'Mixed', { fills: figma.mixed });
    const e = figma.node('RECTANGLE', 'Empty', { fills: [{ type: 'IMAGE', imageHash: null, scaleMode: 'FILL' } as PaintLike] });
    figma.select(rect, g, t, e);
    const s = await scanSelection(figma);
    assert.ok(s.ok);
    assert.deepEqual(s.ok && s.images.map((i) => [i.hash, i.width, i.height, i.format]), [[photo.hash, 800, 600, 'png']]);
    assert.deepEqual(s.skipped.map((k) => k.nodeName).sort(), ['Empty', 'Mixed', 'Spinner']);
  });
  it('finds images in frames, several nodes and several fills, grouping uses by image', async () => {
    const { figma, photo, other, rect } = scene();
    const frame = figma.node('FRAME', 'Card', { fills: [{ type: 'SOLID' }, figma.imagePaint(other.hash)] });
    const inner = figma.node('RECTANGLE', 'Thumb', { fills: [figma.imagePaint(photo.hash), { type: 'SOLID' }] }, frame);
    figma.select(rect, frame);
    const s = await scanSelection(figma);
    assert.ok(s.ok);
    const images = s.ok ? s.images : [];
    assert.equal(images.length, 2);
    const p = images.find((i) => i.hash === photo.hash)!;
    assert.deepEqual(p.uses.map((u) => [u.nodeId, u.fillIndex]), [[rect.id, 0], [inner.id, 0]]);
    const o = images.find((i) => i.hash === other.hash)!;
    assert.deepEqual(o.uses.map((u) => [u.nodeId, u.fillIndex]), [[frame.id, 1]]);
  });
  it('plans a downscale when the result would exceed 4096 px', async () => {
    const figma = new FakeFigma();
    const big = figma.addImage(fakePngBytes(5000, 3000, 7));
    const r = figma.node('RECTANGLE', 'Panorama', { fills: [figma.imagePaint(big.hash)] });
    figma.select(r);
    const s = await scanSelection(figma);
    assert.ok(s.ok);
    assert.deepEqual(s.ok && s.images[0].downscaleTo, { width: 4096, height: 2458 });
  });
});

describe('applyResults: write-back', () => {
  async function planned() {
    const sc = scene();
    sc.figma.select(sc.rect);
    const s = (await scanSelection(sc.figma)) as Extract<SelectionState, { ok: true }>;
    return { ...sc, images: s.images };
  }

  it('writes a new fills array with the new image, same scaleMode, transform and opacity; one undo restores it', async () => {
    const { figma, photo, rect, images } = await planned();
    const before = rect.fills as readonly PaintLike[];
    const report = await applyResults(figma, images, [result(photo.hash, 800, 600)], 'replace');
    assert.deepEqual(report, { written: 1, duplicated: 0, notes: [] });
    const after = rect.fills as readonly PaintLike[];
    assert.notEqual(after, before);
    assert.notEqual(after[0].imageHash, photo.hash);
    assert.ok(figma.getImageByHash(after[0].imageHash!));
    const { imageHash: _a, ...restAfter } = after[0] as unknown as Record<string, unknown>;
    const { imageHash: _b, ...restBefore } = before[0] as unknown as Record<string, unknown>;
    assert.deepEqual(restAfter, restBefore);
    assert.equal(figma.undoSteps, 1);
    assert.ok(figma.triggerUndo());
    assert.equal((rect.fills as readonly PaintLike[])[0].imageHash, photo.hash);
  });

  it('places a duplicate beside the original (same parent, next in order, to the right); the original is untouched; undo removes it', async () => {
    const { figma, photo, rect } = scene();
    const frame = figma.node('FRAME', 'Board', { width: 2000, height: 2000 });
    frame.appendChild(rect);
    const after = figma.node('RECTANGLE', 'After', {}, frame);
    figma.select(rect);
    const s = (await scanSelection(figma)) as Extract<SelectionState, { ok: true }>;
    const report = await applyResults(figma, s.images, [result(photo.hash, 800, 600)], 'duplicate');
    assert.equal(report.duplicated, 1);
    assert.deepEqual(frame.children!.map((c) => c.name), ['Hero photo', 'Hero photo (restored)', 'After']);
    const dup = frame.children![1];
    assert.equal(dup.x, rect.x + rect.width + 40);
    assert.equal(dup.y, rect.y);
    assert.equal((rect.fills as readonly PaintLike[])[0].imageHash, photo.hash);
    assert.notEqual((dup.fills as readonly PaintLike[])[0].imageHash, photo.hash);
    assert.equal(figma.currentPage.children.includes(dup), false);
    figma.triggerUndo();
    assert.deepEqual(frame.children!.map((c) => c.name), ['Hero photo', 'After']);
  });

  it('writes one image to every node that used it, as one undo step', async () => {
    const { figma, photo, rect } = scene();
    const twin = figma.node('RECTANGLE', 'Twin', { fills: [figma.imagePaint(photo.hash)] });
    figma.select(rect, twin);
    const s = (await scanSelection(figma)) as Extract<SelectionState, { ok: true }>;
    const creates = figma.images.size;
    const report = await applyResults(figma, s.images, [result(photo.hash, 800, 600)], 'replace');
    assert.equal(report.written, 2);
    assert.equal(figma.images.size, creates + 1);
    assert.equal((rect.fills as readonly PaintLike[])[0].imageHash, (twin.fills as readonly PaintLike[])[0].imageHash);
    figma.triggerUndo();
    assert.equal((rect.fills as readonly PaintLike[])[0].imageHash, photo.hash);
    assert.equal((twin.fills as readonly PaintLike[])[0].imageHash, photo.hash);
  });

  it('refuses results that are not PNG or exceed 4096 px; ignores results nobody asked for', async () => {
    const { figma, photo, images } = await planned();
    await assert.rejects(applyResults(figma, images, [{ hash: photo.hash, bytes: fakeGifBytes(8, 8), width: 8, height: 8 }], 'replace'), /not a PNG/);
    await assert.rejects(applyResults(figma, images, [result(photo.hash, 5000, 100)], 'replace'), /at most 4096/);
    const r = await applyResults(figma, images, [result('nope', 10, 10)], 'replace');
    assert.equal(r.written, 0);
    assert.equal(figma.fillWrites, 0);
  });

  it('notes downscaling and keeps a tiled image the same size on the canvas', async () => {
    const figma = new FakeFigma();
    const big = figma.addImage(fakePngBytes(6000, 3000, 5));
    const r = figma.node('RECTANGLE', 'Pattern', { fills: [figma.imagePaint(big.hash, { scaleMode: 'TILE', scalingFactor: 0.25 })] });
    figma.select(r);
    const s = (await scanSelection(figma)) as Extract<SelectionState, { ok: true }>;
    const rep = await applyResults(figma, s.images, [{ ...result(big.hash, 4096, 2048), downscaledFrom: { width: 6000, height: 3000 } }], 'replace');
    assert.match(rep.notes.join('\n'), /written at 4096x2048 \(Figma's limit is 4096 px/);
    assert.ok(Math.abs(((r.fills as readonly PaintLike[])[0].scalingFactor ?? 0) - 0.25 * (6000 / 4096)) < 1e-9);
  });

  it('skips layers deleted or changed after the job started', async () => {
    const { figma, photo, rect, images } = await planned();
    rect.remove();
    const rep = await applyResults(figma, images, [result(photo.hash, 800, 600)], 'replace');
    assert.equal(rep.written, 0);
    assert.match(rep.notes[0], /deleted/);
  });
});

describe('controller: the message protocol with the UI', () => {
  it('answers ready with the selection and follows selection changes', async () => {
    const { figma, rect } = scene();
    const ctl = createController(figma);
    await ctl.handle({ type: 'ready' });
    assert.equal(figma.posted('selection').at(-1).state.reason, 'no-selection');
    figma.select(rect);
    await tick();
    await tick();
    const last = figma.posted('selection').at(-1).state as SelectionState;
    assert.ok(last.ok);
  });

  it('runs a job: sends the bytes, applies the results, reports and notifies', async () => {
    const { figma, photo, rect } = scene();
    const ctl = createController(figma);
    figma.select(rect);
    await ctl.handle({ type: 'restore', placement: 'replace' });
    const job = figma.posted('job')[0];
    assert.equal(job.images.length, 1);
    const img = figma.posted('image')[0];
    assert.equal(img.hash, photo.hash);
    assert.deepEqual(img.bytes, await photo.getBytesAsync());
    // The UI answers through figma.ui.onmessage, as Figma delivers it.
    figma.ui.onmessage!({ type: 'results', jobId: job.jobId, placement: 'replace', results: [result(photo.hash, 800, 600)] }, { origin: 'null' });
    await tick();
    await tick();
    const applied = figma.posted('applied')[0];
    assert.equal(applied.written, 1);
    assert.match(figma.notifications.at(-1)!.message, /Undo/);
    assert.notEqual((rect.fills as readonly PaintLike[])[0].imageHash, photo.hash);
  });

  it('refuses a restore with nothing selected, and results for unknown or cancelled jobs', async () => {
    const { figma, photo, rect } = scene();
    const ctl = createController(figma);
    await ctl.handle({ type: 'restore', placement: 'replace' });
    assert.match(figma.posted('error')[0].message, /Select one or more layers/);
    assert.equal(figma.notifications.at(-1)!.error, true);
    figma.select(rect);
    await ctl.handle({ type: 'restore', placement: 'replace' });
    const { jobId } = figma.posted('job')[0];
    await ctl.handle({ type: 'cancelled', jobId });
    await ctl.handle({ type: 'results', jobId, placement: 'replace', results: [result(photo.hash, 800, 600)] });
    assert.match(figma.posted('error').at(-1).message, /unknown or finished job/);
    assert.equal(figma.fillWrites, 0);
  });
});
