/**
 * `bench … --plot FILE.svg|.html`: a picture of a bench report, drawn by a small SVG writer (no charting library: a
 * vega-lite rendering to SVG would add vega, vega-lite and their dependencies, megabytes, for two kinds of chart).
 * First each case's latency distribution on one log axis (min, P50–P95 box, P99 whisker, max), then, when the report
 * has several dataset sizes, one log–log chart per figure showing how it grows, with the growth exponents.
 */
import type { GrowthSeries } from './growth.js';
import type { BenchReport } from './report.js';

const W = 960;
const ROW = 22;
const LEFT = 300;
const FONT = 'font-family="system-ui, sans-serif" font-size="12"';
const COLOURS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2'];

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (x: number): string =>
  x >= 1000 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(2);

/** Powers of ten spanning [lo, hi], for log-axis ticks. */
function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

function logScale(lo: number, hi: number, from: number, to: number): (x: number) => number {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return (x) => from + ((Math.log10(Math.max(x, lo)) - a) / (b - a || 1)) * (to - from);
}

function latencyPanel(r: BenchReport, top: number): { svg: string; height: number } {
  const cases = r.results.filter((c) => c.latency.count > 0);
  if (!cases.length) return { svg: '', height: 0 };
  const mins = cases.map((c) => c.latency.min).filter((x) => x > 0);
  const lo = mins.length ? Math.min(...mins) : 1e-3;
  const hi = Math.max(...cases.map((c) => c.latency.max));
  const ticks = decades(lo, hi);
  const x = logScale(ticks[0]!, ticks.at(-1)!, LEFT, W - 20);
  const y0 = top + 30;
  const parts = [`<text x="10" y="${top + 16}" ${FONT} font-weight="bold">Latency per call (ms, log scale)</text>`];
  for (const t of ticks)
    parts.push(
      `<line x1="${x(t)}" y1="${y0 - 4}" x2="${x(t)}" y2="${y0 + cases.length * ROW}" stroke="#e5e7eb"/>`,
      `<text x="${x(t)}" y="${y0 + cases.length * ROW + 14}" ${FONT} text-anchor="middle">${num(t)}</text>`,
    );
  cases.forEach((c, i) => {
    const y = y0 + i * ROW + ROW / 2;
    const l = c.latency;
    parts.push(
      `<text x="${LEFT - 8}" y="${y + 4}" ${FONT} text-anchor="end">${esc(c.name)}</text>`,
      `<line x1="${x(l.min)}" y1="${y}" x2="${x(l.max)}" y2="${y}" stroke="#9ca3af"/>`,
      `<rect x="${x(l.p50)}" y="${y - 6}" width="${Math.max(1, x(l.p95) - x(l.p50))}" height="12" fill="#93c5fd"/>`,
      `<line x1="${x(l.p50)}" y1="${y - 7}" x2="${x(l.p50)}" y2="${y + 7}" stroke="#1d4ed8" stroke-width="2"/>`,
      `<line x1="${x(l.p99)}" y1="${y - 5}" x2="${x(l.p99)}" y2="${y + 5}" stroke="#dc2626" stroke-width="2"/>`,
      `<title>${esc(`${c.name}: P50 ${num(l.p50)}, P95 ${num(l.p95)}, P99 ${num(l.p99)}, max ${num(l.max)} ms`)}</title>`,
    );
  });
  const legendY = y0 + cases.length * ROW + 32;
  parts.push(
    `<text x="${LEFT}" y="${legendY}" ${FONT} fill="#374151">line: min–max · box: P50 (blue) to P95 · red: P99</text>`,
  );
  return { svg: parts.join('\n'), height: legendY - top + 10 };
}

/** One figure's series (two for latency: P50 and P99) against the number of memories, on log–log axes. */
interface Chart {
  title: string;
  lines: { label: string; s: GrowthSeries }[];
}

