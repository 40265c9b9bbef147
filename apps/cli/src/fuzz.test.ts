// Seeded mutations of valid PNG, JPEG and WebP files (bytes flipped, truncations, header fields
// changed), restored in one batch by the real binary. Each must restore or fail with a one-line
// error; none may take 10 s, the run may not pass 1.5 GB or print a stack.
//
// All 500 of issue 14 run in about 3 s (one batch). To record the counts:
//   DPMAMBAIR_FUZZ_REPORT=benchmarks/results/fuzz.md node --import tsx --test apps/cli/src/fuzz.test.ts
// (DPMAMBAIR_FUZZ_COUNT and DPMAMBAIR_FUZZ_SEED change the number of files and the seed.)
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { seededRandom } from '@dpmambair/core';
import { crc32, REPO, runCli, tempDir, testPattern, writeIdentityModel } from './testing.js';

const COUNT = Number(process.env.DPMAMBAIR_FUZZ_COUNT ?? 500);
const SEED = Number(process.env.DPMAMBAIR_FUZZ_SEED ?? 14);
const REPORT = process.env.DPMAMBAIR_FUZZ_REPORT;

type Format = 'png' | 'jpeg' | 'webp';
const EXT: Record<Format, string> = { png: 'png', jpeg: 'jpg', webp: 'webp' };

async function validFiles(): Promise<{ format: Format; what: string; bytes: Buffer }[]> {
  const img = (w: number, h: number, c: 3 | 4) => sharp(Buffer.from(testPattern(w, h, c)), { raw: { width: w, height: h, channels: c } });
  return [
    { format: 'png', what: 'RGB', bytes: await img(48, 40, 3).png().toBuffer() },
    { format: 'png', what: 'RGBA', bytes: await img(40, 32, 4).png().toBuffer() },
    { format: 'jpeg', what: 'baseline', bytes: await img(64, 48, 3).jpeg({ quality: 80 }).toBuffer() },
    { format: 'jpeg', what: 'progressive', bytes: await img(48, 64, 3).jpeg({ quality: 80, progressive: true }).toBuffer() },
    { format: 'webp', what: 'lossy', bytes: await img(64, 48, 3).webp({ quality: 80 }).toBuffer() },
    { format: 'webp', what: 'lossless', bytes: await img(40, 40, 4).webp({ lossless: true }).toBuffer() },
  ];
}

/** Sizes a corrupted header might claim: empty, tiny, plausible, huge, and the field's maximum. */
const SIZES = [0, 1, 7, 300, 4000, 10000, 30000, 65535];

function headerField(format: Format, bytes: Buffer, rand: () => number): string {
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
  if (format === 'png') {
    // IHDR data starts at 16: width, height (4 bytes each), bit depth, colour type, ...
    const field = pick(['width', 'height', 'depth', 'colour']);
    if (field === 'width' || field === 'height') bytes.writeUInt32BE(pick([...SIZES, 2 ** 31 - 1]), field === 'width' ? 16 : 20);
    else bytes[field === 'depth' ? 24 : 25] = pick([0, 1, 2, 3, 4, 6, 8, 16, 255]);
    const fixCrc = rand() < 0.5;
    if (fixCrc) bytes.writeUInt32BE(crc32(bytes.subarray(12, 29)), 29);
    return `IHDR ${field}${fixCrc ? ' (CRC fixed)' : ''}`;
  }
  if (format === 'jpeg') {
    const sof = bytes.findIndex((b, i) => b === 0xff && (bytes[i + 1] === 0xc0 || bytes[i + 1] === 0xc2));
    const field = pick(['width', 'height', 'precision', 'components', 'sampling']);
    if (field === 'width' || field === 'height') bytes.writeUInt16BE(pick(SIZES), sof + (field === 'width' ? 7 : 5));
    else if (field === 'precision') bytes[sof + 4] = pick([0, 1, 12, 16, 255]);
    else if (field === 'components') bytes[sof + 9] = pick([0, 1, 2, 4, 255]);
    else bytes[sof + 11] = pick([0x00, 0x11, 0x44, 0xff]);
    return `SOF ${field}`;
  }
  const lossless = bytes.toString('ascii', 12, 16) === 'VP8L';
  const field = pick(['RIFF size', 'chunk size', 'fourcc', 'size']);
  if (field === 'RIFF size') bytes.writeUInt32LE(pick([0, 4, 100, 2 ** 32 - 1]), 4);
  else if (field === 'chunk size') bytes.writeUInt32LE(pick([0, 1, 100, 2 ** 32 - 1]), 16);
  else if (field === 'fourcc') bytes.write(pick(['VP8X', 'VP8 ', 'VP8L', 'ALPH', 'XXXX']), 12, 'ascii');
  // Lossy: 14-bit width and height at 26 and 28. Lossless: 14-bit width-1, height-1 packed from 21.
  else if (lossless) bytes.writeUInt32LE((bytes.readUInt32LE(21) & 0xf0000000) | ((pick(SIZES) & 0x3fff) << 14) | (pick(SIZES) & 0x3fff), 21);
  else bytes.writeUInt16LE(pick(SIZES) & 0x3fff, rand() < 0.5 ? 26 : 28);
  return `${lossless ? 'VP8L' : 'VP8'} ${field}`;
}

function mutate(format: Format, valid: Buffer, rand: () => number): { kind: string; bytes: Buffer } {
  const bytes = Buffer.from(valid);
  const r = rand();
  if (r < 0.4) {
    const n = 1 + Math.floor(rand() * 8);
    for (let i = 0; i < n; i++) bytes[Math.floor(rand() * bytes.length)] ^= 1 + Math.floor(rand() * 255);
    return { kind: 'bytes flipped', bytes };
  }
  if (r < 0.7) return { kind: 'truncated', bytes: bytes.subarray(0, Math.floor(rand() * bytes.length)) };
  return { kind: `header: ${headerField(format, bytes, rand)}`, bytes };
}

