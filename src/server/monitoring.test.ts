/**
 * What operators load from deploy/ (docs/monitoring.md) against what `/metrics` really exposes: promtool accepts the
 * page, the alert rules and their unit tests; every query of the Grafana dashboard and of the rules names a metric
 * that exists; the README's metric table lists every metric with its type and labels. promtool comes with Debian's
 * `prometheus` package (`.ci/run` installs it); without it those tests report themselves skipped.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { relayForEngine } from './relay/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(`${root}${path}`, 'utf8');
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
const promtool = (args: string[], input?: string) =>
  spawnSync('promtool', args, { cwd: root, encoding: 'utf8', ...(input !== undefined ? { input } : {}) });

let s: TestServer;
let page = '';
/** Metric family → type, and the label names its series carry. */
const families = new Map<string, { type: string; labels: Set<string> }>();

beforeAll(async () => {
  s = await startTestServer({}, (engine) => {
    const relay = relayForEngine(engine);
    return { plugins: [relay.plugin], onClose: () => relay.close() };
  });
  // Traffic that gives the labelled families series: requests of several routes and statuses, a turn, a recall.
  await s.app.inject({ url: '/v1/state', headers: s.auth });
  await s.app.inject({ url: '/v1/nothing', headers: s.auth });
  await s.app.inject({
    method: 'POST',
    url: '/v1/memories',
    headers: s.auth,
    payload: { memories: [{ text: 'x y' }] },
  });
  await s.app.inject({ url: '/v1/memories/search?q=x', headers: s.auth });
  await s.app.inject({ method: 'POST', url: '/v1/chat', headers: s.auth, payload: { message: 'hello' } });
  page = (await s.app.inject({ url: '/metrics', headers: s.auth })).body;
  for (const m of page.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(m[1]!, { type: m[2]!, labels: new Set() });
  for (const m of page.matchAll(/^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? /gm)) {
    const name = m[1]!.replace(/_(bucket|sum|count)$/, (x) => (families.has(m[1]!) ? x : ''));
    for (const l of (m[2] ?? '').matchAll(/(\w+)="/g)) if (l[1] !== 'le') families.get(name)?.labels.add(l[1]!);
  }
});
afterAll(() => s.close());

/** The metric families a PromQL expression reads (a histogram's _bucket/_sum/_count name its family). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(progeny_\w+)/g)].map((m) => {
    const name = m[1]!;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    return base !== name && families.get(base)?.type === 'histogram' ? base : name;
  });
}

describe.skipIf(!hasPromtool)('promtool', () => {
  it('check metrics accepts /metrics (names, HELP, units and suffixes, histograms)', () => {
    expect(families.size).toBeGreaterThanOrEqual(25);
    const r = promtool(['check', 'metrics'], page);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('check rules accepts the alert rules, and their unit tests pass', () => {
    const check = promtool(['check', 'rules', 'deploy/prometheus/progeny-alerts.yml']);
    expect(check.stdout).toMatch(/SUCCESS: 6 rules found/);
    const test = promtool(['test', 'rules', 'deploy/prometheus/progeny-alerts.test.yml']);
    expect(test.stdout + test.stderr).toMatch(/SUCCESS/);
    expect(test.status).toBe(0);
  });
});

describe('deploy/ against /metrics', () => {
  it('the Grafana dashboard queries only metrics /metrics exposes, with instance and route variables', () => {
    const dash = JSON.parse(read('deploy/grafana/progeny-dashboard.json')) as {
      panels: { id: number; title: string; description: string; targets: { expr: string }[] }[];
      templating: { list: { name: string; query: { query: string } }[] };
    };
    expect(dash.templating.list.map((v) => v.name)).toEqual(['instance', 'route']);
    const exprs = [
      ...dash.panels.flatMap((p) => p.targets.map((t) => t.expr)),
      ...dash.templating.list.map((v) => v.query.query),
    ];
    const used = new Set(exprs.flatMap(metricsIn));
    expect(used.size).toBeGreaterThan(15);
    expect([...used].filter((m) => !families.has(m))).toEqual([]);
    expect(new Set(dash.panels.map((p) => p.id)).size).toBe(dash.panels.length);
    for (const p of dash.panels.filter((x) => x.targets.some((t) => /\$route/.test(t.expr))))
      expect(p.targets.every((t) => t.expr.includes('instance=~"$instance"'))).toBe(true);
  });

  it('the alert rules read only metrics /metrics exposes', () => {
    const used = new Set(metricsIn(read('deploy/prometheus/progeny-alerts.yml')));
    expect(used.size).toBeGreaterThanOrEqual(5);
    expect([...used].filter((m) => !families.has(m))).toEqual([]);
  });

  it("the README's monitoring section lists every metric with its type and labels", () => {
    const section = read('README.md').split('## Monitoring')[1]?.split('\n## ')[0] ?? '';
    const rows = [...section.matchAll(/^\| `(\w+)` \| (\w+) \| ([^|]+) \| ([^|]*) \|/gm)].map((m) => ({
      name: m[1]!,
      type: m[2]!,
      labels:
        m[4]!.trim() === '' || m[4]!.trim() === '—' ? [] : m[4]!.split(',').map((l) => l.trim().replace(/`/g, '')),
    }));
    expect(rows.map((r) => r.name).sort()).toEqual([...families.keys()].sort());
    for (const r of rows) {
      const f = families.get(r.name)!;
      expect(`${r.name} ${r.type}`).toBe(`${r.name} ${f.type}`);
      // Label names are checked where the page has series to show them.
      if (f.labels.size)
        expect(`${r.name} {${r.labels.sort().join(',')}}`).toBe(`${r.name} {${[...f.labels].sort().join(',')}}`);
    }
  });
});
