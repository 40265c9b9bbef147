/**
 * Serves the built site (site/.vitepress/dist) from 127.0.0.1, with the static server of
 * backend-webgpu's browser test harness. `npm run preview` keeps it running; tests import it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer, type StaticServer } from '../../../packages/backend-webgpu/src/testing/server.js';

export const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'site', '.vitepress', 'dist');

export async function serveSite(dist = DIST): Promise<StaticServer> {
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist} has no index.html: build the site first (npm run build -w @dpmambair/docs)`);
  const server = await startStaticServer({ mounts: { '/': dist } });
  // The harness serves files, not folders: '/' -> '/index.html'; and it does not know SVG's type
  // (browsers refuse <img> SVG sent as application/octet-stream): serve those from memory.
  server.files['/'] = { body: readFileSync(join(dist, 'index.html')), type: 'text/html; charset=utf-8' };
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  for (const f of walk(dist).filter((f) => f.endsWith('.svg'))) server.files['/' + relative(dist, f).split(sep).join('/')] = { body: readFileSync(f), type: 'image/svg+xml' };
  return server;
}

export const builtAt = (dist = DIST) => statSync(join(dist, 'index.html')).mtime;

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const server = await serveSite();
  console.log(`serving ${DIST} at ${server.url}/ (Ctrl-C to stop)`);
}
