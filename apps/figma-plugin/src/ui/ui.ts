/**
 * The plugin window (Figma's iframe: null origin, no storage, not cross-origin isolated). Shows
 * the selection, runs the model locally on each image, previews before/after and hands PNGs back
 * to the main thread, which writes them into the document.
 */
import { applyStrength, type RestoreProgress, type RgbImage } from '@dpmambair/core';
import { fitWithinLimit } from '../shared/limits.js';
import type { MainToUi, Placement, RestoredImage, SelectedImage, SelectionState, UiToMain } from '../shared/messages.js';
import type { EngineAssets } from './engine.js';
import { EngineClient, type AssetsFor, type DevicePreference, type Started } from './engine-client.js';
import { decodeImage, encodePng, imageToCanvas } from './image-io.js';
import { OVERLAP, planWork } from './plan.js';
import { classify, parseProbe, type DegradationProbe } from '@dpmambair/core';

// ---- embedded assets (see scripts/build.ts)

function embedded(id: string): string {
  const el = document.getElementById(id);
  if (!el) throw new Error(`ui.html lacks #${id} (build it with npm run build)`);
  return el.textContent ?? '';
}

function base64Bytes(text: string): Uint8Array {
  const bin = atob(text.replace(/\s+/g, ''));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

interface BuildInfo {
  weights: string;
  development: boolean;
  model: string;
  embedDim: number;
}

const build = JSON.parse(embedded('dpm-build')) as BuildInfo;
const bytesCache = new Map<string, Uint8Array>();
const embeddedBytes = (id: string) => bytesCache.get(id) ?? bytesCache.set(id, base64Bytes(embedded(id))).get(id)!;
/** The ORT wasm files asked for and the model, unpacked from the page only when needed. */
const assets = (devices: AssetsFor): EngineAssets => ({
  wasmGz: Object.fromEntries(devices.map((d) => [d, embeddedBytes(`dpm-wasm-${d}`)])),
  modelGz: embeddedBytes('dpm-model'),
  manifest: embedded('dpm-manifest'),
});

let probe: DegradationProbe | undefined;
try {
  const el = document.getElementById('dpm-probe');
  if (el) probe = parseProbe(JSON.parse(el.textContent ?? ''), build.embedDim);
} catch (e) {
  console.warn(`degradation probe ignored: ${(e as Error).message}`);
}

const forceInFrame = document.querySelector('meta[name="dpm-engine"]')?.getAttribute('content') === 'in-frame';
const engine = new EngineClient(embedded('dpm-engine'), assets, { forceInFrame });

// ---- DOM

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  device: $('device'),
  devBanner: $('dev-banner'),
  summary: $('selection-summary'),
  list: $('selection-list'),
  skippedBox: $<HTMLDetailsElement>('skipped-box'),
  skippedSummary: $('skipped-summary'),
  skippedList: $('skipped-list'),
  devicePref: $<HTMLSelectElement>('device-pref'),
  restore: $<HTMLButtonElement>('restore'),
  cancel: $<HTMLButtonElement>('cancel'),
  progressBox: $('progress-box'),
  bar: $('progress-bar'),
  progressText: $('progress-text'),
  status: $('status'),
  previewBox: $('preview-box'),
  preview: $('preview'),
  before: $('before-holder'),
  after: $('after-holder'),
  divider: $('divider'),
  split: $<HTMLInputElement>('split'),
  strength: $<HTMLInputElement>('strength'),
  strengthValue: $('strength-value'),
  thumbs: $('thumbs'),
  detected: $('detected'),
};
ui.devBanner.hidden = !build.development;

const post = (message: UiToMain) => parent.postMessage({ pluginMessage: message }, '*');

/** State the Chromium test and the screenshots read (body[data-state]; window.__dpm). */
const stats: { cancelMs?: number; cancelClickedAt?: number; state: string; device?: string; where?: string; loadMs?: number; restores: { width: number; height: number; ms: number; tiles: number; tile: number }[]; error?: string; lastApplied?: unknown } = { state: 'idle', restores: [] };
(window as unknown as { __dpm: typeof stats & { engineEvents: string[] } }).__dpm = Object.assign(stats, { engineEvents: engine.events });
function setState(state: string): void {
  stats.state = state;
  document.body.dataset.state = state;
}

function setStatus(text: string, error = false): void {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', error);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function li(text: string, title?: string): HTMLLIElement {
  const el = document.createElement('li');
  el.textContent = text;
  if (title) el.title = title;
  return el;
}

// ---- selection

let selection: SelectionState | undefined;
let job: Job | undefined;

