import type { RestoreProgress } from '@dpmambair/core';

/** Where progress and notes go: a redrawn bar on a terminal, plain lines in logs, nothing with --json/--quiet. */
export type ProgressMode = 'bar' | 'lines' | 'silent';

export interface FileStart {
  index: number;
  count: number;
  input: string;
  width: number;
  height: number;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}

/** Progress of one run on stderr. */
export class Progress {
  private file?: FileStart;
  private restoreStart = 0;
  private drawn = false;

  constructor(
    readonly mode: ProgressMode,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    /** Warnings (an untrained model) are shown unless --quiet, also with --json. */
    private readonly warnings = true,
  ) {}

  static forStream(stream: NodeJS.WriteStream, options: { json: boolean; quiet: boolean }): Progress {
    const mode = options.json || options.quiet ? 'silent' : stream.isTTY ? 'bar' : 'lines';
    return new Progress(mode, stream, !options.quiet);
  }

  /** A warning: shown unless --quiet. */
  warn(text: string): void {
    if (!this.warnings) return;
    this.clear();
    this.stream.write(`${text}\n`);
  }

  /** A note (warning, device in use); not shown in silent mode. */
  note(text: string): void {
    if (this.mode === 'silent') return;
    this.clear();
    this.stream.write(`${text}\n`);
  }

  /** Errors are always shown, whatever the mode. */
  error(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
  }

  start(file: FileStart): void {
    this.file = file;
    this.restoreStart = 0;
    if (this.mode === 'lines') this.stream.write(`[${file.index}/${file.count}] ${file.input} (${file.width}x${file.height}) ...\n`);
    if (this.mode === 'bar') this.draw('embedding');
  }

  update(p: RestoreProgress): void {
    if (this.mode !== 'bar' || !this.file) return;
    const now = performance.now();
    if (p.stage === 'embed') {
      this.restoreStart = now;
      return this.draw(`embedding, then ${p.total} tile${p.total === 1 ? '' : 's'}`);
    }
    // Elapsed includes the embedding, so early estimates lean long rather than short.
    const width = 24;
    const filled = Math.round((width * p.done) / p.total);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    let eta = '';
    if (p.done > 0 && p.done < p.total) eta = `  ETA ${formatDuration(((now - this.restoreStart) / p.done) * (p.total - p.done))}`;
    this.draw(`[${bar}] ${p.done}/${p.total} tiles${eta}`);
  }

  done(line: string): void {
    if (this.mode === 'silent') return;
    this.clear();
    this.stream.write(`${line}\n`);
    this.file = undefined;
  }

  private draw(status: string): void {
    if (!this.file) return;
    const { index, count, input } = this.file;
    const cols = this.stream.columns || 100;
    const text = `[${index}/${count}] ${input}  ${status}`;
    this.stream.write(`\r\x1b[K${text.length > cols - 1 ? `${text.slice(0, cols - 2)}…` : text}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) {
      this.stream.write('\r\x1b[K');
      this.drawn = false;
    }
  }
}
