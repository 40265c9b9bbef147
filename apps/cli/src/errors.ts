/** Exit codes of the dpmambair CLI (also in --help and the README). */
export const EXIT = {
  /** Every input restored (or `info` printed). */
  OK: 0,
  /** One or more inputs failed; the others were still written. */
  FAILED: 1,
  /** Bad flags, missing arguments, unknown device or format. */
  USAGE: 2,
  /** The model or the device could not be loaded. */
  LOAD: 3,
  /** Interrupted (SIGINT); partial outputs removed. */
  INTERRUPTED: 130,
  /** Hung up (SIGHUP): as SIGINT. */
  HANGUP: 129,
  /** Terminated (SIGTERM): as SIGINT. */
  TERMINATED: 143,
  /** stdout or stderr was closed (EPIPE, e.g. `| head -n1`): stopped quietly, as on SIGPIPE. */
  BROKEN_PIPE: 141,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake in the command line: exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The model or the device could not be loaded: exit 3. */
export class LoadError extends Error {
  override name = 'LoadError';
}

/** One input could not be restored (unreadable, too large, would overwrite ...): reported, exit 1 at the end. */
export class InputError extends Error {
  override name = 'InputError';
}

export function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
