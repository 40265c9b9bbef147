/**
 * Browser test harness for DPMambaIR backends (Node only; needs the dev dependencies playwright-core
 * and esbuild, and a Chromium: Debian's /usr/bin/chromium or $CHROMIUM_PATH). Reused by every backend
 * that runs in browsers: see this package's README, "Testing in Chromium".
 */
export { CHROMIUM_ARGS, WEBGPU_SWIFTSHADER_ARGS, launchChromium, type LaunchOptions } from './chromium.js';
export { startStaticServer, type StaticServer, type StaticServerOptions, type StaticFile } from './server.js';
export { bundleForBrowser, type BundleOptions } from './bundle.js';
export {
  BrowserHarness, describeBrowserConformance,
  type BrowserHarnessOptions, type BrowserConformanceOptions, type BrowserCaseResult,
} from './conformance.js';
export { ORT_WEB_DIST } from './ort-dist.js';
