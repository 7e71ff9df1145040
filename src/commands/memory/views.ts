/** Shared views of memories for the memory commands. */
import type { Memory, RecalledMemory } from '../../core/memory/types.js';
import { date } from '../args.js';
import type { View } from '../output.js';

export function memoryTable(items: Memory[], footer?: string): View {
  return {
    kind: 'table',
    columns: [
      { key: 'id', label: 'ID' },
      { key: 'kind', label: 'KIND' },
      { key: 'createdAt', label: 'CREATED', format: (v) => date(v as number) },
      { key: 'salience', label: 'SAL', align: 'right', format: (v) => (v as number).toFixed(2) },
      { key: 'pinned', label: 'PIN', format: (v) => (v ? '📌' : '') },
      { key: 'text', label: 'TEXT', flex: true },
    ],
    rows: items as unknown as Record<string, unknown>[],
    empty: 'No memories yet. Add one with `progeny memory add "…"` or chat.',
    ...(footer ? { footer } : {}),
  };
}

export function recallTable(items: RecalledMemory[]): View {
  return {
    kind: 'table',
    columns: [
      { key: 'rank', label: '#', align: 'right' },
      { key: 'score', label: 'SCORE', align: 'right', format: (v) => (v as number).toFixed(3) },
      { key: 'similarity', label: 'SIM', align: 'right', format: (v) => (v as number).toFixed(3) },
      { key: 'freshness', label: 'FRESH', align: 'right', format: (v) => (v as number).toFixed(3) },
      { key: 'salience', label: 'SAL', align: 'right', format: (v) => (v as number).toFixed(2) },
      { key: 'id', label: 'ID' },
      { key: 'actor', label: 'ACTOR' },
      { key: 'text', label: 'TEXT', flex: true },
    ],
    rows: items.map((r) => ({ rank: r.rank, ...r.score, id: r.memory.id, actor: r.memory.actor, text: r.memory.text })),
    empty: 'Nothing recalled.',
  };
}

export function memoryFields(m: Memory): View {
  return {
    kind: 'fields',
    fields: [
      ['id', m.id],
      ['text', m.text || '(purged)'],
      ['kind', m.kind],
      ['actor', m.actor],
      ['status', m.mergedInto ? `${m.status} (merged into ${m.mergedInto})` : m.status],
      ['salience', m.salience.toFixed(2)],
      ['pinned', m.pinned],
      ['created', date(m.createdAt)],
      ['updated', date(m.updatedAt)],
      ['revision', m.revision],
      ['recalled', `${m.recallCount} time(s), last ${date(m.lastRecalledAt)}`],
      [
        'source',
        Object.entries(m.source)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') || '–',
      ],
      ['embedder', m.embedder],
    ],
  };
}
