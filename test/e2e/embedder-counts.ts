/** How many memories of a home carry each embedder's vector ('' for none yet), read from its database. */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Home } from './cli-harness.js';

export function embedderCounts(home: Home): Record<string, number> {
  const db = new Database(join(home.dir, 'progeny.db'), { readonly: true });
  const rows = db.prepare('SELECT embedder, count(*) AS n FROM memories GROUP BY embedder').all() as {
    embedder: string;
    n: number;
  }[];
  db.close();
  return Object.fromEntries(rows.map((r) => [r.embedder, r.n]));
}
