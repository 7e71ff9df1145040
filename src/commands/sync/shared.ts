/** Helpers shared by the sync and device commands: opening sync for the engine, the passphrase, progress, views. */
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { usageError } from '../../core/errors.js';
import type { EngineSync, SyncProgress, SyncStatus } from '../../core/sync/index.js';
import type { CommandContext } from '../context.js';
import type { View } from '../output.js';

/** `create`: a command that sets sync up on this home (init, join, pairing a new device) may create the home. */
export async function openSync(ctx: CommandContext, o: { create?: boolean } = {}): Promise<EngineSync> {
  const engine = await ctx.engine(o);
  const { createEngineSync } = await import('../../core/sync/index.js');
  return createEngineSync(engine);
}

export function progressFn(ctx: CommandContext): (p: SyncProgress) => void {
  return (p) => {
    if (ctx.globals.json) return;
    ctx.out.progress(p.phase, p.done, p.total);
  };
}

/**
 * The passphrase: PROGENY_SYNC_PASSPHRASE, or one line of stdin with --passphrase-stdin, or a hidden prompt on a TTY.
 * Never a command-line argument (it would land in shell history and `ps`).
 */
/** The flags shared by `sync init`, `sync join` and `device pair`. */
export interface VaultOptions {
  relay?: string;
  vault?: string;
  name?: string;
  passphraseStdin?: boolean;
}

export async function readPassphrase(
  ctx: CommandContext,
  opts: { passphraseStdin?: boolean },
  prompt = 'sync passphrase: ',
  envName = 'PROGENY_SYNC_PASSPHRASE',
): Promise<string> {
  const fromEnv = ctx.env[envName];
  if (fromEnv) return fromEnv;
  if (opts.passphraseStdin === true) {
    let text = '';
    for await (const chunk of ctx.stdin) {
      text += String(chunk);
      if (text.includes('\n')) break;
    }
    const line = text.split('\n')[0]?.replace(/\r$/, '') ?? '';
    if (!line) throw usageError('no passphrase on stdin');
    return line;
  }
  if (!ctx.stdin.isTTY || !ctx.out.stderr.isTTY)
    throw usageError('a sync passphrase is needed', `set ${envName}, or pass --passphrase-stdin and pipe it in`);
  let muted = false;
  const sink = new Writable({
    write: (chunk: Buffer, _enc, cb) => {
      if (!muted) ctx.out.stderr.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: ctx.stdin, output: sink, terminal: true });
  try {
    const p = rl.question(prompt, { signal: ctx.signal });
    muted = true;
    const answer = await p;
    ctx.out.stderr.write('\n');
    return answer;
  } finally {
    rl.close();
  }
}

const when = (t: number | null): string => (t ? new Date(t).toISOString().replace('T', ' ').slice(0, 19) : 'never');

export function statusView(s: SyncStatus): View {
  if (!s.configured)
    return {
      kind: 'text',
      text: 'Sync is not set up. Create a vault with `progeny sync init --relay URL`, or join one with `progeny sync join`.',
    };
  const views: View[] = [
    {
      kind: 'fields',
      fields: [
        ['relay', s.relay],
        ['vault', s.vaultId],
        ['this device', `${s.deviceId}${s.deviceStatus === 'pending' ? ' (pending approval)' : ''}`],
        ['key epoch', s.keyEpoch],
        ['pending changes', s.pendingChanges],
        ['unsent batches', s.unsentBatches],
        ['applied up to', `${s.cursor} of ${s.head}`],
        ['last push', when(s.lastPushAt)],
        ['last pull', when(s.lastPullAt)],
        ['parked batches', s.parked.map((p) => `${p.count} ${p.reason}`).join(', ') || '–'],
        ['conflict copies', s.conflicts],
        ['alarms', s.alarms.length ? s.alarms.length : 'none'],
        ...(s.stalled ? [['stopped', `before seq ${s.stalled.seq} (${s.stalled.kind})`] as [string, string]] : []),
      ],
    },
  ];
  const advice = recoveryAdvice(s);
  if (advice) views.push({ kind: 'text', text: advice });
  if (s.alarms.length) {
    views.push({
      kind: 'table',
      columns: [
        { key: 'kind', label: 'ALARM' },
        { key: 'detail', label: 'DETAIL', flex: true },
      ],
      rows: s.alarms.map((a) => ({ ...a })),
    });
  }
  views.push(devicesView(s));
  return { kind: 'stack', views };
}

/** What to do about alarms (docs/sync.md, "Alarms and recovery"). */
export function recoveryAdvice(s: Pick<SyncStatus, 'alarms' | 'stalled'>): string | null {
  if (s.stalled)
    return (
      `Pulls stop before seq ${s.stalled.seq} (${s.stalled.kind}): nothing after it is applied. If the relay is ` +
      'repaired, `progeny sync pull` resumes by itself. If the relay was restored from a backup or keeps serving a bad ' +
      'batch, `progeny sync recover` clears the alarms and reads its log again from its newest verified snapshot.'
    );
  if (s.alarms.length)
    return 'Nothing of a refused batch was applied. `progeny sync recover` clears the alarms and reads the relay’s log again from its newest verified snapshot; any that still hold come back.';
  return null;
}

export function devicesView(s: SyncStatus): View {
  return {
    kind: 'table',
    columns: [
      { key: 'id', label: 'DEVICE' },
      { key: 'name', label: 'NAME', flex: true },
      { key: 'status', label: 'STATUS' },
      { key: 'admin', label: 'ADMIN' },
      { key: 'lastSeq', label: 'BATCHES', align: 'right' },
    ],
    rows: s.devices.map((d) => ({
      id: d.self ? `${d.id} (this)` : d.id,
      name: d.name,
      status: d.status,
      admin: d.caps.includes('admin'),
      lastSeq: d.lastSeq,
    })),
    empty: 'no devices yet',
  };
}
