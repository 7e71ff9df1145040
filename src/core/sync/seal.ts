/**
 * Sealing: groups outbox changes into batches (≤ 256 KiB plaintext), each chained to this device's previous batch,
 * and stores the sealed bytes so a retry resends identical bytes. One transaction: a crash either seals a whole set
 * of batches, with their deviceSeq numbers consumed, or nothing.
 */
import { getMeta, immediate, setMeta } from '../store/db.js';
import { changeSize, encodeChanges } from './changes.js';
import { metaNum, setMetaNum, type SyncSession } from './context.js';
import { ENVELOPE_VERSION, envelopeHash, MAX_PLAINTEXT, sealEnvelope } from './envelope.js';

interface OutboxRow {
  seq: number;
  coll: string;
  rec_id: string;
  field: string;
  value: string | null;
  hlc: string;
}

const BUDGET = MAX_PLAINTEXT - 4096;

export function sealOutbox(s: SyncSession): { batches: number; changes: number } {
  const { db, vault } = s;
  const dk = vault.dataKeys.get(vault.epoch);
  if (!dk) throw new Error(`no data key for epoch ${vault.epoch}`);
  return immediate(db, () => {
    const upto = metaNum(db, 'sync_sealed_upto');
    const rows = db
      .prepare('SELECT seq, coll, rec_id, field, value, hlc FROM outbox WHERE seq > ? ORDER BY seq')
      .all(upto) as OutboxRow[];
    if (rows.length === 0) return { batches: 0, changes: 0 };
    let deviceSeq = metaNum(db, 'sync_device_seq');
    let prevHash = getMeta(db, 'sync_prev_hash') ?? '';
    const insert = db.prepare(
      'INSERT INTO sync_batches (device_seq, hash, envelope, outbox_max, changes, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    let batches = 0;
    let start = 0;
    while (start < rows.length) {
      let end = start;
      let size = 2;
      while (end < rows.length && (end === start || size + changeSize(rows[end] as OutboxRow) <= BUDGET))
        size += changeSize(rows[end++] as OutboxRow);
      const chunk = rows.slice(start, end);
      const hlcs = chunk.map((r) => r.hlc).sort();
      deviceSeq += 1;
      const env = sealEnvelope(
        {
          v: ENVELOPE_VERSION,
          vaultId: vault.vaultId,
          deviceId: vault.deviceId,
          deviceSeq,
          prevHash,
          keyEpoch: vault.epoch,
          hlcMin: hlcs[0] as string,
          hlcMax: hlcs.at(-1) as string,
        },
        Buffer.from(encodeChanges(chunk)),
        dk,
        vault.keys.signSk,
      );
      prevHash = envelopeHash(env);
      insert.run(deviceSeq, prevHash, Buffer.from(env), (chunk.at(-1) as OutboxRow).seq, chunk.length, s.clock.now());
      batches += 1;
      start = end;
    }
    setMetaNum(db, 'sync_device_seq', deviceSeq);
    setMeta(db, 'sync_prev_hash', prevHash);
    setMetaNum(db, 'sync_sealed_upto', (rows.at(-1) as OutboxRow).seq);
    return { batches, changes: rows.length };
  });
}
