/**
 * A real Prometheus (Debian's `prometheus` package; `.ci/run` installs it) scraping `progeny serve` on 127.0.0.1 every
 * second, with the alert rules of deploy/ loaded: after some traffic (requests, a recall, a chat turn, a failing one,
 * a sync push to the relay), the queries an operator runs return series that are present and sane. The server runs
 * with structured logs on, and their lines are checked too (docs/monitoring.md). Without `prometheus` on the PATH the
 * test reports itself skipped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmTestDouble, type LlmTestDouble } from '../../src/testing/llm-double.js';
import { makeHome, type Home } from './cli-harness.js';

const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;
const RULES = fileURLToPath(new URL('../../deploy/prometheus/progeny-alerts.yml', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let llm: LlmTestDouble;
let home: Home;
let relayUser: Home;
let serve: ChildProcess;
let prometheus: ChildProcess;
let promDir: string;
let url: string;
let promUrl: string;
let ownerToken: string;
let device: { id: string; token: string };
let serveStderr = '';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

type Sample = { metric: Record<string, string>; value: [number, string] };
async function query(q: string): Promise<Sample[]> {
  const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await r.json()) as { status: string; data: { result: Sample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${q}: ${body.error}`);
  return body.data.result;
}
const scalar = async (q: string): Promise<number> => {
  const r = await query(q);
  expect(r, q).toHaveLength(1);
  return Number(r[0]!.value[1]);
};
const api = (path: string, token: string, init: RequestInit = {}) =>
  fetch(`${url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });

async function startServe(): Promise<void> {
  serve = home.spawn(['--json', 'serve', '--port', '0', '--log', 'info']);
  serve.stderr!.on('data', (d: Buffer) => (serveStderr += d.toString()));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: serve.stdout! }).once('line', resolve);
    serve.once('exit', (code) => reject(new Error(`serve exited ${code}: ${serveStderr}`)));
  });
  const listening = (JSON.parse(first) as { listening: { url: string; tokenFile: string } }).listening;
  url = listening.url;
  ownerToken = readFileSync(listening.tokenFile, 'utf8').trim();
  return startPrometheus(listening.tokenFile, new URL(url).port);
}

async function startPrometheus(tokenFile: string, servePort: string): Promise<void> {
  promDir = mkdtempSync(join(tmpdir(), 'progeny-prometheus-'));
  const config = join(promDir, 'prometheus.yml');
  writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [RULES],
      scrape_configs: [
        {
          job_name: 'progeny',
          authorization: { type: 'Bearer', credentials_file: tokenFile },
          static_configs: [{ targets: [`127.0.0.1:${servePort}`] }],
        },
      ],
    }),
  );
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(promDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  prometheus.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  for (let i = 0; i < 100; i++) {
    if (prometheus.exitCode !== null) throw new Error(`prometheus exited ${prometheus.exitCode}: ${err}`);
    if ((await fetch(`${promUrl}/-/ready`).catch(() => null))?.ok) return;
    await sleep(200);
  }
  throw new Error(`prometheus did not become ready: ${err}`);
}

async function failingChat(): Promise<void> {
  llm.failAlways({ status: 500 }, 'chat');
  const failed = await api('/v1/chat', ownerToken, { method: 'POST', body: '{"message":"and now?"}' });
  llm.failAlways(undefined, 'chat');
  expect(failed.status).toBeGreaterThanOrEqual(500);
}

/** Traffic after Prometheus has seen the first round: rate() counts only increases between two scrapes. */
async function secondRound(): Promise<void> {
  for (let i = 0; i < 20; i++) expect((await api('/v1/state', ownerToken)).status).toBe(200);
  for (let i = 0; i < 3; i++) expect((await api('/v1/memories/search?q=tea', ownerToken)).status).toBe(200);
  await failingChat();
}

async function driveTraffic(): Promise<void> {
  for (let i = 0; i < 40; i++) expect((await api('/v1/state', ownerToken)).status).toBe(200);
  for (let i = 0; i < 10; i++) expect((await api('/v1/state', device.token)).status).toBe(200);
  await api('/v1/memories', ownerToken, { method: 'POST', body: JSON.stringify({ memories: [{ text: 'tea' }] }) });
  for (let i = 0; i < 5; i++) expect((await api('/v1/memories/search?q=tea', ownerToken)).status).toBe(200);
  expect((await api('/v1/chat', ownerToken, { method: 'POST', body: '{"message":"hi"}' })).status).toBe(200);
  await failingChat();
  expect((await api('/v1/nothing', ownerToken)).status).toBe(404);
  // Another home syncs through this server's relay: one batch stored.
  expect((await relayUser.run(['sync', 'init', '--relay', url])).code).toBe(0);
  expect((await relayUser.run(['memory', 'add', 'a memory to sync'])).code).toBe(0);
  const push = await relayUser.run(['sync', 'push']);
  expect(push.code, push.stderr).toBe(0);
}

