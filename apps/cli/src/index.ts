export { main } from './main.js';
export { parseCommandLine, type Args, type RestoreArgs, type InfoArgs, type OutputFormat } from './args.js';
export { EXIT, InputError, LoadError, UsageError } from './errors.js';
export { closeSessions, restoreBuffer, restoreFile, type RestoreFileOptions, type RestoreFileResult, type RestoreOptions } from './api.js';
export type { FileResult } from './commands/restore.js';
export type { InfoReport } from './commands/info.js';
