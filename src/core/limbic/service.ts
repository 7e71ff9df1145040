/**
 * The limbic state as a service: cached in memory, persisted on change (one immediate transaction with its cause log
 * and its sync journal rows), decayed on every read. Another process's write bumps the row's version, which
 * invalidates this process's cache on the next read.
 */
import type Database from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { usageError } from '../errors.js';
import { relaxed, type Db } from '../store/db.js';
import type { Journal } from '../sync/journal.js';
import { applyDelta, decay, isCrisis, isSlumber, trustTier } from './rules.js';
import { updateForTurn, type TurnRules } from './turn-update.js';
import {
  defaultLimbicState,
  LIMBIC_VARIABLES,
  type LimbicChange,
  type LimbicSnapshot,
  type LimbicState,
  type LimbicVariable,
} from './types.js';
import type { LimbicLogEntry, LimbicService } from './types.js';
export { type LimbicLogEntry, type LimbicService } from './types.js';

type Statement = Database.Statement;

/** The service's database handles and its cache of the stored state (valid while the row's version is unchanged). */
interface LimbicContext {
  db: Db;
  journal: Journal;
  clock: Clock;
  selectVersion: Statement;
  selectRow: Statement;
  upsert: Statement;
  insertLog: Statement;
  cache: { version: number; state: LimbicState } | undefined;
}

