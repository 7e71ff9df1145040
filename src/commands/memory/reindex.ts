import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { ProgenyError } from '../../core/errors.js';
import type { IndexRepair } from '../../core/memory/types.js';

/**
 * Re-embeds what has no vector of the current embedder (resumable: a killed run goes on from there), or everything,
 * then re-adds the memories the saved index no longer reaches (docs/performance.md, "Memories no search reaches").
 * Ctrl+C (or SIGTERM) stops it after the page being embedded, every page before it kept.
 */
export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<CommandResult> {
  const engine = await ctx.engine();
  const staleOnly = opts.all !== true;
  let done = 0;
  let total: number | undefined;
  let r: { count: number; embedder: string } | undefined;
  try {
    r = await engine.memory.reindex({
      staleOnly,
      signal: ctx.signal,
      onProgress: (n, of) => {
        [done, total] = [n, of];
        ctx.out.progress('re-embedding', n, of);
        if (ctx.globals.json) ctx.out.progressEvent({ embedded: n, ...(of !== undefined ? { total: of } : {}) });
      },
    });
  } catch (err) {
    if (!ctx.signal.aborted) throw err;
  }
  if (ctx.signal.aborted || !r)
    throw new ProgenyError(
      'INTERRUPTED',
      `re-embedding stopped after ${done}${total !== undefined ? ` of ${total}` : ''} memories (those are kept)`,
      {
        hint: staleOnly
          ? '`progeny memory reindex` goes on from there'
          : 'a plain `progeny memory reindex` re-embeds only what is left of a switch; --all starts over',
      },
    );
  const repair = await engine.memory.repairIndex();
  return {
    data: { ...r, ...(repair ? { unreachable: repair } : {}) },
    view: {
      kind: 'text',
      text: `Re-embedded ${r.count} memories with ${r.embedder} and rebuilt the index.${repaired(repair)}`,
    },
  };
}

/** What the repair of memories the index could not reach did (docs/performance.md, "Memories no search reaches"). */
function repaired(repair: IndexRepair | null): string {
  if (!repair?.found) return '';
  const fixed = repair.found - repair.left;
  return (
    ` ${fixed} of the ${repair.found} memories its graph could not reach are reachable again` +
    (repair.left ? `; ${repair.left} still are not (\`progeny doctor\` says how they are found).` : '.')
  );
}
