import type { CommandContext } from '../context.js';
import { date } from '../args.js';
import type { CommandResult } from '../output.js';

export async function run(
  ctx: CommandContext,
  _args: string[],
  opts: { version?: number; summary?: boolean },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  const v = opts.version !== undefined ? engine.heritage.show(opts.version) : engine.heritage.current();
  if (opts.summary) {
    const summary = engine.heritage.summary();
    return { data: { version: v.version, summary }, view: { kind: 'text', text: summary } };
  }
  const d = v.doc;
  return {
    data: v,
    view: {
      kind: 'fields',
      title: `${d.name} — heritage version ${v.version} (${date(v.createdAt)}, ${v.reason})`,
      fields: [
        ['creator', d.creator],
        ['prime directive', d.prime_directive],
        ['core traits', d.core_traits.join(', ')],
        ['values', d.values.join(', ')],
        ['boundaries', d.boundaries.join(', ')],
        [
          'voice',
          `formality ${d.voice.formality}, humour ${d.voice.humor || '–'}, rhythm ${d.voice.sentence_rhythm || '–'}`,
        ],
        ['words', d.voice.vocabulary_markers.join(', ') || '–'],
        ['interests', d.interests.join(', ') || '–'],
        ['style', d.style || '–'],
        ['aspirations', d.aspirations || '–'],
        ['notes', d.notes || '–'],
        ['hash', v.hash.slice(0, 16)],
      ],
    },
  };
}
