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
import { pathsFor } from '../../core/paths.js';
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
  signal?: AbortSignal;
  onProgress?: (e: { conversation: string; phase: 'import' | 'questions'; done: number; total: number }) => void;
}

export interface RecallRun {
  outcomes: QuestionOutcome[];
  /** The embedder ids of the memories recalled (one, unless the configured embedder fell back). */
  embedders: string[];
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
    const engine = await createEngine({ paths: pathsFor(dir), config: o.config, clock: fixedClock(lastAt + DAY) });
    try {
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
    } finally {
      await engine.close();
    }
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
