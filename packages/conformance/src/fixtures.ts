import type { ConformanceFixtures, GoldenFixture } from './types.js';

export const GOLDEN_CONFIGS = ['tiny', 'small'] as const;
export const GOLDEN_FILES = { weightsJson: 'weights.json', weights: 'weights.safetensors', io: 'io.safetensors' } as const;

/**
 * Fetches the golden fixtures from `baseUrl` laid out like models/golden (`<base>/<config>/weights.json`, ...),
 * for browsers and workers. A config whose files answer 404 is absent (its cases fall back to the reference).
 */
export async function fetchFixtures(baseUrl: string, fetchImpl: typeof fetch = fetch): Promise<ConformanceFixtures> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const golden: ConformanceFixtures['golden'] = {};
  for (const name of GOLDEN_CONFIGS) {
    const get = async (file: string): Promise<Response | undefined> => {
      const res = await fetchImpl(new URL(`${name}/${file}`, base).href);
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`fetching golden ${name}/${file}: HTTP ${res.status}`);
      return res;
    };
    const [json, weights, io] = await Promise.all([get(GOLDEN_FILES.weightsJson), get(GOLDEN_FILES.weights), get(GOLDEN_FILES.io)]);
    if (!json || !weights || !io) continue;
    const fixture: GoldenFixture = {
      weightsJson: await json.text(),
      weights: new Uint8Array(await weights.arrayBuffer()),
      io: new Uint8Array(await io.arrayBuffer()),
    };
    golden[name] = fixture;
  }
  return { golden };
}
