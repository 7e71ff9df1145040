/**
 * End to end with memory.backend=qdrant: the built binary against the Qdrant TEST DOUBLE (src/testing/qdrant-double.ts,
 * in this process; the CLI runs as its own process). Add and search, doctor, a dimension mismatch, AMNESIA with the
 * durable replay queue across processes, and `memory migrate` both ways.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLlmTestDouble } from '../../src/testing/llm-double.js';
import { startQdrantTestDouble, type QdrantTestDouble } from '../../src/testing/qdrant-double.js';
import { makeHome, type Home } from './cli-harness.js';

let double: QdrantTestDouble;
let home: Home;

beforeEach(async () => {
  double = await startQdrantTestDouble();
  home = makeHome({ PROGENY_MEMORY_BACKEND: 'qdrant', PROGENY_MEMORY_QDRANT_URL: double.url });
});
afterEach(async () => {
  home.cleanup();
  await double.close();
});

interface DoctorRow {
  check: string;
  status: string;
  detail: string;
  fix?: string;
}
const doctor = async (h: Home): Promise<{ code: number | null; rows: DoctorRow[] }> => {
  const r = await h.run(['--json', 'doctor']);
  return { code: r.code, rows: (JSON.parse(r.stdout) as { checks: DoctorRow[] }).checks };
};

describe('qdrant backend end to end', () => {
  it('remembers into Qdrant and recalls from it; doctor reports the server and collection', async () => {
    await home.json(['memory', 'add', 'I', 'drink', 'green', 'tea', 'every', 'morning']);
    await home.json(['memory', 'add', 'The', 'bike', 'needs', 'a', 'new', 'chain']);
    // `memory add` does not wait for the semantic model (docs/embeddings.md): a memory reaches Qdrant with its vector,
    // made here by the search that follows.
    const found = await home.json<{ results: { memory: { text: string } }[] }>(['memory', 'search', 'green', 'tea']);
    expect(found.results[0]?.memory.text).toMatch(/green tea/);
    const c = double.collections.get('progeny_memories');
    expect(c?.points.size).toBe(2);
    expect(c?.distance).toBe('Cosine');
    expect(double.requests.some((r) => r.route === 'query' && (r.body as { with_vector?: boolean }).with_vector)).toBe(
      true,
    );
    const d = await doctor(home);
    expect(d.rows.find((r) => r.check === 'qdrant')).toMatchObject({ status: 'ok' });
    expect(d.rows.find((r) => r.check === 'qdrant collection')?.detail).toMatch(
      /progeny_memories: \d+-d Cosine, 2 points/,
    );
    expect(d.rows.find((r) => r.check === 'memory')).toMatchObject({ status: 'ok' });
  });

  it('a collection of another dimension is a clear error with a hint, in doctor and in commands', async () => {
    double.collections.set('progeny_memories', { size: 8, distance: 'Cosine', points: new Map(), indexes: new Map() });
    // The write creates the home (doctor never does), then refuses the collection.
    const add = await home.run(['memory', 'add', 'hello']);
    expect(add.code).toBe(3);
    expect(add.stderr).toMatch(/8-dimensional/);
    expect(add.stderr).toMatch(/hint: .*memory migrate --to qdrant/);
    expect(double.collections.get('progeny_memories')?.points.size).toBe(0);
    const d = await doctor(home);
    expect(d.code).toBe(3);
    expect(d.rows.find((r) => r.check === 'qdrant collection' && r.status === 'fail')?.detail).toMatch(
      /8-dimensional vectors but the embedder .* makes \d+-dimensional/,
    );
  });

  it('AMNESIA: with Qdrant down, writes are kept and queued; the next process replays them once it is back', async () => {
    // The hash embedder makes the vector at the write, so the write itself is what Qdrant misses and gets replayed.
    home.cleanup();
    home = makeHome({
      PROGENY_MEMORY_BACKEND: 'qdrant',
      PROGENY_MEMORY_QDRANT_URL: double.url,
      PROGENY_EMBEDDER_KIND: 'hash',
    });
    await double.setDown(true);
    const add = await home.run(['--json', 'memory', 'add', 'remember', 'the', 'lighthouse']);
    expect(add.code).toBe(0);
    const d = await doctor(home);
    expect(d.code).toBe(5);
    expect(d.rows.find((r) => r.check === 'qdrant')).toMatchObject({ status: 'fail' });
    expect(d.rows.find((r) => r.check === 'qdrant replay')?.detail).toMatch(/1 writes queued/);
    expect(d.rows.find((r) => r.check === 'mode')?.detail).toMatch(/AMNESIA|DEAD/);

    await double.setDown(false);
    const found = await home.json<{ results: { memory: { text: string } }[] }>(['memory', 'search', 'lighthouse']);
    expect(found.results[0]?.memory.text).toMatch(/lighthouse/);
    expect(double.collections.get('progeny_memories')?.points.size).toBe(1);
  });

  it('AMNESIA in chat: a model but no Qdrant answers without recall, and the exchange replays into Qdrant later', async () => {
    const llm = await startLlmTestDouble({ fixture: 'greeting' });
    try {
      const env = { PROGENY_LLM_PROVIDER: 'ollama', PROGENY_LLM_URL: llm.ollamaUrl, PROGENY_LLM_RETRIES: '0' };
      await double.setDown(true);
      const turn = await home.run(['--json', 'chat', '-m', 'I adopted a parrot called Kiwi'], { env });
      expect(turn.code).toBe(0);
      expect(JSON.parse(turn.stdout)).toMatchObject({ mode: 'AMNESIA', offline: false, recalled: [] });
      await double.setDown(false);
      const next = await home.run(['--json', 'chat', '-m', 'what is my parrot called?'], { env });
      expect(next.code).toBe(0);
      const t2 = JSON.parse(next.stdout) as { mode: string; recalled: { text: string }[] };
      expect(t2.mode).toBe('FULL');
      expect(t2.recalled.map((r) => r.text).join(' ')).toMatch(/Kiwi/);
    } finally {
      await llm.close();
    }
  });

  it('memory migrate copies every memory to Qdrant and back, verified', async () => {
    const embedded = makeHome();
    try {
      const file = join(embedded.dir, 'in.jsonl');
      writeFileSync(
        file,
        Array.from({ length: 40 }, (_, i) =>
          JSON.stringify({ text: `note number ${i} about topic ${i % 7}`, kind: 'fact' }),
        ).join('\n') + '\n',
      );
      await embedded.json(['memory', 'import', file]);
      const env = { PROGENY_MEMORY_QDRANT_URL: double.url };
      const to = await embedded.json<{
        total: number;
        copied: number;
        targetCount: number;
        verified: boolean;
        next: string;
      }>(['memory', 'migrate', '--to', 'qdrant'], { env });
      expect(to).toMatchObject({
        total: 40,
        copied: 40,
        targetCount: 40,
        verified: true,
        next: 'progeny config set memory.backend qdrant',
      });
      expect(double.collections.get('progeny_memories')?.points.size).toBe(40);
      const back = await embedded.json<{ verified: boolean; targetCount: number }>(
        ['memory', 'migrate', '--to', 'embedded'],
        { env },
      );
      expect(back).toMatchObject({ verified: true, targetCount: 40 });
      const bad = await embedded.run(['memory', 'migrate', '--to', 'elsewhere']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--to must be one of qdrant, embedded, got "elsewhere"/);
    } finally {
      embedded.cleanup();
    }
  });
});

describe('a batch larger than the request body limit (Qdrant: service.max_request_size_mb, 400)', () => {
  it('memory migrate splits its upserts by encoded size and copies everything', async () => {
    const small = await startQdrantTestDouble({ maxRequestBytes: 1024 * 1024 });
    const embedded = makeHome({ PROGENY_EMBEDDER_KIND: 'hash' });
    try {
      const file = join(embedded.dir, 'in.jsonl');
      // 1,500 points (384 dimensions) make a body of about 1.5 MB in one batch.
      const lines = Array.from({ length: 1500 }, (_, i) => JSON.stringify({ text: `note ${i} on topic ${i % 9}` }));
      writeFileSync(file, lines.join('\n') + '\n');
      await embedded.json(['memory', 'import', file]);
      const env = {
        PROGENY_MEMORY_QDRANT_URL: small.url,
        PROGENY_MEMORY_QDRANT_MAXREQUESTMB: '1',
        PROGENY_MEMORY_QDRANT_BATCHSIZE: '10000',
      };
      const r = await embedded.run(['--json', 'memory', 'migrate', '--to', 'qdrant', '--batch', '1500'], { env });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ copied: 1500, targetCount: 1500, verified: true });
      const upserts = small.requests.filter((q) => q.route === 'upsert');
      expect(upserts.length).toBeGreaterThan(1);
      for (const u of upserts) expect(Buffer.byteLength(JSON.stringify(u.body))).toBeLessThanOrEqual(1024 * 1024);
      expect(small.requests.some((q) => q.route === 'upsert' && q.body === undefined)).toBe(false);
    } finally {
      embedded.cleanup();
      await small.close();
    }
  });
});
