// Inputs that must be refused with a clear message naming the file, and the exit codes for
// usage (2) and load (3) errors. None of these loads the model: checks run on headers first.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_MODEL } from './model.js';
import { pngWithHeader, runCli, SAMPLES, tempDir, testPattern, writePng } from './testing.js';

const sample = join(SAMPLES, 'noisy-astronaut.png');

/** Runs one bad input; expects exit 1, the file named with `pattern`, and no output written. */
async function refuses(name: string, content: Buffer | string | null, pattern: RegExp) {
  const dir = tempDir();
  const input = join(dir, name);
  if (content === null) mkdirSync(input);
  else writeFileSync(input, content);
  const out = join(dir, 'out.png');
  const r = await runCli(['restore', input, '-o', out]);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.stderr.includes(`${input}:`), `stderr names the file: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.ok(!existsSync(out), 'no output written');
  return r;
}

describe('bad input files: exit 1, the file named and what is wrong', () => {
  test('an empty file', async () => void (await refuses('empty.png', '', /empty file \(0 bytes\)/)));

  test('a truncated PNG (header fine, pixel data cut short)', async () => {
    const dir = tempDir();
    const whole = join(dir, 'whole.png');
    await writePng(whole, 96, 96, 3, testPattern(96, 96, 3));
    const bytes = readFileSync(whole);
    await refuses('truncated.png', bytes.subarray(0, Math.floor(bytes.length / 2)), /cannot decode .*truncated or corrupt/);
  });

  test('a text file named .png', async () => void (await refuses('notes.png', 'just some text, not an image\n', /not a readable PNG, JPEG or WebP image/)));

  test('a directory where a file was expected', async () => void (await refuses('folder.png', null, /is a directory/)));

  test('a file that does not exist', async () => {
    const r = await runCli(['restore', join(tempDir(), 'missing.png'), '-o', join(tempDir(), 'o.png')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /missing\.png: no such file/);
  });

  test('a PNG whose header claims 100000x100000 is refused fast, from the header, with little memory', async () => {
    const r = await refuses('huge.png', pngWithHeader(100000, 100000), /100000x100000 \(10000 MP\), over the limit of 100 MP/);
    assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
    // Decoding it would need 30 GB; the whole CLI process stays small.
    assert.ok(r.maxRssBytes !== undefined && r.maxRssBytes < 200 * 2 ** 20, `peak RSS ${((r.maxRssBytes ?? 0) / 2 ** 20).toFixed(0)} MiB`);
  });

  test('--max-pixels lowers the limit', async () => {
    const r = await runCli(['restore', sample, '-o', join(tempDir(), 'o.png'), '--max-pixels', '200k']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /512x512 \(0\.26 MP\), over the limit of 0\.20 MP/);
  });
});

describe('usage errors: exit 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown device', ['restore', sample, '-o', 'x.png', '--device', 'tpu'], /unknown device 'tpu' \(choose auto, cuda, cpu/],
    ['no -o', ['restore', sample], /missing -o\/--output/],
    ['no inputs', ['restore', '-o', 'x.png'], /no input images/],
    ['an unknown flag', ['restore', sample, '-o', 'x.png', '--colour'], /Unknown option '--colour'/],
    ['a bad --tile', ['restore', sample, '-o', 'x.png', '--tile', 'big'], /--tile must be a whole number/],
    ['an unknown --format', ['restore', sample, '-o', 'x', '--format', 'gif'], /unknown format 'gif'/],
    ['--format against the extension', ['restore', sample, '-o', 'x.png', '--format', 'jpeg'], /has a \.png extension but --format is jpeg/],
    ['an unknown command', ['resotre', sample], /unknown command 'resotre'/],
  ];
  for (const [what, args, pattern] of cases) {
    test(what, async () => {
      const r = await runCli(args, { cwd: tempDir() });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.equal(r.stdout, '');
    });
  }

  test('several inputs and -o naming an existing file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file.png'), 'x');
    const r = await runCli(['restore', sample, sample, '-o', join(dir, 'file.png')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is a file; several inputs need a directory/);
  });
});

describe('model and device errors: exit 3', () => {
  test('--device cuda on a machine without CUDA says so, and why', async () => {
    const dir = tempDir();
    const r = await runCli(['restore', sample, '-o', join(dir, 'o.png'), '--device', 'cuda']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /device 'cuda' is not available: onnxruntime-node: .+/);
    assert.doesNotMatch(r.stderr, /\[E:onnxruntime/, 'no raw onnxruntime log lines');
    assert.ok(!existsSync(join(dir, 'o.png')));
  });

  test('a model file that does not exist', async () => {
    const r = await runCli(['restore', sample, '-o', join(tempDir(), 'o.png'), '--model', '/nonexistent/weights.json']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /cannot read model \/nonexistent\/weights\.json: no such file/);
  });

  test('a model whose weights do not match the manifest sha256', async () => {
    const dir = tempDir();
    const manifest = JSON.parse(readFileSync(DEFAULT_MODEL, 'utf8'));
    writeFileSync(join(dir, 'small.json'), JSON.stringify(manifest));
    writeFileSync(join(dir, 'small.safetensors'), 'not the weights');
    const r = await runCli(['restore', sample, '-o', join(dir, 'o.png'), '--model', join(dir, 'small.json')]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /cannot load model: .*sha256 of small\.safetensors is [0-9a-f]+, the manifest says/);
  });
});
