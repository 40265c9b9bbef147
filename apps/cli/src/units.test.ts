// The pure parts: command-line parsing, output names, and how restored pixels are written back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCommandLine, parsePixels } from './args.js';
import { UsageError } from './errors.js';
import { outputName } from './plan.js';
import { toOutputPixels } from './pixels.js';

describe('parseCommandLine', () => {
  test('restore with defaults', () => {
    const a = parseCommandLine(['restore', 'a.png', 'b.jpg', '-o', 'out/']);
    assert.deepEqual(a, {
      command: 'restore', inputs: ['a.png', 'b.jpg'], output: 'out/', device: 'auto', model: undefined, tile: 280, overlap: 32,
      format: undefined, quality: 90, maxPixels: 100_000_000, force: false, json: false, quiet: false, strength: 1,
    });
  });

  test('every option', () => {
    const a = parseCommandLine(['restore', 'a.png', '-o', 'b.webp', '--device', 'cpu', '--model', 'm.json', '--tile', '256', '--overlap', '16',
      '--format', 'jpg', '--quality', '80', '--max-pixels', '24.5M', '--force', '--json', '--quiet']);
    assert.equal(a.command, 'restore');
    if (a.command !== 'restore') return;
    assert.deepEqual([a.device, a.model, a.tile, a.overlap, a.format, a.quality, a.maxPixels, a.force, a.json, a.quiet],
      ['cpu', 'm.json', 256, 16, 'jpeg', 80, 24_500_000, true, true, true]);
  });

  test('usage errors', () => {
    for (const argv of [['restore', 'a.png', '-o', 'x', '--overlap', '300', '--tile', '256'], ['restore', 'a.png', '-o', 'x', '--quality', '0'], ['info', 'extra'], ['frobnicate']]) {
      assert.throws(() => parseCommandLine(argv), UsageError, argv.join(' '));
    }
  });

  test('--max-pixels accepts plain counts and k/M suffixes', () => {
    assert.equal(parsePixels('100000000'), 1e8);
    assert.equal(parsePixels('500k'), 5e5);
    assert.equal(parsePixels('2M'), 2e6);
    assert.throws(() => parsePixels('lots'), UsageError);
  });
});

describe('outputName', () => {
  test('keeps the name (and its spelling) when the format is kept, else changes the extension', () => {
    assert.equal(outputName('dir/IMG_1.JPG', 'jpeg'), 'IMG_1.JPG');
    assert.equal(outputName('dir/IMG_1.JPG', 'png'), 'IMG_1.png');
    assert.equal(outputName('scan', 'webp'), 'scan.webp');
  });
});

describe('toOutputPixels', () => {
  // Planar: R = [0.5, 1.2], G = [0.25, -0.1], B = [0, 1] for pixels 0 and 1.
  const restored = { width: 2, height: 1, rgb: Float32Array.from([0.5, 1.2, 0.25, -0.1, 0, 1]) };
  test('RGBA 8-bit: colours quantised and clamped, alpha copied sample for sample', () => {
    const source = { width: 2, height: 1, channels: 4 as const, data: Uint8Array.from([9, 9, 9, 0, 9, 9, 9, 77]) };
    const out = toOutputPixels(restored, source, { bits: 8, gray: false, alpha: true });
    assert.deepEqual([...out.data], [128, 64, 0, 0, 255, 0, 255, 77]);
  });
  test('16-bit alpha to 8-bit, and gray as the mean of R, G, B', () => {
    const source = { width: 2, height: 1, channels: 4 as const, data: Uint16Array.from([0, 0, 0, 65535, 0, 0, 0, 257 * 10]) };
    const out = toOutputPixels(restored, source, { bits: 8, gray: true, alpha: true });
    assert.equal(out.channels, 2);
    // Pixel 1: the mean of float32 1.2, -0.1 and 1 is 0.70000005, 178.50001 on 0..255: 179.
    assert.deepEqual([...out.data], [64, 255, 179, 10]);
  });
  test('no alpha wanted (JPEG): flattened onto white', () => {
    const source = { width: 2, height: 1, channels: 4 as const, data: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 255]) };
    const out = toOutputPixels(restored, source, { bits: 8, gray: false, alpha: false });
    assert.equal(out.channels, 3);
    assert.deepEqual([...out.data], [255, 255, 255, 255, 0, 255]);
  });
});
