/**
 * `progeny bench http`: per route, a closed-model run (max rate; raw node:net sockets, or autocannon with
 * `--closed-generator autocannon`) then an open-model run at a fixed rate
 * (default: half the closed-model rate just measured), against `--url` or a `progeny serve` spawned as its own
 * process, plus the same closed-model load on a bare node:http reference process so the result is also a ratio
 * measured in the same run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { usageError } from '../../core/errors.js';
import { aggregate } from '../../bench/aggregate.js';
import type { Histogram } from '../../bench/histogram.js';
import { runClosed as runClosedAutocannon } from '../../bench/http/closed.js';
import { runClosedRaw } from '../../bench/http/closed-raw.js';
import { parseRoute, type HttpLoad } from '../../bench/http/load.js';
import { runOpenInChild } from '../../bench/http/open-child.js';
import { pinPlan, pinSelf, spawnReference, spawnServe, type Target } from '../../bench/http/targets.js';
import { parseDuration, parsePositiveInt } from '../../bench/parse.js';
import type { RawRun } from '../../bench/types.js';
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { finish, prepareJudging, type JudgingOptions } from './judging.js';

export interface HttpFlags extends JudgingOptions {
  url?: string;
  spawn?: boolean;
  token?: string;
  route?: string[];
  connections?: string;
  duration?: string;
  rate?: string;
  runs?: string;
  reference?: boolean;
  model?: string;
  closedGenerator?: string;
}

export function targetUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw usageError(`--url "${url}" is not a URL`, 'e.g. http://127.0.0.1:8420');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usageError(`--url must be http(s), not ${u.protocol}`);
  return u.origin;
}

export async function openTarget(
  ctx: CommandContext,
  opts: { url?: string; spawn?: boolean; token?: string },
  cpu: string | null,
): Promise<Target> {
  if (opts.url && opts.spawn) throw usageError('give either --url or --spawn, not both');
  if (opts.url) {
    const token =
      opts.token ??
      (existsSync(ctx.paths.serverToken) ? readFileSync(ctx.paths.serverToken, 'utf8').trim() : undefined);
    return {
      url: targetUrl(opts.url),
      ...(token ? { token } : {}),
      pinned: null,
      rssMb: () => undefined,
      stop: async () => {},
    };
  }
  if (!opts.spawn) throw usageError('say what to load: --spawn (start `progeny serve` on loopback) or --url URL');
  return spawnServe(ctx.paths.home, cpu);
}

/** The flags, parsed and checked: what to load, how hard, for how long, with which generator. */
interface HttpSettings {
  routes: { route: string; method: string; path: string }[];
  connections: number;
  durationMs: number;
  fixedRate: number | undefined;
  runs: number;
  model: string;
  generator: string;
  runClosed: typeof runClosedRaw;
}

function parseSettings(opts: HttpFlags): HttpSettings {
  const routes = (opts.route?.length ? opts.route : ['GET /v1/state']).map((r) => {
    try {
      return { route: r, ...parseRoute(r) };
    } catch (err) {
      throw usageError((err as Error).message);
    }
  });
  const connections = parsePositiveInt(opts.connections ?? '10', '--connections', 10_000);
  const durationMs = parseDuration(opts.duration ?? '5s', '--duration');
  const fixedRate = opts.rate !== undefined ? parsePositiveInt(opts.rate, '--rate', 1_000_000) : undefined;
  const runs = parsePositiveInt(opts.runs ?? '1', '--runs', 100);
  const model = opts.model ?? 'both';
  if (!['closed', 'open', 'both'].includes(model)) throw usageError('--model must be closed, open or both');
  if (model === 'open' && fixedRate === undefined)
    throw usageError('--model open needs --rate (no closed-model run to take half of)');
  const generator = opts.closedGenerator ?? 'raw';
  if (generator !== 'raw' && generator !== 'autocannon')
    throw usageError('--closed-generator must be raw or autocannon');
  const runClosed = generator === 'raw' ? runClosedRaw : runClosedAutocannon;
  if (opts.url?.startsWith('https:') && (generator === 'raw' || model !== 'closed')) {
    throw usageError(
      'the raw-socket generators speak plain http',
      'for https use --model closed --closed-generator autocannon',
    );
  }
  return { routes, connections, durationMs, fixedRate, runs, model, generator, runClosed };
}

