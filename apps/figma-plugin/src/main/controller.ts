/**
 * Wires the main-thread logic to Figma: answers the UI, follows the selection, hands image bytes
 * to the UI for a restore job and writes the results back.
 */
import type { MainToUi, Placement, SelectedImage, UiToMain } from '../shared/messages.js';
import type { FigmaHost } from './figma-like.js';
import { applyResults, ImageFactsCache, scanSelection } from './logic.js';

export interface Controller {
  /** Handles one message from the UI (also what `figma.ui.onmessage` calls). */
  handle(message: UiToMain): Promise<void>;
  /** Scans the selection and tells the UI. */
  postSelection(): Promise<void>;
}

export function createController(api: FigmaHost): Controller {
  const cache = new ImageFactsCache(api);
  const jobs = new Map<number, { images: SelectedImage[]; placement: Placement }>();
  let nextJob = 1;
  let selectionSeq = 0;
  const post = (message: MainToUi) => api.ui.postMessage(message);
  const fail = (e: unknown, jobId?: number) => {
    const message = e instanceof Error ? e.message : String(e);
    post({ type: 'error', message, ...(jobId !== undefined ? { jobId } : {}) });
    api.notify(message, { error: true });
  };

  async function postSelection(): Promise<void> {
    const seq = ++selectionSeq;
    const state = await scanSelection(api, cache);
    if (seq === selectionSeq) post({ type: 'selection', state }); // a newer selection wins
  }

  async function handle(message: UiToMain): Promise<void> {
    switch (message.type) {
      case 'ready':
        return postSelection();
      case 'restore': {
        const state = await scanSelection(api, cache);
        if (!state.ok) {
          post({ type: 'selection', state });
          return fail(new Error(state.message));
        }
        const jobId = nextJob++;
        jobs.set(jobId, { images: state.images, placement: message.placement });
        post({ type: 'job', jobId, images: state.images, placement: message.placement });
        for (const image of state.images) {
          const source = api.getImageByHash(image.hash);
          if (!source) {
            jobs.delete(jobId);
            return fail(new Error(`the image of '${image.uses[0].nodeName}' can no longer be read`), jobId);
          }
          post({ type: 'image', jobId, hash: image.hash, bytes: await source.getBytesAsync() });
        }
        return;
      }
      case 'results': {
        const job = jobs.get(message.jobId);
        if (!job) return fail(new Error(`results for an unknown or finished job (${message.jobId})`), message.jobId);
        jobs.delete(message.jobId);
        try {
          const report = await applyResults(api, job.images, message.results, message.placement);
          post({ type: 'applied', jobId: message.jobId, ...report });
          const what = report.duplicated ? `Placed ${report.duplicated} restored ${report.duplicated === 1 ? 'copy' : 'copies'} beside the originals` : `Restored ${report.written} image ${report.written === 1 ? 'fill' : 'fills'}`;
          api.notify(`${what}. Undo (⌘Z / Ctrl+Z) brings the originals back.`);
        } catch (e) {
          fail(e, message.jobId);
        }
        return;
      }
      case 'cancelled':
        jobs.delete(message.jobId);
        return;
      case 'notify':
        api.notify(message.message, { error: message.error });
        return;
    }
  }

  api.on('selectionchange', () => {
    postSelection().catch((e) => fail(e));
  });
  api.ui.onmessage = (message: UiToMain) => {
    handle(message).catch((e) => fail(e));
  };
  return { handle, postSelection };
}
