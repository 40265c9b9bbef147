import { build } from 'esbuild';

/**
 * Bundles a browser entry into one ES module. Like backend-webgpu's testing/bundle.ts, plus
 * `node:*` kept external: backend-tf imports node:module lazily on its Node-only path.
 */
export async function bundleEntry(entry: string, minify = false): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: minify ? false : 'inline',
    logLevel: 'silent',
    external: ['node:*'],
  });
  return result.outputFiles[0].text;
}
