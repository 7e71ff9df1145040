/**
 * Vectors that arrive after their memory (docs/embeddings.md, "When vectors are made"). A memory is durable before it has a
 * vector: with the semantic model, add/import/edit write the row with no vector (embedder '') and this re-embedder
 * fills it in the background, as it re-embeds the memories of another embedder after a switch. It works in pages,
 * new memories first, each page committed before the next, so a killed process resumes where it stopped (the
 * criterion, `embedder != current`, is the row's own state). A row whose text changed while its page was being
 * embedded is left for the next page. Nothing runs while the default embedder has fallen back to the hash one: that
 * would replace semantic vectors by hash ones.
 */
import type { Statement } from 'better-sqlite3';
import { ProgenyError } from '../errors.js';
import { relaxed } from '../store/db.js';
import type { ProgressFn } from './api.js';
import type { MemoryContext } from './context.js';
import type { MemoryRow } from './rows.js';
import type { Embedder } from './types.js';
import { embedPageInContext, publishReembedded } from './thread-refresh.js';
import { act } from '../hints.js';

const PAGE = 64;
/** How often a background re-embedder looks for memories other processes wrote without a vector. */
const CHECK_MS = 30_000;

/** Falling back means the embedder now is not the one configured: re-embedding would downgrade vectors. */
export const fallenBack = (e: Embedder): boolean => e.preferred !== undefined && e.preferred !== e.id;

export function fallbackRefusal(e: Embedder): ProgenyError {
  return new ProgenyError(
    'EMBEDDER_UNAVAILABLE',
    `the embedder ${e.preferred} is unavailable, so memories would be re-embedded by its fallback ${e.id}`,
    {
      hint: 'the doctor says why it did not load; or set embedder.kind to hash to use that one',
      actions: [act('doctor')],
    },
  );
}

export interface Reembedder {
  /**
   * Lets this process re-embed in the background (serve and chat: processes that live long enough), now and from
   * then on: after each write that left a row without a vector, and every CHECK_MS for rows other processes wrote.
   */
  start(): void;
  /** Starts a background run if background work is allowed and none is going. */
  kick(): void;
  /**
   * Before a search in a process that does not re-embed in the background (a one-shot command): the few memories
   * still without a vector (at most a page, e.g. a `memory add` just before) get one, so the search finds them by
   * meaning. More are left to the background or to `memory reindex`; the full-text channel finds them meanwhile.
   * Within `boundMs` when given (a model server that hangs never holds a search up longer).
   */
  catchUp(boundMs?: number): Promise<void>;
  /** Re-embeds until nothing is stale (`newOnly`: only memories that have no vector at all); resolves with the count. */
  run(opts?: { onProgress?: ProgressFn; newOnly?: boolean; signal?: AbortSignal }): Promise<number>;
  /** Memories still waiting for a vector of the current embedder. */
  pending(opts?: { newOnly?: boolean }): number;
  /** Notes that this process wrote memories without a vector: close() makes their vectors before it returns. */
  wrote(): void;
  /**
   * Stops the background run; then embeds memories still without a vector, within a bound: up to `ms` if this
   * process wrote some (unless the model would have to load just for that: `memory add` never waits for it), up to
   * a second if it has the model loaded anyway (a `memory search` leaves the vectors of earlier adds behind); not at
   * all after a foreground run was stopped by its signal (the user asked to stop embedding), nor when the process's
   * last query embedding failed (query-vector.ts: the memories wait for the next process).
   */
  close(ms?: number): Promise<void>;
}

/** What one re-embedder's pages and passes share. */
interface Pager {
  ctx: MemoryContext;
  /** Stopped by close(): background runs end. */
  stop: AbortController;
  update: Statement;
}

const staleWhere = (newOnly: boolean) =>
  newOnly ? "embedder = '' AND status != 'forgotten'" : "(embedder < ? OR embedder > ?) AND status != 'forgotten'";
const staleArgs = (ctx: MemoryContext, newOnly: boolean) => (newOnly ? [] : [ctx.embedder.id, ctx.embedder.id]);

function countStale(ctx: MemoryContext, newOnly: boolean): number {
  return ctx.db
    .prepare(`SELECT count(*) FROM memories INDEXED BY memories_embedder WHERE ${staleWhere(newOnly)}`)
    .pluck()
    .get(...staleArgs(ctx, newOnly)) as number;
}

