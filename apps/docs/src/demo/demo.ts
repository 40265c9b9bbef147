/**
 * The live demo of the docs site: framework-free DOM code, bundled with esbuild into
 * site/public/demo/demo.js and mounted by the RestoreDemo Vue component. Everything runs in the
 * browser: onnxruntime-web (webgpu, wasm) or TensorFlow.js (tf-*) restore the image; nothing is
 * uploaded anywhere.
 */
import * as core from '@dpmambair/core';
import { applyStrength, createSession, detectDegradation, seededRandom, fromInterleaved, psnr, restoreImage, ssim, toInterleaved, type Device, type ModelSession, type PreparedModel, type RgbImage } from '@dpmambair/core';
import { configure as configureOrt } from '@dpmambair/backend-webgpu';
import { loadModel, loadProbe } from '@dpmambair/models';
import type { Detected } from './probe.js';
import { configure as configureTf } from '@dpmambair/backend-tf';

export interface DemoOptions {
  /** Site base URL, ending in '/': the model, samples and wasm files live under it. */
  base: string;
}

/** Devices offered in the browser, in the order shown. */
export const DEMO_DEVICES: { device: Device; label: string }[] = [
  { device: 'wasm', label: 'wasm — onnxruntime-web, WebAssembly (works everywhere)' },
  { device: 'webgpu', label: 'webgpu — onnxruntime-web, WebGPU (needs a GPU)' },
  { device: 'tf-wasm', label: 'tf-wasm — TensorFlow.js, WebAssembly' },
  { device: 'tf-webgpu', label: 'tf-webgpu — TensorFlow.js, WebGPU' },
  { device: 'tf-webgl', label: 'tf-webgl — TensorFlow.js, WebGL' },
  { device: 'tf-cpu', label: 'tf-cpu — TensorFlow.js, plain JavaScript (slow)' },
];

// ---------------------------------------------------------------- degradations

interface Synth {
  id: string;
  label: string;
  /** strength in 0..1 */
  apply(img: RgbImage, strength: number, seed: number): Promise<{ image: RgbImage; params: string }>;
}


const quantise = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255) / 255;

/** Core's seven training degradations when this build of core exports them. */
function coreSynths(): Synth[] | undefined {
  const c = core as unknown as Record<string, unknown>;
  const degrade = c.degrade as ((img: RgbImage, type: string, o: { seed: number; severity?: number }) => { image: RgbImage; params: Record<string, unknown> }) | undefined;
  const types = c.DEGRADATION_TYPES as readonly string[] | undefined;
  const specs = c.DEGRADATIONS as Record<string, { description: string }> | undefined;
  if (typeof degrade !== 'function' || !types?.length) return undefined;
  return types.map((t) => ({
    id: t,
    label: `${t}${specs?.[t] ? ` — ${specs[t].description}` : ''}`,
    async apply(img, strength, seed) {
      const r = degrade(img, t, { seed, severity: strength });
      const p = Object.entries(r.params).filter(([k]) => k !== 'type').map(([k, v]) => `${k} ${typeof v === 'number' ? +v.toFixed(3) : Array.isArray(v) ? v.map((x) => +Number(x).toFixed(2)).join('/') : v}`);
      return { image: r.image, params: `${t}: ${p.join(', ')}` };
    },
  }));
}

