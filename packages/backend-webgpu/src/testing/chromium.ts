import { chromium, type Browser } from 'playwright-core';

/** Flags for headless Debian Chromium in containers (docs: /work/shared/design.md). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
];

/** WebGPU on the CPU through SwiftShader: correct but ~60x slower than WASM; never judge GPU speed from it. */
export const WEBGPU_SWIFTSHADER_ARGS: readonly string[] = [
  '--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan', '--use-vulkan=swiftshader',
];

export interface LaunchOptions {
  /** Add the SwiftShader WebGPU flags (default true). */
  webgpu?: boolean;
  /** Default: $CHROMIUM_PATH, else /usr/bin/chromium. */
  executablePath?: string;
  /** Extra flags. */
  args?: string[];
}

/** Launches headless Chromium with playwright-core (no downloaded browsers needed). */
export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const args = [...CHROMIUM_ARGS, ...(options.webgpu === false ? [] : WEBGPU_SWIFTSHADER_ARGS), ...(options.args ?? [])];
  return chromium.launch({ executablePath, args }).catch((e: Error) => {
    throw new Error(`could not launch Chromium at ${executablePath} (set CHROMIUM_PATH): ${e.message.split('\n')[0]}`);
  });
}
