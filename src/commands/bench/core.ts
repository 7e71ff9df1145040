/** `progeny bench core`: the in-process suites, each run in a fresh child process, judged and reported. */
import { interrupted, usageError } from '../../core/errors.js';
import { runCore } from '../../bench/core-runner.js';
import type { Histogram } from '../../bench/histogram.js';
import { timerOverheadNs } from '../../bench/measure.js';
import { sizeLabel } from '../../bench/chat-corpus.js';
import { growthOf, sizedName } from '../../bench/growth.js';
import { parseDuration, parsePositiveInt, parseSizeList } from '../../bench/parse.js';
import { DEFAULT_SUITES, SUITE_NAMES } from '../../bench/suites/index.js';
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
    : DEFAULT_SUITES;
  for (const s of suites)
    if (!SUITE_NAMES.includes(s)) throw usageError(`unknown suite "${s}"`, `choose from ${SUITE_NAMES.join(', ')}`);
  const runs = parsePositiveInt(opts.runs ?? '3', '--runs', 100);
  const bounds = {
    durationMs: parseDuration(opts.duration ?? '2s', '--duration'),
    warmupMs: parseDuration(opts.warmup ?? '500ms', '--warmup'),
    maxCalls: parsePositiveInt(opts.maxCalls ?? '1000000', '--max-calls'),
  };
  const seed = parsePositiveInt(opts.seed ?? '42', '--seed');
  // One size, or a list (10k,100k,1m) whose sizes each run every suite, for growth curves.
  const sizes = opts.memories !== undefined ? parseSizeList(opts.memories, '--memories', 10_000_000) : [undefined];
  const setupTimeoutMs = parseDuration(opts.setupTimeout ?? '10m', '--setup-timeout');
  const judging = prepareJudging(opts, 'core');
  const histograms = new Map<string, Histogram>();

  const outcome: Awaited<ReturnType<typeof runCore>> = { results: [], skipped: [], failures: [] };
  for (const memories of sizes) {
    const perSize = new Map<string, Histogram>();
    const one = await runCore({
      suites,
      runs,
      seed,
      bounds,
      setupTimeoutMs,
      histograms: perSize,
      signal: ctx.signal,
      ...(memories ? { memories } : {}),
      ...(opts.filter ? { filter: opts.filter } : {}),
      onProgress: (suite, n) => {
        const what = `${suite}${sizes.length > 1 ? ` at ${memories} memories` : ''}`;
        if (ctx.globals.json) ctx.out.progressEvent({ suite, run: n, runs, ...(memories ? { memories } : {}) });
        else ctx.out.progress(`bench core: ${what} run`, n, runs);
      },
    });
    for (const c of one.results) {
      const name = sizes.length > 1 && memories && !sizedName(c.name) ? `${c.name}@${sizeLabel(memories)}` : c.name;
      // The memory suite's fixed 10k home is measured once, at the first size that has it.
      if (outcome.results.some((e) => e.name === name)) continue;
      outcome.results.push({ ...c, name });
      const h = perSize.get(c.name);
      if (h) histograms.set(name, h);
    }
    outcome.skipped.push(...one.skipped);
    outcome.failures.push(...one.failures);
  }
  if (ctx.signal.aborted) throw interrupted('the bench was interrupted');
  return finish(ctx, judging, {
    kind: 'core',
    config: {
      suites,
      runs,
      seed,
      ...bounds,
      ...(sizes[0] !== undefined ? { memories: sizes.length > 1 ? sizes : sizes[0] } : {}),
      ...(opts.filter ? { filter: opts.filter } : {}),
    },
    results: outcome.results,
    growth: growthOf(outcome.results),
    histograms,
    skipped: outcome.skipped,
    invalid: outcome.failures,
    timerOverheadNs: await timerOverheadNs(),
  });
}
