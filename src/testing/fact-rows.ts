/** Rows for the memory writer (writer.insert) from texts: creator's facts with the hash embedder's vectors. */
import { embedBuiltin } from '../core/memory/embedder-builtin.js';

export function factRows(texts: string[]) {
  return texts.map((text) => ({
    text,
    kind: 'fact' as const,
    actor: 'creator',
    source: {},
    salience: 0.5,
    pinned: false,
    vector: embedBuiltin(text),
  }));
}
