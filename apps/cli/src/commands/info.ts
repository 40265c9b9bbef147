import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEVICE_NAMES, modelCost, type Device, parameterCount, type DeviceStatus, type ModelConfig } from '@dpmambair/core';
import type { InfoArgs } from '../args.js';
import { EXIT, message, type ExitCode } from '../errors.js';
import { loadModelFile, type LoadedModel } from '../model.js';
import { versions } from '../versions.js';

interface CostFigures {
  size: string;
  gflops: number;
  convMatmulFlops: number;
  scanElements: number;
  otherFlops: number;
}

export interface InfoReport {
  versions: Record<string, string | null>;
  devices: DeviceStatus[];
  model: {
    path: string;
    embedded: boolean;
    config: ModelConfig;
    parameters: { extractor: number; restorer: number; total: number };
    /** One 256x256 image, and one megapixel (a 1000x1000 image, whole). */
    cost: { at256: CostFigures; perMegapixel: CostFigures };
    training: Record<string, unknown> | null;
    untrained: boolean;
  } | null;
  modelError: string | null;
}

function cost(config: ModelConfig, h: number, w: number): CostFigures {
  const c = modelCost(config, h, w);
  return { size: `${w}x${h}`, gflops: +(c.totalFlops / 1e9).toFixed(3), convMatmulFlops: c.convMatmulFlops, scanElements: c.scanElements, otherFlops: c.otherFlops };
}

/** A device not checked within this long is reported as such (some wasm backends compile for minutes on a busy machine). */
export const PROBE_TIMEOUT_MS = Number(process.env.DPMAMBAIR_PROBE_TIMEOUT_MS) || 15_000;

/**
 * Checks devices in order in a child process (dist/probe-child.js), which is killed when one device
 * takes longer than timeoutMs; that device is reported as unchecked and a new child goes on with the rest.
 */
function probeInChild(devices: Device[], timeoutMs: number, found: Map<Device, DeviceStatus>): Promise<void> {
  const script = fileURLToPath(new URL('../probe-child.js', import.meta.url));
  const child = spawn(process.execPath, [script, ...devices], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-2000);
  });
  const lines = createInterface({ input: child.stdout });
  return new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (reason?: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      lines.close();
      const next = devices.find((d) => !found.has(d));
      if (next && reason) found.set(next, { device: next, available: false, reason });
      resolve();
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(`not checked: its backend did not start within ${timeoutMs / 1000} s`), timeoutMs);
    };
    arm();
    lines.on('line', (line) => {
      try {
        const s = JSON.parse(line) as DeviceStatus;
        if (devices.includes(s.device)) found.set(s.device, s);
      } catch {
        // not ours
      }
      if (devices.every((d) => found.has(d))) finish();
      else arm();
    });
    child.on('error', (e) => finish(`not checked: ${e.message}`));
    // Let the last lines be read first.
    child.on('close', () => finish(`not checked: the check exited (${stderr.trim().split('\n').pop() || 'no message'})`));
  });
}

/** Every device, available or not and why (what core listDevices says), each check time-limited. */
export async function deviceStatuses(timeoutMs = PROBE_TIMEOUT_MS): Promise<DeviceStatus[]> {
  const found = new Map<Device, DeviceStatus>();
  for (;;) {
    const rest = DEVICE_NAMES.filter((d) => !found.has(d));
    if (!rest.length) break;
    await probeInChild(rest, timeoutMs, found);
  }
  return DEVICE_NAMES.map((device) => found.get(device)!);
}

export async function collectInfo(modelPath?: string): Promise<InfoReport> {
  const devices = await deviceStatuses();
  let loaded: LoadedModel | undefined;
  let modelError: string | null = null;
  try {
    loaded = await loadModelFile(modelPath);
  } catch (e) {
    modelError = message(e);
  }
  const model = loaded && {
    path: loaded.path,
    embedded: loaded.embedded,
    config: loaded.model.config,
    parameters: parameterCount(loaded.model.config),
    cost: { at256: cost(loaded.model.config, 256, 256), perMegapixel: cost(loaded.model.config, 1000, 1000) },
    training: loaded.model.manifest?.training ?? null,
    untrained: loaded.untrained,
  };
  return { versions: versions(), devices, model: model ?? null, modelError };
}