/** Until core ships its degradations: Gaussian noise and a JPEG round trip through the canvas. */
const fallbackSynths: Synth[] = [
  {
    id: 'noise',
    label: 'Gaussian noise (sigma 5..50 / 255)',
    async apply(img, strength, seed) {
      const sigma = (5 + 45 * strength) / 255;
      const r = seededRandom(seed);
      const rgb = img.rgb.map(() => 0);
      for (let i = 0; i < rgb.length; i += 2) {
        const u = 1 - r();
        const v = r();
        const m = Math.sqrt(-2 * Math.log(u));
        rgb[i] = quantise(img.rgb[i] + sigma * m * Math.cos(2 * Math.PI * v));
        if (i + 1 < rgb.length) rgb[i + 1] = quantise(img.rgb[i + 1] + sigma * m * Math.sin(2 * Math.PI * v));
      }
      return { image: { ...img, rgb }, params: `Gaussian noise, sigma ${(sigma * 255).toFixed(1)}/255` };
    },
  },
  {
    id: 'jpeg',
    label: 'JPEG compression (quality 60..10, the browser\'s encoder)',
    async apply(img, strength) {
      const quality = Math.round(60 - 50 * strength);
      const canvas = toCanvas(img);
      const blob = await new Promise<Blob>((res, rej) => canvas.toBlob((b) => (b ? res(b) : rej(new Error('JPEG encoding failed'))), 'image/jpeg', quality / 100));
      const out = await decodeBlob(blob, Infinity);
      return { image: out, params: `JPEG, quality ${quality}` };
    },
  },
];

// ---------------------------------------------------------------- images

async function decodeBlob(blob: Blob, maxSide: number): Promise<RgbImage> {
  const bitmap = await createImageBitmap(blob);
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(8, Math.round(bitmap.width * scale));
  const h = Math.max(8, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  const data = ctx.getImageData(0, 0, w, h).data;
  const img = fromInterleaved({ width: w, height: h, channels: 4, data });
  if (img.alpha?.every((a) => a === 1)) img.alpha = undefined;
  return img;
}

function toCanvas(img: RgbImage, canvas = document.createElement('canvas')): HTMLCanvasElement {
  const px = toInterleaved({ ...img, alpha: img.alpha ?? new Float32Array(img.width * img.height).fill(1) });
  canvas.width = img.width;
  canvas.height = img.height;
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(px.data), img.width, img.height), 0, 0);
  return canvas;
}

const clamp01 = (img: RgbImage): RgbImage => ({ ...img, rgb: img.rgb.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255) / 255) });

function meanAbsDiff(a: RgbImage, b: RgbImage): number {
  let s = 0;
  for (let i = 0; i < a.rgb.length; i++) s += Math.abs(a.rgb[i] - b.rgb[i]);
  return s / a.rgb.length;
}

// ---------------------------------------------------------------- UI

const HTML = `
<div class="dpm-demo">
  <section class="dpm-step">
    <h3>1. An image</h3>
    <div class="dpm-drop" data-role="drop" tabindex="0">
      <p><strong>Drop an image here</strong> or <label class="dpm-link">pick a file<input type="file" accept="image/*" data-role="file" hidden></label>. It never leaves this page.</p>
      <p>Or try a bundled sample:
        <button type="button" data-role="sample-noisy">Noisy astronaut (degraded, with its clean original)</button>
        <button type="button" data-role="sample-clean">Astronaut (clean: degrade it here)</button>
      </p>
      <label>Largest side <select data-role="maxside"><option>256</option><option selected>512</option><option>1024</option><option value="100000">original</option></select> px (bigger is slower)</label>
    </div>
    <fieldset class="dpm-mode">
      <label><input type="radio" name="dpm-mode" value="degraded" data-role="mode-degraded" checked> My image is already degraded</label>
      <label><input type="radio" name="dpm-mode" value="clean" data-role="mode-clean"> My image is clean: synthesise a degradation</label>
    </fieldset>
    <div data-role="synth" hidden>
      <label>Degradation <select data-role="synth-type"></select></label>
      <label>Strength <input type="range" min="0" max="1" step="0.05" value="0.5" data-role="synth-strength"> <span data-role="synth-strength-value">0.50</span></label>
      <label>Seed <input type="number" value="1" min="0" step="1" data-role="synth-seed" style="width:5em"></label>
      <button type="button" data-role="synth-apply">Apply</button>
      <p class="dpm-note" data-role="synth-note"></p>
    </div>
    <p class="dpm-note" data-role="image-info">No image yet.</p>
  </section>
  <section class="dpm-step">
    <h3>2. A device</h3>
    <label>Device <select data-role="device"></select></label>
    <button type="button" class="dpm-primary" data-role="restore" disabled>Restore</button>
    <progress data-role="progress" max="1" value="0" hidden></progress>
    <span data-role="status" class="dpm-note"></span>
  </section>
  <section class="dpm-step">
    <h3>3. Before / after</h3>
    <div class="dpm-compare" data-role="compare" hidden>
      <canvas data-role="after"></canvas>
      <canvas data-role="before"></canvas>
      <span class="dpm-tag dpm-tag-left">before</span><span class="dpm-tag dpm-tag-right">after</span>
    </div>
    <input type="range" min="0" max="100" value="50" data-role="slider" class="dpm-slider" hidden aria-label="before/after">
    <label data-role="strength-box" hidden>Restoration strength <input type="range" min="0" max="1" step="0.05" value="1" data-role="strength"> <span data-role="strength-value">1.00</span>
      <span class="dpm-note">(0: the input, 1: the full restoration; applied to the result, the model does not run again)</span></label>
    <div data-role="results"></div>
  </section>
</div>`;

