// What a restore may replace, how it ends on signals and closed pipes, and failures found out
// early and named for what they are (issue 14). The real binary, real files, the identity model.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { NOBODY, runCli, tempDir, testPattern, writeIdentityModel, writePng } from './testing.js';
import { NAME_MAX, tempPathFor } from './safety.js';
import { parseCommandLine, type RestoreArgs } from './args.js';
import { runRestore } from './commands/restore.js';
import { Progress } from './progress.js';

let model: string;
let input: string;
before(async () => {
  const dir = tempDir();
  chmodSync(dir, 0o755); // readable by the unprivileged user some tests run as
  model = await writeIdentityModel(dir);
  input = join(dir, 'photo.png');
  await writePng(input, 64, 48, 3, testPattern(64, 48, 3));
});

const restore = (inputs: string[], output: string, ...extra: string[]) =>
  runCli(['restore', ...inputs, '-o', output, '--model', model, '--device', 'cpu', ...extra]);

const temps = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('--force replaces regular files and symbolic links only', () => {
  const special: [string, (path: string) => Promise<void> | void, RegExp][] = [
    ['a character device (a copy of /dev/null)', (p) => void execFileSync('mknod', [p, 'c', '1', '3']), /is a character device; refused/],
    ['a FIFO', (p) => void execFileSync('mkfifo', [p]), /is a FIFO \(named pipe\); refused/],
    ['a socket', (p) => new Promise<void>((ok) => createServer().listen(p, () => ok()).unref()), /is a socket; refused/],
    ['a directory', (p) => mkdirSync(p), /is a directory; refused/],
  ];
  for (const [what, make, message] of special) {
    test(`${what} is never replaced, --force or not`, async () => {
      const dir = tempDir();
      const out = join(dir, 'photo.png'); // the name the input gets in the output directory
      await make(out);
      const kind = lstatSync(out);
      for (const force of [['--force'], []]) {
        const r = await restore([input], `${dir}/`, ...force);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, message);
        assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
        const now = lstatSync(out);
        assert.deepEqual([now.ino, now.mode, now.rdev], [kind.ino, kind.mode, kind.rdev], 'left as it was');
      }
      assert.deepEqual(temps(dir), []);
    });
  }

  test('a symbolic link is replaced as a link: its target is left untouched', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'target.png'), 'keep me');
    symlinkSync('target.png', join(dir, 'link.png'));
    const r = await restore([input], join(dir, 'link.png'), '--force');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(dir, 'target.png'), 'utf8'), 'keep me');
    assert.ok(lstatSync(join(dir, 'link.png')).isFile(), 'the link became the restored file');
  });

  test('a symbolic link to a device is replaced as a link, the device untouched', async () => {
    const dir = tempDir();
    execFileSync('mknod', [join(dir, 'null'), 'c', '1', '3']);
    symlinkSync(join(dir, 'null'), join(dir, 'out.png'));
    const r = await restore([input], join(dir, 'out.png'), '--force');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(statSync(join(dir, 'null')).isCharacterDevice());
    assert.ok(lstatSync(join(dir, 'out.png')).isFile());
  });
});

