/** Small dependency-free SVG charts (line and grouped bar), used by the report and the docs site. */

const PALETTE = ['#3b82f6', '#ef4444', '#10b981', '#f59e0b', '#8b5cf6', '#ec4899', '#14b8a6', '#64748b'];
const W = 900;
const H = 360;
const M = { top: 40, right: 290, bottom: 50, left: 70 };

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function logTicks(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min / 1.0001 && v <= max * 1.0001) out.push(v);
    }
  }
  return out;
}

function frame(title: string, body: string, yLabel: string, xLabel: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12" role="img" aria-label="${esc(title)}">
<rect width="${W}" height="${H}" fill="#ffffff"/>
<text x="${M.left}" y="22" font-size="15" font-weight="600" fill="#111827">${esc(title)}</text>
<text transform="translate(16 ${M.top + (H - M.top - M.bottom) / 2}) rotate(-90)" text-anchor="middle" fill="#374151">${esc(yLabel)}</text>
<text x="${M.left + (W - M.left - M.right) / 2}" y="${H - 10}" text-anchor="middle" fill="#374151">${esc(xLabel)}</text>
${body}
</svg>
`;
}

export interface LineSeries {
  name: string;
  values: (number | null | undefined)[];
  dashed?: boolean;
}

/** Lines over categorical x labels; y linear or log. Missing values break the line. */
export function lineChart(o: { title: string; xLabels: string[]; series: LineSeries[]; yLabel: string; xLabel: string; yLog?: boolean }): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const all = o.series.flatMap((s) => s.values).filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && (!o.yLog || v > 0));
  if (!all.length) return frame(o.title, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#6b7280">no data</text>`, o.yLabel, o.xLabel);
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (o.yLog) {
    lo = 10 ** Math.floor(Math.log10(lo));
    hi = 10 ** Math.ceil(Math.log10(hi));
  } else {
    lo = Math.min(0, lo);
    hi = hi === lo ? lo + 1 : hi * 1.08;
  }
  const y = (v: number) => M.top + ph - (o.yLog ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo)) * ph;
  const n = o.xLabels.length;
  const x = (i: number) => M.left + (n === 1 ? pw / 2 : (i / (n - 1)) * pw);
  const ticks = o.yLog ? logTicks(lo, hi) : niceTicks(lo, hi);
  let body = '';
  for (const t of ticks) body += `<line x1="${M.left}" x2="${M.left + pw}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e5e7eb"/><text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" fill="#4b5563">${fmt(t)}</text>\n`;
  o.xLabels.forEach((l, i) => (body += `<text x="${x(i).toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle" fill="#4b5563">${esc(l)}</text>\n`));
  body += `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}" stroke="#9ca3af"/><line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#9ca3af"/>\n`;
  o.series.forEach((s, si) => {
    const colour = PALETTE[si % PALETTE.length];
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || (o.yLog && v <= 0)) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)} ${y(v).toFixed(1)} `;
      pen = true;
      body += `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3.5" fill="${colour}"><title>${esc(s.name)} ${esc(o.xLabels[i])}: ${fmt(v)}</title></circle>\n`;
    });
    if (d) body += `<path d="${d.trim()}" fill="none" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>\n`;
    const ly = M.top + 8 + si * 20;
    body += `<line x1="${W - M.right + 14}" x2="${W - M.right + 38}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/><text x="${W - M.right + 44}" y="${ly + 4}" fill="#111827">${esc(s.name)}</text>\n`;
  });
  return frame(o.title, body, o.yLabel, o.xLabel);
}

export interface BarGroup {
  label: string;
  bars: { name: string; value: number | null | undefined; hatched?: boolean }[];
}

/** Grouped vertical bars; every group has the same series names (legend from the first group). */
export function barChart(o: { title: string; groups: BarGroup[]; yLabel: string; xLabel: string; yMin?: number }): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const vals = o.groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (!vals.length) return frame(o.title, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#6b7280">no data</text>`, o.yLabel, o.xLabel);
  const lo = o.yMin ?? Math.min(0, ...vals);
  const hi = Math.max(...vals) * 1.12 || 1;
  const y = (v: number) => M.top + ph - ((Math.max(v, lo) - lo) / (hi - lo)) * ph;
  let body = '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs>\n';
  for (const t of niceTicks(lo, hi)) body += `<line x1="${M.left}" x2="${M.left + pw}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e5e7eb"/><text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" fill="#4b5563">${fmt(t)}</text>\n`;
  const gw = pw / o.groups.length;
  const names = o.groups[0]?.bars.map((b) => b.name) ?? [];
  o.groups.forEach((g, gi) => {
    const bw = Math.min(48, (gw * 0.8) / Math.max(1, g.bars.length));
    const x0 = M.left + gi * gw + (gw - bw * g.bars.length) / 2;
    g.bars.forEach((b, bi) => {
      const colour = PALETTE[names.indexOf(b.name) >= 0 ? names.indexOf(b.name) % PALETTE.length : bi % PALETTE.length];
      if (typeof b.value !== 'number' || !Number.isFinite(b.value)) {
        body += `<text x="${(x0 + bi * bw + bw / 2).toFixed(1)}" y="${M.top + ph - 4}" text-anchor="middle" fill="#9ca3af" font-size="10">n/a</text>\n`;
        return;
      }
      const top = y(b.value);
      const h = M.top + ph - top;
      body += `<rect x="${(x0 + bi * bw + 1).toFixed(1)}" y="${top.toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${colour}"><title>${esc(g.label)} ${esc(b.name)}: ${fmt(b.value)}</title></rect>\n`;
      if (b.hatched) body += `<rect x="${(x0 + bi * bw + 1).toFixed(1)}" y="${top.toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="url(#hatch)"/>\n`;
      body += `<text x="${(x0 + bi * bw + bw / 2).toFixed(1)}" y="${(top - 4).toFixed(1)}" text-anchor="middle" fill="#111827" font-size="10">${fmt(b.value)}</text>\n`;
    });
    body += `<text x="${(M.left + gi * gw + gw / 2).toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle" fill="#4b5563">${esc(g.label)}</text>\n`;
  });
  body += `<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#9ca3af"/>\n`;
  if (names.length > 1) {
    names.forEach((name, i) => {
      const ly = M.top + 8 + i * 20;
      body += `<rect x="${W - M.right + 14}" y="${ly - 6}" width="14" height="12" fill="${PALETTE[i % PALETTE.length]}"/><text x="${W - M.right + 34}" y="${ly + 4}" fill="#111827">${esc(name)}</text>\n`;
    });
  }
  return frame(o.title, body, o.yLabel, o.xLabel);
}
