/**
 * The library entry (`import { createEngine } from 'progeny'`): the core engine, its types and errors, for programs
 * that embed the companion instead of shelling out to the CLI. Nothing here imports the CLI, the TUI or the server.
 */
import { createEngine as createLocalEngine } from './core/engine/create.js';
import type { Engine, EngineOptions } from './core/engine/engine.js';
import type { LocalEngine } from './core/engine/local-engine.js';
import type { EngineSync } from './core/sync/api.js';
import { createEngineSync as createLocalEngineSync } from './core/sync/index.js';

export type { Engine, EngineOptions, ModeReport } from './core/engine/engine.js';

/** Opens the companion's home (`paths`, from `pathsFor`) with its configuration (`loadConfig`). */
export const createEngine: (opts: EngineOptions) => Promise<Engine> = createLocalEngine;

/** Sync for an engine `createEngine` made (sync reaches its storage, which the library's `Engine` type hides). */
export function createEngineSync(engine: Engine): EngineSync {
  if (!('db' in engine)) throw new TypeError('createEngineSync needs an engine made by createEngine');
  return createLocalEngineSync(engine as LocalEngine);
}
export type { EngineEvent, EngineEventType, EngineNotice, Mode, TurnStats } from './core/events.js';
export { ProgenyError, ExitCode, toProgenyError } from './core/errors.js';
export { pathsFor, resolveHome, type Paths } from './core/paths.js';
export { loadConfig } from './core/config/load.js';
export type { Config, ConfigKey } from './core/config/schema.js';
export type {
  Memory,
  MemoryKind,
  NewMemory,
  RecallAnswer,
  RecallInfo,
  RecallQuery,
  RecalledMemory,
} from './core/memory/types.js';
export type { MemoryApi } from './core/memory/api.js';
export type { EngineSync, SyncStatus, SyncReport, SyncProgress, SyncRunOptions } from './core/sync/api.js';
