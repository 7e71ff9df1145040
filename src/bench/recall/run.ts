/**
 * Runs an evaluation file through the real engine (docs/memory-recall.md): each conversation is imported into its
 * own throwaway home the way `progeny memory import` would (one memory per turn, naming its conversation, in order),
 * then every question is asked the way `progeny memory search` asks (peek, the creator's memories), and the turns
 * recalled are compared with the question's evidence. The home is deleted afterwards, whatever happens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../../core/clock.js';
import type { Config } from '../../core/config/schema.js';
import { createEngine } from '../../core/engine/create.js';
import { interrupted, ProgenyError } from '../../core/errors.js';
import { act } from '../../core/hints.js';
import { pathsFor } from '../../core/paths.js';
import { openDatabase } from '../../core/store/db.js';
import type { EvalConversation, EvalFile, EvalTurn } from './eval-file.js';
import type { QuestionOutcome } from './score.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The memory a turn becomes: who said it, then what was said (as a transcript line reads). */
export function turnMemoryText(turn: EvalTurn): string {
  return `${turn.speaker}: ${turn.text}`;
}

/** The import lines of one conversation: turns a minute apart from their session's start, in order. */
export function importLines(c: EvalConversation): { lines: string[]; lastAt: number } {
  const lines: string[] = [];
  let lastAt = 0;
  for (const s of c.sessions) {
    s.turns.forEach((t, i) => {
      const createdAt = s.at + i * MINUTE;
      lastAt = Math.max(lastAt, createdAt);
      lines.push(
        JSON.stringify({
          text: turnMemoryText(t),
          kind: 'interaction',
          createdAt,
          source: { conversation: c.id, turn: t.id, via: 'bench' },
        }),
      );
    });
  }
  return { lines, lastAt };
}

export interface RecallRunOptions {
  config: Config;
  /** How many memories each question recalls (the largest k reported). */
  k: number;
  /**
   * An embedder switch caught part-way: the conversation is imported with `config` (another embedder), then asked
   * with the run's own config after `reembedded` (0..1, spread evenly over the conversation) of its memories were
   * re-embedded; the others still carry the former embedder's vectors.
   */
  switchFrom?: { config: Config; reembedded: number };
  signal?: AbortSignal;
  onProgress?: (e: { conversation: string; phase: 'import' | 'questions'; done: number; total: number }) => void;
}

export interface RecallRun {
  outcomes: QuestionOutcome[];
  /** The embedder ids of the memories recalled (one, unless the configured embedder fell back). */
  embedders: string[];
}

type Engine = Awaited<ReturnType<typeof createEngine>>;

async function withEngine<T>(dir: string, config: Config, now: number, fn: (e: Engine) => Promise<T>): Promise<T> {
  const engine = await createEngine({ paths: pathsFor(dir), config, clock: fixedClock(now) });
  try {
    await refuseFallback(engine);
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/**
 * The configured embedder, loaded now: a semantic model that cannot load would leave the hash embedder and the words
 * to answer, and the figures would measure that fallback under the configured embedder's name.
 */
async function refuseFallback(engine: Engine): Promise<void> {
  const health = await engine.warmEmbedder();
  if (health.state !== 'fallback') return;
  throw new ProgenyError(
    'EMBEDDER_UNAVAILABLE',
    `${health.detail}; the figures would measure its fallback ${health.id}, not ${health.preferred}`,
    {
      hint: 'the doctor says why it did not load; or --set embedder.kind=hash to measure the hash embedder',
      actions: [act('doctor')],
    },
  );
}

/** Imports the conversation (one memory per turn) and waits for its vectors. */
async function importConversation(engine: Engine, c: EvalConversation, lines: string[], o: RecallRunOptions) {
  const total = lines.length;
  const report = await engine.memory.importJsonl(lines, {
    onProgress: (done) => o.onProgress?.({ conversation: c.id, phase: 'import', done, total }),
  });
  // The semantic model embeds after the write (docs/embeddings.md): recall by meaning once every vector is made.
  await engine.memory.embedPending(o.signal ? { signal: o.signal } : {});
  if (report.errors.length)
    throw new ProgenyError(
      'BENCH_IMPORT',
      `conversation ${c.id}: line ${report.errors[0]!.line} of its import was refused: ${report.errors[0]!.message}`,
    );
}

/**
 * Marks `share` of the memories, evenly spread in the order they were written, as having no vector yet, so the next
 * engine re-embeds exactly those (its re-embedder starts at a random point: not reproducible); the rest keep the
 * former embedder's vectors.
 */
function forgetVectorsOf(dir: string, share: number): void {
  const db = openDatabase(pathsFor(dir).db);
  try {
    const ids = db.prepare('SELECT id FROM memories ORDER BY label').pluck().all() as string[];
    const picked = ids.filter((_, i) => Math.floor((i + 1) * share) > Math.floor(i * share));
    const reset = db.prepare("UPDATE memories SET vector = NULL, embedder = '' WHERE id = ?");
    db.transaction(() => picked.forEach((id) => reset.run(id)))();
  } finally {
    db.close();
  }
}

async function ask(engine: Engine, c: EvalConversation, o: RecallRunOptions, embedders: Set<string>) {
  const out: QuestionOutcome[] = [];
  for (const [i, q] of c.questions.entries()) {
    if (o.signal?.aborted) throw interrupted('the bench was interrupted');
    const t0 = process.hrtime.bigint();
    const hits = await engine.memory.recall({ text: q.question, k: o.k, actor: 'creator', peek: true });
    const latencyNs = Number(process.hrtime.bigint() - t0);
    for (const h of hits) embedders.add(h.memory.embedder);
    out.push({
      category: q.category,
      ranked: hits.map((h) => h.memory.source.turn ?? ''),
      evidence: q.evidence,
      latencyNs,
    });
    o.onProgress?.({ conversation: c.id, phase: 'questions', done: i + 1, total: c.questions.length });
  }
  return out;
}

async function runConversation(
  c: EvalConversation,
  o: RecallRunOptions,
  embedders: Set<string>,
): Promise<QuestionOutcome[]> {
  const dir = mkdtempSync(join(tmpdir(), 'progeny-bench-recall-'));
  try {
    const { lines, lastAt } = importLines(c);
    // "Now" is the day after the conversation's last turn, so freshness does not depend on when the bench runs.
    const now = lastAt + DAY;
    const from = o.switchFrom;
    if (!from)
      return await withEngine(dir, o.config, now, (e) =>
        importConversation(e, c, lines, o).then(() => ask(e, c, o, embedders)),
      );
    await withEngine(dir, from.config, now, (e) => importConversation(e, c, lines, o));
    forgetVectorsOf(dir, from.reembedded);
    return await withEngine(dir, o.config, now, async (e) => {
      await e.memory.embedPending(o.signal ? { signal: o.signal } : {});
      return ask(e, c, o, embedders);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every question of every conversation, in file order. */
export async function runRecallEval(file: EvalFile, o: RecallRunOptions): Promise<RecallRun> {
  const outcomes: QuestionOutcome[] = [];
  const embedders = new Set<string>();
  for (const c of file.conversations) outcomes.push(...(await runConversation(c, o, embedders)));
  return { outcomes, embedders: [...embedders] };
}