type Progress = { stage: 'embed' | 'restore'; done: number; total: number };
interface Restorer {
  /** Restores on a device; `onStatus` and `onProgress` report what happens. */
  restore(device: Device, image: RgbImage, onStatus: (t: string) => void, onProgress: (p: Progress) => void): Promise<{ image: RgbImage; ms: number; detected?: Detected }>;
  dispose(): void;
}

/** Restores in a module worker (demo/worker.js), so the page stays responsive. */
function workerRestorer(url: string, base: string): Restorer {
  const worker = new Worker(url, { type: 'module' });
  let next = 0;
  const pending = new Map<number, { resolve: (r: { image: RgbImage; ms: number; detected?: Detected }) => void; reject: (e: Error) => void; onStatus: (t: string) => void; onProgress: (p: Progress) => void }>();
  worker.addEventListener('message', (e: MessageEvent) => {
    const m = e.data as { id: number; type: string; text?: string; message?: string; image?: RgbImage; ms?: number; detected?: Detected } & Progress;
    const p = pending.get(m.id);
    if (!p) return;
    if (m.type === 'status') p.onStatus(m.text!);
    else if (m.type === 'progress') p.onProgress(m);
    else if (m.type === 'done') {
      pending.delete(m.id);
      p.resolve({ image: m.image!, ms: m.ms!, detected: m.detected });
    } else if (m.type === 'error') {
      pending.delete(m.id);
      p.reject(new Error(m.message));
    }
  });
  worker.addEventListener('error', (e) => {
    for (const p of pending.values()) p.reject(new Error(`the restore worker failed: ${e.message}`));
    pending.clear();
  });
  return {
    restore(device, image, onStatus, onProgress) {
      const id = ++next;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject, onStatus, onProgress });
        const copy = { width: image.width, height: image.height, rgb: image.rgb.slice(), alpha: image.alpha?.slice() };
        worker.postMessage({ id, type: 'restore', base, device, image: copy }, [copy.rgb.buffer]);
      });
    },
    dispose: () => worker.terminate(),
  };
}

