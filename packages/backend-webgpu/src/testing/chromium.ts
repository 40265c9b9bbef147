import { readdirSync, readFileSync } from 'node:fs';
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

/** Peak RSS (VmHWM) of the renderer and GPU processes of the Chromium whose command line has `tag`. */
export function chromiumPeaks(tag: string): { renderer: number | null; gpu: number | null } {
  const procs = new Map<number, { ppid: number; cmd: string; hwm: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
      procs.set(Number(name), { ppid, cmd, hwm });
    } catch {
      // gone
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = pid, depth = 0; p > 1 && depth < 6; depth++) {
      const info = procs.get(p);
      if (!info) return false;
      if (info.cmd.includes(tag) && !info.cmd.includes('--type=')) return true;
      p = info.ppid;
    }
    return false;
  };
  let renderer: number | null = null;
  let gpu: number | null = null;
  for (const [pid, info] of procs) {
    if (!mine(pid)) continue;
    if (info.cmd.includes('--type=renderer')) renderer = Math.max(renderer ?? 0, info.hwm);
    if (info.cmd.includes('--type=gpu-process')) gpu = Math.max(gpu ?? 0, info.hwm);
  }
  return { renderer, gpu };
}