/** One run: the reference's closed-model load, then per route a closed-model and an open-model run. */
async function runOnce(s: HttpSettings, target: Target, reference: { url: string } | null): Promise<RawRun[]> {
  const { runClosed, durationMs, fixedRate, model } = s;
  const raw: RawRun[] = [];
  const headers: Record<string, string> = target.token ? { authorization: `Bearer ${target.token}` } : {};
  const load = (url: string, r: { method: string; path: string }, h: Record<string, string>): HttpLoad => ({
    url,
    ...r,
    headers: h,
    connections: s.connections,
    durationMs,
  });
  const warmup = (url: string, r: { method: string; path: string }, h: Record<string, string>): HttpLoad => ({
    ...load(url, r, h),
    durationMs: Math.min(1000, durationMs / 4),
  });
  if (reference) {
    await runClosed('warmup', 'reference', warmup(reference.url, { method: 'GET', path: '/' }, {}));
    raw.push(
      await runClosed('reference.closed GET /', 'reference', load(reference.url, { method: 'GET', path: '/' }, {})),
    );
  }
  for (const r of s.routes) {
    await runClosed('warmup', 'http', warmup(target.url, r, headers));
    let rate = fixedRate ?? 0;
    if (model !== 'open') {
      const closed = await runClosed(`http.closed ${r.method} ${r.path}`, 'http', load(target.url, r, headers));
      raw.push(closed);
      rate ||= Math.max(10, Math.round(closed.ops / (closed.elapsedNs / 1e9) / 2));
    }
    if (model !== 'closed') {
      const open = await runOpenInChild(`http.open ${r.method} ${r.path}`, 'http', load(target.url, r, headers), rate);
      if (fixedRate === undefined) open.extra = { ...open.extra, fractionOfClosedMax: 0.5 };
      raw.push(open);
    }
  }
  return raw;
}

export async function run(ctx: CommandContext, _args: string[], opts: HttpFlags): Promise<CommandResult> {
  const s = parseSettings(opts);
  const judging = prepareJudging(opts, 'http');
  const plan = pinPlan();
  const target = await openTarget(ctx, opts, plan?.server ?? null);
  ctx.signal.addEventListener('abort', () => void target.stop(), { once: true });
  const reference = opts.reference === false ? null : await spawnReference(plan?.server ?? null);
  if (plan) pinSelf(plan.generator);
  const raw: RawRun[] = [];
  const idleRss = target.rssMb();
  try {
    for (let n = 1; n <= s.runs && !ctx.signal.aborted; n++) {
      ctx.out.progress('bench http: run', n, s.runs);
      raw.push(...(await runOnce(s, target, reference)));
    }
  } finally {
    if (plan) pinSelf(`0-${cpus().length - 1}`);
    await reference?.stop();
    const loadedRss = target.rssMb();
    await target.stop();
    if (idleRss !== undefined) {
      for (const r of raw)
        if (r.group === 'http') r.extra = { ...r.extra, serverRssIdleMb: idleRss, serverRssAfterMb: loadedRss ?? 0 };
    }
  }
  const histograms = new Map<string, Histogram>();
  const results = aggregate(raw, histograms);
  const ref = results.find((c) => c.name.startsWith('reference.closed'));
  for (const c of results)
    if (ref?.rate && c.name.startsWith('http.closed'))
      c.extra = { ...c.extra, ratio: Math.round((c.rate / ref.rate) * 100) / 100 };
  return finish(ctx, judging, {
    kind: 'http',
    config: {
      target: opts.url ? targetUrl(opts.url) : 'spawned progeny serve',
      routes: s.routes.map((r) => r.route),
      connections: s.connections,
      durationMs: s.durationMs,
      runs: s.runs,
      model: s.model,
      rate: s.fixedRate ?? 'half of closed-model max',
      closedGenerator: s.generator,
      pinned: plan ? { server: plan.server, generator: plan.generator } : null,
      reference: reference !== null,
    },
    results,
    histograms,
  });
}