const int = (n: number) => n.toLocaleString('en-US');
const big = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : int(n));

/** Free-form training metadata as indented `key: value` lines. */
function describe(value: unknown, indent: string): string[] {
  if (value === null || typeof value !== 'object') return [`${indent}${String(value)}`];
  const lines: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v) && v.some((x) => x !== null && typeof x === 'object')) {
      // e.g. the training passes: one numbered block per entry
      v.forEach((item, i) => lines.push(`${indent}${k} ${i + 1}:`, ...describe(item, `${indent}  `)));
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const inner = Object.values(v).every((x) => x === null || typeof x !== 'object');
      const flat = Object.entries(v).map(([a, b]) => `${a} ${b}`).join(', ');
      if (inner && flat.length < 80) lines.push(`${indent}${k}: ${flat}`);
      else lines.push(`${indent}${k}:`, ...describe(v, `${indent}  `));
    } else {
      lines.push(`${indent}${k}: ${Array.isArray(v) ? JSON.stringify(v) : String(v)}`);
    }
  }
  return lines;
}

export function formatInfo(r: InfoReport): string {
  const v = r.versions;
  const lines = [
    `dpmambair ${v.dpmambair} (core ${v['@dpmambair/core'] ?? '?'}, onnxruntime-node ${v['onnxruntime-node'] ?? 'not installed'}, sharp ${v.sharp} / libvips ${v.libvips}, node ${v.node})`,
    '',
    'Devices:',
  ];
  const width = Math.max(...r.devices.map((d) => d.device.length));
  for (const d of r.devices) {
    lines.push(`  ${d.device.padEnd(width)}  ${d.available ? `yes  ${d.backend}` : `no   ${d.reason ?? ''}`}`);
  }
  lines.push('');
  if (!r.model) {
    lines.push(`Model: ${r.modelError}`);
    return lines.join('\n');
  }
  const m = r.model;
  const c = m.config;
  lines.push(
    `Model: ${m.path}${m.embedded ? ' (embedded default)' : ''}`,
    `  config       ${c.name}: dim ${c.dim}, blocks ${c.blocks.join('/')}, refinement ${c.refinementBlocks}, expand ${c.expand}, state ${c.dState}, embedding ${c.embedDim}, prompt ${c.promptDim}; extractor dim ${c.extractor.dim}, ${c.extractor.stages} stages, CDC kernels ${c.extractor.cdcKernels.join('/')}`,
    `  parameters   ${int(m.parameters.total)} (extractor ${int(m.parameters.extractor)}, restorer ${int(m.parameters.restorer)})`,
  );
  for (const [label, k] of [['256x256     ', m.cost.at256], ['per MP      ', m.cost.perMegapixel]] as const) {
    lines.push(`  ${label} ${k.gflops.toFixed(2)} GFLOPs (conv/matmul ${big(k.convMatmulFlops)}, other ${big(k.otherFlops)}), ${big(k.scanElements)} scan elements${label.startsWith('per') ? ` (${k.size}, whole image)` : ''}`);
  }
  lines.push('  training');
  lines.push(...(m.training && Object.keys(m.training).length ? describe(m.training, '    ') : ['    (no training metadata in the manifest)']));
  if (m.untrained) lines.push('', 'warning: this model is UNTRAINED (initialised weights): it does not restore images.');
  return lines.join('\n');
}

/** `dpmambair info`: exit 0, or 3 when the model cannot be loaded (devices are still listed). */
export async function runInfo(args: InfoArgs, out: NodeJS.WriteStream = process.stdout): Promise<ExitCode> {
  const report = await collectInfo(args.model);
  out.write(`${args.json ? JSON.stringify(report, null, 2) : formatInfo(report)}\n`);
  return report.model ? EXIT.OK : EXIT.LOAD;
}
