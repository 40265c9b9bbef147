import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json',
  '.wasm': 'application/wasm', '.map': 'application/json', '.css': 'text/css', '.png': 'image/png', '.safetensors': 'application/octet-stream',
};

export interface StaticFile {
  body: string | Uint8Array;
  type?: string;
}

export interface StaticServerOptions {
  /** URL prefix (starting and ending with '/') -> directory served under it (a folder serves its index.html). */
  mounts?: Record<string, string>;
  /** Exact URL path -> in-memory file (generated pages and bundles); may be replaced later through `files`. */
  files?: Record<string, StaticFile>;
  /** Send COOP/COEP so pages are cross-origin isolated (SharedArrayBuffer, wasm threads). Default false. */
  crossOriginIsolated?: boolean;
}

export interface StaticServer {
  /** http://127.0.0.1:<port> (no trailing slash). */
  url: string;
  /** The in-memory files; add or replace entries while the server runs. */
  files: Record<string, StaticFile>;
  /** Requests served, as 'STATUS /path'. */
  log: string[];
  close(): Promise<void>;
}

/** A static file server on 127.0.0.1 (random free port), for browser tests. Never leaves the mounted folders. */
export async function startStaticServer(options: StaticServerOptions = {}): Promise<StaticServer> {
  const files = { ...(options.files ?? {}) };
  const mounts = Object.entries(options.mounts ?? {}).sort((a, b) => b[0].length - a[0].length);
  const log: string[] = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const send = (status: number, type?: string) => {
      log.push(`${status} ${path}`);
      res.statusCode = status;
      if (type) res.setHeader('content-type', type);
      res.setHeader('cache-control', 'no-store');
      if (options.crossOriginIsolated) {
        res.setHeader('cross-origin-opener-policy', 'same-origin');
        res.setHeader('cross-origin-embedder-policy', 'require-corp');
      }
    };
    try {
      const file = files[path];
      if (file) {
        send(200, file.type ?? TYPES[extname(path)] ?? 'application/octet-stream');
        res.end(file.body);
        return;
      }
      for (const [prefix, dir] of mounts) {
        if (!path.startsWith(prefix)) continue;
        const root = normalize(dir);
        let target = normalize(join(root, path.slice(prefix.length)));
        if (target !== root && !target.startsWith(root.endsWith(sep) ? root : root + sep)) break;
        let info = await stat(target).catch(() => undefined);
        if (info?.isDirectory()) {
          // A folder serves its index.html.
          target = join(target, 'index.html');
          info = await stat(target).catch(() => undefined);
        }
        if (!info?.isFile()) break;
        send(200, TYPES[extname(target)] ?? 'application/octet-stream');
        res.setHeader('content-length', info.size);
        createReadStream(target).pipe(res);
        return;
      }
      send(404, 'text/plain');
      res.end('not found');
    } catch (e) {
      send(500, 'text/plain');
      res.end(String(e));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    files,
    log,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
