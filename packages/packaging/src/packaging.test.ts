/**
 * What a user gets from npm: every public package packed as `npm publish` would, linted (publint,
 * arethetypeswrong), then installed from the tarballs into a fresh project outside the repository
 * (the way the READMEs say, offline apart from the npm registry) where the README examples run
 * verbatim: a real restore on the shipped weights, checked by PSNR, and the web example bundled
 * by Vite and by esbuild.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { build as esbuild } from 'esbuild';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import sharp from 'sharp';
import { build as vite } from 'vite';
import { packAll, publicWorkspaces, readmeBlock, REPO, tarFiles, type Workspace } from './pack.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'dpmambair-packaging-'));
const project = join(work, 'project');
const workspaces: Workspace[] = publicWorkspaces();
let tarballs = new Map<string, string>();

before(() => {
  mkdirSync(join(work, 'tarballs'));
  tarballs = packAll(workspaces, join(work, 'tarballs'));
});
after(() => rmSync(work, { recursive: true, force: true }));

test('the public packages are the ones users install', () => {
  assert.deepEqual(workspaces.map((w) => w.name), ['@dpmambair/backend-cuda', '@dpmambair/backend-tf', '@dpmambair/backend-webgpu', '@dpmambair/core', '@dpmambair/models', '@dpmambair/queue', '@dpmambair/scan-wasm', 'dpmambair']);
});

describe('each tarball', () => {
  for (const w of workspaces) {
    test(`${w.name}: README, LICENSE, metadata; no tests or testing code; source maps with their sources`, () => {
      const files = tarFiles(tarballs.get(w.name)!);
      const pkg = JSON.parse(files.get('package.json')!.toString()) as Record<string, unknown>;
      for (const f of ['README.md', 'LICENSE']) assert.ok(files.has(f), `${w.name} ships no ${f}`);
      for (const key of ['repository', 'homepage', 'engines', 'sideEffects', 'exports', 'license']) assert.ok(pkg[key] !== undefined, `${w.name}: no '${key}'`);
      assert.equal(pkg.type, 'module');
      assert.match(files.get('README.md')!.toString(), /ESM only/, `${w.name}: the README does not say it is ESM only`);
      const testing = [...files.keys()].filter((f) => /(^|\/)testing(\/|\.)|\.test\.|(^|\/)fixtures\//.test(f));
      assert.deepEqual(testing, [], `${w.name} ships testing code`);
      for (const [name, bytes] of files) {
        if (!name.endsWith('.map')) continue;
        const map = JSON.parse(bytes.toString()) as { sources: string[] };
        for (const s of map.sources) {
          const target = join(name, '..', s);
          assert.ok(files.has(target), `${w.name}: ${name} points at ${target}, which is not in the tarball`);
        }
      }
    });
  }
});

test('publint: no errors, warnings or suggestions', async () => {
  const problems: string[] = [];
  for (const w of workspaces) {
    const tarball = readFileSync(tarballs.get(w.name)!);
    const { messages, pkg } = await publint({ pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) as ArrayBuffer }, level: 'suggestion', strict: true });
    for (const m of messages) problems.push(`${w.name}: ${m.type}: ${formatMessage(m, pkg, { color: false })}`);
  }
  assert.deepEqual(problems, []);
});

test('arethetypeswrong: the types resolve for every entry point (ESM-only profile)', async () => {
  const attw = join(REPO, 'node_modules', '.bin', 'attw');
  const failures: string[] = [];
  for (const w of workspaces) {
    try {
      // --no-definitely-typed: our packages ship their types; without it attw would look @types up online.
      await run(attw, [tarballs.get(w.name)!, '--profile', 'esm-only', '--no-definitely-typed', '--format', 'ascii', '--no-emoji', '--no-color'], { encoding: 'utf8' });
    } catch (e) {
      failures.push(`${w.name}:\n${(e as { stdout?: string }).stdout ?? (e as Error).message}`);
    }
  }
  assert.deepEqual(failures, []);
});

describe('a fresh project with the tarballs installed', () => {
  before(async () => {
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'fresh', private: true, type: 'module' }, null, 2));
    // As the READMEs say: the CPU only, so no CUDA download from outside the npm registry.
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs.values(), 'sharp@^0.34.5'], {
      cwd: project,
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
      timeout: 240_000,
    });
    copyFileSync(join(REPO, 'samples', 'noisy-astronaut.png'), join(project, 'noisy.png'));
  });

  const psnrGain = async (restored: string) => {
    const clean = await sharp(join(REPO, 'samples', 'astronaut.png')).removeAlpha().raw().toBuffer();
    const psnr = async (file: string) => {
      const px = await sharp(join(project, file)).removeAlpha().raw().toBuffer();
      let se = 0;
      for (let i = 0; i < px.length; i++) se += (px[i] - clean[i]) ** 2;
      return 10 * Math.log10(255 ** 2 / (se / px.length));
    };
    return { input: await psnr('noisy.png'), output: await psnr(restored) };
  };

  test("the issue's one line restores with the default model on the best device here", async (t) => {
    const line = "import('dpmambair').then(m => m.restoreFile('noisy.png', 'clean.png'))";
    await run(process.execPath, ['-e', line], { cwd: project, timeout: 120_000 });
    const { input, output } = await psnrGain('clean.png');
    t.diagnostic(`PSNR against samples/astronaut.png: noisy ${input.toFixed(2)} dB, restored ${output.toFixed(2)} dB`);
    assert.ok(output > input + 3, `restored ${output.toFixed(2)} dB vs noisy ${input.toFixed(2)} dB`);
  });

  test("@dpmambair/core's README Node example, verbatim", async (t) => {
    writeFileSync(join(project, 'core-example.mjs'), readmeBlock(join(REPO, 'packages/core/README.md'), 'Node', 'js'));
    rmSync(join(project, 'clean.png'), { force: true });
    await run(process.execPath, ['core-example.mjs'], { cwd: project, timeout: 120_000 });
    const { input, output } = await psnrGain('clean.png');
    t.diagnostic(`PSNR: noisy ${input.toFixed(2)} dB, restored ${output.toFixed(2)} dB`);
    assert.ok(output > input + 3);
  });

  test("@dpmambair/backend-cuda's README example, verbatim", async (t) => {
    writeFileSync(join(project, 'cuda-example.mjs'), readmeBlock(join(REPO, 'packages/backend-cuda/README.md'), 'Use', 'js'));
    rmSync(join(project, 'clean.png'), { force: true });
    await run(process.execPath, ['cuda-example.mjs'], { cwd: project, timeout: 120_000 });
    const { input, output } = await psnrGain('clean.png');
    t.diagnostic(`PSNR: noisy ${input.toFixed(2)} dB, restored ${output.toFixed(2)} dB`);
    assert.ok(output > input + 3);
  });

  test("the CLI README's From Node example parses and its API exists", async () => {
    const block = readmeBlock(join(REPO, 'apps/cli/README.md'), 'From Node', 'js');
    const mod = (await import(join(project, 'node_modules', 'dpmambair', 'dist', 'index.js'))) as Record<string, unknown>;
    for (const name of block.match(/import \{([^}]*)\} from 'dpmambair'/)![1].split(',').map((s) => s.trim())) assert.equal(typeof mod[name], 'function', name);
    writeFileSync(join(project, 'cli-example.mjs'), block);
    await run(process.execPath, ['--check', 'cli-example.mjs'], { cwd: project });
  });

  test('`require()` of a package fails saying it is ESM only', async () => {
    const r = await run(process.execPath, ['-e', "try { require('@dpmambair/core') } catch (e) { console.log(e.code) }"], { cwd: project });
    assert.match(r.stdout, /ERR_PACKAGE_PATH_NOT_EXPORTED|ERR_REQUIRE_ESM/);
  });

  describe("@dpmambair/core's README Browser example, bundled", () => {
    before(() => {
      mkdirSync(join(project, 'web'));
      writeFileSync(join(project, 'web', 'main.js'), readmeBlock(join(REPO, 'packages/core/README.md'), 'Browser', 'js'));
      writeFileSync(join(project, 'web', 'index.html'), '<!doctype html><canvas width="64" height="64"></canvas><script type="module" src="./main.js"></script>\n');
    });

    test('by Vite: the weights come along as assets', async (t) => {
      await vite({ root: join(project, 'web'), logLevel: 'error', build: { outDir: join(project, 'web', 'dist-vite'), emptyOutDir: true } });
      const assets = readdirSync(join(project, 'web', 'dist-vite', 'assets'));
      const sizes = assets.map((f) => `${f} ${(statSync(join(project, 'web', 'dist-vite', 'assets', f)).size / 2 ** 20).toFixed(2)} MiB`);
      t.diagnostic(sizes.join('; '));
      for (const f of [/^small-.*\.safetensors$/, /^small\.probe-.*\.json$/]) assert.ok(assets.some((a) => f.test(a)), `no ${f} in ${assets}`);
      // The 1 KB manifest is small enough for Vite to inline as a data: URL, which fetch reads too.
      const js = assets.filter((a) => a.endsWith('.js')).map((a) => readFileSync(join(project, 'web', 'dist-vite', 'assets', a), 'utf8')).join('');
      assert.ok(assets.some((a) => /^small-.*\.json$/.test(a)) || js.includes('data:application/json;base64,'), 'the manifest is neither an asset nor inlined');
    });

    test('by esbuild: one browser bundle, no Node built-ins', async () => {
      const out = await esbuild({ entryPoints: [join(project, 'web', 'main.js')], bundle: true, format: 'esm', platform: 'browser', write: false, absWorkingDir: project, logLevel: 'silent' });
      const js = out.outputFiles[0].text;
      assert.ok(js.length > 100_000);
      assert.doesNotMatch(js, /from\s*["']node:/);
    });
  });
});

test('the tarballs were not left in the repository', () => {
  assert.ok(!existsSync(join(REPO, 'dpmambair-0.1.0.tgz')));
});
