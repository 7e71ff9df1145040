/**
 * End-to-end sync: two separate PROGENY_HOMEs and a real `progeny serve` relay process. Chat and remember on A, push; pull on B and
 * see the same memories, state and heritage; concurrent edits resolve by the rules; the relay's database holds no
 * plaintext; bad input (wrong passphrase, unreachable relay, garbage responses, a revoked device) gives a clear error
 * and exit code and changes nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, setMeta } from '../../src/core/store/db.js';
import { BIN, makeHome, type Home } from './cli-harness.js';

const PASS = 'a long and private test passphrase';

/** A real `progeny serve` (its own home) as the relay; its relay.db sits beside that home's database. */
async function startRelay(dir: string): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [BIN, '--json', 'serve', '--port', '0'], {
    env: { PATH: process.env.PATH, HOME: dir, PROGENY_HOME: dir, PROGENY_LLM_PROVIDER: 'offline', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve((JSON.parse(line) as { listening: { url: string } }).listening.url);
    });
    proc.on('exit', (code) => reject(new Error(`progeny serve exited ${code}`)));
    setTimeout(() => reject(new Error('progeny serve did not start')), 20_000);
  });
  return { url, proc };
}

interface MemoryJson {
  id: string;
  text: string;
  status: string;
  kind: string;
  salience: number;
  pinned: boolean;
}
/** The synced fields of every memory (recall counters and the embedder are local). */
const memories = async (h: Home): Promise<MemoryJson[]> =>
  (await h.json<{ items: MemoryJson[] }>(['memory', 'list', '--status', 'all', '-n', '100'])).items
    .map(({ id, text, status, kind, salience, pinned }) => ({ id, text, status, kind, salience, pinned }))
    .sort((x, y) => x.id.localeCompare(y.id));

