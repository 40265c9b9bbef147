// Nothing is ever overwritten without --force, and an input never, even with --force.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync, linkSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { runCli, tempDir, testPattern, writeIdentityModel, writePng } from './testing.js';

describe('never overwrite', () => {
  let model: string;
  let dir: string;
  let input: string;
  let inputBytes: Buffer;
  before(async () => {
    dir = tempDir();
    model = await writeIdentityModel(dir);
    input = join(dir, 'photo.png');
    await writePng(input, 64, 64, 3, testPattern(64, 64, 3));
    inputBytes = readFileSync(input);
  });

  test('an existing output is refused without --force, and left unchanged', async () => {
    const out = join(dir, 'existing.png');
    writeFileSync(out, 'precious');
    const r = await runCli(['restore', input, '-o', out, '--model', model]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /existing\.png already exists; not overwritten \(use --force\)/);
    assert.equal(readFileSync(out, 'utf8'), 'precious');
  });

  test('--force replaces an existing output (atomically: no temp files left)', async () => {
    const out = join(dir, 'replace.png');
    writeFileSync(out, 'old');
    const r = await runCli(['restore', input, '-o', out, '--model', model, '--force']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(statSync(out).size > 100);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  });

  test('output == input is refused, even with --force', async () => {
    for (const args of [[], ['--force']]) {
      const r = await runCli(['restore', input, '-o', input, '--model', model, ...args]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /is the input itself; refused \(inputs are never overwritten, even with --force\)/);
      assert.deepEqual(readFileSync(input), inputBytes);
    }
  });

  test('restoring into the input directory is refused (same name), even with --force', async () => {
    const r = await runCli(['restore', input, '-o', dir, '--model', model, '--force']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused/);
    assert.deepEqual(readFileSync(input), inputBytes);
  });

  test('another input of the batch is never an output, even with --force', async () => {
    const sub = tempDir();
    const other = join(sub, 'photo.png'); // same name as `input`, other directory
    await writePng(other, 32, 32, 3, testPattern(32, 32, 3));
    const otherBytes = readFileSync(other);
    const r = await runCli(['restore', input, other, '-o', sub, '--model', model, '--force', '--json']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is the input .*photo\.png; refused/);
    assert.deepEqual(readFileSync(other), otherBytes);
  });

  test('a hard link to the input is the input: refused, even with --force', async () => {
    const link = join(tempDir(), 'link.png');
    linkSync(input, link);
    const r = await runCli(['restore', input, '-o', link, '--model', model, '--force']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /link\.png is the input itself; refused/);
    assert.deepEqual(readFileSync(input), inputBytes);
  });
});
