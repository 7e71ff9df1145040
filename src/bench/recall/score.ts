/**
 * Evidence recall@k (docs/memory-recall.md): for one question, the share of its evidence turns among the first k
 * turns recalled; for a set of questions, the mean of that share. A question whose evidence is two turns and which
 * finds one of them in the top k scores 0.5.
 */

export function evidenceRecallAt(ranked: readonly string[], evidence: readonly string[], k: number): number {
  if (!evidence.length) return 0;
  const top = new Set(ranked.slice(0, k));
  return evidence.filter((e) => top.has(e)).length / evidence.length;
}

export interface QuestionOutcome {
  category: string;
  /** Turn ids in recalled order. */
  ranked: string[];
  evidence: string[];
  /** Search latency in nanoseconds. */
  latencyNs: number;
}

export interface RecallFigures {
  questions: number;
  /** recall@k by k. */
  recall: Record<number, number>;
}

/** Mean evidence recall@k of some questions for every k (4 decimals). */
export function recallFigures(outcomes: readonly QuestionOutcome[], ks: readonly number[]): RecallFigures {
  const recall: Record<number, number> = {};
  for (const k of ks) {
    const sum = outcomes.reduce((a, o) => a + evidenceRecallAt(o.ranked, o.evidence, k), 0);
    recall[k] = outcomes.length ? Math.round((sum / outcomes.length) * 1e4) / 1e4 : 0;
  }
  return { questions: outcomes.length, recall };
}

/** The outcomes grouped by category, categories in first-seen order. */
export function byCategory(outcomes: readonly QuestionOutcome[]): Map<string, QuestionOutcome[]> {
  const out = new Map<string, QuestionOutcome[]>();
  for (const o of outcomes) out.set(o.category, [...(out.get(o.category) ?? []), o]);
  return out;
}