function growthChart(chart: Chart, left: number, top: number, w: number, h: number): string {
  const points = chart.lines.flatMap((l) => l.s.points);
  const xs = points.map((p) => p.memories);
  const vs = points.map((p) => p.value);
  const x = logScale(Math.min(...xs), Math.max(...xs), left + 40, left + w - 50);
  const vLo = Math.min(...vs);
  const vHi = Math.max(...vs);
  const [lo, hi] = vLo === vHi ? [vLo / 2 || 1e-3, vHi * 2 || 1] : [vLo / 1.3, vHi * 1.3];
  const y = logScale(Math.max(lo, 1e-6), hi, top + h - 34, top + 42 + chart.lines.length * 13);
  const parts = [
    `<rect x="${left}" y="${top}" width="${w - 10}" height="${h - 10}" fill="none" stroke="#e5e7eb"/>`,
    `<text x="${left + 8}" y="${top + 16}" ${FONT} font-weight="bold">${esc(chart.title)}</text>`,
  ];
  for (const m of [...new Set(xs)])
    parts.push(`<text x="${x(m)}" y="${top + h - 16}" ${FONT} text-anchor="middle">${num(m)}</text>`);
  chart.lines.forEach((l, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const path = l.s.points.map((p, j) => `${j ? 'L' : 'M'}${x(p.memories)},${y(p.value)}`).join(' ');
    const exps = l.s.exponents.map((e) => (e === null ? '–' : e.toFixed(2))).join(', ');
    parts.push(
      `<text x="${left + 8}" y="${top + 31 + i * 13}" ${FONT} fill="${colour}">${esc(`${l.label}exponent ${exps}`)}</text>`,
      `<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`,
      ...l.s.points.map(
        (p) =>
          `<circle cx="${x(p.memories)}" cy="${y(p.value)}" r="3" fill="${colour}"/>` +
          `<text x="${x(p.memories)}" y="${y(p.value) - 7}" ${FONT} text-anchor="middle">${num(p.value)}</text>`,
      ),
    );
  });
  return parts.join('\n');
}

/** Latency P50 and P99 share a chart; the rate is left out (it mirrors the latency); every other figure has its own. */
function charts(growth: GrowthSeries[]): Chart[] {
  const out: Chart[] = [];
  for (const name of [...new Set(growth.map((g) => g.case))]) {
    const of = growth.filter((g) => g.case === name);
    const latency = ['p50', 'p99'].flatMap((m) => of.filter((g) => g.metric === m));
    if (latency.length)
      out.push({
        title: `${name} latency (ms)`,
        lines: latency.map((s) => ({ label: `${s.metric.toUpperCase()} `, s })),
      });
    for (const s of of.filter((g) => !['p50', 'p99', 'rate'].includes(g.metric)))
      out.push({ title: `${name} ${s.metric}`, lines: [{ label: '', s }] });
  }
  return out;
}

function growthPanel(growth: GrowthSeries[], top: number): { svg: string; height: number } {
  if (!growth.length) return { svg: '', height: 0 };
  const list = charts(growth);
  const perRow = 3;
  const cw = (W - 10) / perRow;
  const ch = 190;
  const parts = [
    `<text x="10" y="${top + 16}" ${FONT} font-weight="bold">Growth with the number of memories (log–log; exponent e: value ∝ memories^e)</text>`,
  ];
  list.forEach((c, i) =>
    parts.push(growthChart(c, (i % perRow) * cw + 5, top + 28 + Math.floor(i / perRow) * ch, cw, ch)),
  );
  return { svg: parts.join('\n'), height: 28 + Math.ceil(list.length / perRow) * ch };
}

export function plotSvg(r: BenchReport): string {
  const title = `progeny bench ${r.kind} · ${r.createdAt.slice(0, 16).replace('T', ' ')} UTC · ${r.env.cpus}× ${r.env.cpuModel} · node ${r.env.node} · load ${r.env.loadavg.join(' ')}`;
  const latency = latencyPanel(r, 30);
  const growth = growthPanel(r.growth ?? [], 30 + latency.height + 10);
  const height = 30 + latency.height + 10 + growth.height + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" ${FONT} fill="#374151">${esc(title)}</text>`,
    latency.svg,
    growth.svg,
    '</svg>',
    '',
  ].join('\n');
}

/** The SVG alone, or wrapped in a minimal HTML page for a `.html` file. */
export function plotFile(r: BenchReport, file: string): string {
  const svg = plotSvg(r);
  if (!/\.html?$/i.test(file)) return svg;
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>progeny bench ${r.kind}</title></head>\n<body>\n${svg}</body></html>\n`;
}