test(`${COUNT} seeded mutations of PNG, JPEG and WebP: each restores or fails in one line, quickly, in bounded memory`, async () => {
  const dir = tempDir();
  const model = await writeIdentityModel(dir);
  const rand = seededRandom(SEED);
  const valid = await validFiles();
  const cases = Array.from({ length: COUNT }, (_, i) => {
    const base = valid[i % valid.length];
    const { kind, bytes } = mutate(base.format, base.bytes, rand);
    const path = join(dir, `m${String(i).padStart(3, '0')}-${base.format}-${base.what}.${EXT[base.format]}`);
    writeFileSync(path, bytes);
    return { path, format: base.format, kind };
  });

  // Plain-line progress (stderr is a pipe): "[i/n] <input> ..." when a file starts, then
  // "<input> -> ..." or "dpmambair: error: <input>: ..." when it ends. Timestamps per line.
  const lines: { at: number; text: string }[] = [];
  let pending = '';
  const r = await runCli(['restore', ...cases.map((c) => c.path), '-o', join(dir, 'out'), '--model', model, '--device', 'cpu', '--tile', '64', '--overlap', '8'], {
    timeoutMs: 10_000 * COUNT,
    onStderr: (all) => {
      const fresh = all.slice(lines.reduce((n, l) => n + l.text.length + 1, 0) + pending.length);
      pending += fresh;
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const text of parts) lines.push({ at: performance.now(), text });
    },
  });

  assert.doesNotMatch(r.stderr, /^\s+at |unexpected error/m, 'no stack trace');
  const outcomes = cases.map((c) => {
    const started = lines.find((l) => l.text.startsWith('[') && l.text.includes(`] ${c.path} (`));
    const ended = lines.filter((l) => l.text.startsWith(`${c.path} -> `) || l.text.startsWith(`dpmambair: error: ${c.path}: `));
    assert.equal(ended.length, 1, `${c.path} (${c.kind}): exactly one result line`);
    const error = ended[0].text.startsWith('dpmambair: error:') ? ended[0].text.slice(`dpmambair: error: ${c.path}: `.length) : undefined;
    const ms = started ? ended[0].at - started.at : 0;
    assert.ok(ms < 10_000, `${c.path} (${c.kind}): ${ms.toFixed(0)} ms`);
    return { ...c, error, ms, stage: error === undefined ? 'restored' : started ? 'refused while decoding' : 'refused from the header' };
  });
  const failed = outcomes.filter((o) => o.error !== undefined).length;
  assert.equal(r.code, failed ? 1 : 0, r.stderr.slice(-2000));
  const rssMb = r.maxRssBytes! / 2 ** 20;
  assert.ok(rssMb < 1536, `peak RSS ${rssMb.toFixed(0)} MiB`);
  assert.ok(outcomes.some((o) => o.error === undefined) && failed > 0, 'the mutations include files that still decode and files that do not');

  if (REPORT) {
    const count = (f: (o: (typeof outcomes)[number]) => boolean) => outcomes.filter(f).length;
    const byFormat = (['png', 'jpeg', 'webp'] as const).map((f) => `| ${f} | ${count((o) => o.format === f)} | ${count((o) => o.format === f && o.stage === 'restored')} | ${count((o) => o.format === f && o.stage === 'refused from the header')} | ${count((o) => o.format === f && o.stage === 'refused while decoding')} |`);
    const kinds = [...new Set(outcomes.map((o) => o.kind))].sort();
    const byKind = kinds.map((k) => `| ${k} | ${count((o) => o.kind === k)} | ${count((o) => o.kind === k && o.error === undefined)} |`);
    const messages = new Map<string, number>();
    for (const o of outcomes) {
      if (!o.error) continue;
      const key = o.error.replace(/\(.*$/, '(...)').replace(/\d+x\d+/g, 'WxH').slice(0, 110);
      messages.set(key, (messages.get(key) ?? 0) + 1);
    }
    const slowest = outcomes.reduce((a, b) => (b.ms > a.ms ? b : a));
    writeFileSync(resolve(REPO, REPORT), `# CLI fuzz run (issue 14)

Command: \`DPMAMBAIR_FUZZ_COUNT=${COUNT} DPMAMBAIR_FUZZ_REPORT=${REPORT} node --import tsx --test apps/cli/src/fuzz.test.ts\`
(seed ${SEED}). Date: ${new Date().toISOString()}. One \`dpmambair restore\` batch of all files, identity test model, CPU, tile 64.
Valid sources: PNG RGB 48x40 and RGBA 40x32, JPEG baseline 64x48 and progressive 48x64, WebP lossy 64x48 and lossless 40x40 RGBA.

Result: every file restored or failed with a one-line error; exit code ${r.code}; no stack trace; peak RSS of the
whole batch ${rssMb.toFixed(0)} MiB; slowest file ${slowest.ms.toFixed(0)} ms (${slowest.kind}); whole batch ${(r.ms / 1000).toFixed(1)} s.

| format | files | restored | refused from the header | refused while decoding |
| --- | --- | --- | --- | --- |
${byFormat.join('\n')}

| mutation | files | still restored |
| --- | --- | --- |
${byKind.join('\n')}

Errors (sizes replaced by WxH, details cut at the first parenthesis):

| count | error |
| --- | --- |
${[...messages].sort((a, b) => b[1] - a[1]).map(([m, n]) => `| ${n} | ${m.replace(/\|/g, '\\|')} |`).join('\n')}
`);
  }
});
