import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

/** The version in the package.json above a resolved file, if that package is the one named. */
function versionAbove(file: string, name: string): string | undefined {
  let dir = dirname(file);
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version;
    } catch {
      // keep looking
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function resolveVersion(name: string, from: string = import.meta.url): string | undefined {
  try {
    return versionAbove(createRequire(from).resolve(name), name);
  } catch {
    try {
      return versionAbove(fileURLToPath(import.meta.resolve(name)), name);
    } catch {
      return undefined;
    }
  }
}

export function cliVersion(): string {
  return versionAbove(fileURLToPath(import.meta.url), 'dpmambair') ?? '0.0.0';
}

/** Versions of everything that decides what the CLI computes. */
export function versions(): Record<string, string | null> {
  let cudaUrl: string | undefined;
  try {
    cudaUrl = import.meta.resolve('@dpmambair/backend-cuda');
  } catch {
    cudaUrl = undefined;
  }
  return {
    dpmambair: cliVersion(),
    '@dpmambair/core': resolveVersion('@dpmambair/core') ?? null,
    '@dpmambair/backend-cuda': resolveVersion('@dpmambair/backend-cuda') ?? null,
    'onnxruntime-node': (cudaUrl && resolveVersion('onnxruntime-node', cudaUrl)) || null,
    '@dpmambair/backend-webgpu': resolveVersion('@dpmambair/backend-webgpu') ?? null,
    '@dpmambair/backend-tf': resolveVersion('@dpmambair/backend-tf') ?? null,
    sharp: sharp.versions.sharp ?? null,
    libvips: sharp.versions.vips,
    node: process.versions.node,
  };
}
