import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeHome, type Home } from './cli-harness.js';

interface SearchOut {
  results: { memory: { text: string; embedder: string }; score: { oldCosine?: number } }[];
}

const embedders = (home: Home): Record<string, number> => {
  const db = new Database(join(home.dir, 'progeny.db'), { readonly: true });
  const rows = db.prepare('SELECT embedder, count(*) AS n FROM memories GROUP BY embedder').all() as {
    embedder: string;
    n: number;
  }[];
  db.close();
  return Object.fromEntries(rows.map((r) => [r.embedder, r.n]));
};

describe('recall during an embedder switch, end to end', () => {
  let home: Home;
  afterEach(() => home.cleanup());

  it('memory search on a home not yet re-embedded finds by the old vectors a memory that shares no word with the query', async () => {
    home = makeHome();
    await home.json(['init']);
    const hash = { env: { PROGENY_EMBEDDER_KIND: 'hash' } };
    for (const text of [
      'I practise the cello every evening',
      'The train to Lyon leaves at noon',
      'tomatoes from the market',
    ])
      await home.json(['memory', 'add', text], hash);
    expect(embedders(home)).toEqual({ 'builtin-hash-v2/384': 3 });

    // Now on the default embedder, nothing re-embedded: "cellist" is no word of any memory, and no memory has a
    // vector of the semantic model; the hash embedder's vectors still find it.
    const out = await home.json<SearchOut>(['memory', 'search', 'my cellist', '-k', '1']);
    expect(out.results[0]?.memory.text).toBe('I practise the cello every evening');
    expect(out.results[0]?.memory.embedder).toBe('builtin-hash-v2/384');
    expect(out.results[0]?.score.oldCosine).toBeGreaterThan(0);
    expect(embedders(home)).toEqual({ 'builtin-hash-v2/384': 3 });
  }, 120_000);
});
