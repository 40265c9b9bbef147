import assert from 'node:assert/strict';
import { test } from 'node:test';
import { referenceBackend } from '../reference/backend.js';
import type { Backend } from './backend.js';
import { AUTO_ORDER, DEVICES, DeviceUnavailableError } from './devices.js';
import { listDevices, registerBackend, resolveDevice } from './registry.js';

// The reference interpreter (exact, slow) serving a device string, as a backend package would.
const referenceAsTfCpu: Backend = { ...referenceBackend, name: 'reference-on-tf-cpu', devices: ['tf-cpu'] };

test("'auto' tries devices in the order of the DEVICES table's ranks, fastest first", () => {
  assert.deepEqual(AUTO_ORDER, ['cuda', 'webgpu', 'cpu', 'wasm', 'tf-webgpu', 'tf-webgl', 'tf-wasm', 'tf-cpu']);
  assert.deepEqual([...AUTO_ORDER].sort(), Object.keys(DEVICES).sort());
});

test('a device with no backend is a DeviceUnavailableError naming the package to import', async () => {
  await assert.rejects(resolveDevice('wasm'), (e: unknown) => {
    assert.ok(e instanceof DeviceUnavailableError);
    assert.equal(e.device, 'wasm');
    assert.deepEqual(e.reasons, ['no backend is registered for it: import @dpmambair/backend-webgpu first (npm install it if it is missing)']);
    assert.equal(e.message, `device 'wasm' is not available: ${e.reasons[0]}`);
    return true;
  });
  await assert.rejects(resolveDevice('auto'), (e: unknown) => e instanceof DeviceUnavailableError && e.device === 'auto' && /^no device is available: no backend is registered/.test(e.message));
});

test('a backend registered with one copy of core is found by another copy (the registry is on globalThis)', async () => {
  registerBackend(referenceAsTfCpu);
  // A second instance of the registry module: what a second installed copy of core is to Node.
  const copy = (await import(`./registry.js?copy=${Date.now()}`)) as typeof import('./registry.js');
  assert.notEqual(copy.registerBackend, registerBackend);
  const resolved = await copy.resolveDevice('tf-cpu');
  assert.equal(resolved.backend, referenceAsTfCpu);
  assert.equal((await copy.resolveDevice('auto')).device, 'tf-cpu');
  assert.deepEqual((await copy.listDevices()).find((d) => d.device === 'tf-cpu'), { device: 'tf-cpu', available: true, reason: undefined, backend: 'reference-on-tf-cpu' });
  assert.equal((await listDevices()).filter((d) => d.available).length, 1);
});

test('registering the same backend twice is harmless; a different one under the same name is refused', () => {
  registerBackend(referenceAsTfCpu);
  assert.throws(() => registerBackend({ ...referenceAsTfCpu }), /a different backend named 'reference-on-tf-cpu' is already registered: two copies of its package are loaded \(@dpmambair\/backend-tf\); install one/);
});

test('a failing init is reported with the backend name; auto skips to the next device and says why', async () => {
  const noGpu: Backend = { ...referenceBackend, name: 'no-gpu-here', devices: ['webgpu'], init: async () => Promise.reject(new Error('no adapter')) };
  registerBackend(noGpu);
  await assert.rejects(resolveDevice('webgpu'), (e: unknown) => e instanceof DeviceUnavailableError && e.reasons.join() === 'no-gpu-here: no adapter');
  const auto = await resolveDevice('auto');
  assert.equal(auto.device, 'tf-cpu');
  assert.deepEqual(auto.warnings, ['auto: skipped webgpu (no-gpu-here: no adapter)']);
});
