// How a run is stopped from outside: SIGINT, SIGTERM, SIGHUP, or a closed stdout/stderr.
// Each aborts the run between tiles, so temporary files are removed and the exit code says why
// (128 + the signal number; 141 for a closed pipe, as if SIGPIPE had ended it).
import * as fsSync from 'node:fs';
import { EXIT, type ExitCode } from './errors.js';
import { removeTempsSync } from './io.js';

const SIGNALS = {
  SIGINT: { code: EXIT.INTERRUPTED, word: 'interrupted' },
  SIGTERM: { code: EXIT.TERMINATED, word: 'terminated (SIGTERM)' },
  SIGHUP: { code: EXIT.HANGUP, word: 'hung up (SIGHUP)' },
} as const;

type StopSignal = keyof typeof SIGNALS;

export interface Stopper {
  signal: AbortSignal;
  /** The exit code for how the run was stopped; undefined while it was not. */
  readonly code: ExitCode | undefined;
  /** Says that partial outputs were removed (nothing when stderr is the pipe that closed). */
  reportStopped(): void;
  /** Stops listening for signals (the pipe handlers stay: a late write must not crash). */
  dispose(): void;
}

/**
 * A write error on stdout or stderr (EPIPE from `| head -n1`, EIO from a gone terminal) calls
 * `onBroken` instead of crashing with a stack from an unhandled 'error' event.
 */
export function handleBrokenPipes(onBroken: (stream: 'stdout' | 'stderr') => void): void {
  for (const name of ['stdout', 'stderr'] as const) process[name].on('error', () => onBroken(name));
}

/** Signal and pipe handling for a restore: the first signal stops after the current tile, a second one at once. */
export function installStopHandlers(): Stopper {
  const controller = new AbortController();
  let code: ExitCode | undefined;
  let stderrBroken = false;
  const say = (text: string) => {
    if (!stderrBroken) process.stderr.write(`${text}\n`);
  };
  const stop = (why: ExitCode) => {
    code ??= why;
    controller.abort(new DOMException('interrupted', 'AbortError'));
  };
  const listeners = (Object.keys(SIGNALS) as StopSignal[]).map((name) => {
    const listener = () => {
      if (code !== undefined) {
        // Second signal: no waiting for the tile. Temporary files go synchronously.
        removeTempsSync(fsSync);
        process.exit(code);
      }
      const what = name === 'SIGINT' ? '\ndpmambair: interrupted; stopping after the current tile (Ctrl-C again to quit now)' : `dpmambair: ${SIGNALS[name].word}; stopping after the current tile`;
      say(what);
      stop(SIGNALS[name].code);
    };
    process.on(name, listener);
    return [name, listener] as const;
  });
  handleBrokenPipes((stream) => {
    if (stream === 'stderr') stderrBroken = true;
    stop(EXIT.BROKEN_PIPE);
  });
  return {
    signal: controller.signal,
    get code() {
      return code;
    },
    reportStopped() {
      if (code === EXIT.BROKEN_PIPE) return; // quiet, as Unix tools are
      const word = (Object.values(SIGNALS).find((s) => s.code === code) ?? SIGNALS.SIGINT).word;
      say(`dpmambair: ${word}; partial outputs removed`);
    },
    dispose() {
      for (const [name, listener] of listeners) process.off(name, listener);
    },
  };
}
