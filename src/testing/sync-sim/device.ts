/**
 * A simulated device: its own progeny home and database with the real limbic, heritage, conversation and device
 * services and the real journal and sync client, talking to the relay through the simulated network. Memories are
 * written the way the memory service journals them (a whole-record add, per-field edits, forget).
 */
import type { Clock } from '../../core/clock.js';
import { createDeviceService, type DeviceService } from '../../core/devices/service.js';
import { createConversationService, type ConversationService } from '../../core/engine/conversations.js';
import { ensureDeviceId } from '../../core/engine/identity.js';
import { createHeritageService, type HeritageService } from '../../core/heritage/service.js';
import { canonicalJson } from '../../core/heritage/types.js';
import { ulid } from '../../core/ids.js';
import { createLimbicService, type LimbicService } from '../../core/limbic/service.js';
import type { MemoryRow } from '../../core/memory/rows.js';
import { createWriter } from '../../core/memory/writer.js';
import { openDatabase, type Db } from '../../core/store/db.js';
import { createEngineSync, type EngineSync } from '../../core/sync/index.js';
import { createJournal, type Journal } from '../../core/sync/journal.js';
import type { Transport } from '../../core/sync/transport.js';
import { tempHome } from '../temp-home.js';
import type { Paths } from '../../core/paths.js';

export interface SimDevice {
  name: string;
  paths: Paths;
  db: Db;
  deviceId: string;
  clock: Clock;
  journal: Journal;
  state: LimbicService;
  heritage: HeritageService;
  conversations: ConversationService;
  devices: DeviceService;
  sync: EngineSync;
  addMemory(text: string, id?: string): string;
  editMemory(id: string, text: string): boolean;
  forgetMemory(id: string): boolean;
  /** Simulates a process crash and restart: closes the database and reopens every service on the same home. */
  reopen(): SimDevice;
  /** Canonical dump of the synced state, for byte-equality across devices. */
  dump(): string;
  close(): void;
}

type MemoryOps = Pick<SimDevice, 'addMemory' | 'editMemory' | 'forgetMemory'>;

/** Memory writes as the memory service journals them: a whole-record add, a text edit, a forget. */
function memoryOps(db: Db, writer: ReturnType<typeof createWriter>, clock: Clock): MemoryOps {
  const row = (id: string): MemoryRow | undefined =>
    db.prepare('SELECT * FROM memories WHERE id = ?').get(id) as MemoryRow | undefined;
  return {
    addMemory(text, id = ulid(clock.now())) {
      writer.insert([
        {
          id,
          text,
          kind: 'fact',
          actor: 'creator',
          source: {},
          salience: 0.5,
          pinned: false,
          vector: new Float32Array([1, 0, 0, 0]),
        },
      ]);
      return id;
    },
    editMemory(id, text) {
      const before = row(id);
      if (!before || before.status !== 'active') return false;
      writer.patch(before, { text }, 'edited');
      return true;
    },
    forgetMemory(id) {
      const before = row(id);
      if (!before || before.status === 'forgotten') return false;
      writer.forgetRow(before);
      return true;
    },
  };
}

/** Canonical JSON of everything sync carries, so two converged devices dump the same bytes. */
function dumpSyncedState(db: Db): string {
  const limbicRow = db.prepare('SELECT state FROM limbic_state WHERE id = 1').pluck().get() as string | undefined;
  const doc = db.prepare('SELECT doc FROM heritage_versions ORDER BY version DESC LIMIT 1').pluck().get() as
    string | undefined;
  return canonicalJson({
    limbic: limbicRow ? JSON.parse(limbicRow) : null,
    heritage: doc ? JSON.parse(doc) : null,
    memories: db.prepare('SELECT id, text, kind, actor, salience, pinned, status FROM memories ORDER BY id').all(),
    messages: db.prepare('SELECT id, conversation_id, role, text, status, hlc FROM messages ORDER BY id').all(),
    conversations: db.prepare('SELECT id FROM conversations ORDER BY id').pluck().all(),
    devices: db
      .prepare('SELECT id, name, capabilities, revoked_at IS NOT NULL AS revoked FROM devices ORDER BY id')
      .all(),
  });
}

export function createSimDevice(
  name: string,
  clock: Clock,
  transport: Transport,
  opts: { sleep?: (ms: number) => Promise<void>; random?: () => number; home?: ReturnType<typeof tempHome> } = {},
): SimDevice {
  const home = opts.home ?? tempHome(`progeny-sim-${name}-`);
  const db = openDatabase(home.paths.db);
  const deviceId = ensureDeviceId(db);
  const journal = createJournal(db, clock, deviceId);
  const state = createLimbicService(db, journal, clock, { maxDelta: 0.1, elasticMaxDelta: 0.3, reunionHours: 48 });
  const heritage = createHeritageService(db, journal, clock, () => state.read().trust);
  const conversations = createConversationService(db, journal, clock);
  const devices = createDeviceService(db, journal, clock);
  devices.ensureSelf(name);
  const sync = createEngineSync(
    { db, clock, paths: home.paths, deviceId },
    { transport, ...(opts.sleep ? { sleep: opts.sleep } : {}), ...(opts.random ? { random: opts.random } : {}) },
  );
  // The real memory writer, so the simulator syncs exactly what the memory service journals.
  const writer = createWriter(db, journal, clock, () => 'builtin-sim');

  return {
    name,
    paths: home.paths,
    db,
    deviceId,
    clock,
    journal,
    state,
    heritage,
    conversations,
    devices,
    sync,
    ...memoryOps(db, writer, clock),
    dump: () => dumpSyncedState(db),
    reopen() {
      if (db.open) db.close();
      return createSimDevice(name, clock, transport, { ...opts, home });
    },
    close() {
      if (db.open) db.close();
      home.cleanup();
    },
  };
}