describe('signals and closed pipes', () => {
  /** Starts a slow restore (many small tiles) and sends `signal` once the file has started. */
  async function stopWith(signal: NodeJS.Signals) {
    const dir = tempDir();
    const big = join(dir, 'big.png');
    await writePng(big, 512, 384, 3, testPattern(512, 384, 3));
    const out = join(dir, 'restored.png');
    let sent = false;
    const r = await runCli(['restore', big, '-o', out, '--model', model, '--device', 'cpu', '--tile', '32', '--overlap', '8'], {
      onStderr: (text, child) => {
        if (!sent && text.includes('[1/1]')) {
          sent = true;
          setTimeout(() => child.kill(signal), 300);
        }
      },
    });
    assert.ok(sent, r.stderr);
    assert.ok(!existsSync(out), 'no output');
    assert.deepEqual(readdirSync(dir), ['big.png'], 'no temporary files');
    return r;
  }

  test('SIGTERM: exit 143, partial outputs removed', async () => {
    const r = await stopWith('SIGTERM');
    assert.equal(r.code, 143, r.stderr);
    assert.match(r.stderr, /terminated \(SIGTERM\); partial outputs removed/);
  });

  test('SIGHUP: exit 129, partial outputs removed', async () => {
    const r = await stopWith('SIGHUP');
    assert.equal(r.code, 129, r.stderr);
    assert.match(r.stderr, /hung up \(SIGHUP\); partial outputs removed/);
  });

  async function batch(count: number) {
    const dir = tempDir();
    const inputs = [];
    for (let i = 0; i < count; i++) {
      inputs.push(join(dir, `in${i}.png`));
      await writePng(inputs[i], 160, 120, 3, testPattern(160, 120, 3));
    }
    return { dir, inputs, out: join(dir, 'out') };
  }

  test('stdout closed after the first --json line (| head -n1): quiet, exit 141, no temporary files', async () => {
    const { inputs, out } = await batch(4);
    const r = await runCli(['restore', ...inputs, '-o', out, '--model', model, '--device', 'cpu', '--json', '--tile', '64', '--overlap', '8'], {
      onStdout: (text, child) => {
        if (text.includes('\n')) child.stdout?.destroy();
      },
    });
    assert.equal(r.code, 141, r.stderr);
    assert.equal(r.stderr, '', 'no stack, no message');
    assert.deepEqual(temps(out), []);
    assert.ok(readdirSync(out).length < 4, 'stopped early');
  });

  test('stderr closed: the run stops quietly as well', async () => {
    const { inputs, out } = await batch(3);
    const r = await runCli(['restore', ...inputs, '-o', out, '--model', model, '--device', 'cpu', '--tile', '64', '--overlap', '8'], {
      onStderr: (text, child) => {
        if (text.includes('[1/3]')) child.stderr?.destroy();
      },
    });
    assert.equal(r.code, 141);
    assert.deepEqual(temps(out), []);
  });

  test('a signal that arrives during the last write still ends the run as interrupted (not exit 0)', async () => {
    const out = join(tempDir(), 'out.png');
    const controller = new AbortController();
    // The signal lands once the last output is written, before the run returns.
    class SignalAfterWrite extends Progress {
      override done(): void {
        controller.abort(new DOMException('interrupted', 'AbortError'));
      }
    }
    const args = parseCommandLine(['restore', input, '-o', out, '--model', model, '--device', 'cpu']) as RestoreArgs;
    await assert.rejects(runRestore(args, { signal: controller.signal, progress: new SignalAfterWrite('silent'), report: () => {} }), { name: 'AbortError' });
    assert.ok(existsSync(out), 'the output written before the signal is complete and kept');
  });

  test('a temporary file left by a killed run is removed by the next run; a live one is kept', async () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // a process that has exited
    const stale = join(dir, `.out.png.dpmambair-${dead}-0badf00d.tmp`);
    const live = join(dir, `.out.png.dpmambair-${process.pid}-0badf00d.tmp`);
    const foreign = join(dir, '.out.png.12345.tmp');
    for (const f of [stale, live, foreign]) writeFileSync(f, 'partial');
    const r = await restore([input], join(dir, 'out.png'));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(stale), 'stale temp removed');
    assert.match(r.stderr, /removed .*0badf00d\.tmp, left by an earlier run that was killed/);
    assert.ok(existsSync(live), "a running process's temp is kept");
    assert.ok(existsSync(foreign), 'files not named by us are kept');
  });
});

