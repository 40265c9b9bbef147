import { build } from 'esbuild';

export interface BundleOptions {
  /** Module source of the entry (TypeScript or JavaScript). */
  contents: string;
  /** Folder imports in `contents` resolve from (node_modules lookup starts here). */
  resolveDir: string;
  /** 'ts' (default) or 'js'. */
  loader?: 'ts' | 'js';
  /** Extra esbuild `define`s. */
  define?: Record<string, string>;
  /** Minify (default false: readable stack traces). */
  minify?: boolean;
}

/**
 * Bundles an entry for the browser into one ES module (esbuild, platform browser, so packages
 * resolve through their `browser`/`import` conditions). Returns the JavaScript text.
 */
export async function bundleForBrowser(options: BundleOptions): Promise<string> {
  const result = await build({
    stdin: { contents: options.contents, resolveDir: options.resolveDir, loader: options.loader ?? 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? false,
    sourcemap: 'inline',
    logLevel: 'silent',
    define: options.define,
  });
  return result.outputFiles[0].text;
}