function renderSelection(): void {
  const s = selection;
  ui.list.replaceChildren();
  ui.skippedList.replaceChildren();
  if (!s) return;
  ui.summary.classList.toggle('refused', !s.ok);
  if (!s.ok) {
    ui.summary.textContent = s.message;
  } else {
    const fills = s.images.reduce((n, i) => n + i.uses.length, 0);
    ui.summary.textContent = `${plural(s.images.length, 'image')} to restore${fills > s.images.length ? ` (used in ${plural(fills, 'fill')})` : ''}`;
    for (const image of s.images) {
      const names = [...new Set(image.uses.map((u) => u.nodeName))].join(', ');
      const down = image.downscaleTo ? ` → ${image.downscaleTo.width}×${image.downscaleTo.height} (Figma's 4096 px limit)` : '';
      ui.list.append(li(`${names} · ${image.width}×${image.height} ${image.format.toUpperCase()}${down}`, names));
    }
  }
  ui.skippedBox.hidden = s.skipped.length === 0;
  ui.skippedSummary.textContent = `${plural(s.skipped.length, 'layer')} skipped`;
  for (const k of s.skipped) ui.skippedList.append(li(`${k.nodeName}: ${k.reason}`, k.reason));
  ui.skippedBox.open = !s.ok && s.skipped.length > 0;
  ui.restore.disabled = !s.ok || !!job;
}

// ---- progress and time remaining