describe('names, order and early, precise failures', () => {
  test('a 244-character output name works (temporary names stay within 255 bytes)', async () => {
    const dir = tempDir();
    const name = `${'n'.repeat(240)}.png`;
    const r = await restore([input], join(dir, name));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(dir, name)));
    for (const stem of ['a'.repeat(255), 'é'.repeat(127), '写'.repeat(85)]) {
      const temp = tempPathFor(join(dir, stem));
      assert.ok(Buffer.byteLength(temp.slice(dir.length + 1)) <= NAME_MAX, stem);
      assert.doesNotMatch(temp, /\uFFFD/, 'no character cut in half');
    }
  });

  test('--json lines come in input order, refused inputs included', async () => {
    const dir = tempDir();
    const inputs = [join(dir, 'a.png'), join(dir, 'b.png'), join(dir, 'bad.png'), join(dir, 'c.png')];
    for (const f of [inputs[0], inputs[1], inputs[3]]) await writePng(f, 48, 40, 3, testPattern(48, 40, 3));
    writeFileSync(inputs[2], 'not an image');
    const r = await restore(inputs, join(dir, 'out'), '--json');
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => [l.input, l.ok]), [[inputs[0], true], [inputs[1], true], [inputs[2], false], [inputs[3], true]]);
  });

  test('a model that cannot load: still one --json line per input, exit 3', async () => {
    const dir = tempDir();
    const second = join(dir, 'second.png');
    writeFileSync(second, readFileSync(input));
    const r = await runCli(['restore', input, join(dir, 'missing.png'), second, '-o', join(dir, 'out'), '--model', join(dir, 'nope.json'), '--json']);
    assert.equal(r.code, 3, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    assert.deepEqual(lines.map((l) => l.ok), [false, false, false]);
    assert.match(lines[0].error, /not restored: cannot read model .*nope\.json: no such file/);
    assert.equal(lines[1].error, 'no such file');
  });

  test('an output directory under a file is refused before the model loads, saying so', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), '');
    // A model that does not exist: refusing first proves the check ran before loading.
    const r = await runCli(['restore', input, '-o', join(dir, 'file', 'sub', 'out.png'), '--model', join(dir, 'nope.json')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cannot create output directory .*file\/sub: .*file is not a directory/);
  });

  test('as an unprivileged user: an unwritable output directory and an unreadable input, each named for what it is', { skip: process.getuid?.() !== 0 && 'needs root to switch users' }, async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    const r1 = await runCli(['restore', input, '-o', join(locked, 'out.png'), '--model', join(dir, 'nope.json')], { user: NOBODY });
    assert.equal(r1.code, 1, r1.stderr);
    assert.match(r1.stderr, /output directory .*locked is not writable \(permission denied\)/);
    const r2 = await runCli(['restore', input, '-o', join(locked, 'sub', 'out.png'), '--model', join(dir, 'nope.json')], { user: NOBODY });
    assert.match(r2.stderr, /cannot create output directory .*locked\/sub: .*locked is not writable \(permission denied\)/);

    const secret = join(dir, 'secret.png');
    writeFileSync(secret, readFileSync(input), { mode: 0o600 });
    const r3 = await runCli(['restore', secret, '-o', join(tempDir(), 'o.png')], { user: NOBODY });
    assert.equal(r3.code, 1, r3.stderr);
    assert.match(r3.stderr, /secret\.png: cannot read: permission denied/);
  });

  test('a read-only file system is found out before the model loads', async (t) => {
    // A read-only tmpfs in a private mount namespace (unprivileged user namespaces allowed).
    const dir = tempDir();
    const script = `mount -t tmpfs -o ro tmpfs ${dir} && "$@"`;
    const probe = spawnSync('unshare', ['-rm', 'sh', '-c', script, 'sh', 'true']);
    if (probe.status !== 0) return t.skip('no mount namespaces here');
    const cli = spawnSync('unshare', ['-rm', 'sh', '-c', script, 'sh', process.execPath, join(import.meta.dirname, '..', 'dist', 'bin.js'),
      'restore', input, '-o', join(dir, 'out.png'), '--model', join(dir, 'nope.json')], { encoding: 'utf8' });
    assert.equal(cli.status, 1, cli.stderr);
    assert.match(cli.stderr, /output directory .* is not writable \(read-only file system\)/);
  });

  test('a model manifest past the config bounds is refused in well under a second (exit 3)', async () => {
    const dir = tempDir();
    const manifest = JSON.parse(readFileSync(model, 'utf8'));
    manifest.config.blocks = [200000, 1, 1, 1];
    writeFileSync(join(dir, 'huge.json'), JSON.stringify(manifest));
    const r = await runCli(['restore', input, '-o', join(dir, 'o.png'), '--model', join(dir, 'huge.json')]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /field 'blocks\[0\]' must be at most 64 \(got 200000\)/);
    assert.ok(r.maxRssBytes! < 500 * 2 ** 20, `peak RSS ${r.maxRssBytes}`);
  });

  test('--max-pixels 1k: the limit in pixels, not "0.00 MP"', async () => {
    const r = await restore([input], join(tempDir(), 'o.png'), '--max-pixels', '1k');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /64x48 \(3072 pixels\), over the limit of 1000 pixels/);
  });
});
