#!/usr/bin/env node
// The `dpmambair` command. This file is committed (dist/ is built), so that npm can link the
// bin when it installs the package, also in this repository before anything is built.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/bin.js', import.meta.url);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
if (!existsSync(entry) && existsSync(new URL('../src/bin.ts', import.meta.url)) && existsSync(`${repo}turbo.json`)) {
  // A source checkout after `npm ci`: build the CLI and what it needs once (turbo caches it).
  console.error('dpmambair: first run in this checkout: building the CLI (npx turbo run build --filter=dpmambair...)');
  const built = spawnSync(`${repo}node_modules/.bin/turbo`, ['run', 'build', '--filter=dpmambair...', '--output-logs=errors-only'], { cwd: repo, stdio: ['ignore', 2, 2] });
  if (built.status !== 0) process.exit(3);
}
try {
  await import(entry.href);
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes(fileURLToPath(entry))) throw e;
  console.error('dpmambair: the CLI is not built (no dist/bin.js); in the repository run: npx turbo run build --filter=dpmambair...');
  process.exit(3);
}
