/** Test support: a throw-away progeny home and an opened database in it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathsFor, type Paths } from '../core/paths.js';
import { openDatabase, type Db } from '../core/store/db.js';

export function tempHome(prefix = 'progeny-test-'): { paths: Paths; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { paths: pathsFor(home), cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

export function tempDb(): { db: Db; paths: Paths; cleanup(): void } {
  const { paths, cleanup } = tempHome();
  const db = openDatabase(paths.db);
  return {
    db,
    paths,
    cleanup: () => {
      db.close();
      cleanup();
    },
  };
}