/** Restores on the page's main thread (where module workers are unavailable). */
function mainThreadRestorer(base: string): Restorer {
  configureOrt({ wasmPaths: `${base}ort/` });
  configureTf({ wasmPaths: `${base}tfwasm/` });
  let model: Promise<PreparedModel> | undefined;
  const sessions = new Map<Device, Promise<ModelSession>>();
  const getModel = () => {
    model ??= loadModel('small', { baseUrl: `${base}model/` });
    model.catch(() => (model = undefined));
    return model;
  };
  return {
    async restore(device, image, onStatus, onProgress) {
      onStatus('Loading the model…');
      const m = await getModel();
      if (!sessions.has(device)) {
        onStatus(`Starting ${device} and compiling the model for it…`);
        const p = createSession(m, device).then((s) => s.session);
        sessions.set(device, p);
        p.catch(() => sessions.delete(device));
      }
      const session = await sessions.get(device)!;
      const t0 = performance.now();
      const out = await restoreImage(session, image, { onProgress });
      const ms = performance.now() - t0;
      const probe = await loadProbe('small', { baseUrl: `${base}model/`, embedDim: m.config.embedDim });
      return { image: out, ms, detected: probe && (await detectDegradation(session, image, probe)) };
    },
    dispose() {
      for (const s of sessions.values()) s.then((x) => x.dispose()).catch(() => undefined);
    },
  };
}

