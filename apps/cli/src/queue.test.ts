// Restoring on many machines, end to end: a real redis-server, real `dpmambair worker`
// processes (the shipped small model, one thread each), `dpmambair restore --redis`, and the
// local CLI's output as the reference.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { startRedisServer, type RedisServer } from '../../../packages/queue/src/testing.js';
import { BIN, readPixels, runCli, SAMPLES, tempDir, writeIdentityModel } from './testing.js';

interface WorkerProcess {
  child: ChildProcess;
  log: () => string;
  /** Resolves once the worker's log matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function startWorker(redis: string, extra: string[] = []): WorkerProcess {
  const child = spawn(process.execPath, [BIN, 'worker', '--redis', redis, '--threads', '1', ...extra], {
    // A short lock: a killed worker's job is taken over within seconds, not 30.
    env: { ...process.env, DPMAMBAIR_QUEUE_LOCK_MS: '3000' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    log += d;
    for (const w of waiters.splice(0)) (w.pattern.test(log) ? w.resolve() : waiters.push(w));
  });
  return {
    child,
    log: () => log,
    waitFor(pattern, timeoutMs = 60_000) {
      if (pattern.test(log)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker log never matched ${pattern}:\n${log}`)), timeoutMs);
        waiters.push({ pattern, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

/** Pids of a process's children (Linux /proc), e.g. a worker's sandboxed restorers. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => {
    try {
      return Number(readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]) === pid;
    } catch {
      return false;
    }
  });
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** `count` crops of the noisy sample photograph, 64 to 96 px a side, as PNGs. */
async function crops(dir: string, count: number, prefix = 'crop'): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const width = 64 + ((i * 8) % 40);
    const height = 96 - ((i * 8) % 40);
    const path = join(dir, `${prefix}-${String(i).padStart(2, '0')}.png`);
    await sharp(join(SAMPLES, 'noisy-astronaut.png')).extract({ left: (i * 53) % 400, top: (i * 31) % 400, width, height }).png().toFile(path);
    paths.push(path);
  }
  return paths;
}

const jsonLines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

/** Largest difference between two images' samples, in 1/255 steps. */
async function maxDifference(a: string, b: string): Promise<number> {
  const [pa, pb] = [await readPixels(a), await readPixels(b)];
  assert.deepEqual([pa.width, pa.height, pa.channels], [pb.width, pb.height, pb.channels]);
  let max = 0;
  for (let i = 0; i < pa.data.length; i++) max = Math.max(max, Math.abs(pa.data[i] - pb.data[i]));
  return max;
}

