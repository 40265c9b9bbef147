// A 24 MP photograph through the real CLI on a terminal: wall time, peak RSS, and the progress
// bar with its ETA as the user sees it (issue 14: <= 1.5 GB at 6000x4000).
//
//   npx tsx benchmarks/large-photo.ts [photo.jpg [restore options...]]
//
// Without a photo it builds $TMPDIR/dpmambair-mosaic-6000x4000.jpg: four photographs from Debian's
// plasma-workspace-wallpapers (Path, BytheWater, Kite, OneStandsOut; 2560x1600 each, fetched with
// apt-get download), each resized to 3000x2000 (1.25x, cover) in a 2x2 mosaic, JPEG quality 92.
// Each run appends a section to benchmarks/results/large-photo.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'apps/cli/dist/bin.js');
const PHOTOS = ['Path', 'BytheWater', 'Kite', 'OneStandsOut'];

async function mosaic(): Promise<string> {
  const path = join(tmpdir(), 'dpmambair-mosaic-6000x4000.jpg');
  if (existsSync(path)) return path;
  const tmp = mkdtempSync(join(tmpdir(), 'wallpapers-'));
  execFileSync('apt-get', ['download', 'plasma-workspace-wallpapers'], { cwd: tmp, stdio: 'inherit' });
  const deb = execFileSync('sh', ['-c', 'ls *.deb'], { cwd: tmp, encoding: 'utf8' }).trim();
  execFileSync('dpkg', ['-x', deb, 'root'], { cwd: tmp });
  const tiles = await Promise.all(PHOTOS.map(async (name, i) => ({
    input: await sharp(join(tmp, 'root/usr/share/wallpapers', name, 'contents/images/2560x1600.jpg')).resize(3000, 2000, { fit: 'cover' }).toBuffer(),
    left: (i % 2) * 3000,
    top: Math.floor(i / 2) * 2000,
  })));
  await sharp({ create: { width: 6000, height: 4000, channels: 3, background: '#000' } }).composite(tiles).jpeg({ quality: 92 }).toFile(path);
  rmSync(tmp, { recursive: true, force: true });
  return path;
}

const photo = process.argv[2] ?? (await mosaic());
const extra = process.argv.slice(3);
const meta = await sharp(photo).metadata();
const out = join(mkdtempSync(join(tmpdir(), 'large-photo-')), 'restored.jpg');
const transcript = `${out}.typescript`;
// `script` gives the CLI a pseudo-terminal, so it draws its bar; the hook prints the peak RSS at exit.
const hook = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\n@maxrss '+process.resourceUsage().maxRSS+'\\n'))`;
const command = [process.execPath, '--import', `"${hook}"`, CLI, 'restore', photo, '-o', out, '--device', 'cpu', ...extra].join(' ');
const start = performance.now();
const run = spawnSync('script', ['-qefc', command, transcript], { encoding: 'utf8', env: { ...process.env, COLUMNS: '120' } });
const seconds = (performance.now() - start) / 1000;
const text = readFileSync(transcript, 'utf8');
if (run.status !== 0) throw new Error(`the CLI failed (${run.status}):\n${text.slice(-2000)}`);
const rssMiB = Number(/@maxrss (\d+)/.exec(text)![1]) / 1024;
// Each redraw starts with \r\x1b[K; keep a few bar states with their ETA, as a user would see them.
const frames = text.split('\r\x1b[K').map((f) => f.trim()).filter((f) => /tiles/.test(f));
const etas = frames.filter((f) => /ETA/.test(f));
const shown = [frames[0], etas[Math.floor(etas.length / 4)], etas[Math.floor(etas.length / 2)], etas.at(-1), frames.at(-1)].filter(Boolean);
const doneLine = text.split('\r\x1b[K').find((f) => f.includes(' -> '))?.split(/\r?\n/).find((l) => l.includes(' -> '))?.trim();
const outMeta = await sharp(out).metadata();
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const results = join(REPO, 'benchmarks/results/large-photo.md');
const title = `# A 24 MP photograph through the CLI (issue 14)

Command: \`npx tsx benchmarks/large-photo.ts [photo [restore options]]\`: \`dpmambair restore <photo> -o restored.jpg --device cpu [options]\`
on a pseudo-terminal, peak RSS of the CLI process from \`process.resourceUsage()\` at exit. Without a photo the script
builds the 6000x4000 mosaic of four real photographs described at its top. Each run below is one section.
`;
const report = `
## ${new Date().toISOString()}: ${meta.width}x${meta.height} ${meta.format}${extra.length ? `, ${extra.join(' ')}` : ', default options (tile 512, overlap 32)'}

Machine: ${cpus()[0]?.model.trim()}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; load average at the end ${load}.
Photo: ${photo.startsWith(REPO) ? photo.slice(REPO.length) : photo}. Embedded model.

| | |
| --- | --- |
| output | ${outMeta.width}x${outMeta.height} ${outMeta.format} |
| wall time | ${seconds.toFixed(1)} s (${(seconds / ((meta.width! * meta.height!) / 1e6)).toFixed(2)} s/MP, model load included) |
| peak RSS | ${rssMiB.toFixed(0)} MiB (issue 14's limit: 1536) |

Progress as drawn on the terminal (a few of the redraws, first to last):
\`\`\`
${shown.join('\n')}
${doneLine ?? ''}
\`\`\`
`;
writeFileSync(results, (existsSync(results) ? readFileSync(results, 'utf8') : title) + report);
console.log(report);
if (rssMiB > 1536) process.exitCode = 1;