export function mountDemo(root: HTMLElement, options: DemoOptions): () => void {
  const base = options.base.endsWith('/') ? options.base : `${options.base}/`;
  const abs = (p: string) => new URL(base + p, location.href).href;
  let restorer: Restorer;
  let where = 'a Web Worker';
  try {
    restorer = workerRestorer(abs('demo/worker.js'), abs(''));
  } catch {
    restorer = mainThreadRestorer(abs(''));
    where = 'the page (no module workers here)';
  }

  root.innerHTML = HTML;
  root.dataset.state = 'idle';
  const $ = <T extends HTMLElement>(role: string) => root.querySelector<T>(`[data-role="${role}"]`)!;
  const synths = coreSynths() ?? fallbackSynths;
  $('synth-note').textContent = coreSynths()
    ? 'The same seven degradations (and parameter ranges) the model was trained on, from @dpmambair/core.'
    : 'Core\'s degradations are not in this build: Gaussian noise and JPEG (the browser\'s encoder) only.';
  for (const s of synths) $('synth-type').append(new Option(s.label, s.id));
  for (const d of DEMO_DEVICES) $('device').append(new Option(d.label, d.device));

  let clean: RgbImage | undefined; // the user's clean image (synthesise mode) or the reference
  let input: RgbImage | undefined; // what gets restored
  let reference: RgbImage | undefined;
  let inputInfo = '';
  let busy = false;

  const setStatus = (text: string) => ($('status').textContent = text);
  const mode = () => (($('mode-clean') as HTMLInputElement).checked ? 'clean' : 'degraded');

  function refresh() {
    $('synth').hidden = mode() !== 'clean';
    ($('restore') as HTMLButtonElement).disabled = busy || !input;
    const parts = [] as string[];
    if (input) parts.push(`To restore: ${input.width}×${input.height}${inputInfo ? ` (${inputInfo})` : ''}.`);
    else if (mode() === 'clean' && clean) parts.push('Apply a degradation to get an image to restore.');
    parts.push(reference ? 'A clean reference is known: PSNR and SSIM will be shown.' : 'No clean reference: no PSNR/SSIM (they need the clean original).');
    $('image-info').textContent = parts.join(' ');
    if (input && input !== shown) showBefore(input);
  }
  let shown: RgbImage | undefined;

  function showBefore(img: RgbImage) {
    shown = img;
    ($('slider') as HTMLInputElement).hidden = true;
    $('strength-box').hidden = true;
    delete $('compare').dataset.restored;
    toCanvas(img, $('before') as HTMLCanvasElement);
    $('compare').hidden = false;
    ($('after') as HTMLCanvasElement).width = img.width;
    ($('after') as HTMLCanvasElement).height = img.height;
    setSlider(100);
  }
  function setSlider(v: number) {
    ($('slider') as HTMLInputElement).value = String(v);
    $('before').style.clipPath = `inset(0 ${100 - v}% 0 0)`;
  }
  $('slider').addEventListener('input', (e) => setSlider(Number((e.target as HTMLInputElement).value)));

  async function loadImage(blob: Blob, as: 'degraded' | 'clean', ref?: Blob) {
    const maxSide = Number(($('maxside') as HTMLSelectElement).value);
    $('results').innerHTML = '';
    ($('slider') as HTMLInputElement).hidden = true;
    if (as === 'clean') {
      ($('mode-clean') as HTMLInputElement).checked = true;
      clean = await decodeBlob(blob, maxSide);
      reference = clean;
      input = undefined;
      inputInfo = '';
      await applySynth();
    } else {
      ($('mode-degraded') as HTMLInputElement).checked = true;
      input = await decodeBlob(blob, maxSide);
      reference = ref ? await decodeBlob(ref, maxSide) : undefined;
      if (reference && (reference.width !== input.width || reference.height !== input.height)) reference = undefined;
      inputInfo = ref ? 'degraded sample' : 'your image, as given';
      clean = undefined;
    }
    refresh();
  }

  async function applySynth() {
    if (!clean) {
      refresh();
      return;
    }
    const s = synths.find((x) => x.id === ($('synth-type') as HTMLSelectElement).value) ?? synths[0];
    const strength = Number(($('synth-strength') as HTMLInputElement).value);
    const seed = Number(($('synth-seed') as HTMLInputElement).value) | 0;
    const r = await s.apply(clean, strength, seed);
    input = r.image;
    reference = clean;
    inputInfo = `synthesised: ${r.params}`;
    $('results').innerHTML = '';
    refresh();
  }

  async function fetchBlob(path: string): Promise<Blob> {
    const r = await fetch(abs(path));
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
    return r.blob();
  }

  const guard = (f: () => Promise<void>) => () => {
    f().catch((e) => {
      root.dataset.state = 'error';
      setStatus(`Error: ${(e as Error).message}`);
      console.error(e);
    });
  };

  $('file').addEventListener('change', guard(async () => {
    const f = ($('file') as HTMLInputElement).files?.[0];
    if (f) await loadImage(f, mode());
  }));
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('dpm-over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('dpm-over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('dpm-over');
    const f = e.dataTransfer?.files?.[0];
    if (f) guard(() => loadImage(f, mode()))();
  });
  $('sample-noisy').addEventListener('click', guard(async () => loadImage(await fetchBlob('samples/noisy-astronaut-256.png'), 'degraded', await fetchBlob('samples/astronaut-256.png'))));
  $('sample-clean').addEventListener('click', guard(async () => loadImage(await fetchBlob('samples/astronaut-256.png'), 'clean')));
  for (const r of ['mode-clean', 'mode-degraded']) {
    $(r).addEventListener('change', guard(async () => {
      if (mode() === 'clean' && input && !clean) {
        clean = input; // the image given is the clean one after all
        reference = clean;
        await applySynth();
      } else if (mode() === 'degraded' && clean) {
        input = clean;
        reference = undefined;
        inputInfo = 'your image, as given';
        clean = undefined;
      }
      refresh();
    }));
  }
  $('synth-apply').addEventListener('click', guard(applySynth));
  $('synth-type').addEventListener('change', guard(applySynth));
  $('synth-strength').addEventListener('input', () => ($('synth-strength-value').textContent = Number(($('synth-strength') as HTMLInputElement).value).toFixed(2)));
  $('synth-strength').addEventListener('change', guard(applySynth));

  let info: Promise<{ source: string; trained: boolean } | undefined> | undefined;
  const modelInfo = () => (info ??= fetch(abs('model/info.json')).then((r) => (r.ok ? r.json() : undefined)).catch(() => undefined));

  // The last restore at full strength and its input: the strength slider blends the two.
  let full: { input: RgbImage; restored: RgbImage } | undefined;
  $('strength').addEventListener('input', () => {
    if (!full) return;
    const strength = Number(($('strength') as HTMLInputElement).value);
    $('strength-value').textContent = strength.toFixed(2);
    root.dataset.strength = String(strength);
    toCanvas(applyStrength({ ...full.restored, rgb: full.restored.rgb.slice() }, full.input, strength), $('after') as HTMLCanvasElement);
  });

  $('restore').addEventListener('click', guard(async () => {
    if (!input || busy) return;
    busy = true;
    refresh();
    const device = ($('device') as HTMLSelectElement).value as Device;
    const progress = $('progress') as HTMLProgressElement;
    progress.hidden = false;
    progress.removeAttribute('value');
    root.dataset.state = 'restoring';
    const t0 = performance.now();
    try {
      const source = input;
      const { image: out, ms, detected } = await restorer.restore(device, source, setStatus, (p) => {
        if (p.stage === 'embed') setStatus('Reading the degradation (extractor)…');
        else setStatus(`Restoring tile ${p.done} of ${p.total}…`);
        progress.max = p.total;
        progress.value = p.stage === 'embed' ? 0 : p.done;
      });
      const restored = clamp01(out);
      toCanvas(restored, $('after') as HTMLCanvasElement);
      full = { input: source, restored };
      ($('strength') as HTMLInputElement).value = '1';
      $('strength-value').textContent = '1.00';
      root.dataset.strength = '1';
      $('strength-box').hidden = false;
      ($('slider') as HTMLInputElement).hidden = false;
      $('compare').dataset.restored = 'true';
      setSlider(50);
      const changed = meanAbsDiff(source, restored);
      root.dataset.changed = String(changed);
      let rows = '';
      if (reference) {
        const pIn = psnr(source, reference);
        const pOut = psnr(restored, reference);
        const sIn = ssim(source, reference);
        const sOut = ssim(restored, reference);
        root.dataset.psnrIn = String(pIn);
        root.dataset.psnrOut = String(pOut);
        root.dataset.ssimIn = String(sIn);
        root.dataset.ssimOut = String(sOut);
        const f = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '∞');
        rows = `<table class="dpm-metrics"><thead><tr><th></th><th>PSNR (dB)</th><th>SSIM</th></tr></thead><tbody>
          <tr><td>degraded vs clean</td><td>${f(pIn)}</td><td>${sIn.toFixed(3)}</td></tr>
          <tr><td>restored vs clean</td><td><strong>${f(pOut)}</strong></td><td><strong>${sOut.toFixed(3)}</strong></td></tr></tbody></table>`;
      } else {
        delete root.dataset.psnrIn;
        delete root.dataset.psnrOut;
      }
      const trained = (await modelInfo())?.trained !== false;
      const url = ($('after') as HTMLCanvasElement).toDataURL('image/png');
      $('results').innerHTML = `${rows}
        <p class="dpm-note">Restored ${source.width}×${source.height} on <code>${device}</code> in ${(ms / 1000).toFixed(2)} s (${((performance.now() - t0) / 1000).toFixed(2)} s with loading and compiling; computed in ${where}). Mean absolute change ${(changed * 255).toFixed(2)} / 255. <a href="${url}" download="restored.png">Download the restored PNG</a>.</p>
        <p class="dpm-note" data-role="detected"><strong>Detected degradation:</strong> ${detected
          ? detected.classes.slice(0, 3).map((c) => `${c.type} ${(c.probability * 100).toFixed(0)}%`).join(', ') + ' (a linear probe on the extractor\'s embedding)'
          : 'not shown: this build of the model ships no classifier on its degradation embedding.'}</p>
        ${trained ? '' : '<p class="dpm-note"><strong>Note:</strong> this build of the site ships the random golden test weights (no trained model was available when it was built): the output is not a restoration.</p>'}`;
      setStatus('Done.');
      root.dataset.state = 'done';
    } finally {
      busy = false;
      progress.hidden = true;
      refresh();
    }
  }));

  refresh();
  return () => {
    root.innerHTML = '';
    restorer.dispose();
  };
}