describe('queue usage errors (exit 2)', () => {
  test('a bad or missing --redis URL, --queue without --redis', async () => {
    for (const [args, pattern] of [
      [['worker'], /worker: missing --redis <url>/],
      [['worker', '--redis', '127.0.0.1:6379'], /--redis must be a redis:\/\/ or rediss:\/\/ URL/],
      [['restore', 'a.png', '-o', 'out/', '--redis', 'http://x'], /--redis must be a redis:\/\/ or rediss:\/\/ URL/],
      [['restore', 'a.png', '-o', 'out/', '--queue', 'q'], /--queue needs --redis/],
      [['restore', 'a.png', '-o', 'out/', '--shared-storage'], /--shared-storage needs --redis/],
      [['worker', '--redis', 'redis://x', '--concurrency', '0'], /--concurrency must be between 1 and 256/],
    ] as const) {
      const r = await runCli([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    }
  });

  test('an unreachable Redis: exit 3, nothing written', async () => {
    const dir = tempDir();
    const [input] = await crops(dir, 1);
    const r = await runCli(['restore', input, '-o', join(dir, 'out') + '/', '--redis', 'redis://127.0.0.1:1', '--json']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /error: cannot reach Redis at 127\.0\.0\.1:1: .*ECONNREFUSED/);
    const [line] = jsonLines(r.stdout); // as a local run whose model cannot load: still one line per input
    assert.deepEqual([line.input, line.ok], [input, false]);
    assert.match(line.error, /^not restored: cannot reach Redis/);
  });
});

describe('restore --redis with dpmambair worker processes', { timeout: 300_000 }, () => {
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];

  before(async () => {
    redis = await startRedisServer();
    for (let i = 0; i < 2; i++) workers.push(startWorker(redis.url));
    await Promise.all(workers.map((w) => w.waitFor(/ready: queue 'dpmambair'/)));
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
  });

  test('30 images on 2 workers, one killed with SIGKILL mid-job: every output present, whole, and equal to a local run', async () => {
    const dir = tempDir();
    const inputs = await crops(dir, 30);
    const out = join(dir, 'queued');
    const victim = workers[0];
    let killed: number[] = [];
    const run = runCli(['restore', ...inputs, '-o', out, '--redis', redis.url, '--json'], { timeoutMs: 240_000 });
    // Once it has restored two images it is on its third: kill it and its restoring process.
    await victim.waitFor(/restored [^\n]*\n[^\n]*restored /);
    killed = [victim.child.pid!, ...childrenOf(victim.child.pid!)];
    assert.ok(killed.length >= 2, 'the worker restores in a child process');
    victim.child.kill('SIGKILL');
    const r = await run;
    assert.equal(r.code, 0, r.stderr);

    const results = jsonLines(r.stdout);
    assert.deepEqual(results.map((x) => x.input), inputs, 'one result per input, in input order');
    assert.ok(results.every((x) => x.ok && x.device === 'cpu'));
    assert.deepEqual(readdirSync(out).sort(), inputs.map((p) => p.slice(dir.length + 1)).sort(), 'no duplicate, no temporary file');
    // The surviving worker restored what the killed one had not finished.
    const restoredBy = workers.map((w) => (w.log().match(/restored /g) ?? []).length);
    assert.ok(restoredBy[0] >= 2 && restoredBy[1] >= 30 - restoredBy[0], `restored per worker: ${restoredBy}`);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(killed.filter(alive), [], 'the killed worker left no restoring process behind');

    const local = join(dir, 'local');
    const l = await runCli(['restore', ...inputs, '-o', local, '--device', 'cpu', '--quiet']);
    assert.equal(l.code, 0, l.stderr);
    for (const input of inputs) {
      const name = input.slice(dir.length + 1);
      assert.ok((await maxDifference(join(out, name), join(local, name))) <= 1, name);
    }
    workers.shift(); // the victim
  });

  test('Ctrl-C stops the batch and leaves no job waiting; the re-run collects what finished meanwhile and restores each image once', async () => {
    const dir = tempDir();
    const inputs = await crops(dir, 10, 'stop');
    const out = join(dir, 'out');
    const args = ['restore', ...inputs, '-o', out, '--redis', redis.url];
    let sent = false;
    const first = await runCli(args, {
      timeoutMs: 120_000,
      onStderr: (text, child) => {
        // Progress lines (stderr is not a TTY): one 'input -> output' per result written.
        if (!sent && (text.match(/ -> /g) ?? []).length >= 2) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    assert.equal(first.code, 130, `${first.signal} ${first.stderr}`);
    const written = readdirSync(out).filter((f) => f.endsWith('.png'));
    assert.ok(written.length >= 1 && written.length < 10, `written before Ctrl-C: ${written}`);
    assert.deepEqual(readdirSync(out).filter((f) => !f.endsWith('.png')), [], 'no temporary files');
    const port = String(new URL(redis.url).port);
    assert.equal(execFileSync('redis-cli', ['-p', port, 'llen', 'bull:dpmambair:wait'], { encoding: 'utf8' }).trim(), '0', 'no job left waiting');
    await new Promise((r) => setTimeout(r, 2000)); // the job that was running finishes, uncollected

    const again = await runCli([...args, '--json'], { timeoutMs: 120_000 });
    const results = jsonLines(again.stdout);
    assert.equal(again.code, 1, again.stderr); // as a local re-run: the outputs already written are refused
    for (const r of results) assert.ok(r.ok || /already exists/.test(r.error), JSON.stringify(r));
    assert.equal(results.filter((r) => r.ok).length, 10 - written.length);
    assert.equal(readdirSync(out).length, 10);
    for (const input of inputs) {
      const name = input.slice(dir.length + 1);
      const times = workers.reduce((n, w) => n + w.log().split(`restored ${input} `).length - 1, 0);
      assert.equal(times, 1, `${name} restored once over both runs`);
    }
  });

  test('a corrupt image in the batch: reported as failed (not retried), the others restored, exit 1', async () => {
    const dir = tempDir();
    const inputs = await crops(dir, 3, 'good');
    const png = readFileSync(inputs[0]);
    const corrupt = join(dir, 'truncated.png');
    writeFileSync(corrupt, png.subarray(0, Math.floor(png.length * 0.6))); // the header passes, the pixels do not
    const out = join(dir, 'out');
    const r = await runCli(['restore', inputs[0], corrupt, inputs[1], inputs[2], '-o', out, '--redis', redis.url, '--json'], { timeoutMs: 120_000 });
    assert.equal(r.code, 1, r.stderr);
    const results = jsonLines(r.stdout);
    assert.deepEqual(results.map((x) => [x.input, x.ok]), [[inputs[0], true], [corrupt, false], [inputs[1], true], [inputs[2], true]]);
    assert.match(results[1].error, /^bad image: cannot decode/);
    assert.match(r.stderr, /truncated\.png: bad image: cannot decode/);
    assert.ok(!existsSync(join(out, 'truncated.png')));
    assert.equal((workers[0].log().match(/failed .*truncated\.png/g) ?? []).length, 1, 'tried once');
  });

  test('--strength and --format travel with the batch: the same output as a local run', async () => {
    const dir = tempDir();
    const inputs = await crops(dir, 2, 'half');
    const options = ['--strength', '0.5', '--format', 'webp', '--quality', '80'];
    const queued = await runCli(['restore', ...inputs, '-o', join(dir, 'queued'), '--redis', redis.url, ...options]);
    assert.equal(queued.code, 0, queued.stderr);
    const local = await runCli(['restore', ...inputs, '-o', join(dir, 'local'), '--device', 'cpu', ...options]);
    assert.equal(local.code, 0, local.stderr);
    for (const name of ['half-00.webp', 'half-01.webp']) {
      assert.equal((await sharp(join(dir, 'queued', name)).metadata()).format, 'webp');
      assert.ok((await maxDifference(join(dir, 'queued', name), join(dir, 'local', name))) <= 1, name);
    }
  });

  test('on a terminal: one redrawn status line for the batch across all workers, and a line per output', async () => {
    const dir = tempDir();
    const inputs = await crops(dir, 3, 'tty');
    // script(1) (util-linux, in every Debian) runs the command on a pseudo-terminal.
    const command = [process.execPath, BIN, 'restore', ...inputs, '-o', join(dir, 'out'), '--redis', redis.url].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let terminal = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (terminal += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0, terminal);
    assert.match(terminal, /\r\x1b\[K\[[0-3]\/3\] [01] restoring on the workers, [0-3] waiting/);
    assert.match(terminal, /tty-02\.png -> \S+tty-02\.png +\d+x\d+ +\d+ ms +cpu on \S+:\d+/);
  });

  test('Redis restarted (all its data lost) in the middle of a batch: the batch completes', async () => {
    const dir = tempDir();
    const inputs = await crops(dir, 12, 'restart');
    const out = join(dir, 'out');
    let restarted: Promise<void> | undefined;
    const r = await runCli(['restore', ...inputs, '-o', out, '--redis', redis.url], {
      timeoutMs: 180_000,
      onStderr: (text) => {
        if (!restarted && / -> /.test(text)) restarted = redis.restart();
      },
    });
    assert.ok(restarted, 'restarted after the first result');
    await restarted;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), inputs.map((p) => p.slice(dir.length + 1)).sort());
    for (const input of inputs) assert.equal((await readPixels(join(out, input.slice(dir.length + 1)))).channels, 3);
  });

  test('SIGTERM on a worker: it finishes the job it is running, takes no new one, and exits 0', async () => {
    const dir = tempDir();
    const inputs = await crops(dir, 8, 'term');
    const leaving = startWorker(redis.url);
    workers.push(leaving);
    await leaving.waitFor(/ready:/);
    const run = runCli(['restore', ...inputs, '-o', join(dir, 'out'), '--redis', redis.url], { timeoutMs: 120_000 });
    await leaving.waitFor(/restored .*term-/);
    leaving.child.kill('SIGTERM');
    const exit = await new Promise<number | null>((resolve) => leaving.child.once('exit', resolve));
    assert.equal(exit, 0, leaving.log());
    const [, after] = leaving.log().split(/SIGTERM: finishing the running jobs/);
    assert.ok(after !== undefined && /stopped\n$/.test(after), leaving.log());
    assert.ok((after.match(/restored /g) ?? []).length <= 1, 'at most the job it was running');
    const r = await run;
    assert.equal(r.code, 0, r.stderr); // the other worker restored the rest
    assert.equal(readdirSync(join(dir, 'out')).length, 8);
  });

  test('an input over the queue\'s size limit (32 MiB) is refused by the submitter; the others are restored', async () => {
    const dir = tempDir();
    const [small, base] = await crops(dir, 2, 'size');
    const big = join(dir, 'big.png');
    writeFileSync(big, Buffer.concat([readFileSync(base), Buffer.alloc(33 * 2 ** 20)])); // a valid PNG, then 33 MiB after its end
    const r = await runCli(['restore', small, big, '-o', join(dir, 'out'), '--redis', redis.url, '--json'], { timeoutMs: 60_000 });
    assert.equal(r.code, 1, r.stderr);
    const [ok, refused] = jsonLines(r.stdout);
    assert.equal(ok.ok, true);
    assert.match(refused.error, /^file is 33\.\d MiB, over the queue's limit of 32 MiB per image$/);
  });

  test('--shared-storage: jobs carry paths, so the size limit does not apply; outputs as a local run', async () => {
    const dir = tempDir();
    const [small, base] = await crops(dir, 2, 'shared');
    const big = join(dir, 'big.png');
    writeFileSync(big, Buffer.concat([readFileSync(base), Buffer.alloc(33 * 2 ** 20)])); // over the 32 MiB limit for bytes in jobs
    const r = await runCli(['restore', small, big, '-o', join(dir, 'out'), '--redis', redis.url, '--shared-storage', '--json'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(jsonLines(r.stdout).map((x) => x.ok), [true, true]);
    const local = await runCli(['restore', small, base, '-o', join(dir, 'local'), '--device', 'cpu', '--quiet']);
    assert.equal(local.code, 0, local.stderr);
    assert.ok((await maxDifference(join(dir, 'out', 'shared-00.png'), join(dir, 'local', 'shared-00.png'))) <= 1);
    assert.ok((await maxDifference(join(dir, 'out', 'big.png'), join(dir, 'local', 'shared-01.png'))) <= 1);
  });

  test('a worker with another model refuses the batch\'s jobs, saying which models', async () => {
    const dir = tempDir();
    const other = startWorker(redis.url, ['--queue', 'other-model', '--model', await writeIdentityModel(dir)]);
    try {
      await other.waitFor(/ready: queue 'other-model'/);
      const [input] = await crops(dir, 1);
      const r = await runCli(['restore', input, '-o', join(dir, 'out.png'), '--redis', redis.url, '--queue', 'other-model'], { timeoutMs: 60_000 });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /error: .*crop-00\.png: model mismatch: the batch asks for model sha256 [0-9a-f]{12}…, worker \S+ runs [0-9a-f]{12}… \(.*identity\.json\)/);
      assert.match(other.log(), /failed .*crop-00\.png: model mismatch/);
      assert.ok(!existsSync(join(dir, 'out.png')));
    } finally {
      await other.stop();
    }
  });
});
