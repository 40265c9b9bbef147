// `dpmambair info` runs this in a child process: it imports every backend package and checks each
// device in turn, printing one JSON DeviceStatus per line. A child can be killed outright when a
// backend takes minutes to start (or never returns); an in-process check could not be stopped.
import { DEVICE_NAMES, DeviceUnavailableError, resolveDevice, type Device, type DeviceStatus } from '@dpmambair/core';
import { importFailure, loadBackends } from './devices.js';

const args = process.argv.slice(2).filter((a): a is Device => (DEVICE_NAMES as string[]).includes(a));
await loadBackends('all');
for (const device of args.length ? args : DEVICE_NAMES) {
  let status: DeviceStatus;
  const failed = importFailure(device);
  if (failed) {
    status = { device, available: false, reason: failed };
  } else {
    try {
      const { backend } = await resolveDevice(device);
      status = { device, available: true, backend: backend.name };
    } catch (e) {
      status = { device, available: false, reason: e instanceof DeviceUnavailableError ? e.reasons.join('; ') : (e as Error).message };
    }
  }
  process.stdout.write(`${JSON.stringify(status)}\n`);
}
process.exit(0);
