import { DEVICES, DEVICE_NAMES, type Device, type DeviceRequest } from '@dpmambair/core';

/** The backend packages, each registering its devices with core when imported. */
export const BACKEND_PACKAGES = [...new Set(DEVICE_NAMES.map((d) => DEVICES[d].package))];

/** Import failures, by package. */
const failures = new Map<string, string>();
const attempted = new Set<string>();

async function importBackend(pkg: string): Promise<void> {
  if (attempted.has(pkg)) return;
  attempted.add(pkg);
  try {
    // A variable specifier: optional packages need not be installed (or built) at compile time.
    const specifier: string = pkg;
    await import(specifier);
  } catch (e) {
    const first = ((e as Error).message ?? String(e)).split('\n')[0];
    failures.set(pkg, `${pkg} could not be loaded (${first})`);
  }
}

/**
 * Imports the backend packages a request needs: the requested device's package; for 'auto' the
 * default onnxruntime-node package; for 'all' (info) every one.
 */
export async function loadBackends(request: DeviceRequest | 'all'): Promise<void> {
  const pkgs = request === 'all' ? BACKEND_PACKAGES : request === 'auto' ? [DEVICES.cpu.package] : [DEVICES[request].package];
  for (const pkg of pkgs) await importBackend(pkg);
}

/** Why a device cannot be used because its package failed to import, if it did. */
export function importFailure(device: Device): string | undefined {
  return failures.get(DEVICES[device].package);
}
