#!/usr/bin/env node
// The `dpmambair` command. This file is committed (dist/ is built), so that npm can link the
// bin when it installs the package, also in this repository before anything is built.
const entry = new URL('../dist/bin.js', import.meta.url);
try {
  await import(entry.href);
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes(entry.pathname)) throw e;
  console.error('dpmambair: the CLI is not built (no dist/bin.js); in the repository run: npx turbo run build --filter=dpmambair...');
  process.exit(3);
}
