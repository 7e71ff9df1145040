/**
 * `progeny memory search`: recall for one query (an argument, or stdin with `-`), or for many in one process with
 * `--batch` (NDJSON queries in, NDJSON results out). Every actor's memories by default, as `GET /v1/memories/search`.
 */
import type { CommandContext } from '../context.js';
import { joinWords, readAll, readLines } from '../args.js';
import type { CommandResult, StreamedResult } from '../output.js';
import { usageError } from '../../core/errors.js';
import type { Engine } from '../../core/engine/engine.js';
import type { MemoryKind, RecallAnswer } from '../../core/memory/types.js';
import { parseBatchQuery, type BatchQuery } from './batch-query.js';
import { recallTable } from './views.js';
import { warnOnEmbedderFallback } from '../embedder-warning.js';

export interface SearchOptions {
  limit: number;
  actor?: string;
  kind?: MemoryKind[];
  batch?: boolean;
}

/** `*` (or no --actor) searches every actor, as the API does. */
const actorFilter = (actor: string | undefined): { actor?: string } =>
  actor === undefined || actor === '*' ? {} : { actor };

/** The memories and whether the vectors were used (`recall`, docs/memory-recall.md): in --json, beside them. */
function recall(engine: Engine, q: BatchQuery): Promise<RecallAnswer> {
  return engine.memory.search({
    text: q.query,
    k: q.k,
    peek: true,
    ...actorFilter(q.actor),
    ...(q.kinds ? { kinds: q.kinds } : {}),
  });
}

export async function run(
  ctx: CommandContext,
  args: string[],
  opts: SearchOptions,
): Promise<CommandResult | StreamedResult> {
  if (opts.batch) {
    if (args.length) throw usageError('--batch reads its queries from stdin, not the command line');
    return runBatch(ctx, opts);
  }
  const text = args.length === 1 && args[0] === '-' ? (await readAll(ctx.stdin)).trim() : joinWords(args);
  if (!text)
    throw usageError(
      args[0] === '-' ? 'the query read from stdin is empty' : 'the query is empty',
      'progeny memory search "what to recall" (or - to read it from stdin, or --batch for NDJSON)',
    );
  const engine = await ctx.engine();
  warnOnEmbedderFallback(ctx, engine);
  const query: BatchQuery = {
    query: text,
    k: opts.limit,
    ...actorFilter(opts.actor),
    ...(opts.kind ? { kinds: opts.kind } : {}),
  };
  const { results, recall: info } = await recall(engine, query);
  return { data: { query: text, results, recall: info }, view: recallTable(results) };
}

/** One result line per query line, in order; a bad line gets an error line and the exit code 2, the rest go on. */
async function runBatch(ctx: CommandContext, opts: SearchOptions): Promise<CommandResult | StreamedResult> {
  const engine = await ctx.engine();
  warnOnEmbedderFallback(ctx, engine);
  const defaults = { k: opts.limit, ...actorFilter(opts.actor), ...(opts.kind ? { kinds: opts.kind } : {}) };
  let line = 0;
  let failed = 0;
  for await (const text of readLines('-', ctx.stdin)) {
    line++;
    if (!text.trim()) continue;
    const parsed = parseBatchQuery(text, defaults);
    if ('error' in parsed) {
      failed++;
      ctx.out.event({ line, error: { code: 'USAGE', message: parsed.error } });
      continue;
    }
    const { results, recall: info } = await recall(engine, parsed);
    const id = parsed.id !== undefined ? { id: parsed.id } : {};
    ctx.out.event({ ...id, query: parsed.query, results, recall: info });
  }
  return { streamed: true, exitCode: failed ? 2 : 0 };
}
