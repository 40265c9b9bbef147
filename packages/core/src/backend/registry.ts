import { openModelSession, type Backend, type ModelSession, type PreparedModel } from './backend.js';
import { AUTO_ORDER, DEVICES, DeviceUnavailableError, type Device, type DeviceRequest } from './devices.js';

/**
 * The registry lives on globalThis under a Symbol.for key: when an app ends up with two copies of
 * core (a global CLI and a local backend, or a bundle and a package), a backend that registers
 * with one copy is still found by the other. The version in the key changes only if the shape does.
 */
const REGISTRY_KEY = Symbol.for('@dpmambair/core backend registry v1');
type Registry = Map<Device, Backend[]>;
const host = globalThis as typeof globalThis & { [REGISTRY_KEY]?: Registry };
const registry: Registry = (host[REGISTRY_KEY] ??= new Map());

/**
 * Registers a backend for its devices. Registering the same backend again does nothing; a
 * different backend under a name already registered is refused (two copies of one backend
 * package would otherwise serve devices side by side, each with its own runtime).
 */
export function registerBackend(backend: Backend): void {
  for (const list of registry.values()) {
    const same = list.find((b) => b.name === backend.name);
    if (same && same !== backend) {
      throw new Error(`a different backend named '${backend.name}' is already registered: two copies of its package are loaded (${[...new Set(backend.devices.map((d) => DEVICES[d].package))].join(', ')}); install one`);
    }
  }
  for (const device of backend.devices) {
    const list = registry.get(device) ?? [];
    if (!list.includes(backend)) list.push(backend);
    registry.set(device, list);
  }
}

export interface DeviceStatus {
  device: Device;
  available: boolean;
  /** Why it is not available (not installed, no GPU, ...). */
  reason?: string;
  backend?: string;
}

async function tryInit(device: Device): Promise<{ backend?: Backend; reasons: string[] }> {
  const list = registry.get(device);
  if (!list?.length) return { reasons: [`no backend is registered for it: import ${DEVICES[device].package} first (npm install it if it is missing)`] };
  const reasons: string[] = [];
  for (const backend of list) {
    try {
      await backend.init(device);
      return { backend, reasons };
    } catch (e) {
      reasons.push(`${backend.name}: ${(e as Error).message}`);
    }
  }
  return { reasons };
}

/** Availability of every device here, with reasons. */
export async function listDevices(): Promise<DeviceStatus[]> {
  const out: DeviceStatus[] = [];
  for (const device of Object.keys(DEVICES) as Device[]) {
    const { backend, reasons } = await tryInit(device);
    out.push({ device, available: !!backend, reason: backend ? undefined : reasons.join('; '), backend: backend?.name });
  }
  return out;
}

export interface Resolved {
  device: Device;
  backend: Backend;
  /** Set when 'auto' skipped faster devices, saying why. */
  warnings: string[];
}

/**
 * Resolves a device request to an initialised backend. Throws DeviceUnavailableError: for a
 * device, with each backend's reason; for 'auto', with every registered device's reason.
 */
export async function resolveDevice(request: DeviceRequest): Promise<Resolved> {
  if (request !== 'auto') {
    const { backend, reasons } = await tryInit(request);
    if (!backend) throw new DeviceUnavailableError(request, reasons);
    return { device: request, backend, warnings: [] };
  }
  const skipped: string[] = [];
  for (const device of AUTO_ORDER) {
    if (!registry.get(device)?.length) continue;
    const { backend, reasons } = await tryInit(device);
    if (backend) return { device, backend, warnings: skipped.map((s) => `auto: skipped ${s}`) };
    skipped.push(`${device} (${reasons.join('; ')})`);
  }
  throw new DeviceUnavailableError('auto', skipped.length ? skipped : ['no backend is registered (install and import @dpmambair/backend-cuda, backend-webgpu or backend-tf)']);
}

/** Resolves the device and loads the model on it. */
export async function createSession(model: PreparedModel, request: DeviceRequest): Promise<{ session: ModelSession; warnings: string[] }> {
  const { device, backend, warnings } = await resolveDevice(request);
  return { session: await openModelSession(backend, model, device), warnings };
}