/** Embeds and commits one page of stale rows after `after` (by label); returns the rows seen, none at the end. */
async function page(p: Pager, newOnly: boolean, after: number, signal: AbortSignal): Promise<MemoryRow[]> {
  const { ctx } = p;
  const rows = ctx.db
    .prepare(
      `SELECT * FROM memories INDEXED BY memories_embedder WHERE ${staleWhere(newOnly)} AND label > ? ORDER BY label LIMIT ${PAGE}`,
    )
    .all(...staleArgs(ctx, newOnly), after) as MemoryRow[];
  if (!rows.length) return rows;
  // Each with its context as it is now (docs/memory-recall.md): a synced memory arrives without one.
  const embedded = await embedPageInContext(ctx, rows, signal);
  if (fallenBack(ctx.embedder)) return [];
  // Relaxed (store/db.ts): a vector is made again if a power cut takes it (the memory is stale again), and a
  // durable commit here cost each chat turn and each page of a reindex an fsync (docs/performance.md).
  const fresh = relaxed(ctx.db, () =>
    rows.flatMap((r, i) => {
      const row = embedded.stored(r, i);
      const ok = p.update.run(
        row.vector,
        row.embedder,
        row.change_seq,
        row.context,
        row.context_id,
        r.id,
        r.text_hash,
      ).changes;
      return ok ? [row] : [];
    }),
  );
  await publishReembedded(ctx, fresh);
  return rows;
}

/**
 * New memories first (they have no vector at all; the others still have their old one), then the rest. Each pass
 * starts at a random label and wraps around, so two processes re-embedding one home rarely embed the same page.
 */
async function loop(
  p: Pager,
  o: {
    onProgress?: ProgressFn;
    newOnly?: boolean;
    signal?: AbortSignal;
    /** Runs after close() stopped the background (the closing run itself). */
    own?: boolean;
  },
): Promise<number> {
  const newOnly = o.newOnly === true;
  const signals = [o.signal, o.own ? undefined : p.stop.signal].filter((s): s is AbortSignal => s !== undefined);
  const signal = AbortSignal.any(signals);
  const total = countStale(p.ctx, newOnly);
  const top = p.ctx.db.prepare('SELECT coalesce(max(label), 0) FROM memories').pluck().get() as number;
  let done = 0;
  for (const pass of newOnly ? [true] : [true, false]) {
    let after = Math.floor(Math.random() * top);
    let wrapped = false;
    while (!signal.aborted && !fallenBack(p.ctx.embedder)) {
      const rows = await page(p, pass, after, signal);
      if (!rows.length) {
        if (wrapped) break;
        [after, wrapped] = [-1, true];
        continue;
      }
      after = (rows.at(-1) as MemoryRow).label;
      done += rows.length;
      o.onProgress?.(Math.min(done, total), total);
    }
  }
  return done;
}

export function createReembedder(ctx: MemoryContext): Reembedder {
  const p: Pager = {
    ctx,
    stop: new AbortController(),
    update: ctx.db.prepare(
      "UPDATE memories SET vector = ?, embedder = ?, change_seq = ?, context = ?, context_id = ? WHERE id = ? AND text_hash = ? AND status != 'forgotten'",
    ),
  };
  const { stop } = p;
  let running: Promise<number> | null = null;
  let wroteNew = false;
  // A foreground run the user stopped (Ctrl+C): close() must not take up the embedding again for seconds.
  let declined = false;
  let background = false;
  let checker: NodeJS.Timeout | null = null;
  const fallen = () => fallenBack(ctx.embedder);

  const reembedder: Reembedder = {
    start() {
      background = true;
      checker ??= setInterval(() => countStale(ctx, true) > 0 && reembedder.kick(), CHECK_MS);
      checker.unref();
      reembedder.kick();
    },
    kick() {
      // A cheap embedder made every vector at write time (and re-embeds at open): nothing to do in the background.
      // A one-shot command never starts one: it would load the model only to be stopped at exit.
      if (!background || running || stop.signal.aborted || ctx.embedder.cheap || fallen()) return;
      running = loop(p, {})
        .catch(() => 0)
        .finally(() => (running = null));
    },
    async catchUp(boundMs) {
      if (background || running || ctx.embedder.cheap || fallen()) return;
      const n = countStale(ctx, true);
      const signal = boundMs === undefined ? stop.signal : AbortSignal.any([stop.signal, AbortSignal.timeout(boundMs)]);
      if (n > 0 && n <= PAGE) await page(p, true, -1, signal).catch(() => undefined);
    },
    async run(o = {}) {
      // One run at a time: a foreground run waits for the background one, then does what is left.
      await running;
      try {
        return await loop(p, o);
      } finally {
        if (o.signal?.aborted) declined = true;
      }
    },
    pending: (o = {}) => countStale(ctx, o.newOnly === true),
    wrote: () => void (wroteNew = true),
    async close(ms = 10_000) {
      stop.abort();
      if (checker) clearInterval(checker);
      await running;
      // A one-shot command (`chat -m`, `memory search`) should leave vectors, not work, behind; bounded, so a slow
      // model never holds up an exit (what is left is embedded by the next process that runs the model).
      const { ready } = ctx.embedder;
      const bound = declined ? 0 : wroteNew && ready !== false ? ms : ready === true ? Math.min(ms, 1_000) : 0;
      // Not when this process's last query embedding failed (a provider down or hanging): it would only wait out the bound.
      if (bound && !fallen() && !ctx.embedder.cheap && !ctx.queryVector?.down() && countStale(ctx, true) > 0)
        await loop(p, { newOnly: true, signal: AbortSignal.timeout(bound), own: true }).catch(() => 0);
    },
  };
  return reembedder;
}
