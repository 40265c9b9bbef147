// `dpmambair info`, --help/--version, and Ctrl-C.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DEVICE_NAMES } from '@dpmambair/core';
import { runCli, SAMPLES, tempDir } from './testing.js';

describe('info', () => {
  test('--json: every device with availability and reason, the model, its cost and training, versions', async () => {
    const r = await runCli(['info', '--json'], { env: { DPMAMBAIR_PROBE_TIMEOUT_MS: '4000' } });
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.deepEqual(info.devices.map((d: { device: string }) => d.device), DEVICE_NAMES);
    const byName = Object.fromEntries(info.devices.map((d: { device: string }) => [d.device, d]));
    assert.equal(byName.cpu.available, true);
    assert.equal(byName.cpu.backend, 'onnxruntime-node');
    assert.equal(byName.cuda.available, false); // no GPU on the test machine
    assert.match(byName.cuda.reason, /cuda/i);
    for (const d of info.devices) assert.ok(d.available || (typeof d.reason === 'string' && d.reason.length > 0), `${d.device} says why not`);

    const m = info.model;
    assert.equal(m.embedded, true);
    assert.equal(m.config.name, 'small');
    assert.ok(m.parameters.total > 1e6 && m.parameters.total === m.parameters.extractor + m.parameters.restorer);
    assert.equal(m.cost.at256.size, '256x256');
    assert.ok(m.cost.at256.gflops > 1 && m.cost.at256.scanElements > 0);
    assert.ok(m.cost.perMegapixel.gflops > 10 * m.cost.at256.gflops);
    assert.equal(typeof m.training, 'object');
    assert.equal(m.untrained, m.training.status === 'untrained');
    for (const k of ['dpmambair', '@dpmambair/core', 'onnxruntime-node', 'sharp', 'node']) assert.equal(typeof info.versions[k], 'string', k);
  });

  test('human-readable: the embedded model\'s training record, each stage-2 pass as its own block', async () => {
    const r = await runCli(['info'], { env: { DPMAMBAIR_PROBE_TIMEOUT_MS: '4000' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {4}iterations: stage1 \d+, stage2 \d+$/m);
    assert.match(r.stdout, /^ {4}stage2_passes 1:\n {6}iterations: \d+\n {6}minutes: [\d.]+\n {6}recipe: .*type weights uniform/m);
    assert.match(r.stdout, /^ {4}stage2_passes 2:\n {6}iterations: \d+\n {6}minutes: [\d.]+\n {6}recipe: .*type weights blur:/m);
  });

  test('human-readable, and exit 3 with a model that cannot be loaded (devices still listed)', async () => {
    const r = await runCli(['info', '--model', '/nonexistent.json'], { env: { DPMAMBAIR_PROBE_TIMEOUT_MS: '4000' } });
    assert.equal(r.code, 3);
    assert.match(r.stdout, /^Devices:\n {2}cuda +no +/m);
    assert.match(r.stdout, /^ {2}cpu +yes +onnxruntime-node$/m);
    assert.match(r.stdout, /Model: cannot read model \/nonexistent\.json/);
  });
});

describe('help and version', () => {
  test('--help documents the exit codes', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    for (const line of [/0 +every input restored/, /1 +one or more inputs failed/, /2 +usage error/, /3 +the model or the device could not be loaded/, /130 +interrupted/]) assert.match(r.stdout, line);
    assert.match((await runCli(['restore', '--help'])).stdout, /--max-pixels/);
  });

  test('--version', async () => {
    const r = await runCli(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});

describe('Ctrl-C', () => {
  test('SIGINT while restoring: exit 130, no output, no temporary files', async () => {
    const dir = tempDir();
    const out = join(dir, 'restored.png');
    let sent = false;
    const r = await runCli(['restore', join(SAMPLES, 'noisy-astronaut.png'), '-o', out, '--device', 'cpu', '--tile', '64', '--overlap', '8'], {
      onStderr: (text, child) => {
        // Plain-line progress (stderr is not a TTY here): interrupt once the file has started.
        if (!sent && text.includes('[1/1]')) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 300);
        }
      },
    });
    assert.ok(sent, r.stderr);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted/);
    assert.ok(!existsSync(out));
    assert.deepEqual(readdirSync(dir), []);
  });
});
