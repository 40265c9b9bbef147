/**
 * In-page side of benchmarks/segments-browser.ts: `small` (random weights: speed does not depend
 * on them) on backend-webgpu's `wasm` device, onnxruntime-web's InferenceSession.create wrapped so
 * that every segment run is timed with the bytes it is fed and returns, and so that a variant's
 * session options can be laid over the backend's own.
 */
import { getConfig, openModelSession, prepareModel, randomParams, restoreImage, seededRandom, tensor } from '@dpmambair/core';
import { configure, onnxWebBackend } from '@dpmambair/backend-webgpu';
import * as ort from 'onnxruntime-web/wasm';

configure({ wasmPaths: `${(globalThis as unknown as { location: { origin: string } }).location.origin}/ort/` });

/** Session options laid over the backend's (per run of the driver: one variant per page). */
let overrides: Record<string, unknown> = {};
interface Step { ms: number; bytes: number }
let steps: Step[] = [];
const bytesOf = (ts: Record<string, ort.Tensor>) => Object.values(ts).reduce((s, t) => s + (t.data as Float32Array).byteLength, 0);

const create = ort.InferenceSession.create.bind(ort.InferenceSession) as (model: Uint8Array, options?: ort.InferenceSession.SessionOptions) => Promise<ort.InferenceSession>;
(ort.InferenceSession as { create: unknown }).create = async (model: Uint8Array, options: ort.InferenceSession.SessionOptions = {}) => {
  const session = await create(model, { ...options, ...overrides });
  const run = session.run.bind(session) as (feeds: Record<string, ort.Tensor>) => Promise<Record<string, ort.Tensor>>;
  (session as { run: unknown }).run = async (feeds: Record<string, ort.Tensor>) => {
    const t = performance.now();
    const out = await run(feeds);
    steps.push({ ms: performance.now() - t, bytes: bytesOf(feeds) + bytesOf(out) });
    return out;
  };
  return session;
};

export interface ProfileRequest {
  /** backend-webgpu configure() options, e.g. { layerNorm: 'op' } (one variant per page). */
  configure?: Record<string, unknown>;
  /** Session options over the backend's, e.g. { enableMemPattern: false }. */
  sessionOptions?: Record<string, unknown>;
  /** A whole square image of this side (restoreImage: extractor, tiles, blending), or one tile. */
  image?: number;
  tile?: number;
  runs: number;
}

async function profile(req: ProfileRequest) {
  overrides = req.sessionOptions ?? {};
  if (req.configure) configure(req.configure);
  const config = getConfig('small');
  const model = prepareModel(config, randomParams(config, 1));
  const session = await openModelSession(onnxWebBackend, model, 'wasm');
  const rand = seededRandom(1);
  const results = [];
  const side = req.image ?? req.tile ?? 280;
  const pixels = Float32Array.from({ length: 3 * side * side }, () => rand());
  const embedding = tensor([1, config.embedDim], Float32Array.from({ length: config.embedDim }, () => rand()));
  // Memory copy rate here, to price the bytes crossing onnxruntime-web's heap (2 x 64 MiB, in the renderer's peak).
  const big = new Float32Array(16 << 20);
  const dst = new Float32Array(16 << 20);
  dst.set(big);
  let t = performance.now();
  for (let i = 0; i < 4; i++) dst.set(big);
  const copyGBs = (4 * big.byteLength) / ((performance.now() - t) / 1000) / 1e9;
  for (let r = 0; r <= req.runs; r++) {
    steps = [];
    t = performance.now();
    let extractorMs = 0;
    if (req.image) {
      const embed = session.embed.bind(session);
      session.embed = async (crops) => {
        const e = performance.now();
        const out = await embed(crops);
        extractorMs = performance.now() - e;
        return out;
      };
      await restoreImage(session, { width: side, height: side, rgb: pixels }, req.tile ? { tile: req.tile } : {});
      session.embed = embed;
    } else {
      await session.restore(tensor([1, 3, side, side], pixels), embedding);
    }
    const wall = performance.now() - t;
    const segMs = steps.reduce((s, x) => s + x.ms, 0);
    results.push({ run: r, wallMs: wall, extractorMs, segmentsMs: segMs - extractorMs, segmentRuns: steps.length, crossingMiB: steps.reduce((s, x) => s + x.bytes, 0) / 2 ** 20, restOfWallMs: wall - segMs });
  }
  await session.dispose();
  return { results, copyGBs, crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true };
}

(globalThis as { __prof?: unknown }).__prof = { profile };
