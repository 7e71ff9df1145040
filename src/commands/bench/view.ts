/** The human rendering of a bench report: one latency table, one resources table, then thresholds, baseline, verdict. */
import type { BenchReport } from '../../bench/report.js';
import type { View } from '../output.js';

const f = (x: unknown): string =>
  typeof x === 'number' ? (x >= 100 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3)) : '–';
const rate = (x: unknown): string => (typeof x === 'number' ? Math.round(x).toLocaleString('en-US') : '–');
const pct = (x: unknown): string => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '–');

export function benchView(r: BenchReport): View {
  const views: View[] = [];
  views.push({
    kind: 'table',
    empty: 'no case was measured',
    columns: [
      { key: 'name', label: 'case' },
      { key: 'p50', label: 'P50 ms', align: 'right', format: f },
      { key: 'p95', label: 'P95 ms', align: 'right', format: f },
      { key: 'p99', label: 'P99 ms', align: 'right', format: f },
      { key: 'max', label: 'max ms', align: 'right', format: f },
      { key: 'rate', label: 'ops/s', align: 'right', format: rate },
      { key: 'errors', label: 'errors', align: 'right' },
      { key: 'runs', label: 'runs', align: 'right' },
      { key: 'cv', label: 'P50 spread', align: 'right', format: pct },
      { key: 'note', label: '' },
    ],
    rows: r.results.map((c) => ({
      name: c.name,
      ...c.latency,
      rate: c.rate,
      errors: c.errors,
      runs: c.runs.length,
      cv: c.spread.p50.cv,
      note: [
        c.invalid.length ? 'INVALID' : '',
        c.extra?.ratio !== undefined ? `×${String(c.extra.ratio)} of node:http` : '',
        c.extra?.model === 'open'
          ? `open model at ${rate(c.extra.targetRate)}/s, generator busy ${String(c.extra.generatorBusyPercent)}%`
          : '',
        typeof c.extra?.recallAt10 === 'number' ? `recall@10 ${c.extra.recallAt10.toFixed(3)} of exact` : '',
        c.extra?.serverRssIdleMb !== undefined && c.name.startsWith('http.closed')
          ? `server RSS ${String(c.extra.serverRssIdleMb)} MB idle`
          : '',
      ]
        .filter(Boolean)
        .join(', '),
    })),
    footer: `${r.env.cpus}× ${r.env.cpuModel}, node ${r.env.node}${r.env.timerOverheadNs !== undefined ? `, timer overhead ${r.env.timerOverheadNs} ns` : ''}; spread = CV of the per-run P50s`,
  });
  const withRes = r.results.filter((c) => c.runs.some((x) => x.resources));
  if (withRes.length) {
    views.push({
      kind: 'table',
      columns: [
        { key: 'name', label: 'resources (worst run)', flex: true },
        { key: 'rss', label: 'RSS peak MB', align: 'right', format: f },
        { key: 'heap', label: 'heap MB', align: 'right', format: f },
        { key: 'gc', label: 'GCs', align: 'right' },
        { key: 'gcMs', label: 'GC ms', align: 'right', format: f },
        { key: 'eld', label: 'loop delay P99 ms', align: 'right', format: f },
        { key: 'cpu', label: 'CPU %', align: 'right', format: f },
      ],
      rows: withRes.map((c) => {
        const res = c.runs.flatMap((x) => (x.resources ? [x.resources] : []));
        const max = (k: keyof (typeof res)[number]) => Math.max(...res.map((x) => x[k]));
        return {
          name: c.name,
          rss: max('rssPeakMb'),
          heap: max('heapUsedMb'),
          gc: max('gcCount'),
          gcMs: max('gcPauseMs'),
          eld: max('eventLoopDelayP99Ms'),
          cpu: max('cpuPercent'),
        };
      }),
    });
  }
  if (r.growth?.length) views.push(growthView(r));
  views.push(judgementView(r));
  return { kind: 'stack', views };
}

/** Each figure measured at several sizes, and its growth exponent between neighbouring sizes. */
function growthView(r: BenchReport): View {
  const sizes = [...new Set(r.growth!.flatMap((g) => g.points.map((p) => p.memories)))].sort((a, b) => a - b);
  return {
    kind: 'table',
    columns: [
      { key: 'name', label: 'growth', flex: true },
      ...sizes.map((n) => ({
        key: String(n),
        label: `@${n.toLocaleString('en-US')}`,
        align: 'right' as const,
        format: f,
      })),
      { key: 'exp', label: 'exponent', align: 'right' },
    ],
    rows: r.growth!.map((g) => ({
      name: `${g.case} ${g.metric}`,
      ...Object.fromEntries(g.points.map((p) => [String(p.memories), p.value])),
      exp: g.exponents.map((e) => (e === null ? '–' : e.toFixed(2))).join(' → '),
    })),
    footer: 'exponent: value ∝ memories^e between neighbouring sizes (1 linear, 0 flat)',
  };
}

/** Thresholds, the baseline comparison, why the measurement is invalid, and the verdict. */
export function judgementView(r: BenchReport): View {
  const lines: string[] = [];
  for (const t of r.thresholds.filter((x) => x.status !== 'unmatched'))
    lines.push(
      `${t.status === 'pass' ? '✓' : '✗'} ${t.expr}  ${t.checks.map((c) => `${c.name}=${c.actual}`).join(', ')}`,
    );
  const unmatched = r.thresholds.filter((x) => x.status === 'unmatched');
  if (unmatched.length)
    lines.push(
      `? ${unmatched.length} threshold(s) match no case measured in this run: ${unmatched.map((t) => t.expr).join(', ')}`,
    );
  if (r.baseline) {
    for (const c of r.baseline.cases.filter((x) => x.status !== 'same')) {
      lines.push(
        `${c.status === 'regressed' ? '✗' : '·'} ${c.name}: ${c.status}${c.metrics.map((m) => ` ${m.metric} ${m.baseline}→${m.current} (${m.change >= 0 ? '+' : ''}${(m.change * 100).toFixed(1)}%)`).join(',')}`,
      );
    }
    lines.push(
      `baseline ${r.baseline.file}: ${r.baseline.cases.filter((c) => c.status === 'same').length} case(s) within ${Math.round(r.baseline.tolerance * 100)}%`,
    );
  }
  for (const why of r.invalid) lines.push(`invalid: ${why}`);
  lines.push(`verdict: ${r.verdict.status}${r.verdict.exitCode ? ` (exit ${r.verdict.exitCode})` : ''}`);
  return { kind: 'text', text: lines.join('\n') };
}
