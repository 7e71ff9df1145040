/**
 * The scale suite's home of N memories and N messages, made once and kept (docs/performance.md "Seeds made once").
 * Seeding a million memories costs ~45 minutes of CPU (the import, then rebuilding the index to time it), so the
 * seeded home is copied to the bench cache directory with a record of what its seeding measured, keyed by seed, size
 * and format (the schema version and SEEDING, bumped whenever the seeding changes); a later run copies it back and
 * reports the seeding figures from that record, with `seedMadeAt` saying they were not measured again.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, type EngineOptions } from '../../core/engine/create.js';
import type { LocalEngine } from '../../core/engine/local-engine.js';
import { initializeHome } from '../../core/engine/init.js';
import type { Paths } from '../../core/paths.js';
import { MIGRATIONS } from '../../core/store/migrations.js';
import { sentenceMaker } from '../chat-corpus.js';
import { benchCacheDir } from '../seed-vectors.js';
import { rebuildIndex, timed } from './scale-index.js';
import { fillMessages } from './sync.js';

/** Bump when what the seeding writes changes (texts, times, messages): older cached homes are then ignored. */
const SEEDING = 1;
/** 2025-01-01: the seeded memories' first timestamp. */
const SEED_T0 = Date.UTC(2025, 0, 1);

/** What seeding measured: wall and CPU milliseconds of the import, of the messages, and of an index rebuild. */
export interface SeedRecord {
  memories: number;
  importWallMs: number;
  importCpuMs: number;
  messagesWallMs: number;
  rebuildWallMs: number;
  rebuildCpuMs: number;
  /** ISO time the home was seeded; set when these figures come from an earlier run's cached home. */
  madeAt: string;
  fromCache?: boolean;
}

export function seededHomeDir(seed: number, n: number): string {
  const schema = MIGRATIONS.at(-1)?.version ?? 0;
  return join(benchCacheDir(), `scale-home-s${seed}-n${n}-schema${schema}-v${SEEDING}`);
}

/** The files of a home the suite needs: the database (checkpointed first), the index, the config. */
const HOME_FILES = (paths: Paths): string[] => [paths.db, paths.memoryIndex, paths.config];

async function seedInto(engine: LocalEngine, n: number, seed: number, dir: string): Promise<SeedRecord> {
  initializeHome(engine);
  const sentence = sentenceMaker(seed);
  const lines = function* (): Generator<string> {
    // A minute apart, as a conversation's memories would be: an id-less line's id is made of its time and text
    // (README "How memory works"), and the seeded sentences repeat now and then, so a shared time would merge them.
    for (let i = 0; i < n; i++)
      yield JSON.stringify({ v: 1, text: sentence(), kind: 'fact', createdAt: SEED_T0 + i * 60_000 });
  };
  let report: Awaited<ReturnType<typeof engine.memory.importJsonl>> | undefined;
  // What a user waits for: parse, embed, durable writes, then the index absorbs every memory and is saved.
  const imported = await timed(async () => {
    report = await engine.memory.importJsonl(lines());
    await engine.memory.reindex({ staleOnly: true });
  });
  if (report?.errors.length || report?.imported !== n)
    throw new Error(`seeding imported ${report?.imported} of ${n} memories: ${report?.errors[0]?.message ?? ''}`);
  // As many messages as memories, in conversations of 500 (journalled as the chat does: initial sync carries them).
  const messaged = await timed(async () => fillMessages(engine, n, seed, 500));
  const rebuilt = await rebuildIndex(engine, dir);
  return {
    memories: n,
    importWallMs: Math.round(imported.wallMs),
    importCpuMs: Math.round(imported.cpuMs),
    messagesWallMs: Math.round(messaged.wallMs),
    rebuildWallMs: Math.round(rebuilt.wallMs),
    rebuildCpuMs: Math.round(rebuilt.cpuMs),
    madeAt: new Date().toISOString(),
  };
}

function keep(engine: LocalEngine, record: SeedRecord, cached: string): void {
  engine.db.pragma('wal_checkpoint(TRUNCATE)');
  const partial = `${cached}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  for (const file of HOME_FILES(engine.paths))
    if (existsSync(file)) cpSync(file, join(partial, relative(engine, file)));
  writeFileSync(join(partial, 'seed.json'), JSON.stringify(record, null, 2));
  rmSync(cached, { recursive: true, force: true });
  renameSync(partial, cached);
}

const relative = (engine: LocalEngine, file: string): string => file.slice(engine.paths.home.length + 1);

/**
 * An engine on `home` holding the seeded memories and messages: copied from the cache when an earlier run kept this
 * seed and size, otherwise seeded here and kept.
 */
export async function seededHome(
  o: { home: string; paths: Paths; n: number; seed: number; dir: string },
  options: Omit<EngineOptions, 'paths'>,
): Promise<{ engine: LocalEngine; record: SeedRecord }> {
  const cached = seededHomeDir(o.seed, o.n);
  const seedFile = join(cached, 'seed.json');
  if (existsSync(seedFile)) {
    for (const file of HOME_FILES(o.paths)) {
      const from = join(cached, file.slice(o.home.length + 1));
      if (existsSync(from)) cpSync(from, file);
    }
    const record = { ...(JSON.parse(readFileSync(seedFile, 'utf8')) as SeedRecord), fromCache: true };
    return { engine: await createEngine({ paths: o.paths, ...options }), record };
  }
  const engine = await createEngine({ paths: o.paths, ...options });
  const record = await seedInto(engine, o.n, o.seed, o.dir);
  keep(engine, record, cached);
  // Measured in an engine that only opened the home, as after a copy: the seeding one holds the import's heap and a
  // loaded index (the first 1M run measured recall P50 11.8 ms in it at load 13–15; a fresh engine on that home
  // 1.8 ms at load 7, docs/performance.md "Growth").
  await engine.close();
  return { engine: await createEngine({ paths: o.paths, ...options }), record };
}
