import {
  CONFIGS, loadModel, openModelSession, parseSafetensors, prepareModel, randomParams, referenceBackend, restoreImage, seededRandom,
  type Backend, type Device, type PreparedModel, type RgbImage, type Tensor,
} from '@dpmambair/core';
import { expectClose, expectIdentical } from './compare.js';
import { seedOf } from './ops.js';
import { TOLERANCE, type CaseMetrics, type ConformanceFixtures, type MeasuredCase } from './types.js';

type GoldenName = 'tiny' | 'small';

interface ModelUnderTest {
  model: PreparedModel;
  image: Tensor;
  /** Expected embedding and output; from io.safetensors, or computed by the reference backend. */
  embedding: Tensor;
  output: Tensor;
  source: 'golden' | 'reference on seeded random weights';
}

/** A seeded image with structure (gradients) plus noise, values in [0, 1]. */
export function testImage(width: number, height: number, seed: number): RgbImage {
  const rand = seededRandom(seed);
  const n = width * height;
  const rgb = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const base = 0.5 + 0.3 * Math.sin((x + 2 * c) / 5) * Math.cos((y - c) / 7);
        rgb[c * n + y * width + x] = Math.min(1, Math.max(0, base + 0.15 * (rand() - 0.5)));
      }
    }
  }
  return { width, height, rgb };
}

const imageTensor = (im: RgbImage): Tensor => ({ shape: [1, 3, im.height, im.width], data: im.rgb });

/** The golden model of a config, or (until golden files exist) a seeded random one judged by the reference backend. */
async function modelUnderTest(name: GoldenName, fixtures: ConformanceFixtures): Promise<ModelUnderTest> {
  const golden = fixtures.golden[name];
  if (golden) {
    const model = await loadModel(golden.weightsJson, golden.weights, `golden ${name}`);
    const io = parseSafetensors(golden.io, `golden ${name}: io.safetensors`);
    const t = (k: string): Tensor => ({ shape: io.shape(k), data: io.get(k) });
    return { model, image: t('image'), embedding: t('embedding'), output: t('output'), source: 'golden' };
  }
  const config = CONFIGS[name];
  const model = prepareModel(config, randomParams(config, seedOf(name)));
  const image = imageTensor(testImage(48, 32, seedOf(`image ${name}`)));
  const ref = await openModelSession(referenceBackend, model, 'cpu');
  const embedding = await ref.embed(image);
  const output = await ref.restore(image, embedding);
  return { model, image, embedding, output, source: 'reference on seeded random weights' };
}

/** The model the pipeline and determinism cases use: golden tiny weights when present, else seeded random tiny. */
async function tinyModel(fixtures: ConformanceFixtures): Promise<PreparedModel> {
  const golden = fixtures.golden.tiny;
  if (golden) return loadModel(golden.weightsJson, golden.weights, 'golden tiny');
  return prepareModel(CONFIGS.tiny, randomParams(CONFIGS.tiny, seedOf('tiny')));
}

function measured(name: string, measure: (backend: Backend, device: Device, fixtures: ConformanceFixtures) => Promise<CaseMetrics>): MeasuredCase {
  return { name, measure, run: async (b, d, f) => { await measure(b, d, f); } };
}

function goldenCase(name: GoldenName): MeasuredCase {
  return measured(`model/golden ${name}`, async (backend, device, fixtures) => {
    const m = await modelUnderTest(name, fixtures);
    const session = await openModelSession(backend, m.model, device);
    try {
      const what = `${name} model on ${device} vs ${m.source}`;
      const embedding = await session.embed(m.image);
      const e = expectClose(`${what}: embedding`, embedding, m.embedding, TOLERANCE.goldenEmbeddingMaxAbs);
      // Restore with the expected embedding, so an embedding error does not hide in the output's number.
      const output = await session.restore(m.image, m.embedding);
      const o = expectClose(`${what}: restored image`, output, m.output, TOLERANCE.goldenOutputMaxAbs);
      return { embeddingMaxAbs: e.maxAbs, outputMaxAbs: o.maxAbs, golden: m.source === 'golden' ? 1 : 0 };
    } finally {
      await session.dispose();
    }
  });
}

/** Image and tiling of the pipeline case: 38x28 (not multiples of 8: padded by reflection), tiles of 24 with overlap 8 -> 2 x 2 tiles. */
export const TILING = { width: 38, height: 28, tile: 24, overlap: 8 } as const;

const tilingCase = measured('pipeline/restoreImage with tiles', async (backend, device, fixtures) => {
  const model = await tinyModel(fixtures);
  const image = testImage(TILING.width, TILING.height, seedOf('tiling'));
  const options = { tile: TILING.tile, overlap: TILING.overlap };
  let tiles = 0;
  const session = await openModelSession(backend, model, device);
  let actual: RgbImage;
  try {
    actual = await restoreImage(session, image, { ...options, onProgress: (p) => { tiles = p.total; } });
  } finally {
    await session.dispose();
  }
  const ref = await openModelSession(referenceBackend, model, 'cpu');
  const expected = await restoreImage(ref, image, options);
  const shape = [3, image.height, image.width];
  const d = expectClose(`tiled restore on ${device} (${tiles} tiles)`, { shape, data: actual.rgb }, { shape, data: expected.rgb }, TOLERANCE.tilingMaxAbs);
  if (tiles < 4) throw new Error(`tiled restore: expected several tiles, the pipeline used ${tiles}`);
  return { maxAbs: d.maxAbs, tiles };
});

const determinismCase = measured('determinism: same input twice, bit-identical', async (backend, device, fixtures) => {
  const model = await tinyModel(fixtures);
  const a = imageTensor(testImage(24, 16, seedOf('determinism a')));
  const b = imageTensor(testImage(16, 8, seedOf('determinism b')));
  const session = await openModelSession(backend, model, device);
  try {
    const e1 = await session.embed(a);
    const r1 = await session.restore(a, e1);
    // Another size in between: catches state or shape caches leaking between runs.
    await session.restore(b, await session.embed(b));
    const e2 = await session.embed(a);
    const r2 = await session.restore(a, e1);
    expectIdentical(`embedding on ${device}`, e1, e2);
    expectIdentical(`restored image on ${device}`, r1, r2);
    return { maxAbs: 0 };
  } finally {
    await session.dispose();
  }
});

export const MODEL_CASES: MeasuredCase[] = [goldenCase('tiny'), goldenCase('small'), tilingCase, determinismCase];
