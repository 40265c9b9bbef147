import { promises as fs, type Stats } from 'node:fs';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import type { OutputFormat, RestoreArgs } from './args.js';
import { InputError, UsageError, message } from './errors.js';
import { exists, readHeader, type ImageHeader } from './io.js';
import { assertReplaceable, assertWritableDirectory } from './safety.js';

/** One input that passed every check, with where its output goes. */
export interface Job {
  /** Position among the inputs (results are reported in input order). */
  index: number;
  input: string;
  output: string;
  format: OutputFormat;
  header: ImageHeader;
}

export interface Refused {
  index: number;
  input: string;
  output: string | null;
  error: string;
}

export interface Plan {
  jobs: Job[];
  refused: Refused[];
  /** Directories to create before writing. */
  directories: string[];
}

const EXTENSIONS: Record<string, OutputFormat> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' };
const EXTENSION_OF: Record<OutputFormat, string> = { png: '.png', jpeg: '.jpg', webp: '.webp' };

export const formatOfPath = (path: string): OutputFormat | undefined => EXTENSIONS[extname(path).toLowerCase()];

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(path);
  } catch {
    return undefined;
  }
}

/** An output name in a directory: the input's name, its extension changed only when the format changes. */
export function outputName(input: string, format: OutputFormat): string {
  const name = basename(input);
  const ext = extname(name);
  if (EXTENSIONS[ext.toLowerCase()] === format) return name;
  return `${EXTENSIONS[ext.toLowerCase()] ? name.slice(0, -ext.length) : name}${EXTENSION_OF[format]}`;
}

/** dev:inode of a path, and of its real path's parent + name, to catch links and `./a` vs `a`. */
async function identities(path: string): Promise<string[]> {
  const ids: string[] = [];
  const st = await statOrUndefined(path);
  if (st) ids.push(`inode:${st.dev}:${st.ino}`);
  try {
    ids.push(`path:${join(await fs.realpath(dirname(resolve(path))), basename(path))}`);
  } catch {
    ids.push(`path:${resolve(path)}`);
  }
  try {
    ids.push(`path:${await fs.realpath(path)}`);
  } catch {
    // does not exist yet
  }
  return ids;
}

/**
 * Decides every output path and refuses, before the model is loaded, each input that is not a
 * readable image within the pixel limit, would overwrite an input (never allowed) or an existing
 * file (unless --force), or collides with another input's output. Throws UsageError for a bad -o.
 */
export async function planOutputs(args: RestoreArgs): Promise<Plan> {
  const out = args.output;
  const outStat = await statOrUndefined(out);
  const many = args.inputs.length > 1;
  const toDirectory = many || outStat?.isDirectory() === true || out.endsWith('/') || out.endsWith(sep);
  let fileFormat: OutputFormat | undefined;
  if (toDirectory) {
    if (outStat && !outStat.isDirectory()) throw new UsageError(`-o ${out} is a file; several inputs need a directory`);
  } else {
    const byExt = formatOfPath(out);
    if (byExt && args.format && byExt !== args.format) {
      throw new UsageError(`-o ${out} has a ${extname(out)} extension but --format is ${args.format}`);
    }
    fileFormat = args.format ?? byExt;
  }

  const inputIds = new Map<string, string>();
  for (const input of args.inputs) for (const id of await identities(input)) inputIds.set(id, input);

  const directory = toDirectory ? out : dirname(out);
  const plan: Plan = { jobs: [], refused: [], directories: [directory] };
  // Found out now, before the model loads, rather than after every restore.
  const unwritable = await assertWritableDirectory(directory).then(() => undefined, (e: unknown) => message(e));
  const claimed = new Map<string, string>();
  for (const [index, input] of args.inputs.entries()) {
    let output: string | null = null;
    try {
      const header = await readHeader(input, args.maxPixels);
      const format = (toDirectory ? args.format : fileFormat) ?? header.format;
      output = toDirectory ? join(out, outputName(input, format)) : out;
      if (unwritable) throw new InputError(unwritable);
      for (const id of await identities(output)) {
        const other = inputIds.get(id);
        if (other !== undefined) throw new InputError(`output ${output} is ${other === input ? 'the input itself' : `the input ${other}`}; refused (inputs are never overwritten, even with --force)`);
      }
      const key = resolve(output);
      const first = claimed.get(key);
      if (first !== undefined) throw new InputError(`output ${output} is also the output of ${first}; rename one of them`);
      await assertReplaceable(output);
      if (!args.force && (await exists(output))) throw new InputError(`output ${output} already exists; not overwritten (use --force)`);
      claimed.set(key, input);
      plan.jobs.push({ index, input, output, format, header });
    } catch (e) {
      plan.refused.push({ index, input, output, error: message(e) });
    }
  }
  return plan;
}
