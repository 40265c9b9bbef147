import type { Backend } from '../backend/backend.js';
import { runReference } from './interpreter.js';

/**
 * The reference interpreter as a backend: slow, exact, the oracle that the real backends and the
 * pipeline are tested against. It serves no device string and is never chosen by 'auto'.
 */
export const referenceBackend: Backend = {
  name: 'reference',
  devices: [],
  async init() {},
  async compile(graph, params) {
    return {
      async run(inputs) {
        return runReference(graph, params, inputs);
      },
      async dispose() {},
    };
  },
};
