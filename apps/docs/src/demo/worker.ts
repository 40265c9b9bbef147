/**
 * The demo's restore worker (bundled to site/public/demo/worker.js, started as a module worker):
 * loads the model once, keeps one session per device, restores images off the main thread so
 * the page (progress bar included) stays responsive while onnxruntime-web or tfjs compute.
 */
import { createSession, detectDegradation, restoreImage, type Device, type ModelSession, type PreparedModel, type RgbImage } from '@dpmambair/core';
import { loadModel, loadProbe } from '@dpmambair/models';
import type { Detected } from './probe.js';
import { configure as configureOrt } from '@dpmambair/backend-webgpu';
import { configure as configureTf } from '@dpmambair/backend-tf';

export type WorkerRequest = { id: number; type: 'restore'; base: string; device: Device; image: RgbImage };
export type WorkerMessage =
  | { id: number; type: 'status'; text: string }
  | { id: number; type: 'progress'; stage: 'embed' | 'restore'; done: number; total: number }
  | { id: number; type: 'done'; image: RgbImage; ms: number; detected?: Detected }
  | { id: number; type: 'error'; message: string };

let configured = false;
let model: Promise<PreparedModel> | undefined;
const sessions = new Map<Device, Promise<ModelSession>>();
const post = (m: WorkerMessage, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

async function getModel(base: string): Promise<PreparedModel> {
  model ??= loadModel('small', { baseUrl: `${base}model/` });
  model.catch(() => (model = undefined));
  return model;
}

self.addEventListener('message', async (e: MessageEvent<WorkerRequest>) => {
  const { id, base, device, image } = e.data;
  try {
    if (!configured) {
      configureOrt({ wasmPaths: `${base}ort/` });
      configureTf({ wasmPaths: `${base}tfwasm/` });
      configured = true;
    }
    post({ id, type: 'status', text: 'Loading the model…' });
    const m = await getModel(base);
    if (!sessions.has(device)) {
      post({ id, type: 'status', text: `Starting ${device} and compiling the model for it…` });
      const p = createSession(m, device).then((s) => s.session);
      sessions.set(device, p);
      p.catch(() => sessions.delete(device));
    }
    const session = await sessions.get(device)!;
    const t0 = performance.now();
    const out = await restoreImage(session, image, { onProgress: (p) => post({ id, type: 'progress', ...p }) });
    const ms = performance.now() - t0;
    const probe = await loadProbe('small', { baseUrl: `${base}model/`, embedDim: m.config.embedDim });
    const detected = probe && (await detectDegradation(session, image, probe));
    post({ id, type: 'done', image: out, ms, detected }, [out.rgb.buffer]);
  } catch (err) {
    post({ id, type: 'error', message: (err as Error).message });
  }
});
