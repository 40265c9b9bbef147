#!/usr/bin/env node
// Build step: copies the shipped weights, models/weights/<id>.{json,safetensors,probe.json}, into
// dist/weights/. models/weights is the one source: nothing here is committed twice.
//
// The trainer writes the .safetensors first and the .json last, so a sha256 that does not match
// the manifest means an export is in progress: wait and read again.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(pkg, '..', '..', 'models', 'weights');
const target = join(pkg, 'dist', 'weights');
/** Keep in step with MODELS in src/models.ts (the loader's table). */
const IDS = ['small'];

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function writeAtomic(path, bytes) {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, bytes);
  renameSync(temp, path);
}

async function copyModel(id) {
  const jsonPath = join(source, `${id}.json`);
  for (let attempt = 1; ; attempt++) {
    if (!existsSync(jsonPath)) throw new Error(`${jsonPath} is missing: models/train.py exports the weights there`);
    const text = readFileSync(jsonPath, 'utf8');
    const manifest = JSON.parse(text);
    const entries = Object.entries(manifest.files ?? {});
    if (entries.length !== 1) throw new Error(`${jsonPath}: 'files' must name exactly one safetensors file`);
    const [[file, expected]] = entries;
    if (file !== `${id}.safetensors`) throw new Error(`${jsonPath}: names '${file}', expected '${id}.safetensors'`);
    const stPath = join(source, file);
    const bytes = existsSync(stPath) ? readFileSync(stPath) : undefined;
    if (bytes && sha256(bytes) === expected) {
      mkdirSync(target, { recursive: true });
      writeAtomic(join(target, file), bytes);
      writeAtomic(join(target, `${id}.json`), text);
      const probe = join(source, `${id}.probe.json`);
      if (existsSync(probe)) copyFileSync(probe, join(target, `${id}.probe.json`));
      const t = manifest.training ?? {};
      console.log(`copy-weights: ${id} (${(bytes.length / 2 ** 20).toFixed(2)} MiB, sha256 ${expected.slice(0, 12)}…, exported ${t.exported ?? t.date ?? '?'}) -> dist/weights/`);
      return;
    }
    if (attempt >= 10) throw new Error(`${stPath}: ${bytes ? 'sha256 does not match' : 'missing, but named by'} ${jsonPath} after ${attempt} tries`);
    await sleep(1000);
  }
}

for (const id of IDS) await copyModel(id);
