/** `progeny bench core`: the in-process suites, each run in a fresh child process, judged and reported. */
import { interrupted, usageError } from '../../core/errors.js';
import { runCore } from '../../bench/core-runner.js';
import type { Histogram } from '../../bench/histogram.js';
import { timerOverheadNs } from '../../bench/measure.js';
import { parseDuration, parsePositiveInt } from '../../bench/parse.js';
import { SUITE_NAMES } from '../../bench/suites/index.js';
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { finish, prepareJudging, type JudgingOptions } from './judging.js';

export interface CoreFlags extends JudgingOptions {
  suite?: string;
  filter?: string;
  runs?: string;
  duration?: string;
  warmup?: string;
  memories?: string;
  maxCalls?: string;
  seed?: string;
  setupTimeout?: string;
}

export async function run(ctx: CommandContext, _args: string[], opts: CoreFlags): Promise<CommandResult> {
  const suites = opts.suite
    ? opts.suite
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : SUITE_NAMES;
  for (const s of suites)
    if (!SUITE_NAMES.includes(s)) throw usageError(`unknown suite "${s}"`, `choose from ${SUITE_NAMES.join(', ')}`);
  const runs = parsePositiveInt(opts.runs ?? '3', '--runs', 100);
  const bounds = {
    durationMs: parseDuration(opts.duration ?? '2s', '--duration'),
    warmupMs: parseDuration(opts.warmup ?? '500ms', '--warmup'),
    maxCalls: parsePositiveInt(opts.maxCalls ?? '1000000', '--max-calls'),
  };
  const seed = parsePositiveInt(opts.seed ?? '42', '--seed');
  const memories = opts.memories !== undefined ? parsePositiveInt(opts.memories, '--memories', 10_000_000) : undefined;
  const setupTimeoutMs = parseDuration(opts.setupTimeout ?? '10m', '--setup-timeout');
  const judging = prepareJudging(opts, 'core');
  const histograms = new Map<string, Histogram>();

  const outcome = await runCore({
    suites,
    runs,
    seed,
    bounds,
    setupTimeoutMs,
    histograms,
    signal: ctx.signal,
    ...(memories ? { memories } : {}),
    ...(opts.filter ? { filter: opts.filter } : {}),
    onProgress: (suite, n) => {
      if (ctx.globals.json) ctx.out.progressEvent({ suite, run: n, runs });
      else ctx.out.progress(`bench core: ${suite} run`, n, runs);
    },
  });
  if (ctx.signal.aborted) throw interrupted('the bench was interrupted');
  return finish(ctx, judging, {
    kind: 'core',
    config: {
      suites,
      runs,
      seed,
      ...bounds,
      ...(memories ? { memories } : {}),
      ...(opts.filter ? { filter: opts.filter } : {}),
    },
    results: outcome.results,
    histograms,
    skipped: outcome.skipped,
    invalid: outcome.failures,
    timerOverheadNs: await timerOverheadNs(),
  });
}
