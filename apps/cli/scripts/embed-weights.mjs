#!/usr/bin/env node
// Build step: puts the default model in apps/cli/weights/small.{json,safetensors}.
//
// - models/weights/small.{json,safetensors} exist (exported by models/train.py): copied, after
//   checking the sha256 in the manifest (the trainer writes the .safetensors first and the .json
//   last, so a mismatch means an export is in progress: wait and retry).
// - they do not: an honestly labelled initialised model, core randomParams(getConfig('small')),
//   whose manifest says `training.status: "untrained"`; `dpmambair restore` then warns.
//
// Also marks dist/bin.js executable.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(app, '..', '..');
const NAME = 'small';
const source = { json: join(repo, 'models', 'weights', `${NAME}.json`), dir: join(repo, 'models', 'weights') };
const target = { dir: join(app, 'weights'), json: join(app, 'weights', `${NAME}.json`), st: join(app, 'weights', `${NAME}.safetensors`) };

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function writeAtomic(path, bytes) {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, bytes);
  renameSync(temp, path);
}

/** Writes the pair: safetensors renamed to <NAME>.safetensors, the manifest's `files` updated to match. */
function install(manifest, stBytes) {
  mkdirSync(target.dir, { recursive: true });
  const out = { ...manifest, files: { [`${NAME}.safetensors`]: sha256(stBytes) } };
  writeAtomic(target.st, stBytes);
  writeAtomic(target.json, `${JSON.stringify(out, null, 2)}\n`);
}

async function copyTrained() {
  for (let attempt = 1; ; attempt++) {
    const manifest = JSON.parse(readFileSync(source.json, 'utf8'));
    const entries = Object.entries(manifest.files ?? {});
    if (entries.length !== 1) throw new Error(`${source.json}: 'files' must name exactly one safetensors file`);
    const [[file, expected]] = entries;
    const stPath = join(source.dir, file);
    const bytes = existsSync(stPath) ? readFileSync(stPath) : undefined;
    if (bytes && sha256(bytes) === expected) {
      install(manifest, bytes);
      const t = manifest.training ?? {};
      const what = [t.stage !== undefined && `stage ${t.stage}`, t.iterations && `iterations ${JSON.stringify(t.iterations)}`, t.date].filter(Boolean).join(', ');
      console.log(`embed-weights: copied ${source.json} (${what || 'no training metadata'}) -> weights/`);
      return;
    }
    if (attempt >= 10) throw new Error(`${stPath}: ${bytes ? 'sha256 does not match' : 'missing, but named by'} ${source.json} after ${attempt} tries`);
    await sleep(1000);
  }
}

async function writeUntrained() {
  const core = await import('@dpmambair/core');
  const config = core.getConfig(NAME);
  const training = { status: 'untrained', note: 'initialised weights, not trained', init: `core randomParams(getConfig('${NAME}'), seed 1)` };
  if (existsSync(target.json)) {
    try {
      const old = JSON.parse(readFileSync(target.json, 'utf8'));
      const st = readFileSync(target.st);
      const [[, sha]] = Object.entries(old.files);
      if (old.training?.status === 'untrained' && sha === sha256(st) && JSON.stringify(old.config) === JSON.stringify(config)) {
        console.log('embed-weights: models/weights/small.json not found; keeping the initialised (UNTRAINED) model in weights/');
        return;
      }
    } catch {
      // rewrite below
    }
  }
  const bytes = core.serializeSafetensors(core.randomParams(config, 1), { format: 'pt' });
  install({ format: core.WEIGHTS_FORMAT, config, files: {}, training }, bytes);
  console.log('embed-weights: models/weights/small.json not found; wrote an initialised (UNTRAINED) model to weights/');
}

if (existsSync(source.json)) await copyTrained();
else await writeUntrained();

const bin = join(app, 'dist', 'bin.js');
if (existsSync(bin)) chmodSync(bin, 0o755);
