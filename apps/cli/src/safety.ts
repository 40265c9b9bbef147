// What may be written where: the checks that keep a restore from replacing what is not ours,
// from failing late on an unwritable directory, and from leaving temporary files behind.
// Plain functions (no CLI state) so that the library API runs the same checks.
import { constants as FS, promises as fs, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputError } from './errors.js';

/** What a path is, in words, for anything but a regular file. */
export function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return st.isFile() ? 'a regular file' : 'not a regular file';
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(path);
  } catch {
    return undefined;
  }
}

/**
 * Throws InputError unless `path` is absent, a regular file, or a symbolic link (which is
 * replaced as a link: its target is never written). Device nodes, FIFOs, sockets and directories
 * are never replaced, --force or not: renaming over /dev/null would break the system.
 */
export async function assertReplaceable(path: string): Promise<void> {
  const st = await lstatOrUndefined(path);
  if (!st || st.isFile()) return;
  if (st.isSymbolicLink()) {
    const target = await fs.stat(path).catch(() => undefined);
    if (target?.isDirectory()) throw new InputError(`output ${path} is a link to a directory; refused (only files are replaced)`);
    return;
  }
  throw new InputError(`output ${path} is ${kindOf(st)}; refused (only regular files are replaced, even with --force)`);
}

const TEMP_TAG = 'dpmambair';
/** `.<name>.dpmambair-<pid>-<8 hex>.tmp`: hidden, recognisably ours, and naming the writer's pid. */
const TEMP_PATTERN = /^\..*\.dpmambair-(\d+)-[0-9a-f]{8}\.tmp$/s;
/** Longest file name most file systems take (bytes). */
export const NAME_MAX = 255;

/** Cuts a string to at most `maxBytes` of UTF-8 without splitting a character. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** A fresh temporary path beside `target`, whose name fits NAME_MAX however long the target's is. */
export function tempPathFor(target: string, pid = process.pid): string {
  const suffix = `.${TEMP_TAG}-${pid}-${randomBytes(4).toString('hex')}.tmp`;
  const stem = truncateUtf8(basename(target), NAME_MAX - 1 - Buffer.byteLength(suffix));
  return join(dirname(target), `.${stem}${suffix}`);
}

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes temporary files that an earlier run left in `dir` when it was killed (SIGKILL, power
 * loss): ours by name, and only those whose writer's process is gone. Returns their paths.
 */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_PATTERN.exec(name);
    if (!m || Number(m[1]) === process.pid || !processIsGone(Number(m[1]))) continue;
    const path = join(dir, name);
    const st = await lstatOrUndefined(path);
    if (!st?.isFile()) continue;
    await fs.rm(path, { force: true }).then(() => removed.push(path), () => undefined);
  }
  return removed;
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ENAMETOOLONG':
      return 'name too long';
    default:
      return (e as Error).message;
  }
}

/**
 * Checks, before anything is restored, that files can be written in `dir`: it is a writable
 * directory on a writable file system, or it does not exist and its nearest existing ancestor
 * is one (so it can be created). Throws InputError saying which directory and why.
 */
export async function assertWritableDirectory(dir: string): Promise<void> {
  const target = resolve(dir);
  for (let probe = target; ; probe = dirname(probe)) {
    let st: Stats;
    try {
      st = await fs.stat(probe);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(probe) !== probe) continue; // look further up
      throw new InputError(`cannot use output directory ${dir}: ${errnoText(e)}`);
    }
    // The directory itself, or the existing ancestor it would be created in.
    const what = probe === target ? `output directory ${dir}` : `cannot create output directory ${dir}: ${probe}`;
    if (!st.isDirectory()) throw new InputError(`${what} is not a directory`);
    try {
      await fs.access(probe, FS.W_OK | FS.X_OK);
    } catch (e) {
      throw new InputError(`${what} is not writable (${errnoText(e)})`);
    }
    return;
  }
}

/** mkdir -p, with a failure reported as what it is (not as a missing temporary file later). */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new InputError(`cannot create output directory ${dir}: ${errnoText(e)}`);
  }
}

/** An input's read error in words: permission denied is not "unsupported format". */
export async function assertReadable(path: string): Promise<void> {
  try {
    const handle = await fs.open(path, 'r');
    await handle.close();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such file' : `cannot read: ${errnoText(e)}`);
  }
}
