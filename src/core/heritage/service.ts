/**
 * Heritage versions: every change is version N+1 with time, reason, the trust at that moment and a content hash.
 * Loaded once per process and cached; the cache is checked against the newest version number so another process's
 * edit is seen on the next read.
 */
import { nodeCrypto } from '../lazy-builtins.js';
import type { Clock } from '../clock.js';
import { notFound, ProgenyError, usageError } from '../errors.js';
import { immediate, type Db } from '../store/db.js';
import type { Journal } from '../sync/journal.js';
import { identitySummary } from './summary.js';
import {
  BASE_FIELDS,
  canonicalJson,
  changedFields,
  validateHeritage,
  type Heritage,
  type HeritageField,
} from './types.js';
import type { HeritageVersion, HeritageService } from './types.js';
import { act } from '../hints.js';
export { type HeritageVersion, type HeritageService } from './types.js';

export const hashHeritage = (h: Heritage): string =>
  nodeCrypto().createHash('sha256').update(canonicalJson(h)).digest('hex');

interface Row {
  version: number;
  created_at: number;
  reason: string;
  trust: number;
  hash: string;
  doc: string;
}

function toVersion(row: Row, previous?: Heritage): HeritageVersion {
  const doc = JSON.parse(row.doc) as Heritage;
  return {
    version: row.version,
    createdAt: row.created_at,
    reason: row.reason,
    trust: row.trust,
    hash: row.hash,
    changed: previous ? changedFields(previous, doc) : [],
    doc,
  };
}

/** Every version without its document, each with the fields it changed. */
function readHistory(db: Db): Omit<HeritageVersion, 'doc'>[] {
  const rows = db.prepare('SELECT * FROM heritage_versions ORDER BY version').all() as Row[];
  let prev: Heritage | undefined;
  return rows.map((r) => {
    const { doc, ...rest } = toVersion(r, prev);
    prev = doc;
    return rest;
  });
}

/** An update must change something, and the immutable base only when allowed. */
function checkChange(prev: Heritage, doc: Heritage, allowBase: boolean): void {
  const changed = changedFields(prev, doc);
  if (!changed.length) throw usageError('nothing changed: the new heritage equals the current one');
  const base = changed.filter((f) => (BASE_FIELDS as readonly string[]).includes(f));
  if (base.length && !allowBase) {
    throw new ProgenyError('HERITAGE_BASE', `refusing to change the immutable base (${base.join(', ')})`, {
      hint: 'base fields are who the companion is; pass --allow-base-change if you really mean it',
    });
  }
}

export function createHeritageService(db: Db, journal: Journal, clock: Clock, trustNow: () => number): HeritageService {
  const maxVersion = db.prepare('SELECT max(version) FROM heritage_versions').pluck();
  const byVersion = db.prepare('SELECT * FROM heritage_versions WHERE version = ?');
  const insert = db.prepare(
    'INSERT INTO heritage_versions (version, created_at, reason, trust, hash, doc, origin) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  let cache: { version: HeritageVersion; summary: string } | undefined;

  const load = (version: number): HeritageVersion => {
    const row = byVersion.get(version) as Row | undefined;
    if (!row)
      throw notFound('heritage version', version, { text: 'list the versions', actions: [act('heritage.history')] });
    const prev = byVersion.get(version - 1) as Row | undefined;
    return toVersion(row, prev ? (JSON.parse(prev.doc) as Heritage) : undefined);
  };

  const current = (): HeritageVersion => {
    const v = maxVersion.get() as number | null;
    if (v === null) {
      throw new ProgenyError('NO_HERITAGE', 'this home has no heritage yet');
    }
    if (cache?.version.version !== v) {
      const version = load(v);
      cache = { version, summary: identitySummary(version.doc) };
    }
    return cache.version;
  };

  const write = (doc: Heritage, reason: string, trust: number, origin: string): HeritageVersion =>
    immediate(db, () => {
      const prevVersion = (maxVersion.get() as number | null) ?? 0;
      const prev = prevVersion ? (JSON.parse((byVersion.get(prevVersion) as Row).doc) as Heritage) : undefined;
      const version = prevVersion + 1;
      const hash = hashHeritage(doc);
      insert.run(version, clock.now(), reason, trust, hash, JSON.stringify(doc), origin);
      const fields = prev ? changedFields(prev, doc) : ([...Object.keys(doc)] as HeritageField[]);
      for (const f of fields) journal.recordChange('heritage', 'heritage', f, doc[f]);
      return { version, createdAt: clock.now(), reason, trust, hash, changed: prev ? fields : [], doc };
    });

  return {
    exists: () => maxVersion.get() !== null,
    current,
    summary: () => {
      current();
      return (cache as { summary: string }).summary;
    },
    show: load,
    history: () => readHistory(db),
    update(input, reason, opts = {}) {
      if (!reason.trim()) throw usageError('a heritage change needs a reason', 'pass --reason "why"');
      const doc = validateHeritage(input);
      const exists = maxVersion.get() !== null;
      if (exists) checkChange(current().doc, doc, opts.allowBase === true);
      return write(doc, reason.trim(), opts.trust ?? trustNow(), opts.origin ?? 'local');
    },
    restore(version, reason) {
      const target = load(version);
      const cur = current();
      if (cur.hash === target.hash) throw usageError(`version ${version} is already the current heritage`);
      return write(target.doc, reason ?? `restore version ${version}`, trustNow(), 'local');
    },
  };
}
