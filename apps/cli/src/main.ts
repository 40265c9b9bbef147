import { parseCommandLine } from './args.js';
import { runInfo } from './commands/info.js';
import { runRestore, type FileResult } from './commands/restore.js';
import { runWorker } from './commands/worker.js';
import { EXIT, LoadError, UsageError, isAbort, message, type ExitCode } from './errors.js';
import { helpText } from './help.js';
import { removeTemps } from './io.js';
import { Progress } from './progress.js';
import { handleBrokenPipes, installStopHandlers } from './stop.js';
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
    handleBrokenPipes(() => process.exit(EXIT.BROKEN_PIPE));
    try {
      return await runInfo(args); // Ctrl-C: the default (immediate exit); nothing is written
    } catch (e) {
      stderr(`dpmambair: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return EXIT.FAILED;
    }
  }

  if (args.command === 'worker') return runWorker(args); // its own signal handling: finish the running jobs

  // SIGINT, SIGTERM, SIGHUP and a closed stdout/stderr all stop the run between tiles.
  const stopper = installStopHandlers();
  try {
    const progress = Progress.forStream(process.stderr, args);
    const report = (r: FileResult) => {
      if (args.json && stopper.code !== EXIT.BROKEN_PIPE) process.stdout.write(`${JSON.stringify(r)}\n`);
    };
    return await runRestore(args, { signal: stopper.signal, progress, report });
  } catch (e) {
    if (isAbort(e) || stopper.signal.aborted) {
      await removeTemps();
      stopper.reportStopped();
      return stopper.code ?? EXIT.INTERRUPTED;
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
    stopper.dispose();
    await removeTemps();
  }
}
