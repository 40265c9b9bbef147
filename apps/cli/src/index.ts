export { main } from './main.js';
export { parseCommandLine, type Args, type RestoreArgs, type InfoArgs, type OutputFormat } from './args.js';
export { EXIT } from './errors.js';
export type { FileResult } from './commands/restore.js';
export type { InfoReport } from './commands/info.js';
