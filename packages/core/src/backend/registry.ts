import { openModelSession, type Backend, type ModelSession, type PreparedModel } from './backend.js';
import { DEVICES, type Device, type DeviceRequest } from './devices.js';

interface Registered {
  backend: Backend;
  priority: number;
}

const registry = new Map<Device, Registered[]>();

/** Registers a backend for its devices; higher priority wins when several serve one device. */
export function registerBackend(backend: Backend, priority = 0): void {
  for (const device of backend.devices) {
    const list = registry.get(device) ?? [];
    if (!list.some((r) => r.backend.name === backend.name)) list.push({ backend, priority });
    list.sort((a, b) => b.priority - a.priority);
    registry.set(device, list);
  }
}

/** Order in which 'auto' tries devices: fastest first. */
export const AUTO_ORDER: readonly Device[] = ['cuda', 'webgpu', 'cpu', 'wasm', 'tf-webgpu', 'tf-webgl', 'tf-wasm', 'tf-cpu'];

export interface DeviceStatus {
  device: Device;
  available: boolean;
  /** Why it is not available (not installed, no GPU, ...). */
  reason?: string;
  backend?: string;
}

async function tryInit(device: Device): Promise<{ backend?: Backend; reason?: string }> {
  const list = registry.get(device);
  if (!list?.length) return { reason: `no backend registered (install and import ${DEVICES[device].package})` };
  const reasons: string[] = [];
  for (const { backend } of list) {
    try {
      await backend.init(device);
      return { backend };
    } catch (e) {
      reasons.push(`${backend.name}: ${(e as Error).message}`);
    }
  }
  return { reason: reasons.join('; ') };
}

/** Availability of every device here, with reasons. */
export async function listDevices(): Promise<DeviceStatus[]> {
  const out: DeviceStatus[] = [];
  for (const device of Object.keys(DEVICES) as Device[]) {
    const { backend, reason } = await tryInit(device);
    out.push({ device, available: !!backend, reason, backend: backend?.name });
  }
  return out;
}

export interface Resolved {
  device: Device;
  backend: Backend;
  /** Set when 'auto' skipped faster devices, saying why. */
  warnings: string[];
}

/** Resolves a device request to an initialised backend. A failed 'auto' lists every device's reason. */
export async function resolveDevice(request: DeviceRequest): Promise<Resolved> {
  if (request !== 'auto') {
    const { backend, reason } = await tryInit(request);
    if (!backend) throw new Error(`device '${request}' is not available: ${reason}`);
    return { device: request, backend, warnings: [] };
  }
  const skipped: string[] = [];
  for (const device of AUTO_ORDER) {
    if (!registry.get(device)?.length) continue;
    const { backend, reason } = await tryInit(device);
    if (backend) return { device, backend, warnings: skipped.map((s) => `auto: skipped ${s}`) };
    skipped.push(`${device} (${reason})`);
  }
  throw new Error(`no device is available: ${skipped.length ? skipped.join('; ') : 'no backend registered (install @dpmambair/backend-cuda, backend-webgpu or backend-tf)'}`);
}

/** Resolves the device and loads the model on it. */
export async function createSession(model: PreparedModel, request: DeviceRequest): Promise<{ session: ModelSession; warnings: string[] }> {
  const { device, backend, warnings } = await resolveDevice(request);
  return { session: await openModelSession(backend, model, device), warnings };
}
