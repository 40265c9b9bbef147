/**
 * Browser entry in the shape packages/backend-webgpu's shared Chromium harness expects
 * (`backend`, and `setup(origin)` called once before anything runs): the tfjs backend with the
 * tfjs wasm binaries served from /wasm/.
 */
import { configure, tfBackend } from '../index.js';

export const backend = tfBackend;

export function setup(origin: string): void {
  configure({ wasmPaths: `${origin}/wasm/` });
}