function openContext(db: Db, journal: Journal, clock: Clock): LimbicContext {
  return {
    db,
    journal,
    clock,
    selectVersion: db.prepare('SELECT version FROM limbic_state WHERE id = 1').pluck(),
    selectRow: db.prepare('SELECT version, state FROM limbic_state WHERE id = 1'),
    upsert: db.prepare(
      `INSERT INTO limbic_state (id, version, state, updated_at) VALUES (1, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET version = excluded.version, state = excluded.state, updated_at = excluded.updated_at`,
    ),
    insertLog: db.prepare(
      'INSERT INTO limbic_log (at, variable, before, after, delta, cause, turn_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    cache: undefined,
  };
}

function stored(ctx: LimbicContext): { version: number; state: LimbicState } {
  const version = (ctx.selectVersion.get() as number | undefined) ?? 0;
  if (ctx.cache && ctx.cache.version === version) return ctx.cache;
  const row = ctx.selectRow.get() as { version: number; state: string } | undefined;
  ctx.cache = row
    ? {
        version: row.version,
        state: { ...defaultLimbicState(ctx.clock.now()), ...(JSON.parse(row.state) as LimbicState) },
      }
    : { version: 0, state: defaultLimbicState(ctx.clock.now()) };
  return ctx.cache;
}

// Object.assign and then the derived fields, not `{ ...state, slumber, … }`: V8 takes a slow path for that spread of
// a decayed state (≈ 4.5 µs against 0.1 µs, measured), and GET /v1/state builds one snapshot per request.
function snapshot(state: LimbicState, version: number): LimbicSnapshot {
  const s = Object.assign({}, state) as LimbicSnapshot;
  s.slumber = isSlumber(state);
  s.crisis = isCrisis(state);
  s.tier = trustTier(state.trust);
  s.version = version;
  return s;
}

/** Writes the next state, its cause log and its sync journal rows (inside mutate's transaction). */
function persist(
  ctx: LimbicContext,
  before: { version: number; state: LimbicState },
  next: LimbicState,
  changes: LimbicChange[],
  turnId: string | null,
  now: number,
): void {
  ctx.upsert.run(before.version + 1, JSON.stringify(next), now);
  for (const c of changes) {
    ctx.insertLog.run(
      now,
      c.variable,
      JSON.stringify(c.before),
      JSON.stringify(c.after),
      c.delta ?? null,
      c.cause,
      turnId,
    );
  }
  for (const key of Object.keys(next) as (keyof LimbicState)[]) {
    // The first persisted state journals every field, so another device gets a whole record, not a diff.
    if (before.version === 0 || JSON.stringify(next[key]) !== JSON.stringify(before.state[key]))
      ctx.journal.recordChange('limbic', 'limbic', key, next[key]);
  }
}

/** Read-decay-mutate-write under the write lock, so two processes never lose each other's changes. */
function mutate(
  ctx: LimbicContext,
  fn: (s: LimbicState, changes: LimbicChange[]) => LimbicState,
  turnId: string | null,
): { state: LimbicSnapshot; changes: LimbicChange[] } {
  // Relaxed durability: see relaxed() in store/db.ts (the limbic update budget is 1 ms; an fsync alone costs more).
  return relaxed(ctx.db, () => {
    const now = ctx.clock.now();
    const before = stored(ctx);
    const decayed = decay(before.state, now);
    const changes = [...decayed.changes];
    const next = fn(decayed.state, changes);
    persist(ctx, before, next, changes, turnId, now);
    ctx.cache = { version: before.version + 1, state: next };
    return { state: snapshot(next, before.version + 1), changes };
  });
}

function checkDeltas(deltas: Record<string, unknown>): void {
  for (const [k, d] of Object.entries(deltas)) {
    if (!(LIMBIC_VARIABLES as readonly string[]).includes(k))
      throw usageError(`unknown limbic variable "${k}"`, `use one of ${LIMBIC_VARIABLES.join(', ')}`);
    if (typeof d !== 'number' || !Number.isFinite(d) || d < -1 || d > 1)
      throw usageError(`delta for ${k} must be a number in [-1, 1]`);
  }
}

/** The default state, keeping the interaction history, with a change logged for every variable it resets. */
function resetState(s: LimbicState, now: number, reason: string, changes: LimbicChange[]): LimbicState {
  const fresh = defaultLimbicState(now);
  for (const v of LIMBIC_VARIABLES) {
    if (s[v] !== fresh[v])
      changes.push({ variable: v, before: s[v], after: fresh[v], delta: fresh[v] - s[v], cause: reason });
  }
  return { ...fresh, interactionCount: s.interactionCount, lastInteractionAt: s.lastInteractionAt };
}

function readWhy(db: Db, variable: string | undefined, limit: number): LimbicLogEntry[] {
  const rows = (
    variable
      ? db.prepare('SELECT * FROM limbic_log WHERE variable = ? ORDER BY id DESC LIMIT ?').all(variable, limit)
      : db.prepare('SELECT * FROM limbic_log ORDER BY id DESC LIMIT ?').all(limit)
  ) as {
    at: number;
    variable: string;
    before: string;
    after: string;
    delta: number | null;
    cause: string;
    turn_id: string | null;
  }[];
  return rows.map((r) => ({
    at: r.at,
    variable: r.variable,
    before: JSON.parse(r.before) as unknown,
    after: JSON.parse(r.after) as unknown,
    delta: r.delta,
    cause: r.cause,
    turnId: r.turn_id,
  }));
}

export function createLimbicService(db: Db, journal: Journal, clock: Clock, rules: TurnRules): LimbicService {
  const ctx = openContext(db, journal, clock);
  // The last readJson(): the stored state it came from (a new object whenever the version moves) and its millisecond.
  let json: { from: LimbicContext['cache']; at: number; text: string } | undefined;
  return {
    read() {
      const { version, state } = stored(ctx);
      return snapshot(decay(state, clock.now(), false).state, version);
    },
    readJson() {
      const from = stored(ctx);
      const at = clock.now();
      if (json?.from === from && json.at === at) return json.text;
      json = { from, at, text: JSON.stringify(snapshot(decay(from.state, at, false).state, from.version)) };
      return json.text;
    },
    applyTurn(p, turnId) {
      return mutate(
        ctx,
        (s, changes) => {
          const r = updateForTurn(s, p, clock.now(), rules);
          changes.push(...r.changes);
          return r.state;
        },
        turnId,
      );
    },
    adjust(deltas, reason) {
      checkDeltas(deltas);
      return mutate(
        ctx,
        (s, changes) => {
          let next = s;
          for (const [k, d] of Object.entries(deltas))
            next = applyDelta(next, k as LimbicVariable, d as number, reason, changes);
          return next;
        },
        null,
      );
    },
    setElastic(on, reason) {
      return mutate(
        ctx,
        (s, changes) => {
          if (s.elastic !== on) changes.push({ variable: 'elastic', before: s.elastic, after: on, cause: reason });
          return { ...s, elastic: on };
        },
        null,
      ).state;
    },
    recordRollback(what) {
      return mutate(ctx, (s, changes) => applyDelta(s, 'trust', -0.02, `rolled back: ${what}`, changes), null).state;
    },
    reset(reason) {
      return mutate(ctx, (s, changes) => resetState(s, clock.now(), reason, changes), null).state;
    },
    why: (variable, limit = 20) => readWhy(db, variable, limit),
  };
}