beforeAll(async () => {
  if (!hasPrometheus) return;
  llm = await startLlmTestDouble({ fixture: 'greeting' });
  home = makeHome({
    PROGENY_LLM_PROVIDER: 'ollama',
    PROGENY_LLM_URL: llm.url,
    PROGENY_LLM_RETRIES: '0',
    PROGENY_CACHE_RESPONSE_TTLMS: '0',
  });
  relayUser = makeHome({ PROGENY_SYNC_PASSPHRASE: 'correct horse battery staple, twice over' });
  device = await home.json<{ id: string; token: string }>(['token', 'add', 'phone', '--caps', 'chat']);
  await startServe();
  await driveTraffic();
  // Until Prometheus has scraped the first round's end; then a second round, and two more scrapes. The rate windows
  // (5 min) are longer than the whole test.
  for (let i = 0; i < 100 && !(await query('progeny_relay_batches > 0')).length; i++) await sleep(200);
  await secondRound();
  await sleep(2_500);
}, 120_000);

afterAll(async () => {
  if (!hasPrometheus) return;
  prometheus?.kill('SIGTERM');
  serve?.kill('SIGTERM');
  await Promise.all([prometheus, serve].map((c) => c && c.exitCode === null && new Promise((r) => c.once('exit', r))));
  await llm.close();
  home.cleanup();
  relayUser.cleanup();
  rmSync(promDir, { recursive: true, force: true });
});

describe.skipIf(!hasPrometheus)('a real Prometheus scraping progeny serve', () => {
  it('scrapes the target with its bearer token, and loads the alert rules', async () => {
    expect(await scalar('up{job="progeny"}')).toBe(1);
    const rules = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const all = rules.data.groups.flatMap((g) => g.rules);
    expect(all.map((r) => r.name)).toHaveLength(6);
    expect(all.filter((r) => r.health !== 'ok')).toEqual([]);
  });

  it('computes request latency P99 and the 5xx rate', async () => {
    const p99 = await scalar(
      'histogram_quantile(0.99, sum by (le) (rate(progeny_http_request_duration_seconds_bucket{route="/v1/state"}[5m])))',
    );
    expect(p99).toBeGreaterThan(0);
    expect(p99).toBeLessThanOrEqual(10);
    expect(await scalar('sum(rate(progeny_http_requests_total{status=~"5.."}[5m]))')).toBeGreaterThan(0);
    expect(await scalar('sum(progeny_http_requests_total{route="/v1/state",status="200"})')).toBe(70);
    expect(await scalar('sum(progeny_http_requests_total{status=~"5.."})')).toBe(2);
  });

  it('reads process RSS and CPU, and exactly one current mode', async () => {
    const rss = await scalar('progeny_process_resident_memory_bytes');
    expect(rss).toBeGreaterThan(20e6);
    expect(rss).toBeLessThan(2e9);
    expect(await scalar('progeny_process_cpu_seconds_total')).toBeGreaterThan(0);
    const cpu = await scalar('rate(progeny_process_cpu_seconds_total[5m])');
    expect(cpu).toBeGreaterThanOrEqual(0);
    expect(cpu).toBeLessThanOrEqual(2);
    const current = await query('progeny_mode == 1');
    expect(current).toHaveLength(1);
    expect(['FULL', 'AMNESIA', 'OFFLINE', 'DEAD']).toContain(current[0]!.metric.mode);
    expect(await scalar('count(progeny_mode)')).toBe(4);
  });

  it('computes memory recall latency, and sees sync batches and relay storage', async () => {
    const recall = await scalar(
      'histogram_quantile(0.99, sum by (le) (rate(progeny_memory_recall_seconds_bucket[5m])))',
    );
    expect(recall).toBeGreaterThan(0);
    expect(recall).toBeLessThanOrEqual(10);
    expect(await scalar('progeny_relay_batches')).toBeGreaterThanOrEqual(1);
    expect(await scalar('progeny_sync_unsent_batches')).toBe(0);
    const used = await scalar('progeny_relay_storage_bytes');
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThan(await scalar('progeny_relay_storage_quota_bytes'));
  });

  it('logs each request with its id, route, status, duration and token id, never the token', () => {
    const lines = serveStderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const done = lines.filter((l) => l.msg === 'request completed' && l.tokenId === device.id);
    expect(done).toHaveLength(10);
    expect(done[0]).toMatchObject({
      reqId: expect.any(String),
      route: '/v1/state',
      tokenId: device.id,
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(lines.some((l) => l.msg === 'request completed' && l.route === 'unmatched')).toBe(true);
    expect(serveStderr).not.toContain(device.token);
    expect(serveStderr).not.toContain(ownerToken);
  });
});