const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 90_000 ? `${Math.round(ms / 1000)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);

class ProgressMeter {
  private done = 0;
  private t0 = 0;
  private measured = false;
  constructor(private readonly total: number) {}
  begin(): void {
    this.t0 = performance.now();
  }
  advance(units: number): void {
    this.done += units;
    this.measured = true;
  }
  fraction(): number {
    return this.total ? Math.min(1, this.done / this.total) : 0;
  }
  /** Milliseconds left, once something was measured. */
  remaining(): number | undefined {
    if (!this.measured || this.done <= 0) return undefined;
    const elapsed = performance.now() - this.t0;
    return (elapsed / this.done) * (this.total - this.done);
  }
  elapsed(): number {
    return performance.now() - this.t0;
  }
}

function showProgress(fraction: number | undefined, text: string): void {
  ui.progressBox.hidden = false;
  const pct = fraction === undefined ? 100 : Math.round(fraction * 100);
  ui.bar.style.width = `${pct}%`;
  ui.bar.style.opacity = fraction === undefined ? '0.35' : '1';
  ui.bar.setAttribute('aria-valuenow', String(pct));
  ui.progressText.textContent = text;
}

// ---- preview

interface Preview {
  hash: string;
  before: HTMLCanvasElement;
  after: HTMLCanvasElement;
  detected?: string;
  /** The decoded input and the full-strength output: the strength slider blends them. */
  input: RgbImage;
  restored: RgbImage;
}

/** The strength slider's value, 0..1. */
const strength = () => Number(ui.strength.value) / 100;
/** The restored image at a strength, drawn (the model does not run again). */
const atStrength = (p: Pick<Preview, 'input' | 'restored'>, s: number) => imageToCanvas(applyStrength({ ...p.restored, rgb: p.restored.rgb.slice() }, p.input, s));
const previews: Preview[] = [];
let shown = -1;

function thumb(source: HTMLCanvasElement): HTMLCanvasElement {
  const c = document.createElement('canvas');
  const s = 72 / Math.max(source.width, source.height);
  c.width = Math.max(1, Math.round(source.width * s));
  c.height = Math.max(1, Math.round(source.height * s));
  c.getContext('2d')!.drawImage(source, 0, 0, c.width, c.height);
  return c;
}

function showPreview(index: number): void {
  const p = previews[index];
  if (!p) return;
  shown = index;
  ui.previewBox.hidden = false;
  ui.preview.style.aspectRatio = `${p.before.width} / ${p.before.height}`;
  ui.before.replaceChildren(p.before);
  ui.after.replaceChildren(p.after);
  [...ui.thumbs.children].forEach((b, i) => b.setAttribute('aria-pressed', String(i === index)));
  ui.detected.hidden = !p.detected;
  ui.detected.textContent = p.detected ?? '';
}

function addPreview(p: Preview): void {
  previews.push(p);
  const b = document.createElement('button');
  b.title = 'Show this image';
  b.append(thumb(p.after));
  const index = previews.length - 1;
  b.onclick = () => showPreview(index);
  ui.thumbs.append(b);
  ui.thumbs.hidden = previews.length < 2;
  showPreview(index);
}

function clearPreviews(): void {
  previews.length = 0;
  shown = -1;
  ui.thumbs.replaceChildren();
  ui.previewBox.hidden = true;
}

function setSplit(pct: number): void {
  ui.after.style.clipPath = `inset(0 0 0 ${pct}%)`;
  ui.divider.style.left = `${pct}%`;
}
ui.split.addEventListener('input', () => setSplit(Number(ui.split.value)));
ui.strength.addEventListener('input', () => {
  ui.strengthValue.textContent = `${ui.strength.value}%`;
  for (const p of previews) p.after = atStrength(p, strength());
  showPreview(shown);
  if (!job && previews.length) setStatus(`Preview at ${ui.strength.value}% strength. Restore again to write it to the canvas.`);
});
setSplit(50);

function describeDetection(embedding: Float32Array): string | undefined {
  if (!probe || embedding.length !== build.embedDim) return undefined;
  const { classes, severity } = classify(probe, embedding);
  const top = classes.filter((c, i) => i === 0 || c.probability >= 0.2).slice(0, 2);
  const sev = severity === undefined ? '' : `, severity ${Math.round(severity * 100)}%`;
  return `Detected: ${top.map((c) => `${c.type} ${Math.round(c.probability * 100)}%`).join(' · ')}${sev}`;
}

// ---- jobs

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

interface Job {
  id: number;
  images: SelectedImage[];
  placement: Placement;
  bytes: Map<string, Deferred<Uint8Array>>;
  ctl: AbortController;
  applied: Deferred<Extract<MainToUi, { type: 'applied' }>>;
  t0: number;
  cancelAt?: number;
}

const abortError = () => new DOMException('restore cancelled', 'AbortError');
const isAbort = (e: unknown) => (e as { name?: string })?.name === 'AbortError';

function whenAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function setBusy(busy: boolean): void {
  ui.restore.hidden = busy;
  ui.cancel.hidden = !busy;
  ui.cancel.disabled = false;
  ui.devicePref.disabled = busy;
  for (const r of document.querySelectorAll<HTMLInputElement>('input[name="placement"]')) r.disabled = busy;
  if (!busy) renderSelection();
}

function showDevice(s: Started): void {
  const name = s.device === 'webgpu' ? 'WebGPU' : 'WebAssembly (CPU)';
  ui.device.textContent = name;
  ui.device.title = [`${name}, ${s.where === 'worker' ? 'in a worker' : 'in the plugin window'}; model loaded in ${seconds(s.loadMs)}`, ...s.notes].join('\n');
  stats.device = s.device;
  stats.where = s.where;
  stats.loadMs = s.loadMs;
}

async function runJob(j: Job): Promise<void> {
  const signal = j.ctl.signal;
  setBusy(true);
  setState('running');
  clearPreviews();
  const works = j.images.map((i) => planWork(i.width, i.height));
  const meter = new ProgressMeter(works.reduce((s, w) => s + w.embed + w.tiles * w.perTile, 0));
  const results: RestoredImage[] = [];
  const skippedNotes: string[] = [];
  try {
    showProgress(undefined, 'Loading the model on this computer…');
    setStatus('');
    const started = await whenAborted(engine.start(ui.devicePref.value as DevicePreference), signal);
    showDevice(started);
    meter.begin();
    for (let k = 0; k < j.images.length; k++) {
      const image = j.images[k];
      const name = image.uses[0].nodeName;
      const which = j.images.length > 1 ? `Image ${k + 1} of ${j.images.length} (${name})` : name;
      showProgress(meter.fraction(), `${which}: reading…`);
      const bytes = await whenAborted(j.bytes.get(image.hash)!.promise, signal);
      let decoded: Awaited<ReturnType<typeof decodeImage>>;
      try {
        decoded = await decodeImage(bytes);
      } catch (e) {
        skippedNotes.push(`'${name}' skipped: ${(e as Error).message}.`);
        continue;
      }
      const { width, height } = decoded.image;
      const work = planWork(width, height);
      const t0 = performance.now();
      let lastDone = 0;
      const onProgress = (p: RestoreProgress) => {
        if (p.stage === 'restore') {
          if (lastDone === 0) meter.advance(work.embed);
          meter.advance((p.done - lastDone) * work.perTile);
          lastDone = p.done;
        }
        const left = meter.remaining();
        const step = p.stage === 'embed' ? 'analysing the image' : `${p.done} of ${plural(p.total, 'tile')}`;
        const eta = left === undefined || (p.stage === 'restore' && p.done === p.total && k === j.images.length - 1) ? '' : ` · about ${seconds(left)} left`;
        showProgress(meter.fraction(), `${which}: ${step}${eta}`);
      };
      onProgress({ stage: 'embed', done: 0, total: work.tiles });
      // A copy for the strength slider: the engine hands the image's buffers to its worker.
      const input: RgbImage = { ...decoded.image, rgb: decoded.image.rgb.slice(), alpha: decoded.image.alpha?.slice() };
      const out = await engine.restore(decoded.image, { tile: work.tile, overlap: OVERLAP, signal, onProgress });
      const ms = performance.now() - t0;
      stats.restores.push({ width, height, ms: Math.round(ms), tiles: work.tiles, tile: work.tile });
      const preview = { input, restored: out.image };
      const after = atStrength(preview, strength());
      const target = fitWithinLimit(width, height);
      const png = await encodePng(after, target);
      results.push({ hash: image.hash, bytes: png, width: target?.width ?? width, height: target?.height ?? height, ...(target ? { downscaledFrom: { width, height } } : {}) });
      addPreview({ hash: image.hash, before: decoded.canvas, after, detected: describeDetection(out.embedding), ...preview });
    }
    if (!results.length) throw new Error(skippedNotes.join(' ') || 'nothing was restored');
    showProgress(1, `Restored ${plural(results.length, 'image')} in ${seconds(meter.elapsed())}. Writing to the canvas…`);
    setState('applying');
    post({ type: 'results', jobId: j.id, placement: j.placement, results });
    const applied = await j.applied.promise;
    stats.lastApplied = applied;
    const where = applied.duplicated ? `placed ${plural(applied.duplicated, 'restored copy', 'restored copies')} beside the originals` : `replaced ${plural(applied.written, 'image fill')}`;
    showProgress(1, `Done in ${seconds(performance.now() - j.t0)} on ${started.device === 'webgpu' ? 'WebGPU' : 'WebAssembly'}.`);
    const notes = [...skippedNotes, ...applied.notes];
    setStatus(`Done: ${where}. Undo (⌘Z / Ctrl+Z) brings the originals back.${notes.length ? ` ${notes.join(' ')}` : ''}`);
    setState('done');
  } catch (e) {
    if (isAbort(e) || signal.aborted) {
      post({ type: 'cancelled', jobId: j.id });
      if (j.cancelAt !== undefined) stats.cancelMs = Math.round(performance.now() - j.cancelAt);
      showProgress(meter.fraction(), 'Cancelled.');
      setStatus('Cancelled. Nothing was changed.');
      setState('cancelled');
    } else {
      const message = (e as Error).message ?? String(e);
      stats.error = message;
      post({ type: 'cancelled', jobId: j.id });
      setStatus(`Could not restore: ${message}`, true);
      setState('error');
    }
  } finally {
    job = undefined;
    setBusy(false);
  }
}

ui.restore.addEventListener('click', () => {
  if (job || !selection?.ok) return;
  const placement = (document.querySelector<HTMLInputElement>('input[name="placement"]:checked')?.value ?? 'replace') as Placement;
  ui.restore.disabled = true;
  setStatus('');
  post({ type: 'restore', placement });
});

ui.cancel.addEventListener('click', () => {
  if (!job) return;
  ui.cancel.disabled = true;
  showProgress(undefined, 'Cancelling…');
  const t = performance.now();
  stats.cancelClickedAt = Date.now();
  job.ctl.abort();
  job.cancelAt = t;
});

window.addEventListener('message', (event: MessageEvent) => {
  const msg = (event.data as { pluginMessage?: MainToUi } | null)?.pluginMessage;
  if (!msg || typeof msg !== 'object') return;
  switch (msg.type) {
    case 'selection':
      selection = msg.state;
      renderSelection();
      return;
    case 'job': {
      const j: Job = { id: msg.jobId, images: msg.images, placement: msg.placement, bytes: new Map(msg.images.map((i) => [i.hash, deferred<Uint8Array>()])), ctl: new AbortController(), applied: deferred(), t0: performance.now() };
      job = j;
      void runJob(j);
      return;
    }
    case 'image':
      if (job?.id === msg.jobId) job.bytes.get(msg.hash)?.resolve(msg.bytes);
      return;
    case 'applied':
      if (job?.id === msg.jobId) job.applied.resolve(msg);
      return;
    case 'error':
      if (job && (msg.jobId === undefined || msg.jobId === job.id)) {
        job.applied.reject(new Error(msg.message));
        for (const d of job.bytes.values()) d.reject(new Error(msg.message));
      } else {
        setStatus(msg.message, true);
        ui.restore.disabled = !selection?.ok;
      }
      return;
  }
});

setState('idle');
post({ type: 'ready' });
