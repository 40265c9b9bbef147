// `dpmambair restore` end to end: the real binary on real images.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import sharp from 'sharp';
import { DEFAULT_MODEL } from './model.js';
import { psnr8, readPixels, runCli, SAMPLES, tempDir, testPattern, writeIdentityModel, writePng } from './testing.js';

const noisy = join(SAMPLES, 'noisy-astronaut.png');
const clean = join(SAMPLES, 'astronaut.png');
const embedded = JSON.parse(readFileSync(DEFAULT_MODEL, 'utf8')) as { training?: Record<string, unknown> };
const untrained = embedded.training?.status === 'untrained';

describe('restore the sample photograph with the embedded model', () => {
  test('to a file: noisy-astronaut.png -> restored.png', async () => {
    const dir = tempDir();
    const out = join(dir, 'nested', 'restored.png'); // parent directories are created
    const r = await runCli(['restore', noisy, '-o', out, '--device', 'cpu']);
    assert.equal(r.code, 0, r.stderr);
    const px = await readPixels(out);
    assert.deepEqual([px.width, px.height, px.channels, px.depth], [512, 512, 3, 'uchar']);
    assert.match(r.stderr, /noisy-astronaut\.png -> .*restored\.png\s+512x512/);
    if (untrained) {
      assert.match(r.stderr, /warning: .*UNTRAINED/);
    } else {
      // A trained model must improve on the noisy input (sigma 25) against the clean photo.
      const ref = await readPixels(clean);
      const input = await readPixels(noisy);
      const before = psnr8(input.data, ref.data);
      const after = psnr8(px.data, ref.data);
      assert.ok(after > before, `PSNR ${after.toFixed(2)} dB after restoring, ${before.toFixed(2)} dB before`);
    }
  });

  test('to a directory, with --json: one object per input on stdout', async () => {
    const dir = tempDir();
    const r = await runCli(['restore', noisy, '-o', `${dir}/`, '--device', 'cpu', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const result = JSON.parse(lines[0]);
    assert.deepEqual(Object.keys(result).sort(), ['device', 'error', 'height', 'input', 'ms', 'ok', 'output', 'width']);
    assert.equal(result.ok, true);
    assert.equal(result.error, null);
    assert.equal(result.input, noisy);
    assert.equal(result.output, join(dir, 'noisy-astronaut.png'));
    assert.equal(result.device, 'cpu');
    assert.equal(result.width, 512);
    assert.equal(result.height, 512);
    assert.ok(Number.isInteger(result.ms) && result.ms > 0);
    assert.ok(existsSync(result.output));
    assert.doesNotMatch(r.stderr, /\[1\/1\]/, 'no progress with --json');
    // Only the untrained-model warning, if any, goes to stderr.
    assert.equal(r.stderr.trim() === '', !untrained);
  });
});

describe('batches (identity test model, small images)', () => {
  let model: string;
  before(async () => {
    model = await writeIdentityModel(tempDir());
  });

  test('one bad file among good ones: it is reported, the others are written, exit 1', async () => {
    const dir = tempDir();
    const inputs = [join(dir, 'a.png'), join(dir, 'broken.png'), join(dir, 'c.webp')];
    await writePng(inputs[0], 64, 48, 3, testPattern(64, 48, 3));
    writeFileSync(inputs[1], 'this is not a PNG\n');
    await sharp(Buffer.from(testPattern(40, 72, 3)), { raw: { width: 40, height: 72, channels: 3 } }).webp({ lossless: true }).toFile(inputs[2]);
    const outDir = join(dir, 'restored'); // does not exist yet
    const r = await runCli(['restore', ...inputs, '-o', outDir, '--model', model, '--device', 'cpu', '--json']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /broken\.png: not a readable PNG, JPEG or WebP image/);
    const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(results.map((x) => [x.input, x.ok]).sort(), [[inputs[0], true], [inputs[1], false], [inputs[2], true]].sort());
    const a = await readPixels(join(outDir, 'a.png'));
    assert.deepEqual([a.width, a.height], [64, 48]);
    const c = await sharp(join(outDir, 'c.webp')).metadata();
    assert.deepEqual([c.format, c.width, c.height], ['webp', 40, 72]);
    assert.ok(!existsSync(join(outDir, 'broken.png')));
  });

  test('--format changes the extension in a directory; --quality is used', async () => {
    const dir = tempDir();
    const input = join(dir, 'pic.png');
    await writePng(input, 64, 64, 3, testPattern(64, 64, 3));
    const r = await runCli(['restore', input, '-o', join(dir, 'out') + '/', '--model', model, '--format', 'jpeg', '--quality', '70', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', '--quiet prints nothing on success');
    assert.equal((await sharp(join(dir, 'out', 'pic.jpg')).metadata()).format, 'jpeg');
  });

  test('the identity model returns the input exactly (8-bit PNG)', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.png');
    await writePng(input, 72, 56, 3, testPattern(72, 56, 3));
    const r = await runCli(['restore', input, '-o', join(dir, 'out.png'), '--model', model, '--tile', '32', '--overlap', '8']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await readPixels(join(dir, 'out.png'))).data, (await readPixels(input)).data);
  });
});
