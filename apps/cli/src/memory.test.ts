// Memory is set by the tile and the width, not the height; a file whose header claims more
// pixels than its data holds fails at once instead of being decoded (and restored) as gray.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { before, describe, test } from 'node:test';
import sharp from 'sharp';
import { crc32, runCli, tempDir, testPattern, writeIdentityModel, writePng } from './testing.js';

const MiB = 2 ** 20;
let model: string;
before(async () => {
  model = await writeIdentityModel(tempDir());
});

describe('bounded memory', () => {
  test('doubling the height (2 to 4 MP, same width and tile) adds little more than the 8-bit buffers', async () => {
    const dir = tempDir();
    const peaks: number[] = [];
    // 480 wide and 224 * k + 32 high: every tile is 256 x 256 in both runs, so onnxruntime plans
    // the same shapes and only the image's own buffers differ.
    for (const height of [4064, 8096]) {
      const input = join(dir, `${height}.png`);
      await writePng(input, 480, height, 3, testPattern(480, height, 3));
      const r = await runCli(['restore', input, '-o', join(dir, `${height}-out.png`), '--model', model, '--device', 'cpu', '--tile', '256'], { timeoutMs: 900_000 });
      assert.equal(r.code, 0, r.stderr);
      peaks.push(r.maxRssBytes!);
    }
    const growth = (peaks[1] - peaks[0]) / MiB;
    // 1.94 MP more: 11 MiB of 8-bit input and output, plus allocator and libvips noise (+53 MiB
    // seen on a loaded machine). Whole-image float buffers (the old pipeline: input, accumulators,
    // weights, output) would add about 85 MiB more than the 8-bit buffers, about 100 in all.
    assert.ok(growth < 75, `peak RSS ${(peaks[0] / MiB).toFixed(0)} -> ${(peaks[1] / MiB).toFixed(0)} MiB (+${growth.toFixed(0)})`);
  });
});

/** Patches the size in a JPEG's first start-of-frame marker. */
function patchSof(jpeg: Buffer, width: number, height: number): Buffer {
  const b = Buffer.from(jpeg);
  for (let i = 2; i < b.length - 9; i++) {
    if (b[i] === 0xff && b[i + 1] >= 0xc0 && b[i + 1] <= 0xc2) {
      b.writeUInt16BE(height, i + 5);
      b.writeUInt16BE(width, i + 7);
      return b;
    }
  }
  throw new Error('no SOF marker');
}

/** A PNG whose IHDR claims `claimedHeight` rows while its data holds `rows` (valid chunks and CRCs). */
function pngWithMissingRows(width: number, rows: number, claimedHeight: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(claimedHeight, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const scanlines = Buffer.alloc(rows * (1 + 3 * width), 0x40);
  for (let y = 0; y < rows; y++) scanlines[y * (1 + 3 * width)] = 0; // filter: none
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(scanlines)), chunk('IEND', Buffer.alloc(0))]);
}

describe('headers that claim more pixels than the data holds', () => {
  let jpeg: Buffer;
  before(async () => {
    jpeg = await sharp(Buffer.from(testPattern(300, 300, 3)), { raw: { width: 300, height: 300, channels: 3 } }).jpeg({ quality: 50 }).toBuffer();
  });

  const refused = async (name: string, bytes: Buffer, claimed: string) => {
    const dir = tempDir();
    const input = join(dir, name);
    writeFileSync(input, bytes);
    const out = join(dir, 'out.png');
    const r = await runCli(['restore', input, '-o', out, '--model', model, '--device', 'cpu']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${name}: cannot decode \\(the data ends before the ${claimed} pixels the header claims: .+\\); the file is truncated or corrupt\\n$`));
    assert.ok(!existsSync(out));
    return r;
  };

  test('a 300x300 JPEG whose SOF says 10000x10000: refused at once, in little memory', async () => {
    const r = await refused('bomb.jpg', patchSof(jpeg, 10000, 10000), '10000x10000');
    assert.ok(r.maxRssBytes! < 500 * MiB, `peak RSS ${(r.maxRssBytes! / MiB).toFixed(0)} MiB`);
  });

  test('a JPEG whose SOF says 300x600 for 300x300 of data (was restored as gray, exit 0)', async () => {
    await refused('taller.jpg', patchSof(jpeg, 300, 600), '300x600');
  });

  test('a PNG whose IHDR says 64x640 for 64 rows of data', async () => {
    await refused('short.png', pngWithMissingRows(64, 64, 640), '64x640');
  });

  test('a JPEG cut in half', async () => {
    await refused('half.jpg', jpeg.subarray(0, jpeg.length >> 1), '300x300');
  });

  test('a valid JPEG with a harmless warning (stray bytes before a marker) is still restored', async () => {
    const dir = tempDir();
    const input = join(dir, 'stray.jpg');
    // Two bytes of garbage before the EOI marker: libjpeg warns "extraneous bytes before marker".
    writeFileSync(input, Buffer.concat([jpeg.subarray(0, jpeg.length - 2), Buffer.from([0x00, 0x00, 0xff, 0xd9])]));
    const r = await runCli(['restore', input, '-o', join(dir, 'out.png'), '--model', model, '--device', 'cpu']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readFileSync(join(dir, 'out.png')).length > 1000);
  });
});
