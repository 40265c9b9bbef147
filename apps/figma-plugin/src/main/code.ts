/**
 * The plugin's main thread (Figma's sandbox: no DOM, no browser APIs). The model runs in the UI
 * iframe; this side reads and writes the document.
 */
import { createController } from './controller.js';
import type { FigmaHost } from './figma-like.js';

figma.showUI(__html__, { width: 380, height: 700, themeColors: true, title: 'Restore images (DPMambaIR)' });
const host: FigmaHost = figma; // the real API fits the small interface the logic is written against
createController(host);
