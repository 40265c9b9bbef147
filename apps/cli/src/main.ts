import * as fsSync from 'node:fs';
import { parseCommandLine } from './args.js';
import { runInfo } from './commands/info.js';
import { runRestore, type FileResult } from './commands/restore.js';
import { EXIT, LoadError, UsageError, isAbort, message, type ExitCode } from './errors.js';
import { helpText } from './help.js';
import { removeTemps, removeTempsSync } from './io.js';
import { Progress } from './progress.js';
import { cliVersion } from './versions.js';

const stderr = (line: string) => process.stderr.write(`${line}\n`);

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<ExitCode> {
  let args;
  try {
    args = parseCommandLine(argv);
  } catch (e) {
    stderr(`dpmambair: ${message(e)}`);
    stderr("Run 'dpmambair --help' for usage.");
    return EXIT.USAGE;
  }
  if (args.command === 'help') {
    process.stdout.write(`${helpText(args.topic)}\n`);
    return EXIT.OK;
  }
  if (args.command === 'version') {
    process.stdout.write(`${cliVersion()}\n`);
    return EXIT.OK;
  }
  if (args.command === 'info') {
    try {
      return await runInfo(args); // Ctrl-C: the default (immediate exit); nothing is written
    } catch (e) {
      stderr(`dpmambair: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return EXIT.FAILED;
    }
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) {
      removeTempsSync(fsSync);
      process.exit(EXIT.INTERRUPTED);
    }
    stderr('\ndpmambair: interrupted; stopping after the current tile (Ctrl-C again to quit now)');
    controller.abort(new DOMException('interrupted', 'AbortError'));
  };
  process.on('SIGINT', onSigint);
  try {
    const progress = Progress.forStream(process.stderr, args);
    const report = (r: FileResult) => {
      if (args.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    };
    return await runRestore(args, { signal: controller.signal, progress, report });
  } catch (e) {
    if (isAbort(e) || controller.signal.aborted) {
      await removeTemps();
      stderr('dpmambair: interrupted; partial outputs removed');
      return EXIT.INTERRUPTED;
    }
    if (e instanceof UsageError) {
      stderr(`dpmambair: ${e.message}`);
      return EXIT.USAGE;
    }
    if (e instanceof LoadError) {
      stderr(`dpmambair: error: ${e.message}`);
      return EXIT.LOAD;
    }
    stderr(`dpmambair: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.FAILED;
  } finally {
    process.off('SIGINT', onSigint);
    await removeTemps();
  }
}
