/** Reading and writing records and the report under benchmarks/results/. */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRecord, recordFileName, renderCharts, renderReport } from './report.js';
import { UNAVAILABLE_SCHEMA, type BenchRecord, type UnavailableList } from './types.js';

/** Writes (or, with no devices, removes) bench-unavailable-<runtime>.json. */
export function writeUnavailable(dir: string, runtime: UnavailableList['runtime'], devices: UnavailableList['devices']): void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `bench-unavailable-${runtime}.json`);
  if (!devices.length) {
    rmSync(path, { force: true });
    return;
  }
  const list: UnavailableList = { schema: UNAVAILABLE_SCHEMA, runtime, date: new Date().toISOString(), devices };
  writeFileSync(path, JSON.stringify(list, null, 1) + '\n');
}

export function loadUnavailable(dir: string): UnavailableList[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith('bench-unavailable-') && n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return names.map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8'))).filter((x) => x?.schema === UNAVAILABLE_SCHEMA);
}

export function writeRecord(dir: string, record: BenchRecord): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, recordFileName(record));
  writeFileSync(path, JSON.stringify(record, null, 1) + '\n');
  return path;
}

/** Every bench record in a folder (other JSON there, such as cpu.json of benchmarks/cpu.ts, is ignored). */
export function loadRecords(dir: string): BenchRecord[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith('bench-') && n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return names.map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8'))).filter(isRecord);
}

/** Writes report.md and its SVG charts next to the records. */
export function writeReport(dir: string): string {
  const records = loadRecords(dir);
  for (const [name, svg] of Object.entries(renderCharts(records))) writeFileSync(join(dir, name), svg);
  const path = join(dir, 'report.md');
  writeFileSync(path, renderReport(records, { unavailable: loadUnavailable(dir) }));
  return path;
}
