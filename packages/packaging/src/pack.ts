/** Packs the public workspaces as npm would publish them, and reads what is inside a tarball. */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export interface Workspace {
  name: string;
  dir: string;
}

/** Every workspace that is not private: what `npm publish --workspaces` would publish. */
export function publicWorkspaces(): Workspace[] {
  const out: Workspace[] = [];
  for (const parent of ['packages', 'apps']) {
    for (const entry of readdirSync(join(REPO, parent))) {
      let pkg: { name: string; private?: boolean };
      try {
        pkg = JSON.parse(readFileSync(join(REPO, parent, entry, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      if (!pkg.private) out.push({ name: pkg.name, dir: join(REPO, parent, entry) });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** `npm pack` of the workspaces into `dest`; returns the tarball path of each, by package name. */
export function packAll(workspaces: Workspace[], dest: string): Map<string, string> {
  const args = ['pack', '--json', '--pack-destination', dest, ...workspaces.flatMap((w) => ['-w', w.name])];
  const out = execFileSync('npm', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const list = JSON.parse(out) as { name: string; filename: string }[];
  return new Map(list.map((p) => [p.name, join(dest, p.filename)]));
}

/** The files of a .tgz (name -> bytes), from the tar headers (ustar, as npm writes it). */
export function tarFiles(tgz: string): Map<string, Buffer> {
  const tar = gunzipSync(readFileSync(tgz));
  const files = new Map<string, Buffer>();
  for (let off = 0; off + 512 <= tar.length; ) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (a: number, b: number) => header.subarray(a, b).toString('utf8').replace(/\0.*$/s, '');
    const name = (field(345, 500) ? `${field(345, 500)}/` : '') + field(0, 100);
    const size = parseInt(field(124, 136).trim() || '0', 8);
    if (header[156] === 0x30 || header[156] === 0) files.set(name.replace(/^package\//, ''), tar.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** The first fenced code block of `lang` under the heading `## <section>` of a README, verbatim. */
export function readmeBlock(readme: string, section: string, lang: string): string {
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`${readme}: no section '## ${section}'`);
  const rest = text.slice(start + 1);
  const end = rest.indexOf('\n## ', 1);
  const body = end < 0 ? rest : rest.slice(0, end);
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```').exec(body);
  if (!m) throw new Error(`${readme}: no \`\`\`${lang} block under '## ${section}'`);
  return `${m[1]}\n`;
}
