/**
 * The in-page side of the browser bench (bundled with esbuild, served from 127.0.0.1): loads the
 * model and the inputs the driver serves, runs the shared measuring loop on one device and hands
 * back the record's parts and the raw agreement output.
 */
import { createSession, DeviceUnavailableError, loadModel, resolveDevice, type Device, type RgbImage } from '@dpmambair/core';
import { configure as configureOrt, ORT_VERSION } from '@dpmambair/backend-webgpu';
import { configure as configureTf } from '@dpmambair/backend-tf';
import { defaultBrowserThreads } from '@dpmambair/scan-wasm';
import { DEFAULT_MEASURE, measure, type EvalPair, type MeasureOptions } from './measure.js';

const origin = self.location.origin;
configureOrt({ wasmPaths: `${origin}/ort/` });
configureTf({ wasmPaths: `${origin}/tfwasm/` });

async function bytes(path: string): Promise<Uint8Array> {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}
async function image(path: string, width: number, height: number): Promise<RgbImage> {
  const b = await bytes(path);
  return { width, height, rgb: new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4) };
}
function base64(f: Float32Array): string {
  const u = new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  let s = '';
  for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode(...u.subarray(i, i + 0x8000));
  return btoa(s);
}

interface Inputs {
  base: { width: number; height: number };
  eval: { set: string; items: { name: string; degradation: string; width: number; height: number }[] };
}

const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
/** Threads configured for onnxruntime-web and the scan kernel (by init), else undefined: their defaults. */
let threads: number | undefined;

async function run(device: Device, options: Partial<MeasureOptions> & { quality?: boolean }) {
  const manifestText = new TextDecoder().decode(await bytes('/model/small.json'));
  const model = await loadModel(manifestText, await bytes('/model/small.safetensors'), 'small');
  const inputs = (await (await fetch('/input/inputs.json')).json()) as Inputs;
  const base = await image('/input/base.f32', inputs.base.width, inputs.base.height);
  const evalSet: EvalPair[] = [];
  if (options.quality !== false) {
    for (const it of inputs.eval.items) {
      evalSet.push({ name: it.name, degradation: it.degradation, input: await image(`/input/eval/${it.name}.in.f32`, it.width, it.height), reference: await image(`/input/eval/${it.name}.ref.f32`, it.width, it.height) });
    }
  }
  const m = await measure(async () => (await createSession(model, device)).session, base, evalSet, {
    ...DEFAULT_MEASURE,
    ...options,
    log: (line) => console.log(`[bench] ${line}`),
  });
  const jsHeapMB = (performance as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize;
  return {
    sessionMs: m.sessionMs,
    warmup: m.warmup,
    latency: m.latency,
    skipped: m.skipped,
    quality: m.quality && options.quality !== false ? { set: inputs.eval.set, ...m.quality } : { set: inputs.eval.set, items: [], skipped: 'not run on CPU-emulated devices (too slow; agreement with cpu stands in)' },
    agreementOutput: base64(m.agreementOutput),
    agreementSize: m.warmup.size,
    userAgent: navigator.userAgent,
    crossOriginIsolated: isolated,
    /** Threads configured for onnxruntime-web and the scan kernel, or how many the kernel chose itself and why. */
    threads: threads !== undefined ? { count: threads, how: 'configure({ numThreads })' } : { count: defaultBrowserThreads().threads, how: defaultBrowserThreads().reason },
    ortVersion: ORT_VERSION,
    jsHeapMB: jsHeapMB ? jsHeapMB / 2 ** 20 : null,
  };
}

/** What renders a GPU device's work here (adapter or WebGL renderer), so a software one is told apart. */
async function renderer(device: Device): Promise<string | undefined> {
  if (device === 'webgpu' || device === 'tf-webgpu') {
    type Info = { vendor?: string; architecture?: string; device?: string; description?: string };
    const gpu = (navigator as { gpu?: { requestAdapter(): Promise<{ info?: Info } | null> } }).gpu;
    const info = (await gpu?.requestAdapter().catch(() => null))?.info;
    return info ? [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') : undefined;
  }
  if (device === 'tf-webgl') {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return undefined;
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  }
  return undefined;
}

/**
 * The device's init as core resolves it: its reason when it cannot start here, else what renders it.
 * `threadsWanted` (a cross-origin-isolated page only): onnxruntime-web's numThreads and the scan
 * kernel's threads, set here because configure() must come before the first init; 0 = the kernel's
 * default on this page (min(4, cores)).
 */
async function init(device: Device, threadsWanted?: number): Promise<{ ok: true; renderer?: string } | { ok: false; reason: string }> {
  if (isolated && threadsWanted !== undefined) {
    threads = threadsWanted || defaultBrowserThreads().threads;
    configureOrt({ numThreads: threads });
  }
  try {
    await resolveDevice(device);
  } catch (e) {
    return { ok: false, reason: e instanceof DeviceUnavailableError ? e.reasons.join('; ') : (e as Error).message };
  }
  return { ok: true, renderer: await renderer(device) };
}

(globalThis as { __bench?: unknown }).__bench = { init, run };
