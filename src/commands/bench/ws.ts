/** `progeny bench ws`: WebSocket round trips at N connections, from intended send times, against --url or --spawn. */
import { usageError } from '../../core/errors.js';
import { aggregate } from '../../bench/aggregate.js';
import type { Histogram } from '../../bench/histogram.js';
import { pinPlan, pinSelf } from '../../bench/http/targets.js';
import { runWs } from '../../bench/http/ws.js';
import { parseDuration, parsePositiveInt } from '../../bench/parse.js';
import type { RawRun } from '../../bench/types.js';
import { cpus } from 'node:os';
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { openTarget } from './http.js';
import { finish, prepareJudging, type JudgingOptions } from './judging.js';

export interface WsFlags extends JudgingOptions {
  url?: string;
  spawn?: boolean;
  token?: string;
  connections?: string;
  rate?: string;
  duration?: string;
  runs?: string;
  message?: string;
}

function wsUrl(httpUrl: string, given?: string): string {
  if (given && /^wss?:/.test(given)) return given;
  const u = new URL('/v1/ws', httpUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

export async function run(ctx: CommandContext, _args: string[], opts: WsFlags): Promise<CommandResult> {
  const connections = parsePositiveInt(opts.connections ?? '50', '--connections', 10_000);
  const rate = parsePositiveInt(opts.rate ?? '20', '--rate', 100_000);
  const durationMs = parseDuration(opts.duration ?? '5s', '--duration');
  const runs = parsePositiveInt(opts.runs ?? '1', '--runs', 100);
  const message = opts.message ?? 'state.get';
  if (message !== 'state.get' && message !== 'ping') throw usageError('--message must be state.get or ping');
  const judging = prepareJudging(opts, 'ws');
  const plan = pinPlan();
  const httpish = opts.url?.replace(/^ws/, 'http');
  const target = await openTarget(ctx, { ...opts, ...(httpish ? { url: httpish } : {}) }, plan?.server ?? null);
  ctx.signal.addEventListener('abort', () => void target.stop(), { once: true });
  if (plan) pinSelf(plan.generator);
  const raw: RawRun[] = [];
  try {
    const url = wsUrl(target.url, opts.url);
    for (let n = 1; n <= runs && !ctx.signal.aborted; n++) {
      ctx.out.progress('bench ws: run', n, runs);
      raw.push(
        await runWs(`ws.${message}@${connections}`, {
          url,
          connections,
          rate,
          durationMs,
          message,
          ...(target.token ? { token: target.token } : {}),
        }),
      );
    }
  } finally {
    if (plan) pinSelf(`0-${cpus().length - 1}`);
    await target.stop();
  }
  const histograms = new Map<string, Histogram>();
  return finish(ctx, judging, {
    kind: 'ws',
    config: {
      target: opts.url ?? 'spawned progeny serve',
      connections,
      ratePerConnection: rate,
      durationMs,
      runs,
      message,
      pinned: plan,
    },
    results: aggregate(raw, histograms),
    histograms,
  });
}
