import type { Engine } from '../core/engine/engine.js';
import { ProgenyError } from '../core/errors.js';
import type { Summariser } from '../core/memory/index.js';
import type { CommandContext } from './context.js';
import type { CommandResult } from './output.js';

/** Summarising was asked for: without a model, say so before changing anything rather than archive without summaries. */
async function requireSummariser(engine: Engine): Promise<Summariser> {
  const probe = await engine.probe();
  const summarise = engine.summariser();
  if (!summarise || !probe.llm.ok) {
    throw new ProgenyError('LLM_UNREACHABLE', `dream --summarise needs a model: ${probe.llm.detail}`, {
      hint: 'start the model server (`progeny doctor` checks), or run `progeny dream --no-summarise`',
    });
  }
  return summarise;
}

export async function run(
  ctx: CommandContext,
  _args: string[],
  opts: { summarise?: boolean; dryRun?: boolean },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  const wanted = opts.summarise === true || (engine.config['memory.dream.summarise'] && opts.summarise !== false);
  const summarise = wanted ? await requireSummariser(engine) : undefined;
  const r = await engine.memory.dream({
    dryRun: opts.dryRun === true,
    ...(summarise ? { summarise } : {}),
    onProgress: (d, t) => ctx.out.progress('dreaming', d, t),
  });
  const archived = r.merged.reduce((n, m) => n + m.archived.length, 0);
  const wouldBe = r.dryRun ? 'would be ' : '';
  const text = [
    `${r.dryRun ? 'Dry run: ' : ''}merged ${r.merged.length} group(s) of near-duplicates (${archived} ${wouldBe}archived),`,
    `faded ${r.faded} old unrecalled memories (${r.decayed} ${wouldBe}archived).`,
    summarise
      ? `${r.dryRun ? 'Would condense' : 'Condensed'} ${r.summarised} of them into ${r.summaries} summar${r.summaries === 1 ? 'y' : 'ies'}.`
      : '',
    r.summaryError ? `Summarising stopped early: ${r.summaryError}; the rest were archived without a summary.` : '',
    'Nothing was deleted; `progeny memory restore <id>` brings an archived one back.',
  ]
    .filter(Boolean)
    .join(' ');
  return { data: r, view: { kind: 'text', text } };
}
