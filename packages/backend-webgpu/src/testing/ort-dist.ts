import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** onnxruntime-web's dist folder (its .wasm files), to mount on the test server. */
export const ORT_WEB_DIST = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
