/**
 * Versioned schema migrations, applied in order inside one immediate transaction each; PRAGMA user_version records
 * the last applied one. Never edit a migration that has shipped: append a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE heritage_versions (
  version    INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  reason     TEXT NOT NULL,
  trust      REAL NOT NULL,
  hash       TEXT NOT NULL,
  doc        TEXT NOT NULL,
  origin     TEXT NOT NULL DEFAULT 'local'
);

CREATE TABLE interview_answers (
  id         INTEGER PRIMARY KEY,
  phase      TEXT NOT NULL,
  question   TEXT NOT NULL,
  answer     TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE limbic_state (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  version    INTEGER NOT NULL,
  state      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE limbic_log (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  variable TEXT NOT NULL,
  before   TEXT,
  after    TEXT,
  delta    REAL,
  cause    TEXT NOT NULL,
  turn_id  TEXT
);
CREATE INDEX limbic_log_var ON limbic_log (variable, id);

CREATE TABLE memories (
  id               TEXT PRIMARY KEY,
  label            INTEGER NOT NULL UNIQUE,
  text             TEXT NOT NULL,
  kind             TEXT NOT NULL,
  actor            TEXT NOT NULL,
  source           TEXT NOT NULL DEFAULT '{}',
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  salience         REAL NOT NULL,
  pinned           INTEGER NOT NULL DEFAULT 0,
  status           TEXT NOT NULL DEFAULT 'active',
  merged_into      TEXT,
  revision         INTEGER NOT NULL DEFAULT 1,
  embedder         TEXT NOT NULL,
  text_hash        TEXT NOT NULL,
  vector           BLOB,
  recall_count     INTEGER NOT NULL DEFAULT 0,
  last_recalled_at INTEGER,
  change_seq       INTEGER NOT NULL
);
CREATE INDEX memories_change ON memories (change_seq);
CREATE INDEX memories_actor_created ON memories (actor, created_at);
CREATE INDEX memories_status_created ON memories (status, created_at);

CREATE TABLE memory_revisions (
  memory_id  TEXT NOT NULL,
  revision   INTEGER NOT NULL,
  text       TEXT NOT NULL,
  kind       TEXT NOT NULL,
  salience   REAL NOT NULL,
  pinned     INTEGER NOT NULL,
  changed_at INTEGER NOT NULL,
  reason     TEXT NOT NULL,
  PRIMARY KEY (memory_id, revision)
) WITHOUT ROWID;

CREATE TABLE conversations (
  id         TEXT PRIMARY KEY,
  actor      TEXT NOT NULL,
  title      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE messages (
  id              TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  turn_id         TEXT NOT NULL,
  role            TEXT NOT NULL,
  text            TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  status          TEXT NOT NULL DEFAULT 'complete',
  meta            TEXT NOT NULL DEFAULT '{}',
  hlc             TEXT NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, created_at);

CREATE TABLE embed_cache (
  embedder  TEXT NOT NULL,
  text_hash TEXT NOT NULL,
  vector    BLOB NOT NULL,
  PRIMARY KEY (embedder, text_hash)
) WITHOUT ROWID;

CREATE TABLE response_cache (
  key        TEXT PRIMARY KEY,
  reply      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX response_cache_created ON response_cache (created_at);

CREATE TABLE devices (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  capabilities TEXT NOT NULL,
  sign_pk      BLOB,
  box_pk       BLOB,
  token_hash   TEXT UNIQUE,
  is_self      INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  revoked_at   INTEGER
);

CREATE TABLE outbox (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  coll       TEXT NOT NULL,
  rec_id     TEXT NOT NULL,
  field      TEXT NOT NULL,
  value      TEXT,
  hlc        TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'memory: full-text index of memory texts for hybrid lexical recall',
    sql: `
CREATE VIRTUAL TABLE memories_fts USING fts5(text, content = 'memories', content_rowid = 'label', tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
  INSERT INTO memories_fts (rowid, text) VALUES (new.label, new.text);
END;
CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
  INSERT INTO memories_fts (memories_fts, rowid, text) VALUES ('delete', old.label, old.text);
END;
CREATE TRIGGER memories_fts_update AFTER UPDATE OF text ON memories WHEN old.text IS NOT new.text BEGIN
  INSERT INTO memories_fts (memories_fts, rowid, text) VALUES ('delete', old.label, old.text);
  INSERT INTO memories_fts (rowid, text) VALUES (new.label, new.text);
END;
INSERT INTO memories_fts (memories_fts) VALUES ('rebuild');
`,
  },
  {
    version: 3,
    name: 'sync: sealed batches, peers, per-field clocks, parked batches, alarms, conflict copies',
    sql: `
CREATE TABLE sync_clocks (
  coll   TEXT NOT NULL,
  rec_id TEXT NOT NULL,
  field  TEXT NOT NULL,
  hlc    TEXT NOT NULL,
  PRIMARY KEY (coll, rec_id, field)
) WITHOUT ROWID;

CREATE TABLE sync_batches (
  device_seq INTEGER PRIMARY KEY,
  hash       TEXT NOT NULL,
  envelope   BLOB NOT NULL,
  outbox_max INTEGER NOT NULL,
  changes    INTEGER NOT NULL,
  relay_seq  INTEGER,
  created_at INTEGER NOT NULL
);

CREATE TABLE sync_peers (
  device_id TEXT PRIMARY KEY,
  sign_pk   BLOB NOT NULL,
  box_pk    BLOB NOT NULL,
  name      TEXT NOT NULL,
  caps      TEXT NOT NULL,
  status    TEXT NOT NULL,
  last_seq  INTEGER NOT NULL DEFAULT 0,
  last_hash TEXT NOT NULL DEFAULT ''
);

CREATE TABLE sync_seen (
  device_id  TEXT NOT NULL,
  device_seq INTEGER NOT NULL,
  hash       TEXT NOT NULL,
  PRIMARY KEY (device_id, device_seq)
) WITHOUT ROWID;

CREATE TABLE sync_parked (
  relay_seq  INTEGER PRIMARY KEY,
  device_id  TEXT NOT NULL,
  device_seq INTEGER NOT NULL,
  reason     TEXT NOT NULL,
  envelope   BLOB NOT NULL
);

CREATE TABLE sync_alarms (
  id     INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  kind   TEXT NOT NULL,
  detail TEXT NOT NULL,
  UNIQUE (kind, detail)
);

CREATE TABLE sync_orphans (
  coll   TEXT NOT NULL,
  rec_id TEXT NOT NULL,
  field  TEXT NOT NULL,
  value  TEXT,
  hlc    TEXT NOT NULL,
  PRIMARY KEY (coll, rec_id, field)
) WITHOUT ROWID;

CREATE TABLE sync_conflicts (
  id     INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  coll   TEXT NOT NULL,
  rec_id TEXT NOT NULL,
  field  TEXT NOT NULL,
  value  TEXT NOT NULL,
  hlc    TEXT NOT NULL,
  origin TEXT NOT NULL
);
`,
  },
  {
    version: 4,
    name: 'qdrant replay queue',
    // Vector writes queued while Qdrant is unreachable (AMNESIA), replayed in seq order on recovery.
    sql: `
CREATE TABLE qdrant_replay (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  collection TEXT NOT NULL,
  op         TEXT NOT NULL CHECK (op IN ('upsert', 'remove')),
  memory_id  TEXT NOT NULL,
  label      INTEGER NOT NULL,
  vector     BLOB,
  payload    TEXT,
  queued_at  INTEGER NOT NULL
);
CREATE INDEX qdrant_replay_collection ON qdrant_replay (collection, seq);
`,
  },
  {
    version: 5,
    name: 'memories by embedder',
    // Opening a home checks for memories embedded by another embedder (to re-embed them); without this index that
    // check read the whole table, vectors included (270 MB at 100k memories), on every start.
    sql: `CREATE INDEX memories_embedder ON memories (embedder, status);`,
  },
  {
    version: 6,
    name: 'memory: contextual indexing (the turn a memory answers) and a stemmed full-text index of text and context',
    // docs/memory-recall.md, "Contextual memories": an interaction that names its conversation is indexed with the
    // end of the interaction before it (context, context_id), in the full-text index (a second column) and in its
    // vector. Existing rows that get a context lose their vector's embedder mark ('', as a synced row has), so they
    // are re-embedded with it: at the next open for the built-in embedder, by `memory reindex` otherwise. The text,
    // the vector of every other row and all history stay as they were.
    sql: `
DROP TRIGGER memories_fts_insert;
DROP TRIGGER memories_fts_delete;
DROP TRIGGER memories_fts_update;
DROP TABLE memories_fts;
ALTER TABLE memories ADD COLUMN context TEXT NOT NULL DEFAULT '';
ALTER TABLE memories ADD COLUMN context_id TEXT;
CREATE INDEX memories_thread ON memories (json_extract(source, '$.conversation'), created_at, label)
  WHERE kind = 'interaction' AND json_extract(source, '$.conversation') IS NOT NULL;
CREATE INDEX memories_context_id ON memories (context_id) WHERE context_id IS NOT NULL;
UPDATE memories SET context = substr(prev.text, -400), context_id = prev.id, embedder = ''
FROM (
  SELECT id AS row_id,
    lag(id) OVER thread AS id,
    lag(text) OVER thread AS text
  FROM memories
  WHERE kind = 'interaction' AND status != 'forgotten' AND json_extract(source, '$.conversation') IS NOT NULL
  WINDOW thread AS (PARTITION BY json_extract(source, '$.conversation') ORDER BY created_at, label)
) AS prev
WHERE memories.id = prev.row_id AND prev.id IS NOT NULL;
CREATE VIRTUAL TABLE memories_fts USING fts5(text, context, content = 'memories', content_rowid = 'label',
  tokenize = 'porter unicode61 remove_diacritics 2');
INSERT INTO memories_fts (memories_fts) VALUES ('rebuild');
CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
  INSERT INTO memories_fts (rowid, text, context) VALUES (new.label, new.text, new.context);
END;
CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
  INSERT INTO memories_fts (memories_fts, rowid, text, context) VALUES ('delete', old.label, old.text, old.context);
END;
CREATE TRIGGER memories_fts_update AFTER UPDATE OF text, context ON memories
  WHEN old.text IS NOT new.text OR old.context IS NOT new.context BEGIN
  INSERT INTO memories_fts (memories_fts, rowid, text, context) VALUES ('delete', old.label, old.text, old.context);
  INSERT INTO memories_fts (rowid, text, context) VALUES (new.label, new.text, new.context);
END;
`,
  },
  {
    version: 7,
    name: 'memory: a full-text index of the scripts written without spaces (pairs of characters)',
    // docs/memory-recall.md, "Texts in other scripts": an unspaced run of Han, kana, Hangul or Thai is one token to
    // memories_fts, so no word inside it could be found. memories_cjk holds, for the memories that have such runs,
    // their characters and overlapping pairs (progeny_cjk_grams, registered by db.ts on every connection); other
    // memories get no row. Contentless: the text stays in memories, a delete needs only the rowid.
    sql: `
CREATE VIRTUAL TABLE memories_cjk USING fts5(text, context, content = '', contentless_delete = 1,
  tokenize = "unicode61 remove_diacritics 0 categories 'L* N* M* Co'");
INSERT INTO memories_cjk (rowid, text, context)
  SELECT label, t, c FROM (SELECT label, progeny_cjk_grams(text) AS t, progeny_cjk_grams(context) AS c FROM memories)
  WHERE t != '' OR c != '';
CREATE TRIGGER memories_cjk_insert AFTER INSERT ON memories BEGIN
  INSERT INTO memories_cjk (rowid, text, context)
    SELECT new.label, t, c FROM (SELECT progeny_cjk_grams(new.text) AS t, progeny_cjk_grams(new.context) AS c)
    WHERE t != '' OR c != '';
END;
CREATE TRIGGER memories_cjk_delete AFTER DELETE ON memories BEGIN
  DELETE FROM memories_cjk WHERE rowid = old.label;
END;
CREATE TRIGGER memories_cjk_update AFTER UPDATE OF text, context ON memories
  WHEN old.text IS NOT new.text OR old.context IS NOT new.context BEGIN
  DELETE FROM memories_cjk WHERE rowid = old.label;
  INSERT INTO memories_cjk (rowid, text, context)
    SELECT new.label, t, c FROM (SELECT progeny_cjk_grams(new.text) AS t, progeny_cjk_grams(new.context) AS c)
    WHERE t != '' OR c != '';
END;
`,
  },
];
