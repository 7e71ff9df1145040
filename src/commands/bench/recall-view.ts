/** The human rendering of `bench recall`: recall@k and search latency per category, then the judgement. */
import type { BenchReport } from '../../bench/report.js';
import type { View } from '../output.js';
import { judgementView } from './view.js';

const f3 = (x: unknown): string => (typeof x === 'number' ? x.toFixed(3) : '–');
const ms = (x: unknown): string => (typeof x === 'number' ? (x >= 100 ? x.toFixed(0) : x.toFixed(2)) : '–');

export function recallView(r: BenchReport, ks: number[]): View {
  const cfg = r.config as { conversations?: number; turns?: number; embedder?: string; overrides?: object };
  const overrides = Object.entries(cfg.overrides ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  return {
    kind: 'stack',
    views: [
      {
        kind: 'table',
        empty: 'no question was asked',
        columns: [
          { key: 'name', label: 'questions', flex: true },
          { key: 'questions', label: 'n', align: 'right' },
          ...ks.map((k) => ({ key: `recall@${k}`, label: `recall@${k}`, align: 'right' as const, format: f3 })),
          { key: 'p50', label: 'P50 ms', align: 'right', format: ms },
          { key: 'p95', label: 'P95 ms', align: 'right', format: ms },
          { key: 'p99', label: 'P99 ms', align: 'right', format: ms },
        ],
        rows: r.results.map((c) => ({
          ...c.extra,
          name: c.name === 'recall.all' ? 'all' : c.name.slice('recall.'.length),
          p50: c.latency.p50,
          p95: c.latency.p95,
          p99: c.latency.p99,
        })),
        footer: `${cfg.conversations ?? 0} conversation(s), ${cfg.turns ?? 0} turns; embedder ${cfg.embedder || '–'}${overrides.length ? `; --set ${overrides.join(' ')}` : ''}; latency = one search, query embedding included`,
      },
      judgementView(r),
    ],
  };
}
