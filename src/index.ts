/**
 * The library entry (`import { createEngine } from 'progeny'`): the core engine, its types and errors, for programs
 * that embed the companion instead of shelling out to the CLI. Nothing here imports the CLI, the TUI or the server.
 */
export { createEngine, type EngineOptions } from './core/engine/create.js';
export type { Engine, ModeReport } from './core/engine/engine.js';
export type { EngineEvent, EngineEventType, EngineNotice, Mode, TurnStats } from './core/events.js';
export { ProgenyError, ExitCode, toProgenyError } from './core/errors.js';
export { pathsFor, resolveHome, type Paths } from './core/paths.js';
export { loadConfig } from './core/config/load.js';
export type { Config, ConfigKey } from './core/config/schema.js';
export type { Memory, MemoryKind, NewMemory, RecallQuery, RecalledMemory } from './core/memory/types.js';
export type { MemoryApi } from './core/memory/api.js';
export {
  createEngineSync,
  type EngineSync,
  type SyncStatus,
  type SyncReport,
  type SyncProgress,
  type SyncRunOptions,
} from './core/sync/index.js';
