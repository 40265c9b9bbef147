/** In-page side of benchmarks/ops-browser.ts: timeOp on onnxruntime-web's wasm build (one thread on a plain page). */
import type { OrtRuntime } from '@dpmambair/core';
import * as ort from 'onnxruntime-web/wasm';
import { timeOp, type OpRequest } from './ops-variants.js';

ort.env.wasm.wasmPaths = `${(globalThis as unknown as { location: { origin: string } }).location.origin}/ort/`;

(globalThis as { __ops?: unknown }).__ops = { time: (req: OpRequest) => timeOp(ort as unknown as OrtRuntime, 'wasm', req) };
