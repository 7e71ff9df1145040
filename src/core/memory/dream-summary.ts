/**
 * Dream's optional summarising step (docs/domain.md, "Consolidation"). The memories a dream cycle archives because they
 * faded out are first condensed by the model, a conversation at a time (an actor's week for memories from no
 * conversation), into one `summary` memory; the originals are then archived linked to it (merged_into), so the gist
 * stays recallable and nothing is lost (`progeny memory restore` brings an original back).
 */
import { DAY_MS } from '../clock.js';
import { toProgenyError } from '../errors.js';
import type { MemoryRow } from './rows.js';
import type { Summariser } from './api.js';
export { type Summariser } from './api.js';

/** At most this many memories go into one summary (a longer conversation gives several). */
export const GROUP_MAX = 40;
export const SUMMARY_MAX_CHARS = 2000;

export interface SummaryGroup {
  actor: string;
  rows: MemoryRow[];
}

function conversationOf(source: string): string | undefined {
  try {
    const s = JSON.parse(source) as { conversation?: unknown };
    return typeof s.conversation === 'string' ? s.conversation : undefined;
  } catch {
    return undefined;
  }
}

/** Groups of two or more fading memories of one actor, from one conversation or one week, oldest first. */
export function groupForSummary(rows: MemoryRow[]): SummaryGroup[] {
  const byKey = new Map<string, SummaryGroup>();
  for (const r of [...rows].sort((a, b) => a.created_at - b.created_at)) {
    const conversation = conversationOf(r.source);
    const key = conversation
      ? `${r.actor}\u0000c:${conversation}`
      : `${r.actor}\u0000w:${Math.floor(r.created_at / (7 * DAY_MS))}`;
    const g = byKey.get(key) ?? { actor: r.actor, rows: [] };
    g.rows.push(r);
    byKey.set(key, g);
  }
  const out: SummaryGroup[] = [];
  for (const g of byKey.values()) {
    for (let i = 0; i < g.rows.length; i += GROUP_MAX) {
      const rows = g.rows.slice(i, i + GROUP_MAX);
      if (rows.length >= 2) out.push({ actor: g.actor, rows });
    }
  }
  return out;
}

export interface SummaryOutcome {
  done: { group: SummaryGroup; text: string }[];
  /** Why summarising stopped early (the model failed); the remaining memories are archived as usual. */
  error?: string;
}

/** Asks the model for each group in turn; the first failure stops the step (one bad model, not one bad group). */
export async function summariseGroups(
  groups: SummaryGroup[],
  summarise: Summariser,
  signal?: AbortSignal,
): Promise<SummaryOutcome> {
  const done: SummaryOutcome['done'] = [];
  for (const group of groups) {
    try {
      const text = (
        await summarise(
          group.rows.map((r) => r.text),
          signal,
        )
      )
        .trim()
        .slice(0, SUMMARY_MAX_CHARS);
      if (!text) throw new Error('the model returned an empty summary');
      done.push({ group, text });
    } catch (err) {
      return { done, error: toProgenyError(err).message };
    }
  }
  return { done };
}
