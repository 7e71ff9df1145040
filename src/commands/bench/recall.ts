/**
 * `progeny bench recall FILE`: evidence recall@k of the real recall on a conversation file (docs/memory-recall.md),
 * overall and per category, with the search latency, judged by thresholds such as `recall@10>=0.6`.
 */
import { coerceValue, loadConfig, requireKey, type PartialConfig } from '../../core/config/load.js';
import { CONFIG_KEYS, type Config } from '../../core/config/schema.js';
import { interrupted, usageError, type ProgenyError } from '../../core/errors.js';
import { aggregate } from '../../bench/aggregate.js';
import { Histogram } from '../../bench/histogram.js';
import { readEvalFile } from '../../bench/recall/eval-file.js';
import { runRecallEval } from '../../bench/recall/run.js';
import { byCategory, recallFigures, type QuestionOutcome } from '../../bench/recall/score.js';
import { ALL_QUESTIONS } from '../../bench/thresholds.js';
import type { RawRun } from '../../bench/types.js';
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { finish, prepareJudging, type JudgingOptions } from './judging.js';
import { recallView } from './recall-view.js';

export interface RecallFlags extends JudgingOptions {
  k?: string;
  set?: string[];
  switchFrom?: string;
  reembedded?: string;
}

/** `--switch-from KIND --reembedded PCT`: the embedder the memories were made with, and how far the switch got. */
export function parseSwitch(config: Config, opts: RecallFlags): { config: Config; reembedded: number } | undefined {
  const pct = Number(opts.reembedded ?? '0');
  if (!/^\d+(\.\d+)?$/.test((opts.reembedded ?? '0').trim()) || pct > 100)
    throw usageError(`--reembedded: "${opts.reembedded}" is not a percentage from 0 to 100`, 'e.g. --reembedded 50');
  if (opts.switchFrom === undefined) {
    if (opts.reembedded !== undefined && opts.reembedded !== '0')
      throw usageError('--reembedded needs --switch-from', 'e.g. --switch-from hash --reembedded 50');
    return undefined;
  }
  const flags = parseSettings([`embedder.kind=${opts.switchFrom}`]);
  return { config: { ...config, ...flags } as Config, reembedded: pct / 100 };
}

export function parseKs(text: string): number[] {
  const ks = text.split(',').map((s) => s.trim());
  const out = ks.map((s) => {
    const n = Number(s);
    if (!/^\d+$/.test(s) || n < 1 || n > 100)
      throw usageError(`--k: "${s}" is not a whole number from 1 to 100`, 'e.g. --k 5,10');
    return n;
  });
  return [...new Set(out)].sort((a, b) => a - b);
}

/** `--set key=value` (repeatable): configuration for this run only, checked like `progeny config set`. */
export function parseSettings(sets: string[]): PartialConfig {
  const out: PartialConfig = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw usageError(`--set "${s}": expected key=value`, 'e.g. --set memory.recall.lambda=1');
    const key = requireKey(s.slice(0, eq).trim());
    if (key === 'memory.backend' && s.slice(eq + 1).trim() !== 'embedded')
      throw usageError('bench recall always uses a throwaway embedded store', 'leave memory.backend out');
    try {
      out[key] = coerceValue(key, s.slice(eq + 1).trim(), '--set');
    } catch (err) {
      // A bad flag is a usage error (exit 2), whatever the same value in the config file would be.
      throw usageError((err as ProgenyError).message, (err as ProgenyError).hint);
    }
  }
  return out;
}

function caseRun(name: string, outcomes: QuestionOutcome[], ks: number[]): RawRun {
  const h = new Histogram();
  for (const o of outcomes) h.record(o.latencyNs);
  const figures = recallFigures(outcomes, ks);
  return {
    name,
    group: 'recall',
    histogram: h.encode(),
    calls: outcomes.length,
    ops: outcomes.length,
    errors: 0,
    elapsedNs: outcomes.reduce((a, o) => a + o.latencyNs, 0),
    extra: {
      questions: figures.questions,
      ...Object.fromEntries(ks.map((k) => [`recall@${k}`, figures.recall[k] as number])),
    },
  };
}

export async function run(ctx: CommandContext, args: string[], opts: RecallFlags): Promise<CommandResult> {
  const judging = prepareJudging(opts, 'recall');
  const ks = parseKs(
    [
      opts.k ?? '5,10',
      ...judging.thresholds.flatMap((t) => (t.stat.kind === 'recallAt' ? [String(t.stat.k)] : [])),
    ].join(','),
  );
  const flags = parseSettings(opts.set ?? []);
  const file = readEvalFile(args[0] as string);
  const config: Config = { ...loadConfig({ path: ctx.paths.config, flags }).config, 'memory.backend': 'embedded' };
  const switchFrom = parseSwitch(config, opts);
  const { outcomes, embedders } = await runRecallEval(file, {
    config,
    ...(switchFrom ? { switchFrom } : {}),
    k: Math.max(...ks),
    signal: ctx.signal,
    onProgress: (e) => {
      if (ctx.globals.json)
        ctx.out.progressEvent({ conversation: e.conversation, phase: e.phase, done: e.done, total: e.total });
      else
        ctx.out.progress(
          `bench recall: ${e.conversation} ${e.phase === 'import' ? 'importing' : 'asking'}`,
          e.done,
          e.total,
        );
    },
  });
  if (ctx.signal.aborted) throw interrupted('the bench was interrupted');
  const raw = [caseRun(ALL_QUESTIONS, outcomes, ks)];
  for (const [category, list] of byCategory(outcomes)) raw.push(caseRun(`recall.${category}`, list, ks));
  const histograms = new Map<string, Histogram>();
  const results = aggregate(raw, histograms);
  const done = finish(ctx, judging, {
    kind: 'recall',
    config: {
      file: args[0],
      conversations: file.conversations.length,
      turns: file.conversations.reduce((a, c) => a + c.sessions.reduce((b, s) => b + s.turns.length, 0), 0),
      questions: outcomes.length,
      k: ks,
      embedder: embedders.join(', '),
      // Every setting that shapes recall, as this run used it.
      settings: Object.fromEntries(
        CONFIG_KEYS.filter(
          (key) => (key.startsWith('memory.') && !key.startsWith('memory.qdrant.')) || key.startsWith('embedder.'),
        ).map((key) => [key, config[key]]),
      ),
      overrides: flags,
      ...(switchFrom ? { switchFrom: switchFrom.config['embedder.kind'], reembedded: switchFrom.reembedded } : {}),
    },
    results,
    histograms,
  });
  return { ...done, view: recallView(done.data as Parameters<typeof recallView>[0], ks) };
}