describe('sync end to end (two homes, a relay process)', () => {
  let relayDir: string;
  let relay: { url: string; proc: ChildProcess };
  let a: Home;
  let b: Home;
  let vaultId: string;
  /** The approve command `sync join` printed for B. */
  let approveB: string;
  // The hash embedder: these are about sync; with the semantic model each command also loads it in a worker, which
  // on a loaded machine pushes the scenario past its time limits (test/e2e/embedder.test.ts covers the model).
  const env = { PROGENY_SYNC_PASSPHRASE: PASS, PROGENY_EMBEDDER_KIND: 'hash' };

  beforeAll(async () => {
    relayDir = mkdtempSync(join(tmpdir(), 'progeny-relay-'));
    relay = await startRelay(relayDir);
    a = makeHome(env);
    b = makeHome(env);
    // B's device id starts with "-", as 1 in 64 ids made before issue 12 did: the commands progeny prints must work.
    const db = openDatabase(join(b.dir, 'progeny.db'));
    setMeta(db, 'device_id', '-e2eDashDevice00');
    db.close();
  }, 30_000);
  afterAll(() => {
    relay?.proc.kill('SIGTERM');
    a?.cleanup();
    b?.cleanup();
    rmSync(relayDir, { recursive: true, force: true });
  });

  it('A chats and remembers, pushes; B asks to join, receives nothing until approved, then has the same companion', async () => {
    await a.json(['init', '--name', 'Wren']);
    await a.json(['memory', 'add', 'The creator grows heirloom tomatoes on the balcony']);
    await a.json(['chat', '-m', 'I finally fixed the bicycle, I am so happy today!']);
    const init = await a.json<{ vaultId: string }>(['sync', 'init', '--relay', relay.url]);
    vaultId = init.vaultId;
    const pushed = await a.json<{ push: { sent: number } }>(['sync']);
    expect(pushed.push.sent).toBeGreaterThan(0);

    const joined = await b.json<{ deviceStatus: string; approve: string }>([
      'sync',
      'join',
      '--relay',
      relay.url,
      '--vault',
      vaultId,
    ]);
    expect(joined.deviceStatus).toBe('pending');
    approveB = joined.approve;
    const pending = await b.run(['sync']);
    expect(pending.code).toBe(7);
    expect(pending.stderr).toMatch(/waiting for approval/);
    expect(await memories(b)).toEqual([]);
    expect(approveB).toBe('progeny device approve -- -e2eDashDevice00');
    await a.json(approveB.split(' ').slice(1));
    await b.json(['sync']);
    expect((await memories(b)).map((m) => m.text)).toEqual((await memories(a)).map((m) => m.text));
    const hb = await b.json<{ doc: { name: string } }>(['heritage', 'show']);
    expect(hb.doc.name).toBe('Wren');
    const sa = await a.json<Record<string, number>>(['state', 'show']);
    const sb = await b.json<Record<string, number>>(['state', 'show']);
    // Decay applies on every read (docs/domain.md), so values read a few seconds apart differ in the 7th digit.
    for (const k of ['trust', 'warmth', 'valence', 'interactionCount']) expect(sb[k]).toBeCloseTo(sa[k] as number, 4);
    const search = await b.json<{ results: { memory: { text: string } }[] }>(['memory', 'search', 'tomatoes']);
    expect(search.results[0]?.memory.text).toMatch(/tomatoes/);
  }, 60_000);

  it('B pushes too; concurrent edits resolve by the rules', async () => {
    const [tomatoes] = (await memories(a)).filter((m) => /tomatoes/.test(m.text));
    await b.json(['memory', 'add', 'The creator is learning the cello']);
    // Concurrent: both edit the same memory; B edits last, so B's text wins everywhere.
    await a.json(['memory', 'edit', tomatoes!.id, '--text', 'Tomatoes: the creator grows them (edited on A)']);
    await new Promise((r) => setTimeout(r, 20));
    await b.json(['memory', 'edit', tomatoes!.id, '--text', 'Tomatoes: the creator grows them (edited on B)']);
    // Concurrent: A edits a memory while B forgets it: forget wins.
    const cello = (await memories(b)).find((m) => /cello/.test(m.text))!;
    await b.json(['sync']);
    await a.json(['sync']);
    await a.json(['memory', 'edit', cello.id, '--text', 'The creator plays the cello (edited on A)']);
    await b.json(['memory', 'forget', cello.id, '--yes']);
    // Heritage: last writer wins per field; a long losing value is kept as a conflict copy.
    const long = 'A'.repeat(260);
    await a.json(['heritage', 'edit', '--set', `notes=${long}`, '--reason', 'A notes']);
    await new Promise((r) => setTimeout(r, 20));
    await b.json(['heritage', 'edit', '--set', 'notes=B wins', '--reason', 'B notes']);
    for (let i = 0; i < 2; i++) {
      await a.json(['sync']);
      await b.json(['sync']);
    }
    const ma = await memories(a);
    const mb = await memories(b);
    expect(ma).toEqual(mb);
    expect(ma.find((m) => m.id === tomatoes!.id)?.text).toBe('Tomatoes: the creator grows them (edited on B)');
    expect(ma.find((m) => m.id === cello.id)).toMatchObject({ status: 'forgotten', text: '' });
    const ha = await a.json<{ doc: { notes: string } }>(['heritage', 'show']);
    const hb = await b.json<{ doc: { notes: string } }>(['heritage', 'show']);
    expect(ha.doc.notes).toBe('B wins');
    expect(hb.doc.notes).toBe('B wins');
    expect((await a.json<{ conflicts: number }>(['sync', 'status'])).conflicts).toBeGreaterThan(0);
  }, 90_000);

  it('the relay database holds no plaintext', () => {
    const files = readdirSync(relayDir).filter((f) => f.startsWith('relay.db'));
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(relayDir, f))));
    expect(bytes.length).toBeGreaterThan(0);
    for (const secret of [
      'tomatoes',
      'Tomatoes',
      'bicycle',
      'cello',
      'Wren',
      'Help my creator',
      'B wins',
      'AAAAAAAAAAAAAAAAAAAAAAAA',
      PASS,
    ]) {
      expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
    }
  });

  it('`progeny serve` with sync.intervalS syncs in the background', async () => {
    const serve = spawn(process.execPath, [BIN, '--json', 'serve', '--port', '0'], {
      env: { ...a.env, PROGENY_SYNC_INTERVALS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        serve.stdout?.on('data', (d: Buffer) => d.toString().includes('"listening"') && resolve());
        serve.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      await a.json(['memory', 'add', 'pushed by the background sync']);
      let seen = false;
      for (let i = 0; i < 30 && !seen; i++) {
        await new Promise((r) => setTimeout(r, 500));
        await b.json(['sync', 'pull']);
        seen = (await memories(b)).some((m) => m.text === 'pushed by the background sync');
      }
      expect(seen).toBe(true);
    } finally {
      serve.kill('SIGTERM');
      await new Promise((r) => serve.once('exit', r));
    }
  }, 60_000);

  it('a revoked device is refused (exit 7) and the keys rotate', async () => {
    const bId = (await b.json<{ deviceId: string }>(['sync', 'status'])).deviceId;
    const newPass = { PROGENY_SYNC_NEW_PASSPHRASE: 'orbit lantern kettle zebra' };
    const r = await a.run(['device', 'revoke', '--yes', '--', bId], { env: { ...a.env, ...newPass } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /keys rotated to epoch 1\. New devices join with the new passphrase; the old one is retired/,
    );
    const old = makeHome(env);
    try {
      const refused = await old.run(['sync', 'join', '--relay', relay.url, '--vault', vaultId]);
      expect(refused.code).toBe(7);
      expect(refused.stderr).toMatch(/passphrase does not open this vault/);
    } finally {
      old.cleanup();
    }
    await b.json(['memory', 'add', 'written after revocation']);
    const refused = await b.run(['--json', 'sync', 'push']);
    expect(refused.code).toBe(7);
    expect(JSON.parse(refused.stdout).error.code).toBe('SYNC_REVOKED');
    await a.json(['sync']);
    expect((await memories(a)).some((m) => /after revocation/.test(m.text))).toBe(false);
  }, 60_000);

  it('bad input: wrong passphrase, unreachable relay, garbage responses — clear errors, nothing changed', async () => {
    const c = makeHome({ PROGENY_SYNC_PASSPHRASE: 'not the passphrase at all' });
    try {
      const wrong = await c.run(['sync', 'join', '--relay', relay.url, '--vault', vaultId]);
      expect(wrong.code).toBe(7);
      expect(wrong.stderr).toMatch(/passphrase does not open this vault/);
      expect((await c.json<{ configured: boolean }>(['sync', 'status'])).configured).toBe(false);

      const dead = await c.run(['sync', 'join', '--relay', 'http://127.0.0.1:9', '--vault', vaultId]);
      expect(dead.code).toBe(6);
      expect(dead.stderr).toMatch(/cannot reach the relay/);

      const garbage: Server = createServer((_req, res) => res.end('<html>not a relay</html>'));
      await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
      const port = (garbage.address() as { port: number }).port;
      const bad = await c.run(['--json', 'sync', 'join', '--relay', `http://127.0.0.1:${port}`, '--vault', vaultId]);
      garbage.close();
      expect(bad.code).toBe(6);
      expect(JSON.parse(bad.stdout).error.code).toBe('SYNC_BAD_RESPONSE');
      expect((await c.json<{ configured: boolean }>(['sync', 'status'])).configured).toBe(false);
    } finally {
      c.cleanup();
    }
    // An unreachable relay on push keeps the queue: exit 6 with the pending count.
    await a.json(['memory', 'add', 'queued while the relay is down']);
    relay.proc.kill('SIGTERM');
    await new Promise((r) => relay.proc.once('exit', r));
    const down = await a.run(['sync', 'push', '--budget', '0']);
    expect(down.code).toBe(6);
    expect(down.stderr).toMatch(/pending/);
    expect((await a.json<{ pendingChanges: number }>(['sync', 'status'])).pendingChanges).toBeGreaterThan(0);
    relay = await startRelay(relayDir);
  }, 60_000);
});
