/** The README's usage example, run as written (against the built package, as a user would import it). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { promisify } from 'node:util';

const root = new URL('../', import.meta.url);

test('README usage example runs and prints the restored shape', async () => {
  assert.ok(existsSync(new URL('dist/index.js', root)), 'build the package first (npm run build)');
  const readme = await readFile(new URL('README.md', root), 'utf8');
  const m = /<!-- example:start -->\s*```js\n([\s\S]*?)```\s*<!-- example:end -->/.exec(readme);
  assert.ok(m, 'README has an example block');
  const code = m[1];
  assert.ok(code.split('\n').filter((l) => l.trim()).length <= 14, 'the example stays short');
  const file = new URL(`readme-example.${process.pid}.tmp.mjs`, root);
  await writeFile(file, code);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [file.pathname], { cwd: root.pathname, timeout: 60_000 });
    assert.match(stdout, /restored \[ 1, 3, 32, 32 \] on tf-wasm/);
  } finally {
    await rm(file, { force: true });
  }
});
