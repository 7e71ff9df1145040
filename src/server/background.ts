/**
 * The work a server does while it listens, beside answering requests: embedding memories that lack vectors, the
 * scheduled dream, and this home's background sync. createServer starts it once the server listens and stops it
 * when the server closes, so an embedder of createServer() gets the same server as `progeny serve`.
 */
import type { LocalEngine } from '../core/engine/local-engine.js';
import { startBackgroundSync, type BackgroundSyncEvent, type Stoppable } from '../core/sync/background.js';
import { startDreamSchedule, type DreamEvent, type DreamSchedule } from './dream-schedule.js';

export type BackgroundEvent = BackgroundSyncEvent | DreamEvent;

export interface ServerBackground {
  /** Embed the memories that lack vectors (imported, or written while the embedder was away). Default false. */
  embed?: boolean;
  /** Consolidate memory on a schedule. Default: never. */
  dream?: DreamSchedule;
  /** Sync this home with its vault every this many seconds (0 = never; a home without a vault waits). Default 0. */
  syncIntervalS?: number;
  /** What the background work reports (a dream's result, a sync alarm, a failure). Default: nothing. */
  onEvent?: (event: BackgroundEvent) => void;
}

export function startServerBackground(engine: LocalEngine, options: ServerBackground): Stoppable {
  const report = options.onEvent ?? (() => undefined);
  if (options.embed) engine.embedInBackground();
  const sync = startBackgroundSync(engine, options.syncIntervalS ?? 0, report);
  const dream = options.dream ? startDreamSchedule(engine, options.dream, report) : undefined;
  return {
    async stop() {
      await sync.stop();
      await dream?.stop();
    },
  };
}
